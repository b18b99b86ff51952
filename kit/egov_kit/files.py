"""Files handed to people: download names that keep Azerbaijani letters (RFC 6266 / 5987, with a
plain-ASCII fallback for old clients) and the Flask answer carrying a file of personal data."""
from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

_ASCII_FOLD = str.maketrans({"ə": "e", "Ə": "E", "ı": "i", "İ": "I", "ö": "o", "Ö": "O", "ü": "u", "Ü": "U",
                             "ç": "c", "Ç": "C", "ş": "s", "Ş": "S", "ğ": "g", "Ğ": "G"})


def content_disposition(filename: str) -> str:
    """attachment with a plain-ASCII fallback and the exact UTF-8 name (RFC 6266 / 5987)."""
    folded = unicodedata.normalize("NFKD", filename.translate(_ASCII_FOLD))
    ascii_name = "".join(ch for ch in folded if ch.isascii())
    ascii_name = re.sub(r"[^A-Za-z0-9._-]+", "_", ascii_name).strip("_") or "document"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"


def safe_name_part(value: str, fallback: str = "sened") -> str:
    """A piece of a file name: what file systems dislike (slashes, colons, spaces ...) becomes '-'."""
    return re.sub(r"[\\/:*?\"<>|\s]+", "-", value or "").strip("-") or fallback


def file_response(data: bytes, mimetype: str, filename: str):
    """A download of `data` named `filename`; personal data, so never kept by shared caches."""
    from flask import Response

    response = Response(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = content_disposition(filename)
    response.headers["Cache-Control"] = "private, no-store"
    return response
