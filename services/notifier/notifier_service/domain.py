"""The notifier's rules, free of Flask, Mongo and the network: who is told what about an event,
how deliveries are named, signed, retried and given up on, and which webhook URLs are allowed."""
from __future__ import annotations

import hashlib
import hmac
import ipaddress
import random
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Callable, Iterable
from urllib.parse import quote, urlsplit

from egov_kit.errors import ServiceError
from egov_kit.validators import is_fin, is_voen, normalize_fin

MALFORMED_EVENT = "malformed_event"


def malformed(why: str) -> ServiceError:
    """The event lacks what the notifier needs; retrying cannot help (the consumer dead-letters
    it at once, with `why` as the reason)."""
    return ServiceError(422, MALFORMED_EVENT, detail=why)


# --- who is told what ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Attachment:
    """A document fetched from the service that owns it (with the notifier's service token)."""
    service: str
    path: str
    filename: str


@dataclass(frozen=True)
class EmailPlan:
    role: str                 # names the recipient in the delivery id without personal data
    template: str
    to: str | None = None     # None: the address comes from the population registry by `fin`
    fin: str | None = None
    attachment: Attachment | None = None


@dataclass(frozen=True)
class Plan:
    organisations: tuple[str, ...] = ()   # VÖENs: inbox always, their webhooks when they have any
    emails: tuple[EmailPlan, ...] = ()


@dataclass(frozen=True)
class Addressees:
    labour_inspectorate_voen: str
    prosecutor_voen: str


def _data(event: dict) -> dict:
    data = event.get("data")
    if not isinstance(data, dict):
        raise malformed("event has no data object")
    return data


def _text(data: dict, key: str, *, required: bool = True) -> str | None:
    value = data.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise malformed(f"data.{key} is missing")
        return None
    if not isinstance(value, str):
        raise malformed(f"data.{key} must be a string")
    return value.strip()


def _voen(data: dict, key: str) -> str:
    value = _text(data, key)
    if not is_voen(value):
        raise malformed(f"data.{key} is not a VÖEN")
    return value


def _flag(data: dict, key: str) -> bool:
    value = data.get(key, False)
    if not isinstance(value, bool):
        raise malformed(f"data.{key} must be a boolean")
    return value


_DOCUMENT_KEY = re.compile(r"^[A-Za-z0-9._\-]{1,64}$")


def _document_key(data: dict, key: str) -> str:
    # It goes into another service's URL path.
    value = _text(data, key)
    if not _DOCUMENT_KEY.match(value):
        raise malformed(f"data.{key} has unexpected characters")
    return value


def safe_filename_part(value: str) -> str:
    """Keeps letters (Azerbaijani too) and digits; anything a file system dislikes becomes '-'."""
    return re.sub(r"[^\w\-]+", "-", value, flags=re.UNICODE).strip("-") or "sened"


EMAIL_RE = re.compile(r"^[^@\s<>\"',;]+@[^@\s<>\"',;]+\.[^@\s<>\"',;]+$")


def is_email(value) -> bool:
    return isinstance(value, str) and len(value) <= 254 and bool(EMAIL_RE.match(value.strip()))


def plan_certificate_revoked(event: dict) -> Plan:
    data = _data(event)
    _text(data, "number")
    if not _flag(data, "notify_addressee"):
        return Plan()
    return Plan(organisations=(_voen(data, "addressee_voen"),))


def plan_certificate_issued(event: dict) -> Plan:
    data = _data(event)
    number = _document_key(data, "number")
    email = _text(data, "email", required=False)
    if not _flag(data, "email_copy") or not email:
        return Plan()
    return Plan(emails=(EmailPlan(
        role="holder", template="certificate_issued", to=email,
        attachment=Attachment("certificates", f"/api/certificates/{quote(number)}/pdf",
                              f"arayış-{safe_filename_part(number)}.pdf")),))


def plan_notice_signed(event: dict) -> Plan:
    data = _data(event)
    fin = _text(data, "employee_fin")
    if not is_fin(fin):
        raise malformed("data.employee_fin is not a FİN")
    return Plan(emails=(EmailPlan(role="employee", template="notice_signed", fin=normalize_fin(fin)),))


