#!/usr/bin/env python3
"""Render (and optionally run) the nginx configuration of the API gateway.

    python gateway/render.py --runtime-dir DIR          # writes DIR/nginx.conf, prints its path
    python gateway/render.py --runtime-dir DIR --run    # renders, then execs nginx in the foreground

Everything nginx writes (pid, temp files, logs) lives under DIR, so the gateway
also runs as an unprivileged user.
"""
from __future__ import annotations

import argparse
import ipaddress
import html
import json
import math
import os
import re
import shutil
import socket
import stat
import sys
import time
import tomllib
from pathlib import Path
from urllib.parse import urlsplit

import jinja2

HERE = Path(__file__).resolve().parent
# The suite's table of services, at the same place beside gateway/ in the repository and in the
# image. Read with the standard library only: the gateway's image has no kit.
SERVICES_TABLE = HERE.parent / "kit" / "egov_kit" / "services.toml"


def load_services(path: Path = SERVICES_TABLE) -> dict[str, int]:
    """Service name -> default port on 127.0.0.1 (the local development layout), in table order."""
    with path.open("rb") as handle:
        return {name: int(row["port"]) for name, row in tomllib.load(handle).items()}


def load_portal(path: Path = SERVICES_TABLE) -> str | None:
    """The row the table mounts at `/` (the portal: the people's pages), if any."""
    with path.open("rb") as handle:
        return next((name for name, row in tomllib.load(handle).items() if row.get("mount") == "/"), None)


SERVICES = load_services()
# Served at `/` (every path outside /api, /healthz and the OpenAPI index), not under /api/<name>.
PORTAL = load_portal()
# The Asan İmza simulator (a development tool, not a service of the table): routed at
# /api/asan-sim only when ASAN_SIM_URLS names its instances, as `make run` and the tests do.
# Without it there is no such route at all (production).
ASAN_SIM = {"prefix": "asan-sim", "upstream": "asan_sim", "variable": "ASAN_SIM_URLS"}

DEFAULTS = {
    "host": "127.0.0.1",
    "port": 8080,
    "max_body": "10m",
    "rate": 100,
    "burst": 200,
    # Per client on the public look-up of an insurer's account number (beside the limit above).
    "lookup_rate": 5,
    "lookup_burst": 10,
    "connect_timeout": "2s",
    "read_timeout": "60s",
    "workers": "auto",
    "worker_connections": 1024,
    # Kept below gunicorn's default keep-alive (2s) so nginx never reuses a
    # connection the service is just closing (a POST on it would fail as 502).
    "upstream_keepalive_timeout": "1s",
    "upstream_keepalive": 16,
    "user": "",
    # Empty: http://127.0.0.1:<port>, as the services' own default.
    "public_base_url": "",
    # Addresses (or networks) of load balancers in front of the gateway whose X-Forwarded-For
    # names the client; empty: the client is whoever connects.
    "trusted_proxies": "",
}

# The access log keeps the route, not the identifiers in it. A path segment is written as it is
# only when it is one of these words of the API (case-sensitive); any other segment — a FİN, a
# phone number, a certificate number, a session or signing id, whatever a client sends — is
# written as a placeholder named after the segment before it (`/persons/{fin}`), else `{id}`.
# A word missing here only makes the log less telling, never leaks: it is logged as `{id}`.
LOG_WORDS = frozenset("""
    api asan-sim healthz readyz metrics openapi openapi.json jwks.json ca.pem seal-ca.pem index.html
    asan sessions card challenge cards me role logout refresh revoked-sessions service-tokens
    signatures signing identities phones requests
    persons organizations my-data-access directories
    districts activity-types ownership-types legal-forms insurer-types certificate-purposes
    occupations termination-grounds lookup-purposes
    authorities notices my-notices signature card-response termination pdf adoc check
    contacts contracts verifications verify mine of-my-certificates revocation
    webhooks inbox dead-letters replay deliveries confirmation
    reports victims preview statistics applications documents submission decision account-numbers
    esaw-deviations esaw-contact-modes esaw-material-agents esaw-injury-types esaw-body-parts
    file
    login status account my-data assets certificates accidents insurers institutions developers
    favicon.ico robots.txt
""".split())  # the last lines: the card file of the simulator, then the portal's own pages
LOG_PLACEHOLDERS = {
    "persons": "fin", "employees": "fin", "cards": "fin",
    "phones": "phone",
    "organizations": "voen", "account-numbers": "voen",
    "certificates": "number", "verify": "number", "verifications": "number",
    "sessions": "session_id", "requests": "request_id", "signatures": "signing_id",
    "notices": "notice_id", "authorities": "authority_id", "webhooks": "webhook_id",
    "dead-letters": "dead_letter_id", "directories": "name", "reports": "report_id",
    "applications": "application_id", "documents": "document_id",
}
# Segments masked one by one; anything deeper is logged as "/...".
LOG_DEPTH = 8

