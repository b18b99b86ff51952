"""E-signature card log-in: challenge, the card's signature over it, the certificate's chain and
validity, single use of the challenge."""
from __future__ import annotations

import base64
from datetime import datetime, timedelta, timezone

import pytest
import requests

from egov_kit import pki

FIN = "4RD6YFC"  # Nərmin Həsənova: a simulator identity, so the simulator's test CA issued her card


def simulator_card(phone_base: str, fin: str = FIN) -> pki.CertKey:
    response = requests.get(f"{phone_base}/api/asan-sim/cards/{fin}")
    assert response.status_code == 200, response.text
    body = response.json()
    assert "PRIVATE KEY" in body["private_key"] and "CERTIFICATE" in body["certificate"]
    return pki.load_certkey(body["private_key"], body["certificate"])


@pytest.fixture(scope="module")
def card(suite) -> pki.CertKey:
    return simulator_card(suite.asan_sim_url)


@pytest.fixture(scope="module")
def test_ca(suite) -> pki.CertKey:
    """The simulator's test CA, read from its data folder to issue cards it would never hand out."""
    return pki.load_certkey((suite.asan_sim_dir / "private" / "ca-key.pem").read_text(),
                            (suite.asan_sim_dir / "ca.pem").read_text())


def challenge(auth_url) -> str:
    response = requests.get(f"{auth_url}/api/auth/card/challenge")
    assert response.status_code == 200
    nonce = response.json()["nonce"]
    assert len(base64.b64decode(nonce)) >= 16
    return nonce


def answer(auth_url, card: pki.CertKey, nonce: str, *, signed_nonce: str | None = None) -> requests.Response:
    signature = pki.sign_challenge(card, base64.b64decode(signed_nonce or nonce))
    return requests.post(f"{auth_url}/api/auth/card/sessions", headers={"Accept-Language": "en"}, json={
        "certificate": card.cert_pem, "nonce": nonce, "signature": base64.b64encode(signature).decode()})


def test_card_login_gives_a_token_for_the_card_holder(auth_url, card):
    response = answer(auth_url, card, challenge(auth_url))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["access_token"] and 0 < body["expires_in"] <= 900
    me = requests.get(f"{auth_url}/api/auth/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.status_code == 200
    assert (me.json()["fin"], me.json()["name"], me.json()["surname"]) == (FIN, "Nərmin", "Həsənova")


def test_nonce_is_single_use(auth_url, card):
    nonce = challenge(auth_url)
    assert answer(auth_url, card, nonce).status_code == 200
    reused = answer(auth_url, card, nonce)
    assert reused.status_code == 401 and "nonce" in reused.json()["errors"]


def test_unknown_nonce(auth_url, card):
    made_up = base64.b64encode(b"\x01" * 32).decode()
    response = answer(auth_url, card, made_up)
    assert response.status_code == 401 and "nonce" in response.json()["errors"]


def test_signature_over_another_nonce_is_refused(auth_url, card):
    nonce, other = challenge(auth_url), challenge(auth_url)
    response = answer(auth_url, card, nonce, signed_nonce=other)
    assert response.status_code == 401
    assert response.json()["errors"] == {"signature": ["The signature does not verify with the certificate's key."]}


def test_card_from_another_ca_is_untrusted(auth_url):
    rogue_ca = pki.generate_ca("Rogue CA", organization="Nobody")
    rogue = pki.issue_certificate(rogue_ca, common_name="Nərmin Həsənova", fin=FIN)
    response = answer(auth_url, rogue, challenge(auth_url))
    assert response.status_code == 401 and "certificate" in response.json()["errors"]
    assert "trusted" in response.json()["errors"]["certificate"][0]


def test_card_of_another_simulators_ca_is_untrusted(auth_url, other_simulator):
    """Genuine, valid, the same person, with its key: but the CA is not in AUTH_TRUSTED_CA_FILE."""
    foreign = simulator_card(other_simulator.phone_base)
    response = answer(auth_url, foreign, challenge(auth_url))
    assert response.status_code == 401
    assert response.json()["errors"]["certificate"] == [
        "The certificate was not issued by a trusted certification authority."]


def test_only_the_configured_ca_file_is_trusted(isolated_app, card, other_simulator):
    """An auth whose trust store holds another CA refuses the suite's own cards, and one with no
    trust store refuses every card."""
    for trusted in (str(other_simulator.ca_file), None):
        client = isolated_app(trusted_ca_file=trusted)
        nonce = client.get("/api/auth/card/challenge").get_json()["nonce"]
        signature = pki.sign_challenge(card, base64.b64decode(nonce))
        response = client.post("/api/auth/card/sessions", json={
            "certificate": card.cert_pem, "nonce": nonce, "signature": base64.b64encode(signature).decode()})
        assert response.status_code == 401 and "certificate" in response.get_json()["errors"]


def test_expired_card_is_refused(auth_url, test_ca):
    long_ago = datetime.now(timezone.utc) - timedelta(days=400)
    expired = pki.issue_certificate(test_ca, common_name="Nərmin Həsənova", fin=FIN, valid_from=long_ago,
                                    valid_days=30)
    response = answer(auth_url, expired, challenge(auth_url))
    assert response.status_code == 401
    assert response.json()["errors"]["certificate"] == ["The certificate has expired or is not yet valid."]


def test_certificate_without_a_person_is_refused(auth_url, test_ca):
    seal = pki.issue_certificate(test_ca, common_name="Seal", organization="Nazirlik", kind="system")
    response = answer(auth_url, seal, challenge(auth_url))
    assert response.status_code in (401, 422) and "certificate" in response.json()["errors"]


@pytest.mark.parametrize("certificate, signature, field", [
    ("not a certificate", base64.b64encode(b"x").decode(), "certificate"),
    ("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", base64.b64encode(b"x").decode(),
     "certificate"),
    (None, "%%% not base64 %%%", "signature"),
])
def test_malformed_input_names_the_field(auth_url, card, certificate, signature, field):
    response = requests.post(f"{auth_url}/api/auth/card/sessions", json={
        "certificate": certificate or card.cert_pem, "nonce": challenge(auth_url), "signature": signature})
    assert response.status_code == 422
    assert field in response.json()["errors"]


def test_missing_fields(auth_url):
    response = requests.post(f"{auth_url}/api/auth/card/sessions", json={})
    assert response.status_code == 422
    assert {"certificate", "nonce", "signature"} <= set(response.json()["errors"])
