"""Refusals of the simulator as problem documents (RFC 9457), in Azerbaijani or, when the client
asks for it first, English."""
from __future__ import annotations

from flask import request

MESSAGES: dict[str, tuple[str, str]] = {
    "bad_request": ("Sorğu yanlışdır.", "The request is malformed."),
    "unauthorized": ("Etibarlı tərəfin məlumatları yanlışdır.", "Wrong relying-party credentials."),
    "not_found": ("Tapılmadı.", "Not found."),
    "method_not_allowed": ("Bu üsul dəstəklənmir.", "Method not allowed."),
    "too_large": ("Sorğu çox böyükdür.", "The request is too large."),
    "invalid_pin": ("PİN yanlışdır.", "Wrong PIN."),
    "pin_attempts_exhausted": ("PİN üç dəfə yanlış daxil edildi, sorğu rədd edildi.",
                               "Wrong PIN entered three times; the request was rejected."),
    "request_not_pending": ("Sorğu artıq gözləmədə deyil (təsdiqlənib, rədd edilib və ya vaxtı bitib).",
                            "The request is no longer pending (confirmed, rejected or expired)."),
    "internal": ("Simulyatorda daxili xəta.", "Internal error of the simulator."),
}


def english() -> bool:
    header = (request.headers.get("Accept-Language") or "").strip().lower()
    return header.startswith("en")


def text(code: str) -> str:
    az, en = MESSAGES.get(code, (code, code))
    return en if english() else az


class SimError(Exception):
    def __init__(self, status: int, code: str, errors: dict | None = None, **extra):
        super().__init__(code)
        self.status, self.code, self.errors, self.extra = status, code, errors, extra

    def body(self) -> dict:
        doc = {"type": "about:blank", "title": text(self.code), "status": self.status, "detail": text(self.code),
               "code": self.code}
        if self.errors:
            doc["errors"] = {name: [text(code) for code in codes] for name, codes in self.errors.items()}
        doc.update(self.extra)
        return doc
