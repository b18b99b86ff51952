"""The gateway, exercised through a real nginx in front of echoing upstreams."""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

import pytest
import requests
from egov_kit.catalogue import API_NAMES, DEFAULT_PORTS

from gateway_support import SECRET, FlaskUpstream, free_port, gw_render

PROBLEM = "application/problem+json"


def assert_problem(resp, status, title=None):
    assert resp.status_code == status, resp.text
    assert resp.headers["Content-Type"].startswith(PROBLEM)
    doc = resp.json()
    assert {"type", "title", "status", "detail"} <= doc.keys()
    assert doc["status"] == status
    if title is not None:
        assert doc["title"] == title
    return doc


# --------------------------------------------------------------------------- routing

@pytest.mark.parametrize("path, instance", [
    ("/api/auth/me", "auth"),
    ("/api/asan-sim/identities", "asan-sim"),
    ("/api/contracts/notices", "contracts"),
    ("/api/certificates/verifications", "certificates"),
    ("/api/certificates", "certificates"),  # a service's root has no trailing slash
    ("/api/insurers/openapi.json", "insurers"),
    # Every other path is a page of the portal (or one of its versioned files).
    ("/", "portal"),
    ("/login/asan", "portal"),
    ("/assets/0123456789ab/portal.css", "portal"),
    ("/apis", "portal"),
])
def test_routes_to_the_service(gateway, path, instance):
    resp = requests.get(gateway.url + path)
    assert resp.status_code == 200
    echo = resp.json()
    assert echo["instance"] == instance
    assert echo["path"] == path


def test_path_query_method_and_body_unchanged(gateway):
    raw = "/api/contracts/notices/AB%2FCD?status=signed&q=%C6%8Fli%20V%C9%99li&x=1&x=2"
    resp = requests.post(gateway.url + raw, data=b"x" * 1000)
    echo = resp.json()
    assert echo["method"] == "POST"
    assert echo["raw_uri"] == raw
    assert echo["body_length"] == 1000


def test_round_robin_reaches_every_instance(gateway):
    # One connection, hence one nginx worker and its round-robin state.
    with requests.Session() as s:
        seen = [s.get(gateway.url + "/api/registry/persons/1234567").json()["instance"]
                for _ in range(6)]
    assert set(seen) == {"registry-a", "registry-b"}


def test_upstream_connections_are_kept_alive(gateway):
    with requests.Session() as s:
        ports = {s.get(gateway.url + "/api/contracts/notices").json()["remote_port"]
                 for _ in range(5)}
    assert len(ports) < 5


def test_forwarding_headers(gateway):
    resp = requests.get(gateway.url + "/api/auth/me",
                        headers={"Authorization": "Bearer t0ken"})
    headers = resp.json()["headers"]
    assert headers["host"] == gateway.url.removeprefix("http://")
    assert headers["x-forwarded-proto"] == "http"
    assert headers["x-forwarded-for"] == "127.0.0.1"
    assert headers["x-real-ip"] == "127.0.0.1"
    assert headers["authorization"] == "Bearer t0ken"  # services need it


def test_a_client_cannot_name_its_own_address(gateway):
    """Services (auth's log-in limits) count clients by the address the gateway passes on: what a
    client writes in X-Real-IP or X-Forwarded-For is replaced, not passed on beside it."""
    resp = requests.get(gateway.url + "/api/auth/me", headers={
        "X-Real-IP": "198.51.100.7", "X-Forwarded-For": "198.51.100.8, 198.51.100.9"})
    headers = resp.json()["headers"]
    assert (headers["x-real-ip"], headers["x-forwarded-for"]) == ("127.0.0.1", "127.0.0.1")


def test_behind_a_trusted_load_balancer_the_client_is_the_one_it_names(start_gateway, upstreams):
    """GATEWAY_TRUSTED_PROXIES: from a named balancer (here the test itself, at 127.0.0.1), the
    client is the nearest address of X-Forwarded-For that is not a balancer's; whatever the client
    wrote before it is still ignored."""
    gw = start_gateway({"AUTH_URLS": upstreams["auth"].url, "GATEWAY_TRUSTED_PROXIES": "127.0.0.1, 10.0.0.0/8"})

    def seen(forwarded_for: str) -> tuple[str, str]:
        headers = requests.get(gw.url + "/api/auth/me", headers={"X-Forwarded-For": forwarded_for,
                                                                 "X-Real-IP": "192.0.2.1"}).json()["headers"]
        return headers["x-real-ip"], headers["x-forwarded-for"]

    assert seen("198.51.100.7") == ("198.51.100.7", "198.51.100.7")
    # The client forged the first entry; the balancer (and an inner one, 10.1.2.3) appended theirs.
    assert seen("203.0.113.66, 198.51.100.7, 10.1.2.3") == ("198.51.100.7", "198.51.100.7")
    assert seen("not an address") == ("127.0.0.1", "127.0.0.1")


