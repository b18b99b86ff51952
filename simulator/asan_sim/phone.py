"""What a real phone and a real card would be: under /api/asan-sim, for `make run`, the tests and
the portal's demo. Development only: it hands out PINs and private keys by design.

    GET  /identities                          the test SIM cards, PINs included
    GET  /phones/<phone>/requests             pending requests on that phone, with their codes
    POST /phones/<phone>/requests/<id>        {pin}: PIN1 confirms a log-in, PIN2 a signature
    GET  /phones/<phone>                      the phone as a page (the same, for people)
    POST /phones/<phone>                      the page's form (request_id, pin)
    GET  /cards/<fin>                         a test e-signature card: certificate and private key
    GET  /cards/<fin>/file                    the same card as a file the portal opens with its PIN
    GET  /phones                              the test people as a page: their phones and card files
    GET  /ca.pem                              the test CA's certificate"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from cryptography.hazmat.primitives.serialization import Encoding
from flask import Blueprint, Response, current_app, jsonify, redirect, render_template_string, request, url_for

from . import domain as d
from .cards import card_file, sign_hash
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


@blp.get("/cards/<fin>/file")
def card_as_file(fin: str):
    """The card for the browser: its key sealed under PIN1 (log-in) and PIN2 (signing)."""
    identity = _sim().identities.by_fin.get(fin.strip().upper())
    if identity is None:
        raise SimError(404, "not_found")
    document = card_file(_sim().cards.card(identity), identity)
    response = jsonify(document)
    response.headers["Content-Disposition"] = f'attachment; filename="test-card-{identity.fin}.json"'
    return response


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
            # Post/redirect/get: the page that says so can look again for new requests safely.
            return redirect(url_for("phone.phone_page", phone=phone, confirmed=1), 303)
        except SimError as refused:
            status = refused.status
            left = refused.extra.get("attempts_left")
            detail = text(refused.code)
            if refused.code == "invalid_pin" and left:
                detail = f"{detail} Qalan cəhd: {left}."
            message = ("error", detail)
    elif request.args.get("confirmed"):
        message = ("ok", "Təsdiqləndi.")
    pending = [_shown(s) for s in _sim().sessions.pending_on(identity.phone)]
    page = render_template_string(PAGE, identity=identity, phone=identity.phone, pending=pending, message=message)
    return Response(page, status=status, mimetype="text/html")


@blp.get("/phones")
def phones_page():
    """Every test person: a link to their phone and to their card file (one person can then play
    both sides of a log-in in two tabs)."""
    page = render_template_string(INDEX, identities=_sim().identities.all)
    return Response(page, mimetype="text/html")


STYLE = """
  * { box-sizing: border-box; }
  body { margin: 0; font-family: system-ui, "DejaVu Sans", sans-serif; font-size: 1.1rem; line-height: 1.45;
         color: #0b0c0c; background: #f3f2f1; }
  main { max-width: 26rem; margin: 1rem auto; padding: 1.25rem; background: #fff; border: 3px solid #0b0c0c;
         border-radius: 1.75rem; }
  main.wide { max-width: 60rem; border-radius: 0; border-width: 1px; }
  h1 { font-size: 1.5rem; margin: 0 0 .25rem; }
  h2 { font-size: 1.15rem; margin: 0 0 .5rem; }
  p { margin: 0 0 .75rem; }
  .muted { color: #484949; }
  section { border: 2px solid #0b3d66; border-radius: .75rem; padding: 1rem; margin: 1rem 0; }
  .code { font-size: 2.75rem; letter-spacing: .35em; font-weight: 700; margin: .25rem 0 .75rem;
          font-variant-numeric: tabular-nums; }
  label { display: block; font-weight: 700; margin: .5rem 0 .25rem; }
  input { font: inherit; font-size: 1.4rem; padding: .35rem; width: 9rem; border: 2px solid #0b0c0c; }
  button, .button { display: inline-block; font: inherit; padding: .5rem 1rem; margin-top: .75rem; border: 2px solid transparent;
           background: #00703c; color: #fff; box-shadow: 0 2px 0 #002d18; cursor: pointer; text-decoration: none; }
  a { color: #1d4f91; }
  input:focus, button:focus, a:focus { outline: 3px solid #ffdd00; outline-offset: 0; box-shadow: 0 0 0 5px #0b0c0c; }
  .ok { color: #005a30; font-weight: 700; }
  .error { color: #b3261e; font-weight: 700; }
  table { border-collapse: collapse; width: 100%; }
  th, td { text-align: left; padding: .5rem .75rem .5rem 0; border-bottom: 1px solid #b1b4b6; vertical-align: top; }
"""

PAGE = """<!doctype html>
<html lang="az">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Asan İmza telefonu — {{ identity.name }} {{ identity.surname }}</title>
<style>""" + STYLE + """</style>
</head>
<body>
<main>
  <h1>Asan İmza</h1>
  <p class="muted">{{ identity.name }} {{ identity.surname }} · {{ phone }}</p>
  <div role="status" aria-live="polite">
    {% if message %}<p class="{{ message[0] }}">{{ message[1] }}</p>{% endif %}
  </div>
  {% if not pending %}
  <p data-idle>Gözləyən sorğu yoxdur. Səhifə yeni sorğunu özü göstərəcək.</p>
  {% endif %}
  {% for item in pending %}
  <section aria-labelledby="title-{{ item.request_id }}">
    <h2 id="title-{{ item.request_id }}">{{ "İmzalama sorğusu" if item.kind == "sign" else "Giriş sorğusu" }}</h2>
    <p>{{ item.relying_party }}{% if item.text %}: {{ item.text }}{% endif %}</p>
    <p id="code-help-{{ item.request_id }}">Təhlükəsizlik kodu (ekrandakı kodla müqayisə edin):</p>
    <p class="code" aria-describedby="code-help-{{ item.request_id }}">{{ item.verification_code }}</p>
    <form method="post" action="">
      <input type="hidden" name="request_id" value="{{ item.request_id }}">
      <label for="pin-{{ item.request_id }}">{{ "PİN2" if item.kind == "sign" else "PİN1" }}</label>
      <input id="pin-{{ item.request_id }}" name="pin" type="password" inputmode="numeric"
             autocomplete="off" maxlength="16" required>
      <br><button type="submit">Təsdiq et</button>
    </form>
  </section>
  {% endfor %}
  <p><a href="">Yenilə</a> · <a href="{{ url_for('phone.card_as_file', fin=identity.fin) }}">Elektron imza kartının faylı</a>
     · <a href="{{ url_for('phone.phones_page') }}">Bütün test telefonları</a></p>
</main>
<script>
  // While nothing waits on the phone, look again every 2 seconds (never while a PIN is typed).
  // A refused PIN's page stays as it is (a reload would send the form again).
  if (document.querySelector("[data-idle]") && !{{ "true" if message and message[0] == "error" else "false" }}) {
    setTimeout(function () { if (!document.activeElement || document.activeElement.tagName !== "INPUT") location.replace(location.href); }, 2000);
  }
</script>
</body>
</html>
"""

INDEX = """<!doctype html>
<html lang="az">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Asan İmza simulyatoru — test telefonları</title>
<style>""" + STYLE + """</style>
</head>
<body>
<main class="wide">
  <h1>Asan İmza simulyatoru</h1>
  <p>Sınaq mühitinin test şəxsləri. Telefonu ayrıca tabda açın: portalda göstərilən kod burada görünəcək
     və PİN ilə təsdiq ediləcək. Elektron imza kartı ilə giriş üçün kartın faylını yükləyin (giriş PİN1 ilə).</p>
  <div style="overflow-x:auto">
  <table>
    <caption class="muted" style="text-align:left">Test SİM kartları və kartlar</caption>
    <thead><tr><th scope="col">Şəxs</th><th scope="col">Mobil nömrə</th><th scope="col">İstifadəçi ID-si</th>
      <th scope="col">PİN1 / PİN2</th><th scope="col">Telefon</th><th scope="col">Kart</th></tr></thead>
    <tbody>
    {% for person in identities %}
      <tr><td>{{ person.surname }} {{ person.name }}<br><span class="muted">{{ person.label }}</span></td>
        <td>{{ person.phone }}</td><td>{{ person.user_id }}</td><td>{{ person.pin1 }} / {{ person.pin2 }}</td>
        <td><a href="{{ url_for('phone.phone_page', phone=person.phone) }}">Telefonu aç</a></td>
        <td><a href="{{ url_for('phone.card_as_file', fin=person.fin) }}">Kart faylı</a></td></tr>
    {% endfor %}
    </tbody>
  </table>
  </div>
</main>
</body>
</html>
"""
