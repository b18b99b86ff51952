"""Operations staff: the notifier's dead letters (replayed once each) and its deliveries, those
given up on first (tried again). The notifier refuses anyone else; the pages say so."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from ...api import ApiProblem
from ...messages import t
from ...web import call, login_required, safe_next
from . import bp
from .shared import PAGE_SIZE, offset_arg, refusals_as_pages, segment
from .texts import DEAD_LETTER_STATES, DELIVERY_STATES

NOTIFIER = "/api/notifier"


def _state_arg(known: dict, default: str | None) -> str | None:
    """The state filter of the list: a known state, '' for all, the default when not given."""
    wanted = request.args.get("state")
    if wanted is None:
        return default
    return wanted if wanted in known else None


def _back(endpoint: str) -> str:
    return safe_next(request.form.get("next") or url_for(endpoint))


def _listed(path: str, template: str, states: dict, default: str):
    """One of the notifier's lists (dead letters, deliveries), a page at a time, filtered by state."""
    state = _state_arg(states, default)
    offset = offset_arg()
    params = {"limit": PAGE_SIZE, "offset": offset, **({"state": state} if state else {})}
    page = call("GET", f"{NOTIFIER}/{path}", params=params)
    return render_template(template, page=page, state=state or "", offset=offset, size=PAGE_SIZE, states=states)


def _sent_again(path: str, done: str, back: str):
    """One item sent again (a dead letter replayed, a delivery retried); the list it came from,
    saying how it went. A refusal to the person (403) is the page saying why."""
    try:
        call("POST", f"{NOTIFIER}/{path}")
        flash(t(done), "success")
    except ApiProblem as problem:
        if problem.status == 403:
            raise
        flash(problem.detail or problem.title, "error")
    return redirect(_back(back))


@bp.get("/operations/dead-letters")
@login_required
@refusals_as_pages
def dead_letters():
    return _listed("dead-letters", "institutions/dead_letters.html", DEAD_LETTER_STATES, "dead")


@bp.post("/operations/dead-letters/<letter_id>/replay")
@login_required
@refusals_as_pages
def replay(letter_id):
    return _sent_again(f"dead-letters/{segment(letter_id)}/replay", "ops_replayed", "institutions.dead_letters")


@bp.get("/operations/deliveries")
@login_required
@refusals_as_pages
def deliveries():
    return _listed("deliveries", "institutions/deliveries.html", DELIVERY_STATES, "failed")


@bp.post("/operations/deliveries/<delivery_id>/retry")
@login_required
@refusals_as_pages
def retry(delivery_id):
    return _sent_again(f"deliveries/{segment(delivery_id)}/retry", "ops_retried", "institutions.deliveries")
