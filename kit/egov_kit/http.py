"""Calls to other services: service token, request id passed on, timeouts, no retries on writes.

A read (GET, HEAD) whose connection breaks before the answer comes is sent once more on a new
connection: a kept-alive connection the other service closed after its idle time (gunicorn's
keepalive) is only found out when it is used, and a call after a quiet spell would otherwise fail
for nothing. Writes are never sent twice by the client.

Calls between services go straight to the service's URL: the environment's proxy settings
(HTTP_PROXY, …, meant for the way out to the internet) are not applied to them, and are not
looked up again for every call, which cost more than the rest of the client's own work. A CA
bundle named by REQUESTS_CA_BUNDLE is still the one TLS is checked against."""
from __future__ import annotations

import os

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from .auth import ServiceTokens
from .config import service_url
from .logs import request_id_var


class ServiceClient:
    def __init__(self, caller: str, tokens: ServiceTokens, urls: dict[str, str] | None = None):
        """`urls`: base URLs by service, where they are not the configured ones (tests)."""
        self.caller = caller
        self.tokens = tokens
        self.urls = dict(urls or {})
        self.session = requests.Session()
        self.session.trust_env = False
        self.session.verify = os.environ.get("REQUESTS_CA_BUNDLE") or True
        once_more = HTTPAdapter(max_retries=Retry(total=1, connect=1, read=1, redirect=0, status=0, other=0,
                                                  allowed_methods=frozenset({"GET", "HEAD"}),
                                                  raise_on_status=False))
        self.session.mount("http://", once_more)
        self.session.mount("https://", once_more)

    def request(self, target: str, method: str, path: str, *, timeout: float = 5, **kwargs) -> requests.Response:
        headers = kwargs.pop("headers", {}) or {}
        headers["Authorization"] = f"Bearer {self.tokens.token_for(target)}"
        rid = request_id_var.get()
        if rid:
            headers["X-Request-ID"] = rid
        base = self.urls.get(target) or service_url(target)
        return self.session.request(method, f"{base}{path}", headers=headers,
                                    timeout=timeout, **kwargs)

    def get(self, target: str, path: str, **kwargs) -> requests.Response:
        return self.request(target, "GET", path, **kwargs)

    def post(self, target: str, path: str, **kwargs) -> requests.Response:
        return self.request(target, "POST", path, **kwargs)