def plan_accident_submitted(event: dict, addressees: Addressees) -> Plan:
    data = _data(event)
    report_id = _document_key(data, "report_id")
    registration = _text(data, "registration_number")
    organisations = [addressees.labour_inspectorate_voen]
    if _flag(data, "any_died"):
        organisations.append(addressees.prosecutor_voen)
    informant = data.get("informant") or {}
    if not isinstance(informant, dict):
        raise malformed("data.informant must be an object")
    emails = ()
    if informant.get("email"):
        emails = (EmailPlan(
            role="informant", template="accident_submitted", to=str(informant["email"]),
            attachment=Attachment("accidents", f"/api/accidents/reports/{quote(report_id)}/pdf",
                                  f"bədbəxt-hadisə-{safe_filename_part(registration)}.pdf")),)
    return Plan(organisations=tuple(dict.fromkeys(organisations)), emails=emails)


def plan_insurer_application(event: dict, outcome: str) -> Plan:
    data = _data(event)
    _text(data, "application_id")
    if outcome == "registered":
        _text(data, "account_number")
    email = _text(data, "applicant_email", required=False)
    if not email:
        return Plan()
    return Plan(emails=(EmailPlan(role="applicant", template=f"insurer_{outcome}", to=email),))


# --- webhooks registered under an authority ------------------------------------------------------

ACTIVE, SUSPENDED = "active", "suspended"
AUTHORITY_WITHDRAWN, AUTHORITY_EXPIRED = "authority_withdrawn", "authority_expired"
_AUTHORITY_ID = re.compile(r"^[A-Za-z0-9._\-]{1,64}$")


def registrant(standing) -> dict:
    """Under which right a webhook is registered (egov_kit.authority.Standing of the caller): the
    head's own (never suspended), or an authority, whose end suspends it."""
    if standing.head:
        return {"role": "head", "authority_id": None, "authority_valid_until": None}
    return {"role": "authorised", "authority_id": standing.authority_id,
            "authority_valid_until": standing.valid_until}


def webhook_suspension(hook: dict, today: date) -> str | None:
    """Why nothing may be sent to the webhook now (None: it may be): the authority it was
    registered under was withdrawn, or has passed its last day (Baku calendar), and the head has
    not confirmed the webhook since."""
    if hook.get("suspended"):
        return hook.get("suspension_reason") or AUTHORITY_WITHDRAWN
    until = hook.get("authority_valid_until")
    if hook.get("authority_id") and until and authority_expired(until, today):
        return AUTHORITY_EXPIRED
    return None


def authority_expired(valid_until: str | None, today: date) -> bool:
    """A fixed-term authority works through its last day."""
    if not valid_until:
        return False
    try:
        return date.fromisoformat(valid_until) < today
    except (TypeError, ValueError):
        return True  # an unreadable end is no authority to rely on


def parse_withdrawal(event: dict) -> tuple[str, str]:
    """(authority_id, voen) of contracts.authority.withdrawn."""
    data = _data(event)
    authority_id = _text(data, "authority_id")
    if not _AUTHORITY_ID.match(authority_id):
        raise malformed("data.authority_id has unexpected characters")
    return authority_id, _voen(data, "voen")


# --- names ------------------------------------------------------------------------------------

def delivery_id(event_id: str, channel: str, recipient: str) -> str:
    """One delivery per (event, channel, recipient): inserting it twice is how a repeat is noticed."""
    return f"{event_id}:{channel}:{recipient}"


def inbox_id(event_id: str, voen: str) -> str:
    return f"{event_id}:{voen}"


def message_id(delivery: str) -> str:
    # ':' is not allowed in a Message-ID's left part; '.' is.
    return f"<{delivery.replace(':', '.')}@notifier.egov>"


def mask_email(address: str | None) -> str | None:
    if not address or "@" not in address:
        return None
    local, _, domain = address.partition("@")
    return f"{local[:1]}***@{domain}"


# --- signing ----------------------------------------------------------------------------------