_SIZE_RE = re.compile(r"^\d+[kKmMgG]?$")
_TIME_RE = re.compile(r"^\d+(ms|s|m)?$")
_RATE_RE = re.compile(r"^(\d+)(?:r/([sm]))?$")
_WORD_RE = re.compile(r"^[A-Za-z0-9_-]+$")

# Gateway-made problem documents: status -> language -> (title, detail).
# Services' own 4xx documents are never replaced; these cover what the
# gateway itself decides and every 5xx (whose upstream body is never shown).
_SERVER_ERROR_TITLE = {"az": "Xidmətdə daxili xəta", "en": "Internal service error"}
_RETRY = {"az": "Bir az sonra yenidən cəhd edin.", "en": "Please try again later."}
MESSAGES = {
    400: {
        "az": ("Sorğu yanlışdır", "Sorğunun ünvanı və ya başlıqları oxuna bilmir."),
        "en": ("Bad request", "The request's address or headers cannot be read."),
    },
    404: {
        "az": ("Tapılmadı", "Sorğulanan xidmət mövcud deyil."),
        "en": ("Not found", "The requested service does not exist."),
    },
    405: {
        "az": ("Metoda icazə verilmir", "Bu ünvanda belə sorğu metodu qəbul edilmir."),
        "en": ("Method not allowed", "This request method is not accepted here."),
    },
    413: {
        "az": ("Sorğu çox böyükdür", "Sorğunun həcmi icazə verilən {limit} həddini aşır."),
        "en": ("Request too large", "The request body exceeds the allowed size of {limit}."),
    },
    414: {
        "az": ("Ünvan çox uzundur", "Sorğunun ünvanı icazə verilən uzunluğu aşır."),
        "en": ("URI too long", "The request's address exceeds the allowed length."),
    },
    431: {
        "az": ("Başlıqlar çox böyükdür", "Sorğunun başlıqları (və ya kukiləri) icazə verilən həcmi aşır."),
        "en": ("Request headers too large", "The request's headers (or cookies) exceed the allowed size."),
    },
    429: {
        "az": ("Həddindən artıq sorğu", "Sorğular çox tez-tez göndərilir. " + _RETRY["az"]),
        "en": ("Too many requests", "Requests are being sent too often. " + _RETRY["en"]),
    },
    500: {
        "az": (_SERVER_ERROR_TITLE["az"], "Sorğu emal edilərkən xəta baş verdi. " + _RETRY["az"]),
        "en": (_SERVER_ERROR_TITLE["en"], "An error occurred while processing the request. " + _RETRY["en"]),
    },
    502: {
        "az": (_SERVER_ERROR_TITLE["az"], "Xidmət hazırda cavab vermir. " + _RETRY["az"]),
        "en": (_SERVER_ERROR_TITLE["en"], "The service is not responding at the moment. " + _RETRY["en"]),
    },
    503: {
        "az": (_SERVER_ERROR_TITLE["az"], "Xidmət müvəqqəti olaraq əlçatan deyil. " + _RETRY["az"]),
        "en": (_SERVER_ERROR_TITLE["en"], "The service is temporarily unavailable. " + _RETRY["en"]),
    },
    504: {
        "az": (_SERVER_ERROR_TITLE["az"], "Xidmət vaxtında cavab vermədi. " + _RETRY["az"]),
        "en": (_SERVER_ERROR_TITLE["en"], "The service did not respond in time. " + _RETRY["en"]),
    },
    501: {
        "az": ("Dəstəklənmir", "Sorğunun gövdəsinin ötürülmə üsulu (Transfer-Encoding) dəstəklənmir."),
        "en": ("Not implemented", "The request body's transfer encoding is not supported."),
    },
    505: {
        "az": ("HTTP versiyası dəstəklənmir", "Sorğunun HTTP versiyası dəstəklənmir."),
        "en": ("HTTP version not supported", "The request's HTTP version is not supported."),
    },
}
# What nginx refuses before any location is chosen — a request line or headers it cannot read or
# will not take (TRACE, an over-long URI, oversized headers: nginx's internal 494), a transfer
# encoding or HTTP version it does not know — has no route to a named location: these go to the
# internal URI /.gw/<status>. nginx status -> the status answered (494 is nginx's own code; it
# would answer 400, the standard one is 431).
EARLY_ERRORS = {400: 400, 405: 405, 414: 414, 494: 431, 501: 501, 505: 505}
# Allow of a 405: under /api every method the services may take, elsewhere what the portal's pages
# take (reading, and their forms).
API_METHODS = "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS"
PORTAL_METHODS = "GET, HEAD, POST"
# nginx variable holding the request id; its value is always JSON-safe
# (either the sanitised client header or nginx's hex $request_id).
_REQUEST_ID_VAR = "${gw_request_id}"


