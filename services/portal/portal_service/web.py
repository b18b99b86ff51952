"""What every page of the portal shares: the person's session (tokens kept in a signed, HttpOnly
cookie), calling the API as that person, CSRF on every form, the language, versioned static
files, dates as dd.mm.yyyy, security headers and the portal's own error pages."""
from __future__ import annotations

import functools
import hashlib
import hmac
import secrets
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlsplit

from flask import (Flask, abort, current_app, g, redirect, render_template, request, send_file, session,
                   url_for)

from egov_kit import clock

from .api import ApiClient, ApiProblem, ApiUnavailable, SessionExpired
from .messages import LANGUAGES, t

STATIC_DIR = Path(__file__).resolve().parent / "static"
LANG_COOKIE = "lang"
ONE_YEAR = 365 * 24 * 3600
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"

# Content-Security-Policy: only the portal's own files; no inline script or style at all.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; font-src 'self'; form-action 'self'; frame-ancestors 'none'; "
       "base-uri 'none'; object-src 'none'")


# --- the person's session ------------------------------------------------------------------

def logged_in() -> bool:
    return bool(session.get("tok"))


def me() -> dict | None:
    """Who is logged in, as the portal last heard from auth (name, companies, acting_for)."""
    return session.get("me") if logged_in() else None


def acting_for() -> str | None:
    person = me()
    return person.get("acting_for") if person else None


def start_session(tokens: dict) -> None:
    """A fresh log-in: a new session (a new CSRF token too), then who it is. Where the person was
    going (`next`) is kept for the redirect that follows."""
    going = session.get("next")
    session.clear()
    if going:
        session["next"] = going
    session["csrf"] = secrets.token_urlsafe(24)
    _keep_tokens(tokens)
    refresh_me()


def _keep_tokens(tokens: dict) -> None:
    session["tok"] = tokens["access_token"]
    if tokens.get("refresh_token"):
        session["ref"] = tokens["refresh_token"]
    if tokens.get("session_expires_at"):
        session["end"] = tokens["session_expires_at"]


def refresh_me() -> dict:
    person = call("GET", "/api/auth/me")
    session["me"] = {
        "name": person.get("name", ""), "surname": person.get("surname", ""),
        "patronymic": person.get("patronymic", ""),
        "companies": [{"voen": c.get("voen"), "name": c.get("name", ""), "role": c.get("role", "")}
                      for c in person.get("companies") or []],
        "acting_for": person.get("acting_for"),
        "staff": "staff" in (person.get("roles") or []),
    }
    return session["me"]


def end_session() -> None:
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang


# --- calling the API as the person ---------------------------------------------------------

def api() -> ApiClient:
    return current_app.extensions["portal"].api


def _client_address() -> str | None:
    # What the gateway told the portal (X-Real-IP), else the connection's peer.
    return request.headers.get("X-Real-IP") or request.remote_addr


def send(method: str, path: str, *, auth: bool = True, **kwargs):
    """The API's raw answer for this person (refreshing the token once when it has lapsed)."""
    token = session.get("tok") if auth else None
    common = {"lang": g.get("lang", "az"), "request_id": g.get("request_id"),
              "client_address": _client_address()}
    response = api().send(method, path, token=token, **common, **kwargs)
    if response.status_code == 401 and token:
        if not _refresh_tokens(common):
            end_session()
            raise SessionExpired()
        response = api().send(method, path, token=session["tok"], **common, **kwargs)
        if response.status_code == 401:
            end_session()
            raise SessionExpired()
    return response


def call(method: str, path: str, *, auth: bool = True, **kwargs):
    """The API's JSON answer (None for 204); ApiProblem for a 4xx."""
    response = send(method, path, auth=auth, **kwargs)
    if response.status_code >= 400:
        raise ApiProblem.from_response(response)
    if response.status_code == 204 or not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        raise ApiUnavailable("not JSON") from None


def _refresh_tokens(common: dict) -> bool:
    refresh_token = session.get("ref")
    if not refresh_token:
        return False
    response = api().send("POST", "/api/auth/refresh", json={"refresh_token": refresh_token}, **common)
    if response.status_code != 200:
        return False
    _keep_tokens(response.json())
    return True


def login_required(view):
    """A page for logged-in people: others go to the log-in page, and come back after it."""
    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        if not logged_in():
            return redirect(url_for("login.start", next=safe_next(request.full_path), why="login"))
        return view(*args, **kwargs)
    return wrapper


def safe_next(target: str | None) -> str:
    """Only a path of the portal itself (never another site) to go to after log-in."""
    if not target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target.rstrip("?") or "/"


# --- uploads -------------------------------------------------------------------------------

# Pages that take a file (multipart) beyond the forms' small limit: {endpoint: most bytes}.
UPLOAD_LIMITS: dict[str, int] = {}


