"""Look-ups in the state registries (the registry service), with this service's own service token.

Every call says why it is made (`X-Purpose`), so the registry's access log can tell the person."""
from __future__ import annotations

import logging
from urllib.parse import quote

import requests

from .domain import AuthError

log = logging.getLogger("auth.registry")


class Registry:
    def __init__(self, client):
        self.client = client  # egov_kit.http.ServiceClient

    def _get(self, path: str, purpose: str, **kwargs) -> dict | None:
        try:
            response = self.client.get("registry", path, headers={"X-Purpose": purpose}, **kwargs)
        except requests.RequestException as exc:
            log.warning("registry unreachable: %s", type(exc).__name__)
            raise AuthError(503, "registry_unavailable") from None
        if response.status_code == 404:
            return None
        if not response.ok:
            log.warning("registry answered %s", response.status_code)
            raise AuthError(503, "registry_unavailable")
        return response.json()

    def person(self, fin: str, purpose: str = "login") -> dict | None:
        return self._get(f"/api/registry/persons/{quote(fin)}", purpose)

    def organization(self, voen: str, purpose: str = "company-role") -> dict | None:
        return self._get(f"/api/registry/organizations/{quote(voen)}", purpose)

    def organizations_headed_by(self, fin: str, purpose: str = "company-roles") -> list[dict]:
        body = self._get("/api/registry/organizations", purpose, params={"head_fin": fin})
        return list((body or {}).get("items") or [])