class ConfigError(ValueError):
    """The gateway configuration (usually from the environment) is invalid."""


# --------------------------------------------------------------------------- helpers

def nginx_quote(value: str) -> str:
    """Single-quote a string for nginx; '$' is left alone on purpose (variables)."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def parse_upstream(url: str) -> str:
    """'http://host:port' -> 'host:port' as nginx's `server` directive wants it."""
    parts = urlsplit(url.strip())
    if parts.scheme != "http":
        raise ConfigError(f"upstream {url!r}: only http:// base URLs are supported")
    if parts.path not in ("", "/") or parts.query or parts.fragment or parts.username:
        raise ConfigError(f"upstream {url!r}: give only scheme, host and port")
    host = parts.hostname
    if not host:
        raise ConfigError(f"upstream {url!r}: missing host")
    try:
        port = parts.port or 80
    except ValueError as exc:
        raise ConfigError(f"upstream {url!r}: {exc}") from None
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    elif not re.match(r"^[A-Za-z0-9.-]+$", host):
        raise ConfigError(f"upstream {url!r}: bad host name")
    return f"{host}:{port}"


def _human_size(size: str, lang: str) -> str:
    unit = size[-1].lower()
    names = {"k": "KB", "m": "MB", "g": "GB"}
    if unit in names:
        return f"{size[:-1]} {names[unit]}"
    return f"{size} {'bayt' if lang == 'az' else 'bytes'}"


def _bytes(size: str) -> int:
    factor = {"k": 1 << 10, "m": 1 << 20, "g": 1 << 30}.get(size[-1].lower(), 1)
    return int(size.rstrip("kKmMgG")) * factor


def _body_buffer(max_body: str) -> str:
    # Bodies up to 1 MiB (or the whole limit, if smaller) never touch the disk.
    limit = _bytes(max_body)
    return str(min(limit, 1 << 20)) if limit else "1m"


def _rate(value) -> tuple[str, int]:
    """Rate in requests/second (or 'N r/m') -> (nginx rate, Retry-After seconds)."""
    m = _RATE_RE.match(str(value).replace(" ", ""))
    if not m or int(m.group(1)) < 1:
        raise ConfigError(f"rate {value!r}: expected a positive number of requests per second")
    n, per = int(m.group(1)), m.group(2) or "s"
    window = 1 if per == "s" else 60
    return f"{n}r/{per}", max(1, math.ceil(window / n))


def _listen(host: str, port) -> str:
    try:
        port = int(port)
    except (TypeError, ValueError):
        raise ConfigError(f"port {port!r}: not a number") from None
    if not 0 < port < 65536:
        raise ConfigError(f"port {port}: out of range")
    host = host.strip().strip("[]")
    if ":" in host:
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            raise ConfigError(f"host {host!r}: bad address") from None
        host = f"[{host}]"
    elif not re.match(r"^[A-Za-z0-9.-]+$", host):
        raise ConfigError(f"host {host!r}: bad address")
    return f"{host}:{port}"


