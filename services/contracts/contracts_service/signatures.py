"""Signing with a person's Asan İmza through the auth service (/api/auth/signatures, with this
service's token): the person compares the code and confirms on the phone with PIN2, and the auth
service hands back the CMS signatures. Anything but a clear answer is ServiceError(503)."""
from __future__ import annotations

import logging

import requests

from egov_kit.errors import ServiceError, unavailable

log = logging.getLogger("contracts.signatures")


def _json(response: requests.Response) -> dict:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


class Signatures:
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
        """Ask the person to sign `digests`: {signing_id, verification_code, expires_at}. A request
        auth refuses (no Asan İmza for this FİN, a request already waiting, ...) is the caller's
        ServiceError(409 or 422, signing_start_refused) with auth's own words as its detail."""
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
            return {"state": "expired"}
        if response.status_code != 200:
            log.warning("auth signature status answered %s", response.status_code)
            raise unavailable()
        return _json(response)

    def ca_pem(self, refresh: bool = False) -> str:
        """The CA our signers' certificates chain to (fetched once per process)."""
        if self._ca_pem is None or refresh:
            response = self._call("GET", "/api/auth/ca.pem")
            if response.status_code != 200 or "BEGIN CERTIFICATE" not in response.text:
                log.warning("auth CA certificate answered %s", response.status_code)
                raise unavailable()
            self._ca_pem = response.text
        return self._ca_pem
