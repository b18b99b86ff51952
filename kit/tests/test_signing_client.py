"""The client of auth's signing API, against the running suite's auth service: a request auth
refuses is the caller's 422 with auth's words, a signing auth no longer knows can never complete,
the CA is fetched once; and the CMS signatures named in a confirmed answer are read out. With the
card: the hashes handed out one by one, a refused certificate named as the caller's field, a
signature that does not verify read as `invalid`; and what the services' signature routes take."""
from __future__ import annotations

import base64

import pytest
import requests
from marshmallow import ValidationError

from devtools.client import ApiSession, sim_identity
from egov_kit import pki
from egov_kit.clock import utcnow
from egov_kit.errors import ServiceError
from egov_kit.signing import (CONFIRMED, EXPIRED, INVALID, PENDING, CardResponseIn, SignatureIn, SigningClient,
                              card_step, cms_of, digest_b64, outcome)


def test_digests_and_named_signatures():
    assert digest_b64(b"") == "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
    answer = {"state": "confirmed", "signatures": [{"name": "report", "cms": base64.b64encode(b"\x30\x01").decode()}]}
    assert cms_of(answer, "report") == b"\x30\x01"
    with pytest.raises(KeyError):
        cms_of(answer, "pdf")
    with pytest.raises(ValueError):
        cms_of({"signatures": [{"name": "report", "cms": "not base64!"}]}, "report")


def test_the_client_against_auth(service_client, suite):
    signing = SigningClient(service_client("accidents"))
    person = sim_identity(label="no job 2")
    ApiSession(suite.gateway_url).login(person)  # auth signs for people it knows from an Asan log-in
    started = signing.start(fin=person["fin"], text="Sınaq imzası", digests=[{"name": "x", "digest": digest_b64(b"x")}])
    assert started["signing_id"] and len(started["verification_code"]) == 4
    assert signing.status(started["signing_id"])["state"] == PENDING
    assert signing.status("no-such-signing")["state"] == EXPIRED

    with pytest.raises(ServiceError) as raised:
        signing.start(fin="ZZZZZZ9", text="Sınaq", digests=[{"name": "x", "digest": digest_b64(b"x")}])
    assert raised.value.status == 422 and raised.value.code == "signing_start_refused" and raised.value.detail

    pem = signing.ca_pem()
    assert "BEGIN CERTIFICATE" in pem and signing.ca_pem() is pem  # fetched once


def card_of(suite, fin: str) -> pki.CertKey:
    body = requests.get(f"{suite.gateway_url}/api/asan-sim/cards/{fin}", timeout=10).json()
    return pki.load_certkey(body["private_key"], body["certificate"])


def test_the_card_through_the_client(service_client, suite):
    signing = SigningClient(service_client("contracts"))
    person = sim_identity(label="no job 1")
    card = card_of(suite, person["fin"])
    digests = [{"name": "x", "digest": digest_b64(b"x")}, {"name": "y", "digest": digest_b64(b"y")}]
    started = signing.start_card(fin=person["fin"], certificate=card.cert_pem, text="Sınaq", digests=digests)
    step = card_step(started)
    assert step["step"] == "1/2" and step["steps"] == 2 and step["digest_algorithm"] == "sha256"
    assert card_step(signing.status(started["signing_id"])) == step
    answer = signing.card_response(started["signing_id"], base64.b64encode(
        pki.sign_prehashed(card, base64.b64decode(step["digest"]))).decode())
    assert outcome(answer) == PENDING and card_step(answer)["step"] == "2/2"
    answer = signing.card_response(started["signing_id"], base64.b64encode(
        pki.sign_prehashed(card, base64.b64decode(answer["digest"]))).decode())
    assert outcome(answer) == CONFIRMED and card_step(answer) == {}
    assert signing.verify(cms_of(answer, "y"), b"y", now=utcnow()).fin == person["fin"]
    with pytest.raises(ServiceError) as raised:
        signing.card_response(started["signing_id"], base64.b64encode(b"late").decode())
    assert raised.value.status == 409 and raised.value.code == "no_card_signature_awaited"

    # Another person's card: the caller's 403, naming the certificate.
    with pytest.raises(ServiceError) as raised:
        signing.start_card(fin=sim_identity(label="no job 2")["fin"], certificate=card.cert_pem, text="Sınaq",
                           digests=digests)
    assert (raised.value.status, raised.value.errors) == (403, {"certificate": ["certificate_of_another_person"]})

    # A signature by another key over the right hash: nothing signed, the signing invalid.
    started = signing.start_card(fin=person["fin"], certificate=card.cert_pem, text="Sınaq", digests=digests)
    stranger = pki.issue_certificate(pki.generate_ca(), common_name="Başqası", fin=person["fin"])
    answer = signing.card_response(started["signing_id"], base64.b64encode(
        pki.sign_prehashed(stranger, base64.b64decode(started["digest"]))).decode())
    assert outcome(answer) == INVALID and "signatures" not in answer


@pytest.mark.parametrize("body, loaded", [
    ({}, {"method": "asan"}),
    ({"method": "asan"}, {"method": "asan"}),
    ({"method": "card", "certificate": "PEM"}, {"method": "card", "certificate": "PEM"}),
])
def test_what_a_signature_start_takes(body, loaded):
    assert SignatureIn().load(body) == loaded


@pytest.mark.parametrize("body, field, code", [
    ({"method": "card"}, "certificate", "certificate_required"),
    ({"certificate": "PEM"}, "certificate", "certificate_only_with_card"),
    ({"method": "pigeon"}, "method", None),
])
def test_a_signature_start_refused_names_the_field(body, field, code):
    with pytest.raises(ValidationError) as raised:
        SignatureIn().load(body)
    assert field in raised.value.messages and (code is None or raised.value.messages[field] == [code])


def test_a_card_response_is_base64():
    assert CardResponseIn().load({"signature": " AAEC "}) == {"signature": "AAEC"}
    for bad in ("%%%", "", "AAE"):
        with pytest.raises(ValidationError) as raised:
            CardResponseIn().load({"signature": bad})
        assert "signature" in raised.value.messages