def webhook_signature(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"sha256={mac.hexdigest()}"


def verify_webhook_signature(secret: str, timestamp: str, body: bytes, header: str) -> bool:
    """What a receiving institution does (and what the tests' receiver does)."""
    expected = webhook_signature(secret, int(timestamp), body)
    return hmac.compare_digest(expected, header or "")


# --- outcomes and retries -----------------------------------------------------------------------

SENT, RETRY, FAILED = "sent", "retry", "failed"


def classify_http_status(status: int) -> str:
    if 200 <= status < 300:
        return SENT
    if status >= 500 or status in (408, 425, 429):
        return RETRY
    # Other answers (4xx, and 3xx: redirects are not followed) say the receiver refuses it.
    return FAILED


def classify_smtp_code(code: int | None) -> str:
    # 5xx is a permanent refusal (e.g. no such mailbox); 4xx and no answer at all are temporary.
    return FAILED if code is not None and 500 <= code < 600 else RETRY


def backoff_delay(attempt: int, base: float, cap: float, rng: Callable[[], float] = random.random) -> float:
    """Exponential back-off with jitter: the n-th retry waits between half and all of base·2ⁿ⁻¹."""
    ceiling = min(cap, base * (2 ** max(0, attempt - 1)))
    return ceiling / 2 + rng() * ceiling / 2


@dataclass(frozen=True)
class NextStep:
    state: str                         # pending (retry later) | failed
    next_attempt_at: datetime | None = None


def after_failure(outcome: str, attempt: int, now: datetime, give_up_at: datetime,
                  base: float, cap: float, rng: Callable[[], float] = random.random) -> NextStep:
    if outcome == FAILED:
        return NextStep("failed")
    when = now + timedelta(seconds=backoff_delay(attempt, base, cap, rng))
    if when > give_up_at:
        return NextStep("failed")
    return NextStep("pending", when)


# --- webhook URLs -------------------------------------------------------------------------------

URL_SCHEME, URL_INVALID, URL_UNRESOLVABLE, URL_PRIVATE = (
    "webhook_url_scheme", "invalid_url", "webhook_url_unresolvable", "webhook_url_private")


# Addresses no webhook may reach, beside what the ipaddress module itself calls not global
# (its tables differ between Python releases, so the ranges that matter are named here).
_IPV4_NOT_PUBLIC = tuple(ipaddress.IPv4Network(n) for n in (
    "0.0.0.0/8",           # "this network"
    "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16",   # private
    "100.64.0.0/10",       # shared address space (carrier-grade NAT)
    "127.0.0.0/8",         # loopback
    "169.254.0.0/16",      # link-local (cloud metadata services)
    "192.0.0.0/24",        # IETF protocol assignments
    "192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24",  # documentation
    "192.88.99.0/24",      # 6to4 relay anycast (deprecated)
    "198.18.0.0/15",       # benchmarking
    "224.0.0.0/4",         # multicast
    "240.0.0.0/4",         # reserved, and the broadcast address
))
_IPV6_NOT_PUBLIC = tuple(ipaddress.IPv6Network(n) for n in (
    "::/96",               # unspecified, loopback, deprecated IPv4-compatible addresses
    "::ffff:0:0:0/96",     # IPv4-translated (SIIT)
    "64:ff9b:1::/48",      # NAT64 for local use
    "100::/64",            # discard-only
    "2001::/23",           # IETF protocol assignments (Teredo, 2001::/32, is judged before)
    "2001:db8::/32", "3fff::/20",   # documentation
    "5f00::/16",           # SRv6 segment identifiers
    "fc00::/7",            # unique local
    "fe80::/10", "fec0::/10",       # link-local, site-local (deprecated)
    "ff00::/8",            # multicast
))
_IPV4_MAPPED = ipaddress.IPv6Network("::ffff:0:0/96")
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_SIX_TO_FOUR = ipaddress.IPv6Network("2002::/16")
_TEREDO = ipaddress.IPv6Network("2001::/32")


def embedded_ipv4(ip: ipaddress.IPv6Address) -> tuple[ipaddress.IPv4Address, ...]:
    """The IPv4 addresses an IPv6 address carries and leads to: IPv4-mapped (::ffff:a.b.c.d),
    NAT64 (64:ff9b::a.b.c.d: the translator connects to it), 6to4 (2002:aabb:ccdd::, relayed to
    a.b.c.d) and Teredo (2001::/32: the server's and the client's address). () for any other."""
    if ip in _IPV4_MAPPED:
        return (ip.ipv4_mapped,)
    if ip in _NAT64:
        return (ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF),)
    if ip in _SIX_TO_FOUR:
        return (ip.sixtofour,)
    if ip in _TEREDO:
        server, client = ip.teredo
        return (server, client)
    return ()


