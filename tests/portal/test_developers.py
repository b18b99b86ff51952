"""The pages for institutions' developers, in Chromium against the real suite: the integration
guide (its examples as tabs, usable by keyboard), and the API reference of a service drawn by the
vendored Redoc from the service's own OpenAPI document, with nothing refused by the page's security
policy and nothing loaded from elsewhere.

The guide's signature checks are run for real against a notification the notifier sent to a
webhook: the Python and Node examples (and the Java, PHP and Go ones where their tools are
installed) accept it, and refuse it tampered with, under another secret, or signed too long ago;
the complete Python receiver keeps a notification delivered twice once."""
from __future__ import annotations

import base64
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
import time
import uuid

import pytest
import requests

from devtools.client import ApiSession, sim_identity
from devtools.pytest_plugin import eventually
from devtools.suite import ROOT
from egov_kit.bus import Publisher, new_event
from egov_kit.catalogue import API_NAMES

from webhook_receiver import Receiver

EXAMPLES = ROOT / "services" / "portal" / "portal_service" / "features" / "developers" / "examples"
sys.path.insert(0, str(ROOT / "services" / "notifier"))
from notifier_service.domain import webhook_signature  # noqa: E402 - the notifier's own signing

BANK = "9900072351"


@pytest.fixture(scope="module")
def delivered(portal, suite, amqp_url) -> dict:
    """A notification exactly as the notifier sent it to a webhook, and the webhook's secret."""
    receiver = Receiver()
    bank = ApiSession(portal).login(sim_identity(label="head of a bank")).act_for(BANK)
    hook = bank.post("/api/notifier/webhooks", json={"url": receiver.url + "/examples"})
    assert hook.status_code == 201, hook.text
    event = new_event("certificates.certificate.revoked", {
        "number": f"AR-{uuid.uuid4().hex[:8].upper()}", "holder_name": "Əliyeva Şəbnəm Ülvi qızı", "reason": "holder",
        "destination": "addressed", "addressee_voen": BANK, "addressee_name": "Dan Ulduzu Bank",
        "notify_addressee": True, "revoked_at": "2026-11-23T10:00:00+00:00"}, source="certificates")
    publisher = Publisher(amqp_url, suite.exchange, name="portal-developers-tests")
    try:
        publisher.publish(event)
    finally:
        publisher.close()
    try:
        (request,) = eventually(lambda: receiver.for_event(event["id"]), 20, message="the notification")
    finally:
        bank.delete(f"/api/notifier/webhooks/{hook.json()['id']}")
        receiver.stop()
    return {"secret": hook.json()["secret"], "timestamp": request["headers"]["X-Egov-Timestamp"],
            "signature": request["headers"]["X-Egov-Signature"], "body": request["body"],
            "event_id": request["headers"]["X-Egov-Event-Id"]}


def cases(delivered: dict) -> list[tuple[str, str, str, str, bytes, bool]]:
    """(what, secret, timestamp, signature, body, genuine?) — the real one, then three forgeries."""
    secret, timestamp, signature, body = (delivered[k] for k in ("secret", "timestamp", "signature", "body"))
    stale = str(int(time.time()) - 600)
    return [("as sent", secret, timestamp, signature, body, True),
            ("body changed", secret, timestamp, signature, body.replace(b"holder", b"h0lder"), False),
            ("another secret", "not-" + secret, timestamp, signature, body, False),
            ("signed 10 minutes ago", secret, stale, webhook_signature(secret, int(stale), body), body, False)]


def test_the_python_example_checks_the_notifiers_signature(delivered):
    spec = importlib.util.spec_from_file_location("egov_verify_example", EXAMPLES / "verify.py")
    example = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(example)
    for what, secret, timestamp, signature, body, genuine in cases(delivered):
        assert example.is_genuine(secret, timestamp, signature, body) is genuine, what
    assert example.is_genuine(delivered["secret"], "¹²³", delivered["signature"], delivered["body"]) is False
    assert example.is_genuine(delivered["secret"], delivered["timestamp"], "sha256=ə", delivered["body"]) is False