def test_no_version_or_internals_in_response_headers(gateway):
    resp = requests.get(gateway.url + "/api/auth/me")
    assert resp.headers["Server"] == "nginx"
    assert "X-Powered-By" not in resp.headers


# --------------------------------------------------------------------------- request id

def test_request_id_is_generated_sent_upstream_and_returned(gateway):
    resp = requests.get(gateway.url + "/api/auth/me")
    rid = resp.headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", rid)
    assert resp.json()["headers"]["x-request-id"] == rid
    # The service's own echo of the header is not duplicated.
    assert "from-upstream" not in resp.headers["X-Request-ID"]


def test_request_id_from_the_client_is_passed_through(gateway):
    rid = "portal-1700000000.abc_DEF-42"
    resp = requests.get(gateway.url + "/api/auth/me", headers={"X-Request-ID": rid})
    assert resp.headers["X-Request-ID"] == rid
    assert resp.json()["headers"]["x-request-id"] == rid


@pytest.mark.parametrize("bad", ["a" * 65, "has space", 'quote"', "x;y", "ə"])
def test_unsafe_request_id_is_replaced(gateway, bad):
    resp = requests.get(gateway.url + "/api/auth/me",
                        headers={"X-Request-ID": bad.encode()})
    rid = resp.headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", rid)
    assert resp.json()["headers"]["x-request-id"] == rid


def test_request_id_in_gateway_errors(gateway):
    resp = requests.get(gateway.url + "/api/auth/x", headers={"X-Request-ID": "rid-500",
                                                               "X-Test-Status": "500"})
    assert resp.headers["X-Request-ID"] == "rid-500"
    assert resp.json()["request_id"] == "rid-500"


# --------------------------------------------------------------------------- limits

def test_body_over_the_limit_is_413_problem(gateway, upstreams):
    before = upstreams["contracts"].hits
    resp = requests.post(gateway.url + "/api/contracts/notices", data=b"x" * (65 * 1024))
    doc = assert_problem(resp, 413, "Sorğu çox böyükdür")
    assert "64 KB" in doc["detail"]
    assert upstreams["contracts"].hits == before


def test_chunked_body_over_the_limit_is_413_problem(gateway):
    def chunks():
        for _ in range(10):
            yield b"x" * 10240

    resp = requests.post(gateway.url + "/api/contracts/notices", data=chunks(),
                         headers={"Accept-Language": "en"})
    assert_problem(resp, 413, "Request too large")


def test_chunked_body_within_the_limit_is_proxied(gateway):
    resp = requests.post(gateway.url + "/api/contracts/notices",
                         data=iter([b"a" * 100, b"b" * 100]))
    assert resp.status_code == 200
    assert resp.json()["body_length"] == 200


def test_large_bodies_and_answers_pass_whole(start_gateway, upstreams):
    gw = start_gateway({"CONTRACTS_URLS": upstreams["contracts"].url, "GATEWAY_MAX_BODY": "5m"})
    body = b"x" * (3 * 1024 * 1024)  # beyond the in-memory body buffer
    assert requests.post(gw.url + "/api/contracts/notices", data=body).json()["body_length"] == len(body)
    resp = requests.get(gw.url + "/api/contracts/notices/1/pdf",
                        headers={"X-Test-Size": str(4 * 1024 * 1024)})
    assert resp.status_code == 200
    assert resp.headers["Content-Type"] == "application/pdf"
    assert len(resp.content) == 4 * 1024 * 1024


def test_rate_limit_is_429_problem_with_retry_after(start_gateway, upstreams):
    gw = start_gateway({"AUTH_URLS": upstreams["auth"].url,
                        "GATEWAY_RATE": "1", "GATEWAY_BURST": "2"})
    with requests.Session() as s:
        answers = [s.get(gw.url + "/api/auth/me") for _ in range(10)]
    assert answers[0].status_code == 200
    limited = [r for r in answers if r.status_code == 429]
    assert limited, [r.status_code for r in answers]
    assert_problem(limited[0], 429, "Həddindən artıq sorğu")
    assert limited[0].headers["Retry-After"] == "1"
    assert limited[0].headers["X-Request-ID"]
    # Health checks are not rate limited.
    assert all(requests.get(gw.url + "/healthz").status_code == 200 for _ in range(5))


# --------------------------------------------------------------------------- upstream errors

@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_upstream_5xx_body_never_reaches_the_client(gateway, status):
    resp = requests.post(gateway.url + "/api/certificates", json={"contract_id": 1},
                         headers={"X-Test-Status": str(status)})
    doc = assert_problem(resp, status, "Xidmətdə daxili xəta")
    assert doc["type"] == "about:blank"
    assert SECRET not in resp.text
    assert "Traceback" not in resp.text


