"""Field types for Azerbaijani identifiers, raising translated message codes."""
from __future__ import annotations

import re

from marshmallow import ValidationError, fields

FIN_RE = re.compile(r"^[0-9A-Z]{7}$")
VOEN_RE = re.compile(r"^[0-9]{10}$")
MOBILE_RE = re.compile(r"^\+994(10|50|51|55|60|70|77|99)[0-9]{7}$")
USER_ID_RE = re.compile(r"^[0-9]{6}$")


def normalize_fin(value: str) -> str:
    return value.strip().upper()


def is_fin(value) -> bool:
    return isinstance(value, str) and bool(FIN_RE.match(normalize_fin(value)))


def is_voen(value) -> bool:
    return isinstance(value, str) and bool(VOEN_RE.match(value.strip()))


def normalize_mobile(value: str) -> str:
    return re.sub(r"[\s\-()]", "", value.strip())


def is_mobile(value) -> bool:
    return isinstance(value, str) and bool(MOBILE_RE.match(normalize_mobile(value)))


class _Pattern(fields.String):
    code = "invalid"

    def normalize(self, value: str) -> str:
        return value.strip()

    def check(self, value: str) -> bool:  # pragma: no cover - overridden
        raise NotImplementedError

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str):
            raise ValidationError(self.code)
        value = self.normalize(value)
        if not self.check(value):
            raise ValidationError(self.code)
        return value


class Fin(_Pattern):
    code = "invalid_fin"

    def normalize(self, value):
        return normalize_fin(value)

    def check(self, value):
        return bool(FIN_RE.match(value))


class Voen(_Pattern):
    code = "invalid_voen"

    def check(self, value):
        return bool(VOEN_RE.match(value))


class Mobile(_Pattern):
    code = "invalid_phone"

    def normalize(self, value):
        return normalize_mobile(value)

    def check(self, value):
        return bool(MOBILE_RE.match(value))


class AsanUserId(_Pattern):
    code = "invalid_user_id"

    def check(self, value):
        return bool(USER_ID_RE.match(value))