def test_the_node_example_checks_the_notifiers_signature(delivered, tmp_path):
    payload = [{"what": what, "secret": secret, "timestamp": timestamp, "signature": signature,
                "body": body.decode("utf-8"), "genuine": genuine}
               for what, secret, timestamp, signature, body, genuine in cases(delivered)]
    script = textwrap.dedent(f"""
        const {{ isGenuine }} = require({json.dumps(str(EXAMPLES / "verify.js"))});
        const cases = JSON.parse(require("node:fs").readFileSync(0, "utf8"));
        console.log(JSON.stringify(cases.map(c =>
          [c.what, isGenuine(c.secret, c.timestamp, c.signature, Buffer.from(c.body, "utf8"))])));
    """)
    ran = subprocess.run(["node", "-e", script], input=json.dumps(payload), capture_output=True, text=True,
                         timeout=60)
    assert ran.returncode == 0, ran.stderr
    assert json.loads(ran.stdout) == [[c["what"], c["genuine"]] for c in payload]


@pytest.mark.skipif(not shutil.which("javac"), reason="no JDK on this machine")
def test_the_java_example_checks_the_notifiers_signature(delivered, tmp_path):
    shutil.copy(EXAMPLES / "EgovSignature.java", tmp_path)
    (tmp_path / "Check.java").write_text(textwrap.dedent("""
        import java.nio.file.Files;
        import java.nio.file.Path;

        public final class Check {
            public static void main(String[] args) throws Exception {
                byte[] body = Files.readAllBytes(Path.of(args[3]));
                System.out.println(EgovSignature.isGenuine(args[0], args[1], args[2], body));
            }
        }
    """))
    compiled = subprocess.run(["javac", "EgovSignature.java", "Check.java"], cwd=tmp_path, capture_output=True,
                              text=True, timeout=120)
    assert compiled.returncode == 0, compiled.stderr
    for index, (what, secret, timestamp, signature, body, genuine) in enumerate(cases(delivered)):
        (tmp_path / f"body-{index}").write_bytes(body)
        ran = subprocess.run(["java", "-cp", str(tmp_path), "Check", secret, timestamp, signature,
                              str(tmp_path / f"body-{index}")], capture_output=True, text=True, timeout=60)
        assert ran.returncode == 0, ran.stderr
        assert ran.stdout.strip() == str(genuine).lower(), what


@pytest.mark.skipif(not shutil.which("php"), reason="no PHP on this machine")
def test_the_php_example_checks_the_notifiers_signature(delivered, tmp_path):
    check = tmp_path / "check.php"
    check.write_text("<?php\nrequire " + json.dumps(str(EXAMPLES / "verify.php")) + ";\n"
                     "$case = json_decode(file_get_contents('php://stdin'), true);\n"
                     "echo json_encode(egov_is_genuine($case['secret'], $case['timestamp'], $case['signature'], "
                     "base64_decode($case['body'])));\n")
    for what, secret, timestamp, signature, body, genuine in cases(delivered):
        case = {"secret": secret, "timestamp": timestamp, "signature": signature,
                "body": base64.b64encode(body).decode()}
        ran = subprocess.run(["php", str(check)], input=json.dumps(case), capture_output=True, text=True, timeout=60)
        assert ran.returncode == 0, ran.stderr + ran.stdout
        assert ran.stdout.strip() == json.dumps(genuine), what


@pytest.mark.skipif(not shutil.which("go"), reason="no Go on this machine")
def test_the_go_example_checks_the_notifiers_signature(delivered, tmp_path):
    module = tmp_path / "egov"
    module.mkdir()
    shutil.copy(EXAMPLES / "verify.go", module)
    (tmp_path / "go.mod").write_text("module check\n\ngo 1.19\n")
    (tmp_path / "main.go").write_text(textwrap.dedent("""
        package main

        import (
            "encoding/json"
            "fmt"
            "os"

            "check/egov"
        )

        func main() {
            var cases []struct{ Secret, Timestamp, Signature string; Body []byte }
            if err := json.NewDecoder(os.Stdin).Decode(&cases); err != nil {
                panic(err)
            }
            for _, c := range cases {
                fmt.Println(egov.IsGenuine(c.Secret, c.Timestamp, c.Signature, c.Body))
            }
        }
    """))
    payload = [{"Secret": secret, "Timestamp": timestamp, "Signature": signature,
                "Body": base64.b64encode(body).decode()} for _w, secret, timestamp, signature, body, _g in cases(delivered)]
    ran = subprocess.run(["go", "run", "."], cwd=tmp_path, input=json.dumps(payload), capture_output=True, text=True,
                         timeout=300, env={**os.environ, "GOCACHE": str(tmp_path / "cache"), "GOFLAGS": "-mod=mod",
                                           "GOPATH": str(tmp_path / "gopath")})
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.split() == [str(genuine).lower() for *_rest, genuine in cases(delivered)]