def test_upstream_500_in_english(gateway):
    resp = requests.get(gateway.url + "/api/auth/me",
                        headers={"X-Test-Status": "500", "Accept-Language": "en-GB,en;q=0.9"})
    doc = assert_problem(resp, 500, "Internal service error")
    assert SECRET not in resp.text
    assert doc["detail"].startswith("An error occurred")


@pytest.mark.parametrize("accept_language, title", [
    (None, "Xidmətdə daxili xəta"),
    ("az", "Xidmətdə daxili xəta"),
    ("az-AZ,en;q=0.8", "Xidmətdə daxili xəta"),
    ("en", "Internal service error"),
    ("ru-RU,ru;q=0.9,en;q=0.5", "Internal service error"),
    ("ru", "Xidmətdə daxili xəta"),
])
def test_error_language_follows_accept_language(gateway, accept_language, title):
    headers = {"X-Test-Status": "500"}
    if accept_language:
        headers["Accept-Language"] = accept_language
    resp = requests.get(gateway.url + "/api/auth/me", headers=headers)
    assert resp.json()["title"] == title


def test_upstream_503_keeps_retry_after(gateway):
    resp = requests.get(gateway.url + "/api/auth/me",
                        headers={"X-Test-Status": "503", "X-Test-Retry-After": "30"})
    assert_problem(resp, 503)
    assert resp.headers["Retry-After"] == "30"


def test_upstream_down_is_502_problem(gateway):
    resp = requests.get(gateway.url + "/api/accidents/reports")
    doc = assert_problem(resp, 502, "Xidmətdə daxili xəta")
    assert "127.0.0.1" not in resp.text
    assert doc["request_id"] == resp.headers["X-Request-ID"]


def test_upstream_timeout_is_504_problem(gateway):
    resp = requests.get(gateway.url + "/api/insurers/slow", headers={"X-Test-Sleep": "2.5"})
    assert_problem(resp, 504, "Xidmətdə daxili xəta")


@pytest.mark.parametrize("status", [400, 401, 403, 404, 405, 409, 413, 414, 422, 429, 431])
def test_upstream_4xx_passes_through_untouched(gateway, upstreams, status):
    resp = requests.post(gateway.url + "/api/contracts/notices", json={"fin": "1"},
                         headers={"X-Test-Status": str(status), "X-Test-Retry-After": "7"})
    assert resp.status_code == status
    assert resp.headers["Content-Type"] == PROBLEM
    doc = resp.json()
    assert doc["detail"] == "contracts rejected the request"
    assert doc["errors"] == {"fin": ["FİN 7 simvoldan ibarət olmalıdır"]}
    assert resp.headers["Retry-After"] == "7"


# --------------------------------------------------------------------------- gateway's own

def test_healthz(gateway):
    resp = requests.get(gateway.url + "/healthz")
    assert resp.status_code == 200
    assert resp.headers["Content-Type"] == "application/json"
    assert resp.json() == {"status": "ok"}


@pytest.mark.parametrize("path", ["/api/openapi", "/openapi.json", "/api/openapi.json"])
def test_openapi_index(gateway, path):
    resp = requests.get(gateway.url + path)
    assert resp.status_code == 200
    assert resp.headers["Content-Type"] == "application/json"
    services = resp.json()["services"]
    assert {"name": "auth", "openapi": "/api/auth/openapi.json"} in services
    assert [s["name"] for s in services] == list(API_NAMES)  # the portal has no API document


@pytest.mark.parametrize("path", ["/api/x/y", "/api/unknown", "/api", "/api/", "/api/authx/me"])
def test_unknown_service_is_404_problem(gateway, path):
    assert_problem(requests.get(gateway.url + path), 404, "Tapılmadı")


def test_without_the_simulator_configured_there_is_no_simulator_route(start_gateway, upstreams):
    """Production names no ASAN_SIM_URLS: /api/asan-sim reaches nothing, not even auth."""
    gw = start_gateway({"AUTH_URLS": upstreams["auth"].url})
    for path in ("/api/asan-sim/identities", "/api/asan-sim/cards/5ZK2M7P", "/api/asan-sim"):
        assert_problem(requests.get(gw.url + path), 404, "Tapılmadı")
    assert requests.get(gw.url + "/api/auth/me").json()["instance"] == "auth"


def test_unreadable_request_is_a_400_problem(gateway):
    # nginx itself refuses a NUL in the path; the client still gets a problem document.
    assert_problem(requests.get(gateway.url + "/api/certificates/%00/pdf"), 400, "Sorğu yanlışdır")


def _raw(url: str, data: bytes) -> tuple[int, dict, bytes]:
    """Send bytes no HTTP library would, read the whole answer (nginx closes after these)."""
    host, port = url.removeprefix("http://").rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(data)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines)}
    return int(status_line.split()[1]), headers, body


