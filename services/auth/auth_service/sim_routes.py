"""HTTP routes of the Asan İmza simulator (/api/asan-sim), served only when ASAN_SIM_ENABLED:
the test SIM cards, the phone (pending requests, PIN entry) and the test e-signature cards. All
PUBLIC: the simulator stands for the person's own phone and card, which no token guards."""
from __future__ import annotations

from html import escape

from flask import Response
from flask.views import MethodView

from egov_kit.access import PUBLIC, ServiceBlueprint, requires
from egov_kit.app import current_service

from . import schemas as s

blp = ServiceBlueprint("asan_sim", __name__, url_prefix="/api/asan-sim",
                       description="Asan İmza simulator: plays the provider, the phone and the test cards")


@blp.after_request
def _not_cached(response):
    # PINs, codes and test keys must not linger in a browser or proxy cache.
    response.headers.setdefault("Cache-Control", "no-store")
    return response


@blp.route("/identities")
class Identities(MethodView):
    @requires(PUBLIC)
    @blp.response(200, s.SimIdentityOut(many=True))
    def get(self):
        """Test SIM cards with their PINs, and the companies each person may act for."""
        return current_service().sim_identities()


@blp.route("/phones/<phone>/requests")
class PhoneRequests(MethodView):
    @requires(PUBLIC)
    @blp.response(200, s.PhoneRequestOut(many=True))
    def get(self, phone):
        """What the phone shows: pending log-in and signing requests with their codes."""
        return current_service().phone_requests(phone)


@blp.route("/phones/<phone>/requests/<request_id>")
class PhoneRequest(MethodView):
    @requires(PUBLIC)
    @blp.arguments(s.PinIn)
    @blp.response(200, s.PinOut)
    def post(self, body, phone, request_id):
        """Confirm on the phone: PIN1 for a log-in, PIN2 for signing; the third wrong PIN rejects."""
        return current_service().answer_request(phone, request_id, body["pin"])


@blp.route("/cards/<fin>")
class Card(MethodView):
    @requires(PUBLIC)
    @blp.response(200, s.SimCardOut)
    def get(self, fin):
        """The test e-signature card of a simulator identity (certificate and private key, PEM)."""
        return current_service().sim_card(fin)


@blp.route("/phones/<phone>")
class PhonePage(MethodView):
    @requires(PUBLIC)
    @blp.doc(responses={"200": {"description": "the simulated phone", "content": {"text/html": {}}}})
    def get(self, phone):
        """The simulated phone as a small page: compare the code, type the PIN."""
        current_service().phone_requests(phone)  # 404 for a number without a test SIM
        return Response(PHONE_PAGE.replace("{{phone}}", escape(phone)), mimetype="text/html")


PHONE_PAGE = """<!doctype html>
<html lang="az"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>Asan İmza — {{phone}}</title>
<style>
body{font-family:system-ui,sans-serif;max-width:22rem;margin:1rem auto;padding:1rem;border:2px solid #333;border-radius:1.5rem}
.req{border:1px solid #aaa;border-radius:.5rem;padding:.6rem;margin:.6rem 0}
.code{font-size:2rem;letter-spacing:.3rem;font-weight:bold}
.msg{min-height:1.2rem;color:#a00}
</style></head><body>
<h3>Asan İmza <small>{{phone}}</small></h3>
<div id="list">Yüklənir…</div>
<p class="msg" id="msg"></p>
<script>
const phone = document.title.split("— ")[1];
const base = location.pathname.replace(/\\/phones\\/.*/, "") + "/phones/" + encodeURIComponent(phone);
function el(tag, text){const e=document.createElement(tag); if(text!==undefined) e.textContent=text; return e;}
async function load(){
  const r = await fetch(base + "/requests"); const items = r.ok ? await r.json() : [];
  const list = document.getElementById("list"); list.replaceChildren();
  if(!items.length){list.textContent = "Gözləyən sorğu yoxdur."; return;}
  for(const it of items){
    const box = el("div"); box.className = "req";
    box.append(el("div", it.kind === "sign" ? "İmzalama (PİN2)" : "Giriş (PİN1)"));
    const code = el("div", it.verification_code); code.className = "code"; box.append(code, el("p", it.text));
    const pin = el("input"); pin.type = "password"; pin.inputMode = "numeric"; pin.placeholder = "PİN";
    const ok = el("button", "Təsdiq et");
    ok.onclick = async () => {
      const a = await fetch(base + "/requests/" + it.request_id, {method:"POST",
        headers:{"Content-Type":"application/json"}, body: JSON.stringify({pin: pin.value})});
      const b = await a.json();
      document.getElementById("msg").textContent = a.ok ? "Təsdiqləndi." : (b.detail || "Xəta");
      load();
    };
    box.append(pin, ok); list.append(box);
  }
}
load(); setInterval(load, 3000);
</script></body></html>
"""
