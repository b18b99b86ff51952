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

from .domain import (FAILED, RETRY, SENT, check_webhook_url, classify_http_status, classify_smtp_code,
                     url_host, webhook_signature)


@dataclass(frozen=True)
class Outcome:
    result: str              # sent | retry | failed
    status: int | None = None
    error: str | None = None


def resolve_host(host: str) -> list[str]:
    return sorted({info[4][0] for info in socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)})


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
    """One connection pool shared by all sender threads (urllib3, what requests runs on, without
    requests' per-call work — that costs more CPU than the rest of a delivery); 5 s timeout;
    redirects are never followed; HTTP(S)_PROXY / NO_PROXY are read from the environment once."""

    def __init__(self, timeout: float = 5.0, allow_private: bool = False, pool_size: int = 16,
                 resolve=resolve_host):
        self.timeout = timeout
        self.allow_private = allow_private
        self.resolve = resolve
        self.pool_size = pool_size
        self.headers = {"User-Agent": "egov-notifier/1.0", "Content-Type": "application/json"}
        self._direct = urllib3.PoolManager(num_pools=pool_size, maxsize=pool_size)
        self._env_proxies = urllib.request.getproxies()
        self._proxied: dict[str, urllib3.ProxyManager] = {}
        self._pool_by_host: dict[str | None, urllib3.PoolManager] = {}
        self._checked: dict[str, tuple[float, str | None]] = {}
        self._lock = threading.Lock()

    def _pool(self, url: str) -> urllib3.PoolManager:
        host = url_host(url)
        pool = self._pool_by_host.get(host)
        if pool is None:
            scheme = url.split(":", 1)[0].lower()
            proxy = self._env_proxies.get(scheme)
            if not proxy or (host and urllib.request.proxy_bypass_environment(host, self._env_proxies)):
                pool = self._direct
            else:
                with self._lock:
                    pool = self._proxied.setdefault(proxy, urllib3.ProxyManager(
                        proxy, num_pools=self.pool_size, maxsize=self.pool_size))
            self._pool_by_host[host] = pool
        return pool

    def _refusal(self, url: str) -> str | None:
        # Checked again at sending time: the name may point somewhere else by now.
        if self.allow_private:
            return None
        now = time.monotonic()
        cached = self._checked.get(url)
        if cached and now - cached[0] < 30:
            return cached[1]
        refusal = check_webhook_url(url, self.resolve, allow_private=False)
        with self._lock:
            self._checked[url] = (now, refusal)
        return refusal

    def send(self, url: str, secret: str, event_id: str, body: bytes) -> Outcome:
        refusal = self._refusal(url)
        if refusal is not None:
            return Outcome(FAILED, None, refusal)
        timestamp = int(time.time())
        headers = {**self.headers, "X-Egov-Event-Id": event_id, "X-Egov-Timestamp": str(timestamp),
                   "X-Egov-Signature": webhook_signature(secret, timestamp, body)}
        try:
            response = self._pool(url).request("POST", url, body=body, headers=headers, timeout=self.timeout,
                                               retries=False, redirect=False)
        except urllib3.exceptions.HTTPError as exc:
            return Outcome(RETRY, None, type(exc).__name__)
        result = classify_http_status(response.status)
        return Outcome(result, response.status, None if result == SENT else f"HTTP {response.status}")
