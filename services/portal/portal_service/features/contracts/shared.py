"""What the contracts and certificates pages share besides dates and money (formats.py): the
company acted for, list pages, the page's own form errors merged with the API's, an action the API
may refuse for the state of its thing, the registry's directories in the person's language, files
passed through from the API, and the one-time messages shown after an action."""
from __future__ import annotations

import re
import threading
import time

from flask import Response, abort, flash, g, get_flashed_messages, request

from ...api import ApiProblem
from ...forms import FormErrors
from ...web import acting_for, call, me, send

PAGE_SIZE = 20


def acting_company() -> dict | None:
    """The company the person acts for now, as the header's role chooser knows it."""
    voen = acting_for()
    person = me() or {}
    return next((c for c in person.get("companies", []) if c.get("voen") == voen), None) if voen else None


def company_required() -> dict:
    company = acting_company()
    if company is None:
        abort(403)
    return company


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


def carried_out(method: str, path: str) -> bool:
    """An action on a thing that may have moved on (withdraw, delete, revoke): True when done; the
    API's refusal for its state (409) said as a one-time message, and False."""
    try:
        call(method, path)
    except ApiProblem as problem:
        if problem.status != 409:
            raise
        tell(problem.detail or problem.title, "error")
        return False
    return True


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
