"""The portal in a real browser: Debian's Chromium driven by Playwright against the running suite
(the `suite` fixture: every service, the simulator and the gateway; the portal behind it at /).

One browser for the whole package; each test opens contexts of its own (a context is one
person's browser: cookies and tabs). Screenshots of the main pages go to var/screenshots/ (the
path is printed), and axe-core (tests/portal/node_modules, `npm ci` by devtools/bootstrap.sh)
checks each of them."""
from __future__ import annotations

import json
import os
import re
import shutil
import sys
from pathlib import Path

import pytest
import requests
from playwright.sync_api import Error as PlaywrightError

sys.path.insert(0, str(Path(__file__).resolve().parent))
# The simulator's card file reader (what the browser does), for checking the browser's signatures.
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "simulator"))

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
AXE = HERE / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = Path(os.environ.get("PORTAL_SCREENSHOTS", ROOT / "var" / "screenshots"))
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               "--disable-dev-shm-usage"]


@pytest.fixture(scope="package")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("playwright is not installed: `make test` installs requirements-dev.txt", pytrace=False)
    if not Path(CHROMIUM).exists():
        pytest.fail(f"no Chromium at {CHROMIUM}: `make test` installs Debian's chromium", pytrace=False)
    if not AXE.exists():
        pytest.fail(f"axe-core is missing ({AXE}): `make test` runs npm ci in tests/portal", pytrace=False)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        _OPEN_BROWSERS.append(chromium)
        yield chromium
        _OPEN_BROWSERS.remove(chromium)
        chromium.close()


_OPEN_BROWSERS: list = []


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """When a browser test fails, what each open tab showed at that moment: its address and text
    in the report, a screenshot beside the others (a failure in CI can then be read, not guessed)."""
    outcome = yield
    report = outcome.get_result()
    if not report.failed or not _OPEN_BROWSERS:
        return
    for c, context in enumerate(_OPEN_BROWSERS[0].contexts):
        for p, tab in enumerate(context.pages):
            try:
                text = tab.locator("body").inner_text(timeout=2_000)[:1500]
                tab.screenshot(path=str(SCREENSHOTS / f"failed-{item.name}-{c}-{p}.png"), timeout=5_000)
            except Exception as error:  # noqa: BLE001 - a closing tab says what it can
                text = f"(not readable: {error})"
            report.sections.append((f"tab {c}.{p} at {report.when}: {tab.url}", text))


@pytest.fixture(scope="package")
def screenshots() -> Path:
    shutil.rmtree(SCREENSHOTS, ignore_errors=True)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    print(f"\nportal screenshots: {SCREENSHOTS}")
    return SCREENSHOTS


@pytest.fixture(scope="package")
def portal(suite) -> str:
    """The portal's address: the gateway's."""
    assert suite.portal_started, "the suite started no portal"
    return suite.gateway_url


@pytest.fixture
def context(browser):
    """A person's browser, Azerbaijani and a desktop window."""
    ctx = browser.new_context(locale="az-AZ", viewport={"width": 1100, "height": 900}, accept_downloads=True)
    ctx.set_default_timeout(15_000)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context):
    return context.new_page()


class Checks:
    """What a test does on each main page: a screenshot for review, and axe-core's verdict."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.axe_source = AXE.read_text(encoding="utf-8") + "\n;true"

    def shot(self, page, name: str) -> Path:
        path = self.folder / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    def axe(self, page) -> list[dict]:
        """Serious and critical violations of WCAG 2.1 A/AA (and best practices) on the page."""
        # Evaluated rather than added as a <script>: the portal's Content-Security-Policy (its own
        # files only) would rightly refuse an injected one.
        if not page.evaluate("typeof window.axe !== 'undefined'"):
            page.evaluate(self.axe_source)
        result = page.evaluate("""async () => await axe.run(document, {
            runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']},
            resultTypes: ['violations']})""")
        return [{"id": v["id"], "impact": v["impact"], "help": v["help"],
                 "nodes": [n["target"] for n in v["nodes"]][:5]}
                for v in result["violations"] if v["impact"] in ("serious", "critical")]

    def page(self, page, name: str) -> None:
        """Screenshot, then no serious or critical accessibility violation."""
        self.shot(page, name)
        violations = self.axe(page)
        assert violations == [], f"{name}: " + json.dumps(violations, ensure_ascii=False, indent=1)


@pytest.fixture(scope="package")
def checks(screenshots) -> Checks:
    return Checks(screenshots)


def card_file(portal: str, fin: str, folder: Path) -> Path:
    """A person's test card file, as the simulator hands it out."""
    response = requests.get(f"{portal}/api/asan-sim/cards/{fin}/file", timeout=30)
    assert response.status_code == 200, response.text
    path = folder / f"test-card-{fin}.json"
    path.write_bytes(response.content)
    return path


def sign_with_card(page, card: Path, pin2: str, button: str) -> None:
    """Sign the document on the page's card form with `card`: a wrong PIN2 first, refused beside
    its field, then the right one (pressing the button named `button`)."""
    page.set_input_files("#f-card-file", str(card))
    page.fill("#f-pin", "0000")
    page.click(f"button:has-text('{button}')")
    page.wait_for_selector("#f-pin-error")
    assert "PİN kod yanlışdır." in page.locator("#f-pin-error").inner_text()
    page.fill("#f-pin", pin2)
    page.click(f"button:has-text('{button}')")


def login_with_card(page, portal: str, card: Path, pin: str, next_path: str = "/") -> None:
    page.goto(f"{portal}/login/card")
    page.set_input_files("#f-card-file", str(card))
    page.fill("#f-pin", pin)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(re.escape(portal) + re.escape(next_path) + r"(\?.*)?$"))


def confirm_on_phone(phone, code: str, pin: str, asks_for: str | None = None) -> None:
    """On the simulator's phone page: the request showing `code` answered with `pin`, as a person
    who compares the codes would. Other requests may wait on the same phone at the same time (a
    test person is shared across the suite), so the first form on the page is not necessarily
    ours; and a page that shows another request does not look again by itself, so it is reloaded
    (the page's "Yenilə") until ours is there — a signature's second part reaches the phone only
    when the service has seen the first confirmed."""
    from devtools.pytest_plugin import eventually

    request = phone.locator("section", has_text=code)

    def shown() -> bool:
        if request.count():
            return True
        try:
            phone.reload()
        except PlaywrightError:
            return False  # an idle phone page looks again by itself every 2 s: that navigation won
        return request.count() > 0
    eventually(shown, timeout=30, interval=0.5, message=f"the request with code {code} on the phone")
    if asks_for:
        assert asks_for in request.inner_text()
    request.locator("input[name=pin]").fill(pin)
    request.locator("button:has-text('Təsdiq et')").click()
    phone.wait_for_selector("text=Təsdiqləndi.")
