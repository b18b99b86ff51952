"""Choosing the role (re-issues the person's tokens acting for a company, or as themselves) and
logging out (at auth, then the portal's session)."""
from __future__ import annotations

from flask import redirect, request, session, url_for

from ...api import ApiProblem, SessionExpired
from ...web import call, end_session, logged_in, login_required, refresh_me, safe_next
from . import bp


@bp.post("/role")
@login_required
def role():
    voen = (request.form.get("voen") or "").strip() or None
    tokens = call("POST", "/api/auth/role", json={"voen": voen})
    session["tok"] = tokens["access_token"]
    if tokens.get("refresh_token"):
        session["ref"] = tokens["refresh_token"]
    refresh_me()
    return redirect(safe_next(request.form.get("next")))


@bp.post("/logout")
def logout():
    if logged_in():
        try:
            call("POST", "/api/auth/logout")
        except (ApiProblem, SessionExpired):
            pass  # already ended at auth: the portal forgets it all the same
    end_session()
    return redirect(url_for("login.start", why="logged_out"))