@pytest.mark.parametrize("method, path, headers, status, title", [
    # Refused by nginx before any location: TRACE, an address or headers over its buffers.
    ("TRACE", "/api/certificates/contracts", {}, 405, "Metoda icazə verilmir"),
    ("TRACE", "/", {}, 405, "Metoda icazə verilmir"),
    ("TRACE", "/login", {}, 405, "Metoda icazə verilmir"),
    ("GET", "/api/registry/directories/districts?q=" + "x" * 9000, {}, 414, "Ünvan çox uzundur"),
    ("GET", "/api/registry/" + "x" * 9000, {}, 414, "Ünvan çox uzundur"),
    ("GET", "/api/registry/directories/districts", {"X-Padding": "x" * 9000}, 431, "Başlıqlar çox böyükdür"),
    ("GET", "/", {"Cookie": "c=" + "x" * 9000}, 431, "Başlıqlar çox böyükdür"),
    # A body in an encoding nginx does not know.
    ("POST", "/api/auth/asan/sessions", {"Transfer-Encoding": "gzip"}, 501, "Dəstəklənmir"),
])
def test_what_nginx_refuses_itself_is_a_problem_too(gateway, upstreams, method, path, headers, status, title):
    hits = upstreams["registry-a"].hits + upstreams["registry-b"].hits + upstreams["auth"].hits
    resp = requests.request(method, gateway.url + path, headers={**headers, "X-Request-ID": "nginx-own-1"},
                            data=b"x" if method == "POST" else None)
    doc = assert_problem(resp, status, title)
    assert "<html" not in resp.text
    assert resp.headers["X-Request-ID"] == doc["request_id"]
    if status in (405, 501):  # the request's headers were read: the client's id is kept
        assert doc["request_id"] == "nginx-own-1"
    if status == 405:
        assert resp.headers["Allow"] == ("GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS" if path.startswith("/api/")
                                         else "GET, HEAD, POST")
    else:
        assert "Allow" not in resp.headers
    assert upstreams["registry-a"].hits + upstreams["registry-b"].hits + upstreams["auth"].hits == hits


def test_nginx_refusals_in_english(gateway):
    resp = requests.request("TRACE", gateway.url + "/api/auth/me", headers={"Accept-Language": "en"})
    assert assert_problem(resp, 405, "Method not allowed")["detail"] == "This request method is not accepted here."
    resp = requests.get(gateway.url + "/api/auth/me", headers={"Accept-Language": "en", "X-Padding": "x" * 9000})
    assert_problem(resp, 431, "Request headers too large")


def test_an_unknown_http_version_is_a_problem(gateway):
    status, headers, body = _raw(gateway.url, b"GET /api/auth/me HTTP/2.0\r\nHost: x\r\n\r\n")
    assert status == 505 and headers["content-type"] == PROBLEM
    doc = json.loads(body)
    assert (doc["status"], doc["title"]) == (505, "HTTP versiyası dəstəklənmir")
    assert doc["request_id"] == headers["x-request-id"]


def test_the_gateways_error_pages_are_not_addresses(gateway):
    for status in (400, 405, 414, 431, 501, 505):
        assert_problem(requests.get(f"{gateway.url}/.gw/{status}"), 404, "Tapılmadı")


def test_the_portal_answers_every_other_path_and_its_forms(gateway, upstreams):
    """The portal's pages, its forms (POST) and its own 4xx pages pass through; its 5xx are the
    gateway's, as for any service — but as a page for people, not a problem document."""
    page = requests.post(gateway.url + "/login/asan?next=/my-data", data={"phone": "x"})
    echo = page.json()
    assert (echo["instance"], echo["method"], echo["path"], echo["query"]) == ("portal", "POST", "/login/asan",
                                                                               "next=/my-data")
    not_found = requests.get(gateway.url + "/no-such-page", headers={"X-Test-Status": "404"})
    assert not_found.status_code == 404 and "portal rejected" in not_found.json()["detail"]
    failed = requests.get(gateway.url + "/my-data", headers={"X-Test-Status": "500"})
    assert_page(failed, 500, "Xidmətdə daxili xəta", lang="az")
    assert SECRET not in failed.text and "Traceback" not in failed.text
    assert 'href="/"' in failed.text and failed.headers["X-Request-ID"] in failed.text


def assert_page(resp, status, title, lang):
    assert resp.status_code == status, resp.text
    assert resp.headers["Content-Type"] == "text/html; charset=utf-8"
    assert f'<html lang="{lang}">' in resp.text and f"<h1>{title}</h1>" in resp.text
    assert resp.headers["Cache-Control"] == "no-store"
    assert "default-src 'none'" in resp.headers["Content-Security-Policy"]


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_a_failing_portal_is_a_page_in_the_persons_language(gateway, status):
    resp = requests.get(gateway.url + "/certificates", headers={"X-Test-Status": str(status),
                                                               "Accept-Language": "en-GB,en;q=0.9"})
    assert_page(resp, status, "Internal service error", lang="en")
    assert SECRET not in resp.text


