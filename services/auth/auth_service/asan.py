"""The Asan İmza provider, as a relying party speaks to it: over HTTP at ASAN_PROVIDER_URL, with
the relying party's UUID and name, on the protocol of docs/asan-provider.md (modelled on the
public Mobile-ID relying-party REST API). The real provider in production, the simulator process
in `make run` and the tests; this module cannot tell them apart and must not.

What comes back is only reported here; whether a result is believed (the signature over our
hash, the certificate's chain, validity and holder) is decided by the use cases with the trust
store (trust.py). No PIN and no private key ever passes through."""
from __future__ import annotations

import base64
import binascii
import logging
from dataclasses import dataclass

import requests

from egov_kit.errors import ServiceError
from egov_kit.errors import unavailable as _unavailable

log = logging.getLogger("auth.asan")

RUNNING, COMPLETE = "RUNNING", "COMPLETE"
OK = "OK"
HASH_TYPE = "SHA256"
LANGUAGE = "AZE"


@dataclass(frozen=True)
class SessionState:
    state: str                       # RUNNING | COMPLETE
    result: str | None = None        # OK, TIMEOUT, NOT_MID_CLIENT, USER_CANCELLED, ... (COMPLETE only)
    signature: bytes | None = None   # raw signature over the hash we sent (OK only)
    algorithm: str | None = None
    cert_der: bytes | None = None    # the signer's certificate (OK only)


def unavailable() -> ServiceError:
    return _unavailable("asan_unavailable")


def _b64(value) -> bytes | None:
    if not isinstance(value, str):
        return None
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return None


class AsanProvider:
    def __init__(self, base_url: str, rp_uuid: str, rp_name: str, *, timeout: float = 10.0,
                 http: requests.Session | None = None):
        self.base_url = base_url.rstrip("/")
        self.rp_uuid = rp_uuid
        self.rp_name = rp_name
        self.timeout = timeout
        self.http = http or requests.Session()

    # --- the calls ----------------------------------------------------------------------------
    def certificate(self, phone: str, user_id: str) -> bytes | None:
        """The signing certificate (DER) of this number and user ID; None when there is none."""
        body = self._post("/certificate", {"phoneNumber": phone, "userId": user_id})
        if body.get("result") == OK:
            cert = _b64(body.get("cert"))
            if cert:
                return cert
            raise self._malformed("certificate")
        if body.get("result") == "NOT_FOUND":
            return None
        raise self._malformed("certificate")

    def authenticate(self, phone: str, user_id: str, hash_value: bytes, display_text: str) -> str:
        return self._start("/authentication", phone, user_id, hash_value, display_text)

    def sign(self, phone: str, user_id: str, hash_value: bytes, display_text: str) -> str:
        return self._start("/signature", phone, user_id, hash_value, display_text)

    def session(self, session_id: str, timeout_ms: int = 0) -> SessionState:
        """The session's state now (or after waiting up to `timeout_ms` for it to complete). A
        session the provider no longer knows is reported as one that ended in TIMEOUT."""
        response = self._call("GET", f"/session/{session_id}", params={"timeoutMs": str(timeout_ms)},
                              headers={"X-Relying-Party-UUID": self.rp_uuid},
                              timeout=self.timeout + timeout_ms / 1000)
        if response.status_code == 404:
            return SessionState(COMPLETE, "TIMEOUT")
        body = self._json(response, "session")
        state = body.get("state")
        if state == RUNNING:
            return SessionState(RUNNING)
        result = body.get("result")
        if state != COMPLETE or not isinstance(result, str):
            raise self._malformed("session")
        if result != OK:
            return SessionState(COMPLETE, result)
        signature = body.get("signature") if isinstance(body.get("signature"), dict) else {}
        value, cert = _b64(signature.get("value")), _b64(body.get("cert"))
        if not value or not cert or not isinstance(signature.get("algorithm"), str):
            raise self._malformed("session")
        return SessionState(COMPLETE, OK, value, signature["algorithm"], cert)

    # --- plumbing -----------------------------------------------------------------------------
    def _start(self, path: str, phone: str, user_id: str, hash_value: bytes, display_text: str) -> str:
        body = self._post(path, {"phoneNumber": phone, "userId": user_id,
                                 "hash": base64.b64encode(hash_value).decode(), "hashType": HASH_TYPE,
                                 "language": LANGUAGE, "displayText": display_text})
        session_id = body.get("sessionID")
        if not isinstance(session_id, str) or not session_id or len(session_id) > 100 or "/" in session_id:
            raise self._malformed(path)
        return session_id

    def _post(self, path: str, fields: dict) -> dict:
        payload = {"relyingPartyUUID": self.rp_uuid, "relyingPartyName": self.rp_name, **fields}
        return self._json(self._call("POST", path, json=payload, timeout=self.timeout), path)

    def _call(self, method: str, path: str, **kwargs) -> requests.Response:
        try:
            return self.http.request(method, f"{self.base_url}{path}", **kwargs)
        except requests.RequestException as exc:
            log.warning("Asan İmza provider unreachable",
                        extra={"call": path.split("/")[1], "error": type(exc).__name__})
            raise unavailable() from None

    def _json(self, response: requests.Response, what: str) -> dict:
        if response.status_code == 401:
            # Our relying-party credentials are wrong: a configuration matter, not the person's.
            log.error("Asan İmza provider refused the relying-party credentials")
            raise unavailable()
        if response.status_code != 200:
            log.warning("Asan İmza provider answered", extra={"call": what.strip("/").split("/")[0],
                                                                "status": response.status_code})
            raise unavailable()
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise self._malformed(what)
        return body

    @staticmethod
    def _malformed(what: str) -> ServiceError:
        log.warning("Asan İmza provider sent an unusable answer", extra={"call": what.strip("/").split("/")[0]})
        return unavailable()
