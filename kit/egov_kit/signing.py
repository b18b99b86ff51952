"""Signing with a person's Asan İmza through the auth service (`/api/auth/signatures`, with the
calling service's token): the person compares the code and confirms on the phone with PIN2, and
auth hands back detached CMS signatures over the digests it was given. Anything but a clear
answer from auth is ServiceError(503).

    signing = SigningClient(kit.client)
    started = signing.start(fin=caller.fin, text="...", digests=[
        {"name": "report", "digest": digest_b64(content)},
        {"name": "pdf", "digest": b64(prepared.digest), "pades": True}])
    ...
    answer = signing.status(started["signing_id"])      # pending | confirmed | rejected | expired
    if answer["state"] == CONFIRMED:
        cms = cms_of(answer, "report")
        signer = signing.verify(cms, content, now=now)  # chains to auth's CA, names the FİN

The states a document's signature goes through (api.md, "Signing"): auth's four, and three a
service ends it with itself: `refused` (the signer may no longer sign it), `cancelled` (the
document changed after signing started), `invalid` (what came back did not verify)."""
from __future__ import annotations

import base64
import hashlib
import logging
from datetime import datetime

import requests

from . import i18n, pki
from .errors import ServiceError, unavailable

log = logging.getLogger("egov.signing")

PENDING, CONFIRMED, REJECTED, EXPIRED = "pending", "confirmed", "rejected", "expired"
REFUSED, CANCELLED, INVALID = "refused", "cancelled", "invalid"
STATES = (PENDING, CONFIRMED, REJECTED, EXPIRED, REFUSED, CANCELLED, INVALID)

i18n.register({
    "signing_start_refused": ("İmzalama başladıla bilmədi.", "Signing could not be started."),
    "signing_invalid": ("İmza yoxlamadan keçmədi.", "The signature did not verify."),
})


def digest_b64(data: bytes) -> str:
    """SHA-256 of `data`, base64: how auth takes a digest to sign."""
    return base64.b64encode(hashlib.sha256(data).digest()).decode("ascii")


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def cms_of(answer: dict, name: str) -> bytes:
    """The CMS signature named `name` in a confirmed answer; KeyError/ValueError when it is not
    there or not base64 (what came back is then invalid)."""
    by_name = {s.get("name"): s for s in answer.get("signatures") or [] if isinstance(s, dict)}
    return base64.b64decode(by_name[name]["cms"], validate=True)


def _json(response: requests.Response) -> dict:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


class SigningClient:
    def __init__(self, client):
        """`client`: the service's egov_kit.http.ServiceClient."""
        self.client = client
        self._ca_pem: str | None = None

    def _call(self, method: str, path: str, **kwargs) -> requests.Response:
        try:
            return self.client.request("auth", method, path, **kwargs)
        except requests.RequestException as exc:
            log.warning("auth unreachable: %s", type(exc).__name__)
            raise unavailable() from None

    def start(self, *, fin: str, text: str, digests: list[dict]) -> dict:
        """Ask the person to sign `digests` ([{name, digest (base64 SHA-256), pades}]):
        {signing_id, verification_code, expires_at}. A request auth refuses (no Asan İmza for
        this FİN, a request already waiting, ...) is the caller's ServiceError(409 or 422,
        signing_start_refused) with auth's own words as its detail."""
        response = self._call("POST", "/api/auth/signatures", json={"fin": fin, "text": text, "digests": digests})
        if response.status_code in (200, 201):
            return _json(response)
        if 400 <= response.status_code < 500 and response.status_code not in (401, 403):
            raise ServiceError(409 if response.status_code == 409 else 422, "signing_start_refused",
                               detail=_json(response).get("detail"))
        log.warning("auth signatures answered %s", response.status_code)
        raise unavailable()

    def status(self, signing_id: str) -> dict:
        """{state: pending|confirmed|rejected|expired} and, once confirmed, the signatures."""
        response = self._call("GET", f"/api/auth/signatures/{signing_id}")
        if response.status_code == 404:
            # Auth no longer knows it (cleaned up after expiry): it can never be confirmed now.
            return {"state": EXPIRED}
        if response.status_code != 200:
            log.warning("auth signature status answered %s", response.status_code)
            raise unavailable()
        return _json(response)

    def ca_pem(self, refresh: bool = False) -> str:
        """The CA the signers' certificates chain to (fetched once per process)."""
        if self._ca_pem is None or refresh:
            response = self._call("GET", "/api/auth/ca.pem")
            if response.status_code != 200 or "BEGIN CERTIFICATE" not in response.text:
                log.warning("auth CA certificate answered %s", response.status_code)
                raise unavailable()
            self._ca_pem = response.text
        return self._ca_pem

    def verify(self, cms: bytes, content: bytes, *, now: datetime) -> pki.SignerInfo:
        """The detached CMS over `content`, checked against auth's CA: who signed (FİN). Raises
        pki.SignatureInvalid."""
        try:
            return pki.verify_detached_cms(cms, content, [self.ca_pem()], now=now)
        except pki.SignatureInvalid:
            # The test CA may have been re-created since it was fetched: look once more.
            return pki.verify_detached_cms(cms, content, [self.ca_pem(refresh=True)], now=now)