def test_a_portal_that_is_down_is_a_page_too(start_gateway, upstreams, dead_url):
    down = start_gateway({"AUTH_URLS": upstreams["auth"].url, "PORTAL_URLS": dead_url})
    resp = requests.get(down.url + "/my-data")
    assert_page(resp, 502, "Xidmətdə daxili xəta", lang="az")
    assert "Xidmət hazırda cavab vermir." in resp.text and "127.0.0.1" not in resp.text
    # The API keeps its problem documents.
    assert_problem(requests.get(down.url + "/api/accidents/reports"), 502)


def test_the_gateways_own_refusals_on_the_portals_paths_are_pages(gateway, start_gateway, upstreams):
    too_big = requests.post(gateway.url + "/insurers/applications/x/documents", data=b"x" * 70_000)
    assert_page(too_big, 413, "Sorğu çox böyükdür", lang="az")
    assert "64" in too_big.text
    limited_gw = start_gateway({"PORTAL_URLS": upstreams["portal"].url, "GATEWAY_RATE": "1", "GATEWAY_BURST": "2"})
    with requests.Session() as s:
        answers = [s.get(limited_gw.url + "/my-data", headers={"Accept-Language": "en"}) for _ in range(10)]
    limited = [r for r in answers if r.status_code == 429]
    assert limited, [r.status_code for r in answers]
    assert_page(limited[0], 429, "Too many requests", lang="en")
    assert limited[0].headers["Retry-After"] == "1"


def test_access_log_is_json_with_request_id_and_no_personal_data(gateway):
    rid = "log-check-1"
    requests.get(gateway.url + "/api/registry/organizations?q=1234567890&fin=5XYZ9AB",
                 headers={"X-Request-ID": rid, "Authorization": "Bearer SECRET-TOKEN"})
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        text = gateway.access_log.read_text(encoding="utf-8")
        if rid in text:
            break
        time.sleep(0.05)
    entries = [json.loads(line) for line in text.splitlines()]
    entry = next(e for e in entries if e["request_id"] == rid)
    assert entry["path"] == "/api/registry/organizations"
    assert entry["status"] == 200
    assert "5XYZ9AB" not in text and "1234567890" not in text
    assert "SECRET-TOKEN" not in text


# Identifiers of every kind, in the places the API puts them.
SECRETS_IN_PATHS = ["5XYZ9AB", "+994501112233", "994501112233", "1701100231", "AR-2025-000123",
                    "k9Vd3xQ_-pLm2ZtR8sWq4A", "0f3c2b7a9d8e4f60a1b2c3d4e5f60718", "s1gn1ng-1d",
                    "abcdefg", "secret@example.org", "Əliyeva"]


LOG_CASES = [
    ("/api/registry/persons/5XYZ9AB", "/api/registry/persons/{fin}"),
    ("/api/registry/persons/abcdefg", "/api/registry/persons/{fin}"),
    ("/api/registry/organizations/1701100231", "/api/registry/organizations/{voen}"),
    ("/api/registry/directories/lookup-purposes", "/api/registry/directories/lookup-purposes"),
    ("/api/asan-sim/phones/+994501112233/requests", "/api/asan-sim/phones/{phone}/requests"),
    ("/api/asan-sim/phones/%2B994501112233/requests/0f3c2b7a9d8e4f60a1b2c3d4e5f60718",
     "/api/asan-sim/phones/{phone}/requests/{request_id}"),
    ("/api/asan-sim/cards/5XYZ9AB", "/api/asan-sim/cards/{fin}"),
    ("/api/auth/asan/sessions/k9Vd3xQ_-pLm2ZtR8sWq4A", "/api/auth/asan/sessions/{session_id}"),
    ("/api/auth/signatures/s1gn1ng-1d", "/api/auth/signatures/{signing_id}"),
    ("/api/certificates/AR-2025-000123/pdf", "/api/certificates/{number}/pdf"),
    ("/api/certificates/AR-2025-000123/revocation", "/api/certificates/{number}/revocation"),
    ("/api/certificates/verifications/AR-2025-000123/pdf", "/api/certificates/verifications/{number}/pdf"),
    ("/api/certificates/verifications/mine", "/api/certificates/verifications/mine"),
    ("/api/certificates/contracts", "/api/certificates/contracts"),
    ("/api/contracts/notices/0f3c2b7a9d8e4f60a1b2c3d4e5f60718/termination/signature",
     "/api/contracts/notices/{notice_id}/termination/signature"),
    ("/api/notifier/webhooks/0f3c2b7a9d8e4f60a1b2c3d4e5f60718", "/api/notifier/webhooks/{webhook_id}"),
    ("/api/insurers/account-numbers/1701100231", "/api/insurers/account-numbers/{voen}"),
    ("/api/contracts/secret@example.org/%C6%8Fliyeva/x/5XYZ9AB", "/api/contracts/{id}/{id}/{id}/{id}"),
    ("/api/certificates/a/b/c/d/e/f/5XYZ9AB/h/i", "/api/certificates/{number}/{id}/{id}/{id}/{id}/{id}/..."),
    ("/api/registry/persons/5XYZ9AB%2Fpdf", "/api/registry/persons/{fin}/pdf"),
    # The portal's pages: its words kept, anything else a placeholder.
    ("/portal/page/5XYZ9AB", "/portal/{id}/{id}"),
    ("/login/asan/status", "/login/asan/status"),
    ("/my-data", "/my-data"),
]