def is_public_address(address: str) -> bool:
    """May a webhook connect to this address? Not to a private, loopback, link-local, shared,
    reserved, documentation or multicast one, nor to an IPv6 address leading to such an IPv4
    address (IPv4-mapped, NAT64, 6to4, Teredo). Raises ValueError when it is no address."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        carried = embedded_ipv4(ip)
        if carried:
            return all(_is_public_ipv4(v4) for v4 in carried)
        if any(ip in network for network in _IPV6_NOT_PUBLIC):
            return False
        return ip.is_global and not (ip.is_multicast or ip.is_private or ip.is_link_local or ip.is_loopback)
    return _is_public_ipv4(ip)


def _is_public_ipv4(ip: ipaddress.IPv4Address) -> bool:
    if any(ip in network for network in _IPV4_NOT_PUBLIC):
        return False
    return ip.is_global and not (ip.is_multicast or ip.is_private or ip.is_reserved)


def url_host(url: str) -> str | None:
    try:
        parts = urlsplit(url)
        return parts.hostname
    except ValueError:
        return None


@dataclass(frozen=True)
class WebhookTarget:
    """Where a webhook URL points: the connection goes to an address the name was resolved to and
    checked, while the request keeps the URL's Host header and, for https, its TLS server name."""
    scheme: str
    host: str             # the name (or address literal) of the URL, lowercased, no brackets
    port: int
    host_header: str      # as the URL gives it: name[:port]
    target: str           # path and query

    @property
    def ip_literal(self) -> bool:
        try:
            ipaddress.ip_address(self.host.split("%", 1)[0])
        except ValueError:
            return False
        return True


def webhook_target(url: str) -> WebhookTarget | str:
    """The URL taken apart, or the message code saying why it cannot receive notifications."""
    if not isinstance(url, str) or len(url) > 2048 or any(c.isspace() or ord(c) < 32 for c in url):
        return URL_INVALID
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return URL_INVALID
    if parts.scheme not in ("http", "https"):
        return URL_SCHEME
    if not parts.hostname or parts.username is not None or parts.password is not None:
        return URL_INVALID
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return WebhookTarget(scheme=parts.scheme, host=parts.hostname, port=port if port is not None else (443 if parts.scheme == "https" else 80),
                         host_header=parts.netloc, target=target)


def checked_addresses(host: str, resolve: Callable[[str], Iterable[str]],
                      allow_private: bool) -> tuple[str | None, list[str]]:
    """(None, the addresses to connect to) once the host is resolved — a single time — and every
    address it has is allowed; else (the message code, []). An address literal is not resolved."""
    try:
        ipaddress.ip_address(host.split("%", 1)[0])
        addresses = [host]
    except ValueError:
        try:
            addresses = list(dict.fromkeys(resolve(host)))
        except (OSError, UnicodeError):
            return URL_UNRESOLVABLE, []
    if not addresses:
        return URL_UNRESOLVABLE, []
    try:
        public = [is_public_address(a) for a in addresses]
    except ValueError:
        return URL_INVALID, []
    if not allow_private and not all(public):
        # One record pointing inside is enough to refuse the name: the next answer may favour it.
        return URL_PRIVATE, []
    return None, addresses


def check_webhook_url(url: str, resolve: Callable[[str], Iterable[str]], allow_private: bool) -> str | None:
    """None when the URL may receive notifications, else the message code saying why not.

    `resolve` returns the host's addresses (raises OSError when it has none); every address must
    be public, or a name could point one record at an internal service. When private addresses
    are allowed (local work), the name is not looked up here."""
    target = webhook_target(url)
    if isinstance(target, str):
        return target
    if allow_private:
        return None
    return checked_addresses(target.host, resolve, allow_private)[0]
