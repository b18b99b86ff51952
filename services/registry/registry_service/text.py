"""Azerbaijani text helpers: search keys, ASCII transliteration, identifier validators."""

from __future__ import annotations

import re
import unicodedata

# Letters that differ between a careful and a careless (or English-keyboard) spelling;
# folding both sides to plain Latin lets "seki insaat" find "ŞƏKİ İnşaat".
_FOLD_MAP = str.maketrans({
    "ə": "e",
    "ä": "e",  # pre-1992 Latin spelling of ə still shows up in old records
    "ı": "i",
    "ö": "o",
    "ü": "u",
    "ç": "c",
    "ş": "s",
    "ğ": "g",
    "\u0307": None,  # combining dot left over by a generic lower() of "İ"
})

_FIN_RE = re.compile(r"[0-9A-Z]{7}")
_VOEN_RE = re.compile(r"[0-9]{10}")
MOBILE_OPERATOR_CODES = ("10", "50", "51", "55", "60", "70", "77", "99")
_MOBILE_RE = re.compile(r"\+994(?:%s)[0-9]{7}" % "|".join(MOBILE_OPERATOR_CODES))


def az_lower(text: str) -> str:
    """Lower-case with Azerbaijani rules: İ→i and I→ı (str.lower() gets both wrong)."""
    text = unicodedata.normalize("NFC", text)
    return text.replace("İ", "i").replace("I", "ı").lower()


def az_upper(text: str) -> str:
    """Upper-case with Azerbaijani rules: i→İ and ı→I."""
    text = unicodedata.normalize("NFC", text)
    return text.replace("i", "İ").replace("ı", "I").upper()


def fold(text: str) -> str:
    """Search key insensitive to case and to Azerbaijani-specific letters."""
    folded = az_lower(text).translate(_FOLD_MAP)
    return " ".join(folded.split())


def transliterate(text: str) -> str:
    """Plain ASCII form (for e-mail local parts, file names); drops anything else."""
    folded = fold(text)
    decomposed = unicodedata.normalize("NFKD", folded)
    return "".join(ch for ch in decomposed if ch.isascii())


def normalize_fin(value: str) -> str:
    """FİN as stored: trimmed and upper-case (people type it in lower case too)."""
    return value.strip().upper()


def is_valid_fin(value: object) -> bool:
    if not isinstance(value, str):
        return False
    return _FIN_RE.fullmatch(normalize_fin(value)) is not None


def is_valid_voen(value: object) -> bool:
    return isinstance(value, str) and _VOEN_RE.fullmatch(value) is not None


def normalize_mobile(value: str) -> str:
    """Best-effort canonical +994XXNNNNNNN from common spellings such as
    "050 123 45 67", "(050) 123-45-67" or "994501234567". Validate the result."""
    digits = re.sub(r"[\s\-().]", "", value.strip())
    if digits.startswith("+"):
        return digits
    if digits.startswith("00994"):
        return "+" + digits[2:]
    if digits.startswith("994"):
        return "+" + digits
    if digits.startswith("0") and len(digits) == 10:
        return "+994" + digits[1:]
    return digits


def is_valid_mobile(value: object) -> bool:
    """Strict: only the canonical +994 form (use normalize_mobile on user input first)."""
    return isinstance(value, str) and _MOBILE_RE.fullmatch(value) is not None