@pytest.fixture(scope="module")
def masked_log(gateway):
    """Every case requested once (with identifiers in the query string too); the log read once."""
    rids = {}
    for path, _ in LOG_CASES:
        rid = rids[path] = "log-" + hashlib.sha256(path.encode()).hexdigest()[:16]
        requests.get(gateway.url + path + "?fin=5XYZ9AB&phone=%2B994501112233&number=AR-2025-000123",
                     headers={"X-Request-ID": rid})
    lines = {}
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and len(lines) < len(rids):
        text = gateway.access_log.read_text(encoding="utf-8")
        lines = {json.loads(line)["request_id"]: line for line in text.splitlines()}
        lines = {path: lines[rid] for path, rid in rids.items() if rid in lines}
        time.sleep(0.05)
    return lines


@pytest.mark.parametrize("path, logged", LOG_CASES)
def test_access_log_keeps_the_route_not_the_identifiers(masked_log, path, logged):
    line = masked_log[path]
    assert json.loads(line)["path"] == logged
    for secret in SECRETS_IN_PATHS:
        assert secret not in line and quote(secret) not in line


def test_error_log_quotes_no_request(gateway, upstreams):
    # Failures nginx would describe with the whole request line: the upstream down, timing out,
    # a body buffered to disk, a body too large.
    for path, headers in [("/api/accidents/reports/5XYZ9AB", {}),
                          ("/api/insurers/applications/5XYZ9AB", {"X-Test-Sleep": "1.5"})]:
        requests.get(gateway.url + path + "?phone=994501112233", headers=headers)
    requests.post(gateway.url + "/api/contracts/notices/5XYZ9AB", data=b"x" * (60 * 1024))
    requests.post(gateway.url + "/api/contracts/notices/5XYZ9AB", data=b"x" * (65 * 1024))
    error_log = gateway.runtime_dir / "logs" / "error.log"
    text = error_log.read_text(encoding="utf-8") if error_log.exists() else ""
    assert "5XYZ9AB" not in text and "994501112233" not in text
    assert "request:" not in text


# --------------------------------------------------------------------------- the client's Host

@pytest.fixture(scope="module")
def flask_upstream():
    server = FlaskUpstream()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def public_gateway(start_gateway, upstreams, flask_upstream):
    return start_gateway({"AUTH_URLS": flask_upstream.url, "CONTRACTS_URLS": upstreams["contracts"].url,
                          "PUBLIC_BASE_URL": "https://e-services.example.org"})


def test_upstreams_see_the_public_host_not_the_clients(public_gateway):
    resp = requests.get(public_gateway.url + "/api/contracts/notices",
                        headers={"Host": "evil.example", "X-Forwarded-Host": "evil.example",
                                 "X-Forwarded-Proto": "http"})
    headers = resp.json()["headers"]
    assert headers["host"] == "e-services.example.org"
    assert headers["x-forwarded-host"] == "e-services.example.org"
    assert headers["x-forwarded-proto"] == "https"
    assert "evil" not in json.dumps(headers)


def test_the_default_public_host_is_the_local_gateway(gateway):
    headers = requests.get(gateway.url + "/api/contracts/notices", headers={"Host": "evil.example"}).json()["headers"]
    assert headers["host"] == gateway.url.removeprefix("http://")


@pytest.mark.parametrize("path", ["/api/auth//me", "/api/auth/%2Fme", "/api/auth/%2fme", "/api//auth/me",
                                  "/api/auth/me//", "/api/contracts/notices//x"])
def test_a_path_with_an_empty_segment_is_404_without_a_redirect(public_gateway, flask_upstream, path):
    before = flask_upstream.hits
    resp = requests.get(public_gateway.url + path, headers={"Host": "evil.example"}, allow_redirects=False)
    assert_problem(resp, 404, "Tapılmadı")
    assert "Location" not in resp.headers
    assert flask_upstream.hits == before


def test_the_flask_upstream_really_redirects_by_the_host(flask_upstream):
    # What the gateway protects against: the service alone answers with the client's Host.
    resp = requests.get(flask_upstream.url + "/api/auth//me", headers={"Host": "evil.example"},
                        allow_redirects=False)
    assert resp.status_code == 308
    assert resp.headers["Location"] == "http://evil.example/api/auth/me"


