"""Field types for Azerbaijani identifiers, raising translated message codes.

Each type accepts exactly what its `pattern` says (the pattern is also what the OpenAPI document
shows, so a client can check a value before sending it) and then normalises it: surrounding blanks
dropped, a FİN in capitals, a mobile number without separators. One regular expression serves both
the check and the document, so the two cannot drift apart. The patterns keep to the syntax that
JSON Schema (ECMA-262) and Python read alike; values are matched whole (`fullmatch`), which is what
`^…$` means to JSON Schema."""
from __future__ import annotations

import re

from marshmallow import ValidationError, fields

BLANKS = " \t\r\n"                     # dropped around a value (pasted identifiers carry them)
_BLANK = r"[ \t\r\n]*"
MOBILE_OPERATORS = ("10", "50", "51", "55", "60", "70", "77", "99")
_OPERATOR = "(?:" + "|".join(MOBILE_OPERATORS) + ")"
_SEP = "[ -]?"                          # one space or hyphen between the groups of a phone number

FIN_PATTERN = rf"^{_BLANK}[0-9A-Za-z]{{7}}{_BLANK}$"
VOEN_PATTERN = rf"^{_BLANK}[0-9]{{10}}{_BLANK}$"
MOBILE_PATTERN = (rf"^{_BLANK}\+994{_SEP}(?:{_OPERATOR}|\({_OPERATOR}\)){_SEP}"
                  rf"[0-9]{{3}}{_SEP}[0-9]{{2}}{_SEP}[0-9]{{2}}{_BLANK}$")
USER_ID_PATTERN = rf"^{_BLANK}[0-9]{{6}}{_BLANK}$"

# The normalised forms (what is stored and compared).
FIN_RE = re.compile(r"^[0-9A-Z]{7}$")
VOEN_RE = re.compile(r"^[0-9]{10}$")
MOBILE_RE = re.compile(r"^\+994" + _OPERATOR + r"[0-9]{7}$")
USER_ID_RE = re.compile(r"^[0-9]{6}$")

_FIN_IN = re.compile(FIN_PATTERN)
_VOEN_IN = re.compile(VOEN_PATTERN)
_MOBILE_IN = re.compile(MOBILE_PATTERN)
_USER_ID_IN = re.compile(USER_ID_PATTERN)


def _accepted(regex: re.Pattern, value) -> bool:
    return isinstance(value, str) and regex.fullmatch(value) is not None


def normalize_fin(value: str) -> str:
    return value.strip(BLANKS).upper()


def is_fin(value) -> bool:
    """A FİN as a person may type it (see FIN_PATTERN)."""
    return _accepted(_FIN_IN, value)


def is_voen(value) -> bool:
    return _accepted(_VOEN_IN, value)


def normalize_mobile(value: str) -> str:
    return re.sub(r"[ \t\r\n()\-]", "", value)


def is_mobile(value) -> bool:
    return _accepted(_MOBILE_IN, value)


class _Pattern(fields.String):
    """A string accepted by `pattern` (documented as such), then normalised. With `blank=True` a
    form's empty field (nothing but blanks) is read as None, and the document says so too."""
    code = "invalid"
    pattern = ""
    description = ""

    def __init__(self, *args, blank: bool = False, metadata: dict | None = None, **kwargs):
        self.blank = blank
        pattern = f"^(?:{self.pattern[1:-1]}|{_BLANK})$" if blank else self.pattern
        documented = {"pattern": pattern}
        if self.description:
            documented["description"] = self.description + ("; blank: none given" if blank else "")
        super().__init__(*args, metadata={**documented, **(metadata or {})}, **kwargs)
        self._regex = re.compile(self.pattern)

    def normalize(self, value: str) -> str:
        return value.strip(BLANKS)

    def _deserialize(self, value, attr, data, **kwargs):
        if self.blank and isinstance(value, str) and not value.strip(BLANKS):
            return None
        if not isinstance(value, str) or self._regex.fullmatch(value) is None:
            raise ValidationError(self.code)
        return self.normalize(value)


class Fin(_Pattern):
    code = "invalid_fin"
    pattern = FIN_PATTERN
    description = "FİN: 7 Latin letters and digits (lower case accepted, stored in capitals)"

    def normalize(self, value):
        return normalize_fin(value)


class Voen(_Pattern):
    code = "invalid_voen"
    pattern = VOEN_PATTERN
    description = "VÖEN: 10 digits"


class Mobile(_Pattern):
    code = "invalid_phone"
    pattern = MOBILE_PATTERN
    description = ("mobile number: +994, an operator code (10, 50, 51, 55, 60, 70, 77, 99) and 7 digits; "
                   "spaces or hyphens between the groups and brackets around the code are dropped")

    def normalize(self, value):
        return normalize_mobile(value)


class AsanUserId(_Pattern):
    code = "invalid_user_id"
    pattern = USER_ID_PATTERN
    description = "Asan İmza user ID: 6 digits"
