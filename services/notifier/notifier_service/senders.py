"""The two ways out: SMTP and webhook POSTs. Each answers with an outcome (sent / retry / failed),
an HTTP or SMTP status and a short error text that carries no personal data."""
from __future__ import annotations

import smtplib
import socket
import threading
import time
import urllib.request
from dataclasses import dataclass
from email.utils import parseaddr

import urllib3

from .domain import (FAILED, RETRY, SENT, URL_UNRESOLVABLE, WebhookTarget, checked_addresses, classify_http_status,
                     classify_smtp_code, webhook_signature, webhook_target)


@dataclass(frozen=True)
class Outcome:
    result: str              # sent | retry | failed
    status: int | None = None
    error: str | None = None


def resolve_host(host: str) -> list[str]:
    """The host's addresses, in the order the system prefers them."""
    return list(dict.fromkeys(info[4][0] for info in socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)))


class SmtpSender:
    def __init__(self, host: str, port: int, mail_from: str, timeout: float = 20.0):
        self.host = host
        self.port = port
        self.envelope_from = parseaddr(mail_from)[1] or "no-reply@notifier.egov"
        self.timeout = timeout

    def send(self, to: str, message: bytes) -> Outcome:
        try:
            smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            try:
                refused = smtp.sendmail(self.envelope_from, [to], message)
            finally:
                # Once the server took the message, a failed goodbye must not make us send it again.
                try:
                    smtp.quit()
                except (smtplib.SMTPException, OSError):
                    smtp.close()
            if refused:
                code = next(iter(refused.values()))[0]
                return Outcome(classify_smtp_code(code), code, "recipient refused")
            return Outcome(SENT, 250)
        except smtplib.SMTPRecipientsRefused as exc:
            code = next(iter(exc.recipients.values()))[0] if exc.recipients else None
            return Outcome(classify_smtp_code(code), code, "recipient refused")
        except smtplib.SMTPResponseException as exc:
            return Outcome(classify_smtp_code(exc.smtp_code), exc.smtp_code, type(exc).__name__)
        except (smtplib.SMTPException, OSError) as exc:
            # Server down, unreachable or hung up: the mail waits until it is back.
            return Outcome(RETRY, None, type(exc).__name__)


class WebhookSender:
    """POSTs to webhooks. The name of a URL is resolved once, every address it has is checked
    (unless private addresses are allowed, for local work), and the connection goes to one of
    those checked addresses — never to what a second resolution might say (DNS rebinding) —
    while the request keeps the URL's Host header and, for https, its TLS server name, against
    which the certificate is verified. Resolutions are kept for RESOLVE_TTL seconds.

    One pool manager shared by all sender threads (urllib3, what requests runs on, without
    requests' per-call work — that costs more CPU than the rest of a delivery); 5 s timeout;
    redirects are never followed; HTTP(S)_PROXY / NO_PROXY are read from the environment once
    (through a proxy too, the target is the checked address: CONNECT to it for https, the
    address in the request line for http)."""

    RESOLVE_TTL = 30.0

    def __init__(self, timeout: float = 5.0, allow_private: bool = False, pool_size: int = 16,
                 resolve=resolve_host, ca_certs: str | None = None):
        """`resolve`: name -> addresses (raises OSError when there are none). `ca_certs`: a PEM
        bundle trusted for https webhooks instead of the system's."""
        self.timeout = timeout
        self.allow_private = allow_private
        self.resolve = resolve
        self.pool_size = pool_size
        self.headers = {"User-Agent": "egov-notifier/1.0", "Content-Type": "application/json"}
        self._tls = {"ca_certs": ca_certs} if ca_certs else {}
        # Pools are keyed by address, port and TLS server name; a few per webhook host.
        self._direct = urllib3.PoolManager(num_pools=pool_size * 4, maxsize=pool_size, **self._tls)
        self._env_proxies = urllib.request.getproxies()
        self._proxied: dict[str, urllib3.ProxyManager] = {}
        self._resolved: dict[str, tuple[float, str | None, list[str]]] = {}
        self._lock = threading.Lock()

    def _manager(self, target: WebhookTarget) -> urllib3.PoolManager | urllib3.ProxyManager:
        proxy = self._env_proxies.get(target.scheme)
        if not proxy or urllib.request.proxy_bypass_environment(target.host, self._env_proxies):
            return self._direct
        with self._lock:
            return self._proxied.setdefault(proxy, urllib3.ProxyManager(
                proxy, num_pools=self.pool_size * 4, maxsize=self.pool_size, **self._tls))

    def addresses(self, host: str) -> tuple[str | None, list[str]]:
        """(None, checked addresses) or (message code, []): resolved once per RESOLVE_TTL."""
        now = time.monotonic()
        cached = self._resolved.get(host)
        if cached and now - cached[0] < self.RESOLVE_TTL:
            return cached[1], cached[2]
        refusal, addresses = checked_addresses(host, self.resolve, self.allow_private)
        if refusal != URL_UNRESOLVABLE:  # a name that does not resolve is asked again next time
            with self._lock:
                if len(self._resolved) > 10_000:
                    self._resolved.clear()
                self._resolved[host] = (now, refusal, addresses)
        return refusal, addresses

    def send(self, url: str, secret: str, event_id: str, body: bytes) -> Outcome:
        target = webhook_target(url)
        if isinstance(target, str):
            return Outcome(FAILED, None, target)
        refusal, addresses = self.addresses(target.host)
        if refusal == URL_UNRESOLVABLE:
            return Outcome(RETRY, None, refusal)  # the name may be back later
        if refusal is not None:
            return Outcome(FAILED, None, refusal)
        timestamp = int(time.time())
        headers = {**self.headers, "Host": target.host_header, "X-Egov-Event-Id": event_id,
                   "X-Egov-Timestamp": str(timestamp), "X-Egov-Signature": webhook_signature(secret, timestamp, body)}
        failure: Exception | None = None
        for address in addresses:
            try:
                response = self._post(target, address, body, headers)
            except (urllib3.exceptions.NewConnectionError, urllib3.exceptions.ConnectTimeoutError) as exc:
                failure = exc  # nothing listens there: the next checked address, if any
                continue
            except urllib3.exceptions.HTTPError as exc:
                return Outcome(RETRY, None, type(exc).__name__)
            result = classify_http_status(response.status)
            return Outcome(result, response.status, None if result == SENT else f"HTTP {response.status}")
        return Outcome(RETRY, None, type(failure).__name__)

    def _post(self, target: WebhookTarget, address: str, body: bytes, headers: dict):
        manager = self._manager(target)
        options = {"body": body, "timeout": self.timeout, "retries": False, "redirect": False}
        if target.scheme == "http" and isinstance(manager, urllib3.ProxyManager):
            # Plain http through a proxy: the address goes in the request line, the name in Host.
            literal = f"[{address}]" if ":" in address else address
            return manager.urlopen("POST", f"http://{literal}:{target.port}{target.target}",
                                   headers=headers, **options)
        pool_kwargs = {"server_hostname": target.host, "assert_hostname": target.host} \
            if target.scheme == "https" and not target.ip_literal else {}
        pool = manager.connection_from_host(address, target.port, target.scheme, pool_kwargs=pool_kwargs)
        return pool.urlopen("POST", target.target, headers=headers, **options)
