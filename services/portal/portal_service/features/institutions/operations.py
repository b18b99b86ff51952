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


def _said(problem: ApiProblem) -> None:
    flash(problem.detail or problem.title, "error")


@bp.get("/operations/dead-letters")
@login_required
@refusals_as_pages
def dead_letters():
    state = _state_arg(DEAD_LETTER_STATES, "dead")
    offset = offset_arg()
    params = {"limit": PAGE_SIZE, "offset": offset, **({"state": state} if state else {})}
    page = call("GET", f"{NOTIFIER}/dead-letters", params=params)
    return render_template("institutions/dead_letters.html", page=page, state=state or "", offset=offset,
                           size=PAGE_SIZE, states=DEAD_LETTER_STATES)


@bp.post("/operations/dead-letters/<letter_id>/replay")
@login_required
@refusals_as_pages
def replay(letter_id):
    try:
        call("POST", f"{NOTIFIER}/dead-letters/{segment(letter_id)}/replay")
        flash(t("ops_replayed"), "success")
    except ApiProblem as problem:
        if problem.status == 403:
            raise
        _said(problem)
    return redirect(_back("institutions.dead_letters"))


@bp.get("/operations/deliveries")
@login_required
@refusals_as_pages
def deliveries():
    state = _state_arg(DELIVERY_STATES, "failed")
    offset = offset_arg()
    params = {"limit": PAGE_SIZE, "offset": offset, **({"state": state} if state else {})}
    page = call("GET", f"{NOTIFIER}/deliveries", params=params)
    return render_template("institutions/deliveries.html", page=page, state=state or "", offset=offset,
                           size=PAGE_SIZE, states=DELIVERY_STATES)


@bp.post("/operations/deliveries/<delivery_id>/retry")
@login_required
@refusals_as_pages
def retry(delivery_id):
    try:
        call("POST", f"{NOTIFIER}/deliveries/{segment(delivery_id)}/retry")
        flash(t("ops_retried"), "success")
    except ApiProblem as problem:
        if problem.status == 403:
            raise
        _said(problem)
    return redirect(_back("institutions.deliveries"))
