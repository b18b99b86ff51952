"""Log-in: Asan İmza (mobile number and user ID → the verification code → confirmed on the phone
with PIN1) and the e-signature card (the test card file and its PIN, signed in the browser).

The Asan İmza session id, which collects the token, stays in the signed session cookie; the
browser's script asks the portal (not auth) how the log-in stands, and without a script the
waiting page refreshes itself."""
from __future__ import annotations

from datetime import datetime, timezone

from flask import Blueprint, current_app, jsonify, redirect, render_template, request, session, url_for

from egov_kit import clock

from ...api import ApiProblem
from ...forms import FormErrors, from_problem
from ...messages import register, t
from ...web import call, logged_in, safe_next, start_session

bp = Blueprint("login", __name__, template_folder="templates", url_prefix="/login")

register({
    "login_title": ("Portala giriş", "Log in"),
    "login_intro": ("Daxil olmaq üçün autentifikasiya vasitəsini seçin.", "Choose how to log in."),
    "login_with_asan": ("Asan İmza ilə daxil olmaq", "Log in with Asan İmza"),
    "login_with_asan_text": ("Mobil nömrə və istifadəçi ID-si ilə; kod telefonda PİN1 ilə təsdiqlənir.",
                             "With your mobile number and user ID; you confirm the code on your phone with PIN1."),
    "login_with_card": ("Elektron imza kartı ilə daxil olmaq", "Log in with an e-signature card"),
    "login_with_card_text": ("Kart faylını seçin və kartın PİN kodunu daxil edin.",
                             "Choose the card file and enter the card's PIN."),
    "logged_out": ("Siz sistemdən çıxdınız.", "You have logged out."),
    # Asan İmza
    "asan_title": ("Asan İmza ilə giriş", "Log in with Asan İmza"),
    "asan_phone": ("Mobil nömrə", "Mobile number"),
    "asan_phone_hint": ("Asan İmza SİM kartının nömrəsi, məsələn +994501112233",
                        "The number of your Asan İmza SIM card, for example +994501112233"),
    "asan_user_id": ("İstifadəçi ID-si", "User ID"),
    "asan_user_id_hint": ("6 rəqəm, Asan İmza ilə birlikdə verilib", "6 digits, issued with Asan İmza"),
    "asan_submit": ("Giriş", "Log in"),
    "asan_wait_title": ("Telefonunuzda təsdiq edin", "Confirm on your phone"),
    "asan_code_label": ("Təhlükəsizlik kodu", "Verification code"),
    "asan_wait_text": ("Telefonunuza gələn təhlükəsizlik kodunu bu kodla müqayisə edin. Uyğun gəldikdə PİN1 ilə təsdiq edin.",
                       "Compare the verification code on your phone with this one. If they match, confirm with PIN1."),
    "asan_waiting": ("Təsdiq gözlənilir…", "Waiting for your confirmation…"),
    "asan_valid_until": ("Kod {time}-dək etibarlıdır.", "The code is valid until {time}."),
    "asan_seconds_left": ("Qalan vaxt: {seconds} saniyə", "Time left: {seconds} seconds"),
    "asan_check": ("Yoxla", "Check now"),
    "asan_cancel": ("Ləğv et", "Cancel"),
    "asan_retry": ("Yenidən cəhd edin", "Try again"),
    "asan_confirmed": ("Təsdiqləndi. Yönləndirilir…", "Confirmed. Taking you on…"),
    "asan_expired": ("Kodun vaxtı bitdi. Yenidən cəhd edin.", "The code has expired. Please try again."),
    "asan_rejected": ("Giriş telefonda təsdiqlənmədi.", "The log-in was not confirmed on the phone."),
    "asan_reason_not_asan_client": ("Mobil nömrə və ya istifadəçi ID-si yanlışdır.",
                                    "The mobile number or user ID is not right."),
    "asan_reason_user_cancelled": ("Giriş telefonda təsdiqlənmədi: ləğv edildi və ya PİN üç dəfə yanlış daxil edildi.",
                                   "The log-in was not confirmed on the phone: it was cancelled, or the PIN was "
                                   "wrong three times."),
    "asan_reason_timeout": ("Telefonda vaxtında təsdiq edilmədi.", "It was not confirmed on the phone in time."),
    "asan_no_login": ("Gözləyən giriş yoxdur. Yenidən başlayın.", "There is no log-in waiting. Please start again."),
    "asan_sim_phone": ("Sınaq mühiti: telefonu ayrıca tabda açın", "Test environment: open the phone in another tab"),
    "asan_sim_note": ("Sınaq mühiti: test telefonları və kart faylları simulyatordadır.",
                      "Test environment: the test phones and card files are in the simulator."),
    "asan_sim_link": ("Asan İmza simulyatoru (yeni tabda)", "The Asan İmza simulator (new tab)"),
    # the card
    "card_title": ("Elektron imza kartı ilə giriş", "Log in with an e-signature card"),
    "card_file": ("Kart faylı", "Card file"),
    "card_file_hint": ("Sınaq kartının faylı (.json).", "The test card's file (.json)."),
    "card_pin": ("PİN kod", "PIN"),
    "card_pin_hint": ("Kartın giriş PİN kodu (PİN1).", "The card's log-in PIN (PIN1)."),
    "card_submit": ("Daxil ol", "Log in"),
    "card_signing": ("Kart imzalayır…", "The card is signing…"),
    "card_no_script": ("Kartla giriş brauzerdə JavaScript tələb edir. Asan İmza ilə daxil ola bilərsiniz.",
                       "Logging in with a card needs JavaScript in the browser. You can log in with Asan İmza."),
    "card_choose_file": ("Kart faylını seçin.", "Choose the card file."),
    "card_bad_file": ("Bu fayl elektron imza kartı faylı deyil.", "This file is not an e-signature card file."),
    "card_enter_pin": ("PİN kodu daxil edin.", "Enter the PIN."),
    "card_wrong_pin": ("PİN kod yanlışdır.", "The PIN is wrong."),
    "card_unsupported": ("Brauzeriniz kartla imzalamağı dəstəkləmir.", "Your browser cannot sign with the card."),
    "card_refused": ("Kart qəbul edilmədi.", "The card was not accepted."),
})