def allow_uploads(endpoint: str, max_bytes: int) -> None:
    UPLOAD_LIMITS[endpoint] = max_bytes


def apply_body_limit() -> None:
    """Before anything reads the body (the CSRF check does): an upload page's own limit."""
    limit = UPLOAD_LIMITS.get(request.endpoint or "")
    if limit:
        request.max_content_length = limit


# --- CSRF ----------------------------------------------------------------------------------

def csrf_token() -> str:
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(24)
    return session["csrf"]


def check_csrf() -> None:
    """Every POST carries the session's token (a form field, or a header from the page's script)."""
    if request.method != "POST":
        return
    sent = request.form.get(CSRF_FIELD) or request.headers.get(CSRF_HEADER) or ""
    expected = session.get("csrf", "")
    if not expected or not hmac.compare_digest(sent.encode(), expected.encode()):
        abort(400, description="csrf")


# --- language ------------------------------------------------------------------------------

def choose_language() -> None:
    wanted = request.args.get("lang")
    if wanted in LANGUAGES:
        g.lang, g.set_lang = wanted, wanted
        return
    cookie = request.cookies.get(LANG_COOKIE)
    g.lang = cookie if cookie in LANGUAGES else "az"


def switch_language_url() -> str:
    other = "en" if g.get("lang", "az") == "az" else "az"
    args = {k: v for k, v in request.args.items() if k != "lang"}
    return url_for(request.endpoint or "home.index", **(request.view_args or {}), **args, lang=other) \
        if request.endpoint and request.method == "GET" else url_for("home.index", lang=other)


# --- static files, versioned ---------------------------------------------------------------

class Assets:
    """Each static file under /assets/<digest>/<name>: cached for a year, a new URL when it changes."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.digests = {path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()[:12]
                        for path in folder.rglob("*") if path.is_file()}

    def url(self, name: str) -> str:
        return url_for("asset", digest=self.digests[name], name=name)

    def serve(self, digest: str, name: str):
        if self.digests.get(name) != digest:
            abort(404)
        response = send_file(self.folder / name, max_age=ONE_YEAR, conditional=True)
        response.headers["Cache-Control"] = f"public, max-age={ONE_YEAR}, immutable"
        return response


# --- how values are shown ------------------------------------------------------------------

def format_day(value) -> str:
    """dd.mm.yyyy; an instant is shown as the day in Baku."""
    if isinstance(value, str) and "T" in value or isinstance(value, datetime):
        moment = clock.parse_instant(value) if isinstance(value, str) else value
        if moment is None:
            return ""
        return clock.baku_date(moment).strftime("%d.%m.%Y")
    return clock.format_date(value)


def format_time(value) -> str:
    """HH:MM in Baku (UTC+4) of an instant."""
    moment = clock.parse_instant(value) if isinstance(value, str) else value
    if moment is None:
        return ""
    from datetime import timedelta
    return (moment.astimezone(timezone.utc) + timedelta(hours=4)).strftime("%H:%M")


def format_moment(value) -> str:
    day, time = format_day(value), format_time(value)
    return f"{day} {time}".strip()


# --- pages the portal says itself ----------------------------------------------------------

def problem_page(title_key: str, text_key: str, status: int):
    return render_template("errors/error.html", title=t(title_key), text=t(text_key)), status


def install(app: Flask) -> None:
    @app.errorhandler(404)
    def _not_found(_error):
        return problem_page("not_found_title", "not_found_text", 404)

    @app.errorhandler(405)
    def _not_allowed(_error):
        return problem_page("method_not_allowed_title", "not_found_text", 405)

    @app.errorhandler(400)
    def _bad(_error):
        return problem_page("csrf_title", "csrf_text", 400)

    @app.errorhandler(413)
    def _too_large(_error):
        return problem_page("csrf_title", "csrf_text", 413)

    @app.errorhandler(ApiUnavailable)
    def _unavailable(_error):
        return problem_page("unavailable_title", "unavailable_text", 503)

    @app.errorhandler(SessionExpired)
    def _expired(_error):
        target = safe_next(request.full_path) if request.method == "GET" else "/"
        return redirect(url_for("login.start", next=target, why="expired"))

    @app.errorhandler(ApiProblem)
    def _refused(problem: ApiProblem):
        # A refusal a view did not expect (another company's object is a 404, a role without the
        # right a 403): said as a page, in the person's language.
        if problem.status == 404:
            return problem_page("not_found_title", "not_found_text", 404)
        if problem.status == 403:
            return problem_page("forbidden_title", "forbidden_text", 403)
        return render_template("errors/error.html", title=problem.title or t("unavailable_title"),
                               text=problem.detail), problem.status

    @app.errorhandler(Exception)
    def _failed(error):
        from werkzeug.exceptions import HTTPException
        if isinstance(error, HTTPException):
            return error
        current_app.logger.exception("unexpected error")
        return problem_page("unavailable_title", "unavailable_text", 503)
