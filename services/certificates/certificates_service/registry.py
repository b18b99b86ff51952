"""Look-ups in the registry service over HTTP (service token through the kit's client), with a
short per-process cache for what changes rarely: the purposes directory and organisations."""
from __future__ import annotations

import threading
import time

import requests

from egov_kit.validators import is_voen


class RegistryUnavailable(Exception):
    pass


class Registry:
    def __init__(self, client, ttl: float = 300.0):
        self.client = client
        self.ttl = ttl
        self._lock = threading.Lock()
        self._purposes: tuple[float, dict] | None = None
        self._orgs: dict[str, tuple[float, dict | None]] = {}

    def _get(self, path: str, purpose: str) -> requests.Response:
        try:
            response = self.client.get("registry", path, headers={"X-Purpose": purpose}, timeout=5)
        except requests.RequestException as exc:
            raise RegistryUnavailable(type(exc).__name__) from exc
        if response.status_code >= 500 or response.status_code in (401, 403):
            raise RegistryUnavailable(str(response.status_code))
        return response

    def purposes(self) -> dict[str, dict]:
        """Certificate purposes by code ("arayış təyinatı")."""
        cached = self._purposes
        if cached and cached[0] > time.monotonic():
            return cached[1]
        response = self._get("/api/registry/directories/certificate-purposes", "certificate purposes")
        if response.status_code != 200:
            raise RegistryUnavailable(str(response.status_code))
        items = {item["code"]: item for item in response.json().get("items", [])}
        self._purposes = (time.monotonic() + self.ttl, items)
        return items

    def organization(self, voen: str) -> dict | None:
        """The organisation behind a VÖEN, or None when the tax registry has none."""
        if not is_voen(voen):
            return None
        cached = self._orgs.get(voen)
        if cached and cached[0] > time.monotonic():
            return cached[1]
        response = self._get(f"/api/registry/organizations/{voen}", "certificate addressee / verifier organisation")
        if response.status_code == 404:
            org = None
        elif response.status_code == 200:
            body = response.json()
            org = {"voen": body["voen"], "name": body.get("name")}
        else:
            raise RegistryUnavailable(str(response.status_code))
        with self._lock:
            if len(self._orgs) > 5000:
                self._orgs.clear()
            # Unknown VÖENs are remembered only briefly: the organisation may just be registering.
            self._orgs[voen] = (time.monotonic() + (self.ttl if org else 10), org)
        return org
