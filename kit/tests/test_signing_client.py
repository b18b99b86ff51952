"""The client of auth's signing API, against the running suite's auth service: a request auth
refuses is the caller's 422 with auth's words, a signing auth no longer knows can never complete,
the CA is fetched once; and the CMS signatures named in a confirmed answer are read out."""
from __future__ import annotations

import base64

import pytest

from devtools.client import ApiSession, sim_identity
from egov_kit.errors import ServiceError
from egov_kit.signing import EXPIRED, PENDING, SigningClient, cms_of, digest_b64


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