def test_a_redirect_made_by_a_service_names_the_public_base(public_gateway):
    resp = requests.get(public_gateway.url + "/api/auth/folder", headers={"Host": "evil.example"},
                        allow_redirects=False)
    assert resp.status_code == 308
    assert resp.headers["Location"] == "https://e-services.example.org/api/auth/folder/"
    me = requests.get(public_gateway.url + "/api/auth/me", headers={"Host": "evil.example"}).json()
    assert me["host"] == "e-services.example.org"


def test_served_from_a_checkout_the_workers_cannot_enter(start_gateway, upstreams):
    """A clone in a fresh `mktemp -d` (mode 700), or under a home directory only its owner may
    read: nginx's workers (`nobody` when started as root) never read a file of the checkout, so
    the portal's pages and the API are answered all the same."""
    private = Path(tempfile.mkdtemp(prefix="gateway-clone-"))
    try:
        assert private.stat().st_mode & 0o777 == 0o700
        clone = private / "clone"
        (clone / "kit" / "egov_kit").mkdir(parents=True)
        shutil.copytree(Path(gw_render.__file__).parent, clone / "gateway",
                        ignore=shutil.ignore_patterns("tests", "__pycache__"))
        shutil.copy(gw_render.SERVICES_TABLE, clone / "kit" / "egov_kit" / "services.toml")
        gw = start_gateway({"AUTH_URLS": upstreams["auth"].url, "PORTAL_URLS": upstreams["portal"].url},
                           render=clone / "gateway" / "render.py")
        for path in ("/", "/login", "/my-data"):
            resp = requests.get(gw.url + path, headers={"Host": "evil.example"}, allow_redirects=False)
            assert resp.status_code == 200, (path, resp.text)
            assert resp.json()["instance"] == "portal"
        assert requests.get(gw.url + "/api/auth/me").json()["instance"] == "auth"
        for path in ("//login", "/%2Flogin", "/nothing//here"):
            resp = requests.get(gw.url + path, headers={"Host": "evil.example"}, allow_redirects=False)
            assert_problem(resp, 404)
            assert "Location" not in resp.headers
    finally:
        shutil.rmtree(private, ignore_errors=True)


# --------------------------------------------------------------------------- process

def test_run_execs_nginx_and_stops_on_sigterm(start_gateway, upstreams):
    gw = start_gateway({"AUTH_URLS": upstreams["auth"].url})
    # --run replaced the Python process with the nginx master itself.
    comm = Path(f"/proc/{gw.proc.pid}/comm").read_text().strip()
    assert comm == "nginx"
    assert (gw.runtime_dir / "nginx.pid").read_text().strip() == str(gw.proc.pid)
    gw.proc.send_signal(signal.SIGTERM)
    assert gw.proc.wait(timeout=10) == 0
    with pytest.raises(requests.ConnectionError):
        requests.get(gw.url + "/healthz", timeout=1)


# --------------------------------------------------------------------------- renderer

def test_defaults_route_every_service_of_the_table_locally(tmp_path):
    cfg = gw_render.config_from_env({}, runtime_dir=tmp_path)
    text = gw_render.render(cfg)
    for name, port in DEFAULT_PORTS.items():
        assert f"server 127.0.0.1:{port};" in text
        if name in API_NAMES:
            assert f"location ^~ /api/{name}/" in text
    # The portal is served at /, from its upstream: no file of the checkout is read.
    assert "location ^~ /api/portal/" not in text
    assert "@svc_portal$gw_body_route" in text.split("location / {")[1]
    assert f"root {tmp_path.resolve()}/empty;" in text
    assert "listen 127.0.0.1:8080;" in text
    assert "client_max_body_size 10m;" in text
    assert "rate=100r/s" in text and "burst=200" in text
    assert "proxy_connect_timeout 2s;" in text and "proxy_read_timeout 60s;" in text
    # The simulator has no route unless its instances are named (production names none).
    assert "location ^~ /api/asan-sim/" not in text and "svc_asan_sim" not in text
    text = gw_render.render(gw_render.config_from_env({"ASAN_SIM_URLS": "http://127.0.0.1:8190"},
                                                      runtime_dir=tmp_path))
    assert "@svc_asan_sim$gw_body_route" in text.split("location ^~ /api/asan-sim/")[1]
    assert "server 127.0.0.1:8190;" in text.split("upstream svc_asan_sim {")[1]
    assert "\nuser " not in text
    # The path as the client wrote it (query string and all) only picks a 405's Allow: it is
    # neither proxied nor logged.
    assert [line.strip() for line in text.splitlines() if "$request_uri" in line] == [
        "map $request_uri $gw_allow {"]
    assert "set_real_ip_from" not in text  # no load balancer is believed unless named


