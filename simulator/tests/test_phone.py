"""The phone's side of the simulator over real HTTP: the identities, the test cards, the CA, the
JSON phone and the phone as a page a person uses."""
from __future__ import annotations

import base64
import hashlib
import json
import os
import re

from egov_kit import pki

from asan_sim.domain import verification_code
from asan_sim.settings import DEFAULT_IDENTITIES
from devtools.client import sim_identity

NERMIN = sim_identity(label="employee 3")
SAHIN = sim_identity(label="no job 2")


def start_login(simulator, person: dict, kind_path: str = "/authentication") -> tuple[str, str]:
    hash_value = hashlib.sha256(os.urandom(16)).digest()
    response = simulator.post(kind_path, simulator.rp(phoneNumber=person["phone"], userId=person["user_id"],
                                                      hash=base64.b64encode(hash_value).decode(), hashType="SHA256",
                                                      displayText="Nazirliyin e-xidmətlərinə giriş"))
    assert response.status_code == 200, response.text
    return response.json()["sessionID"], verification_code(hash_value)


def test_identities_are_the_files_people_with_their_companies(simulator):
    response = simulator.http.get(f"{simulator.url}/api/asan-sim/identities")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    listed = {r["fin"]: r for r in response.json()}
    in_file = {r["fin"]: r for r in json.loads(DEFAULT_IDENTITIES.read_text(encoding="utf-8"))}
    assert listed == in_file
    assert listed["5ZK2M7P"]["companies"] == ["1701100121", "1701100231", "1701100341"]
    assert all("staff" not in r for r in listed.values())


def test_a_card_is_a_certificate_of_the_ca_with_its_private_key(simulator):
    card = simulator.http.get(f"{simulator.url}/api/asan-sim/cards/{NERMIN['fin'].lower()}").json()
    held = pki.load_certkey(card["private_key"], card["certificate"])
    nonce = os.urandom(32)
    holder = pki.verify_card_response(card["certificate"], nonce, pki.sign_challenge(held, nonce),
                                      [simulator.http.get(f"{simulator.url}/api/asan-sim/ca.pem").text])
    assert (holder.fin, holder.given_name, holder.surname) == (NERMIN["fin"], "Nərmin", "Həsənova")
    assert simulator.http.get(f"{simulator.url}/api/asan-sim/cards/0000000").status_code == 404


def test_the_phone_refuses_unknown_things(simulator):
    assert simulator.http.get(f"{simulator.url}/api/asan-sim/phones/+994509876543/requests").status_code == 404
    assert simulator.answer(SAHIN["phone"], "nope", "1234").status_code == 404
    _session, code = start_login(simulator, SAHIN)
    request = next(r for r in simulator.phone(SAHIN["phone"]) if r["verification_code"] == code)
    empty = simulator.http.post(f"{simulator.url}/api/asan-sim/phones/{SAHIN['phone']}/requests/"
                                f"{request['request_id']}", json={})
    assert empty.status_code == 422 and "pin" in empty.json()["errors"]
    english = simulator.http.post(f"{simulator.url}/api/asan-sim/phones/{SAHIN['phone']}/requests/"
                                  f"{request['request_id']}", json={"pin": "0"}, headers={"Accept-Language": "en"})
    assert english.status_code == 403 and english.json()["errors"]["pin"] == ["Wrong PIN."]


def test_the_phone_page_shows_the_code_and_takes_the_pin(simulator):
    session_id, code = start_login(simulator, NERMIN)
    page = simulator.http.get(f"{simulator.url}/api/asan-sim/phones/{NERMIN['phone']}")
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    html = page.text
    assert '<html lang="az">' in html and code in html and "Giriş sorğusu" in html
    request_id = re.search(r'name="request_id" value="([0-9a-f]+)"', html).group(1)
    # Every input has its label; the message area is announced to screen readers.
    assert f'<label for="pin-{request_id}">PİN1</label>' in html and f'id="pin-{request_id}"' in html
    assert 'aria-live="polite"' in html

    url = f"{simulator.url}/api/asan-sim/phones/{NERMIN['phone']}"
    wrong = simulator.http.post(url, data={"request_id": request_id, "pin": "0000"})
    assert wrong.status_code == 403 and "PİN yanlışdır. Qalan cəhd: 2." in wrong.text
    right = simulator.http.post(url, data={"request_id": request_id, "pin": NERMIN["pin1"]})
    assert right.status_code == 200 and "Təsdiqləndi." in right.text and "Gözləyən sorğu yoxdur." in right.text
    assert simulator.session(session_id).json()["result"] == "OK"


def test_the_phone_page_of_an_unknown_number_is_404(simulator):
    response = simulator.http.get(f"{simulator.url}/api/asan-sim/phones/+994509876543")
    assert response.status_code == 404
    assert response.headers["Content-Type"].startswith("application/problem+json")


def test_the_log_holds_routes_not_numbers_or_fins(simulator):
    start_login(simulator, NERMIN)
    simulator.phone(NERMIN["phone"])
    simulator.http.get(f"{simulator.url}/api/asan-sim/cards/{NERMIN['fin']}")
    log = (simulator.suite.var_dir / "logs" / "asan-sim.log").read_text(encoding="utf-8")
    assert "/api/asan-sim/phones/<phone>/requests" in log and "/api/asan-sim/cards/<fin>" in log
    digits = NERMIN["phone"].lstrip("+")
    assert digits not in log and NERMIN["fin"] not in log and NERMIN["user_id"] not in log


def test_the_card_as_a_file_opens_with_its_pins_only(simulator):
    """The file the portal's page opens in the browser: the certificate, and the card's key sealed
    under PIN1 (log-in) and PIN2 (signing); another PIN opens nothing."""
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    from asan_sim.cards import open_card_file

    response = simulator.http.get(f"{simulator.url}/api/asan-sim/cards/{NERMIN['fin'].lower()}/file")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == f'attachment; filename="test-card-{NERMIN["fin"]}.json"'
    card = response.json()
    assert card["format"] == "egov-test-card" and card["fin"] == NERMIN["fin"]
    assert "PRIVATE KEY" not in json.dumps(card)
    public = pki.load_certkey(None, card["certificate"]).cert.public_key().public_bytes(
        Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    for usage, pin in (("auth", NERMIN["pin1"]), ("sign", NERMIN["pin2"])):
        key = open_card_file(card, usage, pin)
        assert key.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo) == public
    for usage, pin in (("auth", NERMIN["pin2"]), ("sign", NERMIN["pin1"]), ("auth", "0000")):
        try:
            open_card_file(card, usage, pin)
        except ValueError:
            continue
        raise AssertionError(f"{usage} opened with a wrong PIN")
    # The test people, as a page: a phone and a card file each.
    page = simulator.http.get(f"{simulator.url}/api/asan-sim/phones")
    assert page.status_code == 200 and NERMIN["phone"] in page.text
    assert f"/api/asan-sim/cards/{NERMIN['fin']}/file" in page.text
