"""What the contracts and certificates pages share: dates typed as dd.mm.yyyy, money in manat,
the registry's directories in the person's language, list pages, files passed through from the
API, and the one-time messages shown after an action."""
from __future__ import annotations

import re
import threading
import time
from datetime import date
from decimal import Decimal, InvalidOperation

from flask import Response, flash, g, get_flashed_messages, request

from ...api import ApiProblem
from ...forms import FormErrors
from ...web import call, send

PAGE_SIZE = 20
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


def merged(own: FormErrors, api: FormErrors) -> FormErrors:
    """The page's own errors first, the API's for the other fields (a date left out for being no
    date is not also "missing")."""
    for name, messages in api.fields.items():
        if not own.of(name):
            own.fields[name] = list(messages)
    own.general.extend(message for message in api.general if message not in own.general)
    return own


def offset_arg() -> int:
    try:
        return max(0, int(request.args.get("offset", 0)))
    except ValueError:
        return 0


# --- the registry's directories (public reference data, kept a few minutes) ---------------

_DIRECTORIES: dict[str, tuple[float, list[dict]]] = {}
_DIRECTORIES_LOCK = threading.Lock()
DIRECTORY_SECONDS = 300


def directory(name: str) -> list[dict]:
    """The items of a registry directory ({code, name_az, name_en, ...})."""
    now = time.monotonic()
    kept = _DIRECTORIES.get(name)
    if kept and now - kept[0] < DIRECTORY_SECONDS:
        return kept[1]
    items = call("GET", f"/api/registry/directories/{name}", auth=False, params={"limit": 200}).get("items") or []
    with _DIRECTORIES_LOCK:
        _DIRECTORIES[name] = (now, items)
    return items


def named(item: dict) -> str:
    """A directory item's name in the page's language."""
    if g.get("lang", "az") == "en" and item.get("name_en"):
        return item["name_en"]
    return item.get("name_az") or item.get("name_en") or item.get("code", "")


def choices(name: str, with_code: bool = True) -> list[tuple[str, str]]:
    return [(item["code"], f"{item['code']} — {named(item)}" if with_code else named(item))
            for item in directory(name)]


# --- files from the API ------------------------------------------------------------------

def passed_file(path: str, *, inline: bool = False) -> Response:
    """A document the API hands out (PDF, ADoc), passed to the browser as it came."""
    answer = send("GET", path, headers={"Accept": "*/*"})
    if answer.status_code >= 400:
        raise ApiProblem.from_response(answer)
    response = Response(answer.content, mimetype=answer.headers.get("Content-Type", "application/octet-stream"))
    disposition = answer.headers.get("Content-Disposition", "attachment")
    if inline:
        disposition = re.sub(r"^\s*attachment", "inline", disposition)
    response.headers["Content-Disposition"] = disposition
    response.headers["Cache-Control"] = "private, no-store"
    return response


# --- one-time messages (after a redirect) ------------------------------------------------

def tell(text: str, kind: str = "success") -> None:
    flash(text, kind)


def told() -> list[tuple[str, str]]:
    return get_flashed_messages(with_categories=True)
