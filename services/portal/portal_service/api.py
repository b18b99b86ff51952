"""The portal's client of the public API (through the gateway), with the person's own token.

The portal is a backend-for-frontend: it calls the same HTTP contract (api.md) any client does,
never a service's internals, and owns no data. Refusals come back as the API's problem documents
(ApiProblem), already in the person's language (Accept-Language); a service that does not answer
is ApiUnavailable, shown as a page of its own, never a 500."""
from __future__ import annotations

from dataclasses import dataclass, field

import requests


class ApiUnavailable(Exception):
    """The API did not answer, or answered 5xx: nothing the person can fix."""


class SessionExpired(Exception):
    """The person's token stopped working and could not be refreshed."""


@dataclass
class ApiProblem(Exception):
    """A 4xx problem document (RFC 9457): title, detail and the errors by field."""
    status: int
    title: str = ""
    detail: str = ""
    errors: dict = field(default_factory=dict)
    body: dict = field(default_factory=dict)

    @classmethod
    def from_response(cls, response: requests.Response) -> "ApiProblem":
        try:
            body = response.json()
        except ValueError:
            body = {}
        if not isinstance(body, dict):
            body = {}
        errors = body.get("errors") if isinstance(body.get("errors"), dict) else {}
        return cls(status=response.status_code, title=str(body.get("title") or ""),
                   detail=str(body.get("detail") or ""), errors=errors, body=body)

    def __str__(self) -> str:
        return f"{self.status} {self.title}"


class ApiClient:
    """One per app: a pooled HTTP session to the gateway."""

    def __init__(self, base_url: str, timeout: float = 20.0):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.http = requests.Session()

    def send(self, method: str, path: str, *, token: str | None = None, lang: str = "az",
             request_id: str | None = None, client_address: str | None = None, **kwargs) -> requests.Response:
        """The raw answer (any status below 500); ApiUnavailable otherwise."""
        headers = {"Accept-Language": lang, "Accept": "application/json, application/problem+json;q=0.9"}
        headers.update(kwargs.pop("headers", None) or {})
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if request_id:
            headers["X-Request-ID"] = request_id
        if client_address:
            # The person's address, for the API's per-client limits; the gateway believes it only
            # when the portal's address is one of GATEWAY_TRUSTED_PROXIES.
            headers["X-Forwarded-For"] = client_address
        try:
            response = self.http.request(method, f"{self.base_url}{path}", headers=headers,
                                         timeout=self.timeout, **kwargs)
        except requests.RequestException as exc:
            raise ApiUnavailable(type(exc).__name__) from None
        if response.status_code >= 500:
            raise ApiUnavailable(str(response.status_code))
        return response
