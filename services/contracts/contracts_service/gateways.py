"""Calls to other services over HTTP (service tokens through the kit's client): the registry for
people, organisations and directories, and the auth service for signatures with Asan İmza."""
from __future__ import annotations

import logging
import threading
import time

import requests

log = logging.getLogger("contracts.gateways")


class Unavailable(Exception):
    """Another service did not answer usefully; the caller may retry later."""


class Rejected(Exception):
    """Another service refused the request (4xx): `status` and its problem `body`."""

    def __init__(self, status: int, body: dict):
        super().__init__(f"{status}")
        self.status = status
        self.body = body


def _json(response: requests.Response) -> dict:
    try:
        return response.json()
    except ValueError:
        return {}


class Registry:
    """Population and tax registries and directories (GET with this service's token)."""

    DIRECTORY_TTL = 300.0

    def __init__(self, client):
        self.client = client
        self._directories: dict[str, tuple[float, list]] = {}
        self._lock = threading.Lock()

    def _get(self, path: str, purpose: str | None = None) -> dict | None:
        headers = {"X-Purpose": purpose} if purpose else {}
        try:
            response = self.client.get("registry", path, headers=headers)
        except requests.RequestException as exc:
            log.warning("registry unreachable: %s", type(exc).__name__)
            raise Unavailable("registry") from exc
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            log.warning("registry answered %s", response.status_code)
            raise Unavailable("registry")
        return _json(response)

    def person(self, fin: str, purpose: str) -> dict | None:
        return self._get(f"/api/registry/persons/{fin}", purpose)

    def organization(self, voen: str) -> dict | None:
        return self._get(f"/api/registry/organizations/{voen}")

    def head_fin(self, voen: str) -> str | None:
        org = self.organization(voen)
        return (org or {}).get("head_fin")

    def directory(self, name: str) -> dict[str, dict]:
        """Items by code; directories change rarely, so they are kept for a few minutes."""
        cached = self._directories.get(name)
        if cached and cached[0] > time.monotonic():
            return cached[1]
        body = self._get(f"/api/registry/directories/{name}")
        if body is None:
            raise Unavailable(f"directory {name}")
        items = {item["code"]: item for item in body.get("items", [])}
        with self._lock:
            self._directories[name] = (time.monotonic() + self.DIRECTORY_TTL, items)
        return items


class Signatures:
    """Signing with the person's Asan İmza through the auth service (confirmed with PIN2)."""

    def __init__(self, client):
        self.client = client
        self._ca_pem: str | None = None

    def start(self, *, fin: str, text: str, digests: list[dict]) -> dict:
        try:
            response = self.client.post("auth", "/api/auth/signatures",
                                        json={"fin": fin, "text": text, "digests": digests})
        except requests.RequestException as exc:
            raise Unavailable("auth") from exc
        if response.status_code in (200, 201):
            return _json(response)
        if 400 <= response.status_code < 500 and response.status_code not in (401, 403):
            raise Rejected(response.status_code, _json(response))
        log.warning("auth signatures answered %s", response.status_code)
        raise Unavailable("auth")

    def status(self, signing_id: str) -> dict:
        try:
            response = self.client.get("auth", f"/api/auth/signatures/{signing_id}")
        except requests.RequestException as exc:
            raise Unavailable("auth") from exc
        if response.status_code == 404:
            # Auth no longer knows it (cleaned up after expiry): it can never be confirmed now.
            return {"state": "expired"}
        if response.status_code != 200:
            log.warning("auth signature status answered %s", response.status_code)
            raise Unavailable("auth")
        return _json(response)

    def ca_pem(self, refresh: bool = False) -> str:
        """The CA our signers' certificates chain to (fetched once per process)."""
        if self._ca_pem is None or refresh:
            try:
                response = self.client.get("auth", "/api/auth/ca.pem")
            except requests.RequestException as exc:
                raise Unavailable("auth") from exc
            if response.status_code != 200 or "BEGIN CERTIFICATE" not in response.text:
                raise Unavailable("auth ca")
            self._ca_pem = response.text
        return self._ca_pem
