"""Dates and money as people type and read them on the contracts and certificates pages: a day as
dd.mm.yyyy (an ISO date too) and manat with qəpik, both ways between the form and the API."""
from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation

from flask import g

_DAY_RE = re.compile(r"^\s*(\d{1,2})[./-](\d{1,2})[./-](\d{4})\s*$")
_ISO_RE = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})\s*$")


def parse_day(text: str | None) -> str | None:
    """A date as people type it (dd.mm.yyyy; an ISO date too) → "YYYY-MM-DD"; None when empty.
    ValueError when it is not a date."""
    text = (text or "").strip()
    if not text:
        return None
    found = _DAY_RE.match(text)
    if found:
        day, month, year = (int(part) for part in found.groups())
    else:
        found = _ISO_RE.match(text)
        if not found:
            raise ValueError(text)
        year, month, day = (int(part) for part in found.groups())
    return date(year, month, day).isoformat()


def form_day(value: str | None) -> str:
    """An API date ("YYYY-MM-DD") as the form shows it (dd.mm.yyyy)."""
    if not value:
        return ""
    try:
        return date.fromisoformat(str(value)[:10]).strftime("%d.%m.%Y")
    except ValueError:
        return str(value)


def normalise_money(text: str | None) -> str:
    """Manat as people type it ("1 250,50", "1250.5 AZN") → "1250.50" for the API; anything else is
    passed on as typed, for the API to name what is wrong."""
    cleaned = re.sub(r"(?i)\s|azn|manat|₼", "", text or "")
    if cleaned.count(",") == 1 and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        return (text or "").strip()
    return f"{amount:.2f}" if amount == amount.quantize(Decimal("0.01")) else cleaned


def format_manat(value) -> str:
    """"1250.50" → "1 250,50 AZN" (Azerbaijani) or "AZN 1,250.50" (English): manat and qəpik."""
    if value in (None, ""):
        return ""
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except InvalidOperation:
        return str(value)
    if g.get("lang", "az") == "en":
        return f"AZN {amount:,.2f}"
    whole, cents = f"{amount:,.2f}".split(".")
    return f"{whole.replace(',', ' ')},{cents} AZN"