def _public_base(url: str, port) -> tuple[str, str]:
    """PUBLIC_BASE_URL -> (scheme, host[:port]) that upstreams are told the client used."""
    url = str(url or "").strip() or f"http://127.0.0.1:{port}"
    what = f"PUBLIC_BASE_URL {url!r}"
    try:
        parts = urlsplit(url)
        explicit_port = parts.port
    except ValueError:
        raise ConfigError(f"{what}: not a URL") from None
    if parts.scheme not in ("http", "https"):
        raise ConfigError(f"{what}: only http:// or https://")
    if parts.username is not None or parts.query or parts.fragment:
        raise ConfigError(f"{what}: give only scheme, host, port and path")
    host = parts.hostname or ""
    if ":" in host:
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            raise ConfigError(f"{what}: bad host") from None
        host = f"[{host}]"
    elif not re.match(r"^[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$", host):
        raise ConfigError(f"{what}: bad host")
    return parts.scheme, host.lower() + (f":{explicit_port}" if explicit_port is not None else "")


def _trusted_proxies(value) -> list[str]:
    """GATEWAY_TRUSTED_PROXIES (comma-separated addresses or CIDR networks) -> set_real_ip_from values."""
    items = value if isinstance(value, (list, tuple)) else str(value or "").split(",")
    out = []
    for item in (str(i).strip() for i in items):
        if not item:
            continue
        try:
            network = ipaddress.ip_network(item, strict=False)
        except ValueError:
            raise ConfigError(f"trusted proxy {item!r}: not an address or network") from None
        if network.prefixlen == 0:
            raise ConfigError(f"trusted proxy {item!r}: every address would be believed")
        out.append(str(network))
    return list(dict.fromkeys(out))


def _log_masks() -> dict:
    words = sorted(LOG_WORDS | set(SERVICES) | {ASAN_SIM["prefix"]})
    for word in words:
        if not re.match(r"^[a-z0-9][a-z0-9.-]*$", word):
            raise ConfigError(f"log word {word!r}: lowercase letters, digits, '.' and '-' only")
    return {
        "depth": LOG_DEPTH,
        "words": "|".join(re.escape(w) for w in words),
        "placeholders": {f"/{prev}": "/{" + name + "}" for prev, name in sorted(LOG_PLACEHOLDERS.items())},
    }


def _check(pattern: re.Pattern, value, what: str) -> str:
    value = str(value).strip()
    if not pattern.match(value):
        raise ConfigError(f"{what} {value!r}: invalid value")
    return value


def problem(status: int, lang: str, **fmt) -> str:
    title, detail = MESSAGES[status][lang]
    doc = {
        "type": "about:blank",
        "title": title,
        "status": status,
        "detail": detail.format(**fmt),
        "request_id": "@REQUEST_ID@",
    }
    body = json.dumps(doc, ensure_ascii=False, separators=(",", ":"))
    return body.replace("@REQUEST_ID@", _REQUEST_ID_VAR)


# The same, for people: what the gateway answers on the portal's paths (`/`, not `/api`) when the
# portal cannot answer (down, timing out, failing) or the gateway refuses the request itself (rate,
# size). A small page of its own — nothing of the checkout is read — in the person's language,
# with the request id to quote and a way back.
PAGE_STATUSES = (413, 429, 500, 502, 503, 504)
_PAGE_TEXTS = {"az": {"again": "Yenidən cəhd edin", "home": "Ana səhifə", "request": "Sorğunun nömrəsi",
                      "site": "ƏƏSMN e-xidmətləri"},
               "en": {"again": "Try again", "home": "Home page", "request": "Request id",
                      "site": "Labour e-services"}}
