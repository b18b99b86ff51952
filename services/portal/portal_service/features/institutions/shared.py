"""What the institutions pages share: the organisation acted for, paging, statuses as tags, and a
refusal of the notifier (no authority covering notifications) said as a page."""
from __future__ import annotations

import functools
import re
from urllib.parse import quote

from flask import abort, render_template, request

from ...api import ApiProblem
from ...messages import language
from ...web import me
from .texts import ATTEMPT_OUTCOMES, DEAD_LETTER_STATES, DELIVERY_STATES, EVENT_TYPES

PAGE_SIZE = 20
_ID = re.compile(r"^[A-Za-z0-9_:\-][A-Za-z0-9._:\-]{0,199}$")


def segment(value: str) -> str:
    """An id from the page's address, safe as one segment of an API path (else the page is a 404)."""
    if not _ID.match(value or ""):
        abort(404)
    return quote(value, safe="")


def organisation() -> dict | None:
    """{voen, name, role} of the organisation the person acts for, or None (acting as a citizen)."""
    person = me() or {}
    voen = person.get("acting_for")
    if not voen:
        return None
    for company in person.get("companies") or []:
        if company.get("voen") == voen:
            return company
    return {"voen": voen, "name": voen, "role": ""}


def offset_arg() -> int:
    try:
        return max(0, int(request.args.get("offset", 0)))
    except ValueError:
        return 0


def _pick(pair: tuple[str, str]) -> str:
    return pair[1] if language() == "en" else pair[0]


def event_type_label(event_type: str | None) -> str:
    pair = EVENT_TYPES.get(event_type or "")
    return _pick(pair) if pair else (event_type or "")


def state_tag(table: dict, state: str | None) -> dict:
    """{text, tone} of a state (tone: good, bad, warn, info, neutral)."""
    found = table.get(state or "")
    if not found:
        return {"text": state or "", "tone": "neutral"}
    pair, tone = found
    return {"text": _pick(pair), "tone": tone}


def delivery_state(state: str | None) -> dict:
    return state_tag(DELIVERY_STATES, state)


def dead_letter_state(state: str | None) -> dict:
    return state_tag(DEAD_LETTER_STATES, state)


def attempt_outcome(outcome: str | None) -> str:
    pair = ATTEMPT_OUTCOMES.get(outcome or "")
    return _pick(pair) if pair else (outcome or "")


def entry_title(entry: dict) -> str:
    title = entry.get("title_en") if language() == "en" else entry.get("title")
    return title or entry.get("title") or event_type_label(entry.get("type"))


def refusals_as_pages(view):
    """The notifier's 403 (no authority, or one not covering notifications) as a page saying so."""
    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        try:
            return view(*args, **kwargs)
        except ApiProblem as problem:
            if problem.status != 403:
                raise
            return render_template("institutions/no_access.html", problem=problem, org=organisation()), 403
    return wrapper


HELPERS = {"event_type_label": event_type_label, "delivery_state": delivery_state,
           "dead_letter_state": dead_letter_state, "attempt_outcome": attempt_outcome, "entry_title": entry_title}
