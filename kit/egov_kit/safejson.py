"""JSON bodies a service will not choke on, checked once at the door (before any view).

Python's parser accepts what the rest of the path cannot take: nesting deep enough to exhaust
the recursion limit, integers of thousands of digits (a ValueError past 4,300), NaN and
Infinity, and lone surrogates (`"\\ud800"`), which no UTF-8 encoder — BSON's included — will
write. Each is refused here as a 400 problem instead of failing later as a 500."""
from __future__ import annotations

import json

from .errors import ServiceError

MAX_DEPTH = 32          # far beyond any document of the suite's APIs
MAX_INT_DIGITS = 18     # anything longer may not fit a 64-bit integer in the database


class _Refused(ValueError):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def _integer(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise _Refused("json_number_too_large")
    return int(text)


def _constant(_name: str):
    raise _Refused("invalid_json")  # NaN, Infinity, -Infinity are not JSON


def _float(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise _Refused("json_number_too_large")
    return value


def parse(raw: bytes | str):
    """The parsed body, or ServiceError(400) saying what is wrong with it."""
    try:
        text = raw.decode("utf-8") if isinstance(raw, (bytes, bytearray)) else raw
        value = json.loads(text, parse_int=_integer, parse_float=_float, parse_constant=_constant)
    except _Refused as refused:
        raise ServiceError(400, refused.code) from None
    except RecursionError:
        raise ServiceError(400, "json_too_deep") from None
    except (ValueError, UnicodeDecodeError):
        raise ServiceError(400, "invalid_json") from None
    _check_shape(value)
    return value


def _check_shape(value) -> None:
    """Depth and strings, walked without recursion."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            _check_text(item)
        elif isinstance(item, dict):
            if depth > MAX_DEPTH:
                raise ServiceError(400, "json_too_deep")
            for key, member in item.items():
                _check_text(key)
                stack.append((member, depth + 1))
        elif isinstance(item, list):
            if depth > MAX_DEPTH:
                raise ServiceError(400, "json_too_deep")
            stack.extend((member, depth + 1) for member in item)


def _check_text(text: str) -> None:
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise ServiceError(400, "invalid_json_text") from None