_PAGE = (
    '<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
    '<meta name="viewport" content="width=device-width, initial-scale=1"><title>{title} — {site}</title>'
    "<style>body{{margin:0;font:1.1875rem/1.5 system-ui,\"DejaVu Sans\",Arial,sans-serif;color:#0b0c0c}}"
    "header{{background:#0b3d66;color:#fff;padding:.75rem 1rem;font-weight:700}}"
    "main{{max-width:40rem;margin:2rem auto;padding:0 1rem}}h1{{font-size:2rem;line-height:1.2;margin:0 0 1rem}}"
    "a{{color:#1d4f91}}a:focus{{outline:3px solid #ffdd00;background:#ffdd00;color:#0b0c0c}}"
    ".muted{{color:#484949;font-size:1rem}}</style></head>"
    '<body><header>{site}</header><main><h1>{title}</h1><p>{detail}</p>'
    '<p><a href="">{again}</a> · <a href="/">{home}</a></p>'
    '<p class="muted">{request}: <code>@REQUEST_ID@</code></p></main></body></html>'
)


def page(status: int, lang: str, **fmt) -> str:
    title, detail = MESSAGES[status][lang]
    body = _PAGE.format(lang=lang, title=html.escape(title), detail=html.escape(detail.format(**fmt)),
                        **{key: html.escape(value) for key, value in _PAGE_TEXTS[lang].items()})
    return body.replace("@REQUEST_ID@", _REQUEST_ID_VAR)


# --------------------------------------------------------------------------- config

def config_from_env(environ=None, runtime_dir: str | os.PathLike = "/run/gateway") -> dict:
    """Build the render() config from GATEWAY_* and <SERVICE>_URLS variables."""
    env = os.environ if environ is None else environ

    def get(name, default):
        value = env.get(name, "")
        return value.strip() if value.strip() else default

    services = {}
    for name, port in SERVICES.items():
        raw = env.get(f"{name.upper()}_URLS", "")
        urls = [u.strip() for u in raw.split(",") if u.strip()]
        # An unconfigured service still gets a route, to its local default.
        services[name] = urls or [f"http://127.0.0.1:{port}"]
    asan_sim = [u.strip() for u in env.get(ASAN_SIM["variable"], "").split(",") if u.strip()]

    return {
        "runtime_dir": str(runtime_dir),
        "host": get("GATEWAY_HOST", DEFAULTS["host"]),
        "port": get("GATEWAY_PORT", DEFAULTS["port"]),
        "services": services,
        "asan_sim": asan_sim,
        "max_body": get("GATEWAY_MAX_BODY", DEFAULTS["max_body"]),
        "rate": get("GATEWAY_RATE", DEFAULTS["rate"]),
        "burst": get("GATEWAY_BURST", DEFAULTS["burst"]),
        "lookup_rate": get("GATEWAY_LOOKUP_RATE", DEFAULTS["lookup_rate"]),
        "lookup_burst": get("GATEWAY_LOOKUP_BURST", DEFAULTS["lookup_burst"]),
        "connect_timeout": get("GATEWAY_CONNECT_TIMEOUT", DEFAULTS["connect_timeout"]),
        "read_timeout": get("GATEWAY_READ_TIMEOUT", DEFAULTS["read_timeout"]),
        "workers": get("GATEWAY_WORKERS", DEFAULTS["workers"]),
        # Workers of a root-started nginx drop to `nobody`, who cannot enter a private runtime
        # dir; local runs as root name the user explicitly.
        "user": get("GATEWAY_USER", ""),
        # Upstreams see this host, never the one the client sent.
        "public_base_url": get("PUBLIC_BASE_URL", ""),
        "trusted_proxies": get("GATEWAY_TRUSTED_PROXIES", DEFAULTS["trusted_proxies"]),
    }