def _next_target() -> str:
    return safe_next(request.values.get("next") or session.get("next"))


@bp.get("")
def start():
    why = request.args.get("why")
    if request.args.get("next"):
        session["next"] = safe_next(request.args["next"])
    message = {"expired": "session_expired", "login": "login_required", "logged_out": "logged_out"}.get(why)
    return render_template("login/choose.html", message=message)


# --- Asan İmza -----------------------------------------------------------------------------

ASAN_FIELDS = ["phone", "user_id"]


@bp.route("/asan", methods=["GET", "POST"])
def asan():
    values, errors = {"phone": "", "user_id": ""}, FormErrors()
    if request.method == "POST":
        values = {name: (request.form.get(name) or "").strip() for name in ASAN_FIELDS}
        for name, key in (("phone", "asan_phone"), ("user_id", "asan_user_id")):
            if not values[name]:
                errors.add(name, t("required_field", field=t(key)))
        if not errors:
            try:
                started = call("POST", "/api/auth/asan/sessions", auth=False, json=values)
            except ApiProblem as problem:
                errors = from_problem(problem, ASAN_FIELDS)
            else:
                session["asan"] = {"id": started["session_id"], "code": started["verification_code"],
                                   "exp": started.get("expires_at"), "phone": values["phone"]}
                return redirect(url_for("login.asan_wait"))
    status = 422 if errors else 200
    return render_template("login/asan.html", values=values, errors=errors, fields=ASAN_FIELDS), status


def _poll() -> dict:
    """How the pending log-in stands: {state, reason?}; a confirmed one starts the session."""
    pending = session.get("asan")
    if not pending:
        return {"state": "none"}
    try:
        answer = call("GET", f"/api/auth/asan/sessions/{pending['id']}", auth=False)
    except ApiProblem as problem:
        session.pop("asan", None)
        return {"state": "expired" if problem.status in (404, 410) else "rejected", "reason": None}
    state = answer.get("state")
    if state == "confirmed" and answer.get("access_token"):
        start_session(answer)
        return {"state": "confirmed"}
    if state in ("rejected", "expired"):
        session.pop("asan", None)
        return {"state": state, "reason": answer.get("reason")}
    return {"state": "pending"}


def _failure_text(outcome: dict) -> str:
    reason = outcome.get("reason")
    if reason and f"asan_reason_{reason}" in _REASONS:
        return t(f"asan_reason_{reason}")
    return t("asan_expired" if outcome["state"] == "expired" else "asan_rejected")


_REASONS = {"asan_reason_not_asan_client", "asan_reason_user_cancelled", "asan_reason_timeout"}


@bp.get("/asan/wait")
def asan_wait():
    pending = session.get("asan")
    outcome = _poll()
    if outcome["state"] == "confirmed":
        target = _next_target()
        session.pop("next", None)
        return redirect(target)
    if outcome["state"] == "none":
        return redirect(url_for("login.asan", why="none"))
    expires = clock.parse_instant(pending.get("exp")) if pending else None
    seconds_left = max(0, int((expires - datetime.now(timezone.utc)).total_seconds())) if expires else None
    return render_template("login/wait.html", pending=pending, outcome=outcome,
                           failure=_failure_text(outcome) if outcome["state"] in ("rejected", "expired") else None,
                           seconds_left=seconds_left, poll_seconds=current_app.extensions["portal"].settings.poll_seconds)


@bp.get("/asan/status")
def asan_status():
    """For the waiting page's script: {state, next | message}."""
    outcome = _poll()
    body = {"state": outcome["state"]}
    if outcome["state"] == "confirmed":
        body["next"] = _next_target()
        session.pop("next", None)
        body["message"] = t("asan_confirmed")
    elif outcome["state"] in ("rejected", "expired", "none"):
        body["message"] = _failure_text(outcome) if outcome["state"] != "none" else t("asan_no_login")
    return jsonify(body)


@bp.post("/asan/cancel")
def asan_cancel():
    session.pop("asan", None)
    return redirect(url_for("login.start"))


# --- the e-signature card ------------------------------------------------------------------

@bp.get("/card")
def card():
    return render_template("login/card.html", errors=FormErrors())


@bp.get("/card/challenge")
def card_challenge():
    """A fresh nonce from auth for the card to sign (the page's script asks for it)."""
    return jsonify(call("GET", "/api/auth/card/challenge", auth=False))


@bp.post("/card")
def card_login():
    body = {name: request.form.get(name) or "" for name in ("certificate", "nonce", "signature")}
    errors = FormErrors()
    if not all(body.values()):
        errors.add("card_file", t("card_choose_file"))
    else:
        try:
            tokens = call("POST", "/api/auth/card/sessions", auth=False, json=body)
        except ApiProblem as problem:
            errors = from_problem(problem, [])
            errors.general.insert(0, t("card_refused"))
        else:
            start_session(tokens)
            target = _next_target()
            session.pop("next", None)
            return redirect(target)
    return render_template("login/card.html", errors=errors), 422


@bp.app_context_processor
def _login_state():
    return {"is_logged_in": logged_in()}
