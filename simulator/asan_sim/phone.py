"""What a real phone and a real card would be: under /api/asan-sim, for `make run`, the tests and
the portal's demo. Development only: it hands out PINs and private keys by design.

    GET  /identities                          the test SIM cards, PINs included
    GET  /phones/<phone>/requests             pending requests on that phone, with their codes
    POST /phones/<phone>/requests/<id>        {pin}: PIN1 confirms a log-in, PIN2 a signature
    GET  /phones/<phone>                      the phone as a page (the same, for people)
    POST /phones/<phone>                      the page's form (request_id, pin)
    GET  /cards/<fin>                         a test e-signature card: certificate and private key
    GET  /ca.pem                              the test CA's certificate"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from cryptography.hazmat.primitives.serialization import Encoding
from flask import Blueprint, Response, current_app, jsonify, render_template_string, request

from . import domain as d
from .cards import sign_hash
from .errors import SimError, text
from .sessions import NotRunning, PinRefused, Session

blp = Blueprint("phone", __name__, url_prefix="/api/asan-sim")
MAX_PIN_LENGTH = 16


def _sim():
    return current_app.extensions["asan_sim"]


@blp.after_request
def _not_cached(response):
    # PINs, codes and test keys must not linger in a browser or proxy cache.
    response.headers["Cache-Control"] = "no-store"
    return response


def _identity(phone: str) -> d.Identity:
    identity = _sim().identities.by_phone.get(d.normalize_phone(phone))
    if identity is None:
        raise SimError(404, "not_found")
    return identity


def _expires_at(session: Session) -> str:
    left = max(0.0, session.expires - _sim().sessions.clock())
    return (datetime.now(timezone.utc) + timedelta(seconds=left)).isoformat(timespec="seconds")


def _shown(session: Session) -> dict:
    return {"request_id": session.request_id, "verification_code": session.verification_code,
            "kind": session.kind, "text": session.display_text, "relying_party": session.rp_name,
            "expires_at": _expires_at(session)}


def _sign(session: Session) -> tuple[bytes, str, bytes]:
    card = _sim().cards.card(session.identity)
    signature, algorithm = sign_hash(card, session.hash, session.hash_type)
    return signature, algorithm, card.cert.public_bytes(Encoding.DER)


def _answer(phone: str, request_id: str, pin) -> Session:
    identity = _identity(phone)
    session = _sim().sessions.on_phone(identity.phone, request_id)
    if session is None:
        raise SimError(404, "not_found")
    if not isinstance(pin, str) or not pin or len(pin) > MAX_PIN_LENGTH:
        raise SimError(422, "bad_request", {"pin": ["bad_request"]})
    try:
        return _sim().sessions.answer(session, pin, _sign)
    except PinRefused as refused:
        if refused.attempts_left == 0:
            raise SimError(403, "pin_attempts_exhausted", {"pin": ["pin_attempts_exhausted"]},
                           state="rejected", attempts_left=0) from None
        raise SimError(403, "invalid_pin", {"pin": ["invalid_pin"]}, state="pending",
                       attempts_left=refused.attempts_left) from None
    except NotRunning as done:
        state = "expired" if done.result == d.TIMEOUT else "confirmed" if done.result == d.OK else "rejected"
        raise SimError(409, "request_not_pending", state=state) from None


@blp.get("/identities")
def identities():
    return jsonify([i.public() for i in _sim().identities.all])


@blp.get("/phones/<phone>/requests")
def phone_requests(phone: str):
    identity = _identity(phone)
    return jsonify([_shown(s) for s in _sim().sessions.pending_on(identity.phone)])


@blp.post("/phones/<phone>/requests/<request_id>")
def answer_request(phone: str, request_id: str):
    body = _sim().json_body()
    session = _answer(phone, request_id, body.get("pin"))
    return jsonify(request_id=session.request_id, kind=session.kind, state="confirmed")


@blp.get("/cards/<fin>")
def card(fin: str):
    identity = _sim().identities.by_fin.get(fin.strip().upper())
    if identity is None:
        raise SimError(404, "not_found")
    held = _sim().cards.card(identity)
    return jsonify(fin=identity.fin, certificate=held.cert_pem, private_key=held.key_pem,
                   ca_certificate=_sim().cards.ca.cert_pem)


@blp.get("/ca.pem")
def ca_pem():
    return Response(_sim().cards.ca.cert_pem, mimetype="application/x-pem-file")


# --- the phone as a page --------------------------------------------------------------------

@blp.route("/phones/<phone>", methods=["GET", "POST"])
def phone_page(phone: str):
    identity = _identity(phone)
    message, status = None, 200
    if request.method == "POST":
        try:
            _answer(identity.phone, request.form.get("request_id", ""), request.form.get("pin", ""))
            message = ("ok", "Təsdiqləndi.")
        except SimError as refused:
            status = refused.status
            left = refused.extra.get("attempts_left")
            detail = text(refused.code)
            if refused.code == "invalid_pin" and left:
                detail = f"{detail} Qalan cəhd: {left}."
            message = ("error", detail)
    pending = [_shown(s) for s in _sim().sessions.pending_on(identity.phone)]
    page = render_template_string(PAGE, phone=identity.phone, pending=pending, message=message)
    return Response(page, status=status, mimetype="text/html")


PAGE = """<!doctype html>
<html lang="az">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Asan İmza telefonu — {{ phone }}</title>
<style>
  body { font-family: system-ui, sans-serif; max-width: 24rem; margin: 1rem auto; padding: 1rem;
         border: 2px solid #222; border-radius: 1.5rem; color: #111; background: #fff; line-height: 1.4; }
  h1 { font-size: 1.3rem; margin: 0 0 .2rem; }
  .number { margin: 0 0 1rem; color: #333; }
  section { border: 1px solid #555; border-radius: .5rem; padding: .75rem; margin: .75rem 0; }
  h2 { font-size: 1.05rem; margin: 0 0 .4rem; }
  .code { font-size: 2rem; letter-spacing: .3rem; font-weight: bold; margin: .2rem 0; }
  label { display: block; font-weight: bold; margin-top: .6rem; }
  input { font-size: 1.2rem; padding: .4rem; width: 8rem; border: 2px solid #333; border-radius: .3rem; }
  button { font-size: 1.05rem; padding: .45rem 1rem; margin-top: .6rem; border: 2px solid #0b3d91;
           background: #0b3d91; color: #fff; border-radius: .3rem; cursor: pointer; }
  input:focus, button:focus, a:focus { outline: 3px solid #e07b00; outline-offset: 2px; }
  .ok { color: #0a5c1f; font-weight: bold; }
  .error { color: #a00000; font-weight: bold; }
</style>
</head>
<body>
<main>
  <h1>Asan İmza</h1>
  <p class="number">Telefon nömrəsi: {{ phone }}</p>
  <div role="status" aria-live="polite">
    {% if message %}<p class="{{ message[0] }}">{{ message[1] }}</p>{% endif %}
  </div>
  {% if not pending %}
  <p>Gözləyən sorğu yoxdur.</p>
  {% endif %}
  {% for item in pending %}
  <section aria-labelledby="title-{{ item.request_id }}">
    <h2 id="title-{{ item.request_id }}">{{ "İmzalama sorğusu" if item.kind == "sign" else "Giriş sorğusu" }}</h2>
    <p>{{ item.relying_party }}{% if item.text %}: {{ item.text }}{% endif %}</p>
    <p>Yoxlama kodu (ekrandakı kodla müqayisə edin):</p>
    <p class="code" aria-label="Yoxlama kodu {{ item.verification_code|list|join(' ') }}">
      {{- item.verification_code -}}
    </p>
    <form method="post" action="">
      <input type="hidden" name="request_id" value="{{ item.request_id }}">
      <label for="pin-{{ item.request_id }}">{{ "PİN2" if item.kind == "sign" else "PİN1" }}</label>
      <input id="pin-{{ item.request_id }}" name="pin" type="password" inputmode="numeric"
             autocomplete="off" maxlength="16" required>
      <button type="submit">Təsdiq et</button>
    </form>
  </section>
  {% endfor %}
  <p><a href="">Yenilə</a></p>
</main>
</body>
</html>
"""