def _template_context(config: dict) -> dict:
    cfg = {**DEFAULTS, **config}
    if "runtime_dir" not in cfg:
        raise ConfigError("runtime_dir is required")
    runtime_dir = str(Path(cfg["runtime_dir"]).resolve())

    services = cfg.get("services") or {}
    unknown = set(services) - set(SERVICES)
    if unknown:
        raise ConfigError(f"unknown services: {', '.join(sorted(unknown))}")
    upstreams = []
    for name, port in SERVICES.items():
        urls = services.get(name) or [f"http://127.0.0.1:{port}"]
        if isinstance(urls, str):
            urls = [u for u in urls.split(",") if u.strip()]
        servers = list(dict.fromkeys(parse_upstream(u) for u in urls))
        upstreams.append({"name": name, "servers": servers})

    routes = [{"prefix": name, "upstream": name} for name in SERVICES if name != PORTAL]
    asan_sim = cfg.get("asan_sim") or []
    if isinstance(asan_sim, str):
        asan_sim = [u for u in asan_sim.split(",") if u.strip()]
    if asan_sim:
        upstreams.append({"name": ASAN_SIM["upstream"],
                          "servers": list(dict.fromkeys(parse_upstream(u) for u in asan_sim))})
        routes.append({"prefix": ASAN_SIM["prefix"], "upstream": ASAN_SIM["upstream"]})

    max_body = _check(_SIZE_RE, cfg["max_body"], "max body size")
    rate, retry_after = _rate(cfg["rate"])
    try:
        burst = int(cfg["burst"])
    except (TypeError, ValueError):
        raise ConfigError(f"burst {cfg['burst']!r}: not a number") from None
    if burst < 0:
        raise ConfigError("burst must not be negative")
    lookup_rate, lookup_retry_after = _rate(cfg["lookup_rate"])
    try:
        lookup_burst = int(cfg["lookup_burst"])
    except (TypeError, ValueError):
        raise ConfigError(f"lookup burst {cfg['lookup_burst']!r}: not a number") from None
    if lookup_burst < 0:
        raise ConfigError("lookup burst must not be negative")
    workers = str(cfg["workers"]).strip()
    if workers != "auto" and not workers.isdigit():
        raise ConfigError(f"workers {workers!r}: expected a number or 'auto'")

    problems, pages = {}, {}
    for status in MESSAGES:
        fmt = {}
        if status == 413:
            fmt = {lang: {"limit": _human_size(max_body, lang)} for lang in ("az", "en")}
        problems[status] = {
            lang: nginx_quote(problem(status, lang, **fmt.get(lang, {})))
            for lang in ("az", "en")
        }
        if status in PAGE_STATUSES:
            pages[status] = {lang: nginx_quote(page(status, lang, **fmt.get(lang, {}))) for lang in ("az", "en")}

    index = {
        "services": [
            {"name": name, "openapi": f"/api/{name}/openapi.json"} for name in SERVICES if name != PORTAL
        ]
    }

    public_scheme, public_host = _public_base(cfg.get("public_base_url"), cfg["port"])

    return {
        "runtime_dir": runtime_dir,
        "listen": _listen(str(cfg["host"]), cfg["port"]),
        "public_scheme": public_scheme,
        "public_host": public_host,
        "log_masks": _log_masks(),
        "upstreams": upstreams,
        "routes": routes,
        "max_body": max_body,
        "body_buffer": _body_buffer(max_body),
        "rate": rate,
        "retry_after": retry_after,
        "burst": burst,
        "lookup_rate": lookup_rate,
        "lookup_retry_after": lookup_retry_after,
        "lookup_burst": lookup_burst,
        "connect_timeout": _check(_TIME_RE, cfg["connect_timeout"], "connect timeout"),
        "read_timeout": _check(_TIME_RE, cfg["read_timeout"], "read timeout"),
        "keepalive_timeout": _check(_TIME_RE, cfg["upstream_keepalive_timeout"], "keepalive timeout"),
        "keepalive": int(cfg["upstream_keepalive"]),
        "workers": workers,
        "worker_connections": int(cfg["worker_connections"]),
        "portal": PORTAL if PORTAL in SERVICES else None,
        "problems": problems,
        "pages": pages,
        "server_error_statuses": [500, 502, 503, 504],
        "early_errors": EARLY_ERRORS,
        "api_methods": API_METHODS,
        "portal_methods": PORTAL_METHODS,
        "trusted_proxies": _trusted_proxies(cfg.get("trusted_proxies")),
        "openapi_index": nginx_quote(json.dumps(index, separators=(",", ":"))),
        "user": _check(re.compile(r"^[a-z_][a-z0-9_-]*$|^$"), str(cfg.get("user") or ""), "user"),
    }