def test_the_python_receiver_keeps_a_notification_delivered_twice_once(delivered, tmp_path):
    for name in ("verify.py", "receiver.py"):
        shutil.copy(EXAMPLES / name, tmp_path)
    driver = textwrap.dedent("""
        import json, sqlite3, sys
        import receiver
        case = json.load(sys.stdin)
        receiver.SECRET = case["secret"]
        client = receiver.app.test_client()
        headers = {"X-Egov-Event-Id": case["event_id"], "X-Egov-Timestamp": case["timestamp"],
                   "X-Egov-Signature": case["signature"], "Content-Type": "application/json"}
        body = case["body"].encode()
        answers = [client.post("/egov/notifications", data=body, headers=headers).status_code for _ in range(2)]
        answers.append(client.post("/egov/notifications", data=body + b" ", headers=headers).status_code)
        kept = sqlite3.connect("notifications.db").execute("SELECT event_id, body FROM notifications").fetchall()
        print(json.dumps({"answers": answers, "kept": [[k, b.decode()] for k, b in kept]}))
    """)
    case = {k: delivered[k] for k in ("secret", "timestamp", "signature", "event_id")}
    case["body"] = delivered["body"].decode()
    ran = subprocess.run([sys.executable, "-c", driver], input=json.dumps(case), cwd=tmp_path, capture_output=True,
                         text=True, timeout=60)
    assert ran.returncode == 0, ran.stderr
    result = json.loads(ran.stdout)
    assert result["answers"] == [204, 204, 401]
    assert result["kept"] == [[delivered["event_id"], case["body"]]]


def test_the_guide_shows_the_examples_as_tabs_usable_by_keyboard(portal, page, checks):
    page.goto(portal + "/developers")
    assert page.locator("h1").inner_text() == "İnteqrasiya təlimatı"
    tabs = page.locator("[role=tab]")
    assert tabs.all_inner_texts() == ["Python", "JavaScript (Node.js)", "Java", "C#", "PHP", "Go"]
    assert page.locator("#example-python").is_visible() and not page.locator("#example-node").is_visible()
    assert "def is_genuine" in page.locator("#example-python").inner_text()
    checks.page(page, "dev-01-guide")
    tabs.nth(1).click()
    assert page.locator("#example-node").is_visible() and not page.locator("#example-python").is_visible()
    assert "timingSafeEqual" in page.locator("#example-node").inner_text()
    page.keyboard.press("ArrowRight")
    assert page.evaluate("document.activeElement.textContent") == "Java"
    assert page.locator("#example-java").is_visible()
    assert tabs.nth(2).get_attribute("aria-selected") == "true"
    # The guide links the institutions' webhooks page and the reference.
    assert page.locator("a[href='/institutions/webhooks']").count() == 1
    page.goto(portal + "/developers?lang=en")
    assert page.locator("h1").inner_text() == "Integration guide"
    assert page.locator("#retries").inner_text() == "6. What retries look like"
    checks.page(page, "dev-02-guide-english")
    page.goto(portal + "/developers?lang=az")


def test_the_reference_shows_every_operation_of_a_services_openapi_document(portal, page, checks):
    refused = []
    page.on("console", lambda message: refused.append(message.text) if message.type == "error" else None)
    elsewhere = []
    page.on("request", lambda request: elsewhere.append(request.url)
            if not request.url.startswith((portal, "data:")) else None)
    page.goto(portal + "/developers/reference")
    rows = page.locator("tbody tr")
    assert rows.count() == len(API_NAMES) == 7
    checks.page(page, "dev-03-reference-index")
    rows.filter(has_text="/api/notifier").locator("a").first.click()
    page.wait_for_url(portal + "/developers/reference/notifier")

    # Drawn on the server: every operation of the document, under a heading of its own, with
    # the method and path, who may call it and its answers.
    document = requests.get(f"{portal}/api/notifier/openapi.json", timeout=30).json()
    expected = sorted(f"{method.upper()} {path}" for path, item in document["paths"].items()
                      for method in item if method in ("get", "post", "put", "patch", "delete"))
    operations = page.locator("[data-operation]")
    assert sorted(operations.evaluate_all("els => els.map(e => e.dataset.operation)")) == expected
    secret = page.locator("[data-operation='POST /api/notifier/webhooks/{webhook_id}/secret']")
    assert secret.locator("h3").inner_text() == "Replace the webhook's secret (rotation)"
    assert "şirkətin rəhbəri" in secret.inner_text() and "notifications" in secret.inner_text()
    checks.shot(page, "dev-04-reference-notifier")
    started = time.monotonic()
    assert checks.axe(page) == []
    print(f"\naxe-core on the reference page: {time.monotonic() - started:.1f} s")

    # A schema's name leads to its fields.
    page.locator("[data-operation='POST /api/notifier/webhooks'] a", has_text="WebhookIn").first.click()
    assert page.url.endswith("#schema-WebhookIn")
    assert "url" in page.locator("#schema-WebhookIn").inner_text()
    assert refused == [] and elsewhere == []
    assert not page.locator("script[src*=redoc]").count()

    # The other services' references, one choice away.
    page.select_option("#f-service", value="certificates")
    page.click("button:has-text('Arayışa bax')")
    page.wait_for_url(portal + "/developers/reference/certificates")
    assert page.locator("[data-operation='POST /api/certificates/verifications']").count() == 1