def test_rendered_config_passes_nginx_check(tmp_path, nginx_bin):
    runtime = tmp_path / "rt"
    env = {"AUTH_URLS": "http://localhost:8101,http://[::1]:8111", "GATEWAY_HOST": "0.0.0.0",
           "GATEWAY_RATE": "20r/m", "GATEWAY_TRUSTED_PROXIES": "10.0.0.0/8, 2001:db8::1, 10.1.0.0/16"}
    conf = gw_render.write_runtime(gw_render.config_from_env(env, runtime_dir=runtime))
    assert "server [::1]:8111;" in conf.read_text()
    assert [line.strip() for line in conf.read_text().splitlines() if "real_ip" in line] == [
        "set_real_ip_from 10.0.0.0/8;", "set_real_ip_from 2001:db8::1/128;", "set_real_ip_from 10.1.0.0/16;",
        "real_ip_header X-Forwarded-For;", "real_ip_recursive on;"]
    assert "Retry-After 3 always" in conf.read_text()
    cmd = gw_render.nginx_command(nginx_bin, runtime)
    check = subprocess.run([cmd[0], "-t", *cmd[1:]], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr


@pytest.mark.parametrize("env", [
    {"AUTH_URLS": "https://auth:8000"},
    {"AUTH_URLS": "http://auth:8000/api"},
    {"AUTH_URLS": "http://auth:notaport"},
    {"GATEWAY_MAX_BODY": "10 MB"},
    {"GATEWAY_RATE": "0"},
    {"GATEWAY_BURST": "-1"},
    {"GATEWAY_PORT": "70000"},
    {"GATEWAY_HOST": "evil; include /etc/passwd"},
    {"PUBLIC_BASE_URL": "ftp://e-services.example.org"},
    {"PUBLIC_BASE_URL": "https://evil; include /etc/passwd"},
    {"PUBLIC_BASE_URL": "https://user:pw@e-services.example.org"},
    {"PUBLIC_BASE_URL": "https://e-services.example.org:99999"},
    {"PUBLIC_BASE_URL": "https://e-services.example.org/?q=1"},
    {"GATEWAY_TRUSTED_PROXIES": "10.0.0.1, lb.example"},
    {"GATEWAY_TRUSTED_PROXIES": "10.0.0.0/33"},
    {"GATEWAY_TRUSTED_PROXIES": "0.0.0.0/0"},
    {"GATEWAY_TRUSTED_PROXIES": "::/0"},
])
def test_bad_configuration_is_rejected(tmp_path, env):
    with pytest.raises(gw_render.ConfigError):
        gw_render.render(gw_render.config_from_env(env, runtime_dir=tmp_path))


def test_cli_reports_configuration_errors(tmp_path):
    proc = subprocess.run(
        [sys.executable, str(Path(gw_render.__file__)), "--runtime-dir", str(tmp_path)],
        env={**os.environ, "GATEWAY_PORT": "x"}, capture_output=True, text=True)
    assert proc.returncode == 2
    assert "configuration error" in proc.stderr


def test_cli_prints_the_rendered_path(tmp_path):
    proc = subprocess.run(
        [sys.executable, str(Path(gw_render.__file__)), "--runtime-dir", str(tmp_path)],
        env={**os.environ, "REGISTRY_URLS": f"http://127.0.0.1:{free_port()}"},
        capture_output=True, text=True, check=True)
    assert proc.stdout.strip() == str(tmp_path / "nginx.conf")
    assert (tmp_path / "logs").is_dir() and (tmp_path / "tmp" / "proxy").is_dir()


def test_a_service_added_to_the_table_gets_its_route_and_upstream(tmp_path, monkeypatch):
    table = tmp_path / "services.toml"
    table.write_text(gw_render.SERVICES_TABLE.read_text(encoding="utf-8")
                     + '\n[pensions]\nport = 8199\nroles = ["api"]\ntitle = "a new e-service"\n',
                     encoding="utf-8")
    monkeypatch.setattr(gw_render, "SERVICES", gw_render.load_services(table))
    cfg = gw_render.config_from_env({"PENSIONS_URLS": "http://pensions-api:8000"}, runtime_dir=tmp_path / "rt")
    text = gw_render.render(cfg)
    assert "server pensions-api:8000;" in text
    assert "@svc_pensions$gw_body_route" in text.split("location ^~ /api/pensions/")[1]
    assert "server 127.0.0.1:8101;" in text  # the others keep their defaults


def test_the_image_carries_the_table_where_render_reads_it():
    gateway_dir = Path(gw_render.__file__).resolve().parent
    relative = gw_render.SERVICES_TABLE.relative_to(gateway_dir.parent).as_posix()
    assert relative == "kit/egov_kit/services.toml"
    dockerfile = (gateway_dir / "Dockerfile").read_text()
    # Both copied relative to the one WORKDIR: render.py to gateway/, the table to kit/egov_kit/.
    assert len(re.findall(r"^WORKDIR ", dockerfile, re.M)) == 1
    assert re.search(r"^COPY gateway/render\.py .*gateway/$", dockerfile, re.M)
    assert re.search(rf"^COPY {re.escape(relative)} {re.escape(relative)}$", dockerfile, re.M)