def render(config: dict) -> str:
    """Return the nginx.conf text for `config` (see config_from_env for the keys)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(HERE)),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
    )
    return env.get_template("nginx.conf.j2").render(**_template_context(config))


def write_runtime(config: dict) -> Path:
    """Render into config['runtime_dir'] and create the directories nginx needs."""
    text = render(config)
    root = Path(config["runtime_dir"]).resolve()
    for sub in ("logs", "empty", "tmp/client_body", "tmp/proxy", "tmp/fastcgi", "tmp/uwsgi", "tmp/scgi"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    conf = root / "nginx.conf"
    tmp = conf.with_suffix(".conf.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, conf)  # a running nginx reloading meanwhile never sees half a file
    return conf


# --------------------------------------------------------------------------- running

def find_nginx() -> str | None:
    explicit = os.environ.get("NGINX_BIN", "").strip()
    if explicit:
        return explicit
    found = shutil.which("nginx")
    if found:
        return found
    return "/usr/sbin/nginx" if os.access("/usr/sbin/nginx", os.X_OK) else None


def nginx_command(nginx: str, runtime_dir: str | os.PathLike) -> list[str]:
    root = str(Path(runtime_dir).resolve())
    # -e: startup messages go to stderr, not a compiled-in path we may not own.
    return [nginx, "-p", root, "-e", "stderr", "-c", os.path.join(root, "nginx.conf"),
            "-g", "daemon off;"]


def wait_for_upstream_names(config: dict, timeout: float) -> None:
    """nginx resolves upstream names once, at start, and exits if one is unknown.

    Under compose the services' names may appear a moment after the gateway
    starts, so wait for them (bounded) instead of dying on the first try.
    """
    hosts = set()
    for urls in [*config["services"].values(), config.get("asan_sim") or []]:
        for url in urls:
            host = urlsplit(url).hostname
            try:
                ipaddress.ip_address(host)
            except ValueError:
                hosts.add(host)
    deadline = time.monotonic() + timeout
    for host in sorted(hosts):
        while True:
            try:
                socket.getaddrinfo(host, None)
                break
            except OSError:
                if time.monotonic() >= deadline:
                    print(f"gateway: upstream host {host!r} does not resolve yet", file=sys.stderr)
                    break
                time.sleep(0.5)


def warn_if_workers_locked_out(runtime_dir: str | os.PathLike, user: str = "") -> None:
    """Started as root, nginx runs its workers as 'nobody' (unless GATEWAY_USER names another);
    they write request bodies over the in-memory buffer under DIR, so every parent must let them in."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0 or user == "root":
        return
    path = Path(runtime_dir).resolve()
    for directory in [path, *path.parents]:
        if not directory.stat().st_mode & stat.S_IXOTH:
            print(f"gateway: warning: nginx workers (user 'nobody') cannot enter {directory}; "
                  "large request bodies will fail. Use a runtime directory others can "
                  "traverse, or run the gateway unprivileged.", file=sys.stderr)
            return


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runtime-dir", required=True, help="directory for nginx.conf, pid, temp files and logs")
    parser.add_argument("--run", action="store_true", help="exec nginx in the foreground after rendering")
    args = parser.parse_args(argv)

    config = config_from_env(runtime_dir=args.runtime_dir)
    try:
        conf = write_runtime(config)
    except ConfigError as exc:
        print(f"gateway: configuration error: {exc}", file=sys.stderr)
        return 2
    print(conf, flush=True)

    if args.run:
        nginx = find_nginx()
        if not nginx:
            print("gateway: nginx not found (install it: apt-get install nginx, or set NGINX_BIN)",
                  file=sys.stderr)
            return 127
        wait_for_upstream_names(config, float(os.environ.get("GATEWAY_RESOLVE_TIMEOUT", "30")))
        warn_if_workers_locked_out(args.runtime_dir, config["user"])
        cmd = nginx_command(nginx, args.runtime_dir)
        os.execvp(cmd[0], cmd)  # nginx becomes this process: SIGTERM/SIGQUIT reach it directly
    return 0


if __name__ == "__main__":
    sys.exit(main())