def test_the_same_document_in_redoc_is_one_link_away(portal, page):
    refused = []
    page.on("console", lambda message: refused.append(message.text) if message.type == "error" else None)
    elsewhere = []
    page.on("request", lambda request: elsewhere.append(request.url)
            if not request.url.startswith((portal, "data:", "blob:")) else None)
    page.goto(portal + "/developers/reference/notifier")
    page.click("text=Redoc ilə axtarışlı görünüş")
    page.wait_for_url(portal + "/developers/reference/notifier/redoc")
    # The large bundle comes only when asked for.
    assert not any("redoc.standalone" in url for url in page.evaluate(
        "performance.getEntriesByType('resource').map(e => e.name)"))
    page.click("button:has-text('Redoc-u yüklə və göstər')")
    operations = page.locator("[data-section-id*='/paths/']")
    operations.first.wait_for(timeout=30_000)
    document = requests.get(f"{portal}/api/notifier/openapi.json", timeout=30).json()
    expected = sum(1 for item in document["paths"].values() for method in item if method in
                   ("get", "post", "put", "patch", "delete"))
    assert operations.count() == expected
    assert page.locator("h2", has_text="Replace the webhook's secret").count() == 1
    assert refused == [] and elsewhere == []


def test_the_reference_page_comes_compressed_and_only_the_redoc_view_loads_redoc(portal):
    guide = requests.get(f"{portal}/developers", timeout=30).text
    assert "redoc" not in guide
    page = requests.get(f"{portal}/developers/reference/contracts", headers={"Accept-Encoding": "gzip"},
                        timeout=30, stream=True)
    transferred = len(page.raw.read())
    assert page.headers["Content-Encoding"] == "gzip" and "redoc.standalone" not in requests.get(
        f"{portal}/developers/reference/contracts", timeout=30).text
    print(f"\nreference page of contracts: {transferred} bytes transferred gzip-compressed")
    reference = requests.get(f"{portal}/developers/reference/auth/redoc", timeout=30)
    assert "'unsafe-inline'" in reference.headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in requests.get(f"{portal}/developers", timeout=30).headers["Content-Security-Policy"]
    bundle = re.search(r'src="([^"]+/redoc\.standalone\.js)"', reference.text).group(1)
    packed = requests.get(portal + bundle, headers={"Accept-Encoding": "gzip"}, timeout=30, stream=True)
    transferred = len(packed.raw.read())
    assert packed.headers["Content-Encoding"] == "gzip" and "immutable" in packed.headers["Cache-Control"]
    plain = requests.get(portal + bundle, headers={"Accept-Encoding": "identity"}, timeout=30)
    assert "Content-Encoding" not in plain.headers and len(plain.content) > 3 * transferred
    print(f"Redoc bundle: {len(plain.content)} bytes, {transferred} bytes transferred gzip-compressed")
    assert b"cdn.redoc.ly" not in plain.content


@pytest.mark.parametrize("path", ["/developers", "/developers/reference", "/developers/reference/notifier"])
def test_the_developers_pages_fit_a_360_pixel_phone_screen(portal, browser, checks, path):
    phone = browser.new_context(locale="az-AZ", viewport={"width": 360, "height": 740}, is_mobile=True,
                                has_touch=True, device_scale_factor=2)
    try:
        page = phone.new_page()
        page.goto(portal + path)
        if path.endswith("notifier"):
            page.screenshot(path=str(checks.folder / "dev-05-reference-360px.png"))
        assert checks.axe(page) == []
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, "the page scrolls sideways"
    finally:
        phone.close()
