"""Whole flows of the portal in Chromium, as a person does them: log in with Asan İmza playing the
phone in a second tab, log in with the test card file and its PIN (a wrong PIN said clearly), act
for a company, read who looked up my data, switch to English, log out, and come back to the log-in
page when the session has ended. Each main page is screenshotted and checked with axe-core."""
from __future__ import annotations

import base64
import json
import re
import zlib

import pytest
import requests

from devtools.client import sim_identity
from devtools.pytest_plugin import eventually

from conftest import card_file, confirm_on_phone, login_with_card

HEAD = sim_identity(label="head of 3")          # Məmmədov İlqar, head of three companies
EMPLOYEE = sim_identity(label="employee 3")     # Həsənova Nərmin


def test_log_in_with_asan_imza_playing_the_phone_in_a_second_tab(portal, context, page, checks):
    page.goto(portal + "/")
    assert page.locator("html").get_attribute("lang") == "az"
    checks.page(page, "01-home")
    page.click("text=Portala giriş")
    checks.page(page, "02-login-choose")
    page.click("text=Asan İmza ilə daxil olmaq")
    page.fill("#f-phone", HEAD["phone"])
    page.fill("#f-user-id", HEAD["user_id"])
    checks.page(page, "03-login-asan")
    page.click("button:has-text('Giriş')")

    # The verification code, large, with the progress of the wait.
    page.wait_for_url(re.compile(r"/login/asan/wait$"))
    code = page.locator("[data-code]").inner_text().strip()
    assert re.fullmatch(r"\d{4}", code)
    assert page.locator("[data-status]").is_visible()
    checks.page(page, "04-login-asan-wait")

    # The phone, in a tab of its own (the simulator's page, linked from the waiting page).
    with context.expect_page() as opened:
        page.click("[data-sim-phone]")
    phone = opened.value
    phone.wait_for_load_state()
    phone.wait_for_selector(f"text={code}")
    checks.page(phone, "05-simulator-phone")
    confirm_on_phone(phone, code, HEAD["pin1"])

    # Back on the portal: the page noticed by itself and went on, logged in.
    page.wait_for_url(portal + "/", timeout=20_000)
    assert page.locator(".who").inner_text().startswith("Daxil olub:")
    assert f"{HEAD['surname']} {HEAD['name']}" in page.locator(".who").inner_text()
    checks.page(page, "06-home-logged-in")


def test_the_asan_form_says_what_is_wrong_beside_each_field_and_in_a_summary(portal, page, checks):
    page.goto(portal + "/login/asan")
    page.click("button:has-text('Giriş')")
    summary = page.locator(".error-summary")
    assert summary.is_visible()
    assert page.evaluate("document.activeElement.classList.contains('error-summary')")
    links = summary.locator("a")
    assert links.count() == 2
    assert page.locator("#f-phone").get_attribute("aria-invalid") == "true"
    assert "Mobil nömrə daxil edilməlidir." in page.locator("#f-phone-error").inner_text()
    checks.page(page, "07-login-asan-errors")
    # A link of the summary takes the focus to its field.
    links.nth(1).click()
    assert page.evaluate("document.activeElement.id") == "f-user-id"

    # The API's own refusal, in the person's language, beside the field it names.
    page.fill("#f-phone", "+99450111")
    page.fill("#f-user-id", "12")
    page.click("button:has-text('Giriş')")
    assert page.locator("#f-phone-error").is_visible()
    assert "+994" in page.locator("#f-phone-error").inner_text()
    assert "6 rəqəm" in page.locator("#f-user-id-error").inner_text()


def test_log_in_with_the_card_file_and_its_pin(portal, page, checks, tmp_path):
    card = card_file(portal, EMPLOYEE["fin"], tmp_path)
    page.goto(portal + "/login/card")
    checks.page(page, "08-login-card")

    # A wrong PIN opens nothing: said beside the PIN and in the summary, nothing sent.
    page.set_input_files("#f-card-file", str(card))
    page.fill("#f-pin", "0000")
    page.click("button:has-text('Daxil ol')")
    page.wait_for_selector("#f-pin-error")
    assert "PİN kod yanlışdır." in page.locator("#f-pin-error").inner_text()
    assert page.locator(".error-summary a[href='#f-pin']").is_visible()
    assert page.url.endswith("/login/card")
    checks.page(page, "09-login-card-wrong-pin")

    # A file that is no card.
    not_a_card = tmp_path / "notes.json"
    not_a_card.write_text(json.dumps({"hello": "world"}))
    page.set_input_files("#f-card-file", str(not_a_card))
    page.fill("#f-pin", EMPLOYEE["pin1"])
    page.click("button:has-text('Daxil ol')")
    page.wait_for_selector("#f-card-file-error")
    assert "elektron imza kartı faylı deyil" in page.locator("#f-card-file-error").inner_text()

    # The right PIN: the browser signs auth's challenge, and the person is in.
    page.set_input_files("#f-card-file", str(card))
    page.fill("#f-pin", EMPLOYEE["pin1"])
    page.click("button:has-text('Daxil ol')")
    page.wait_for_url(portal + "/")
    assert f"{EMPLOYEE['surname']} {EMPLOYEE['name']}" in page.locator(".who").inner_text()


def test_role_my_data_english_and_log_out(portal, page, checks, tmp_path):
    login_with_card(page, portal, card_file(portal, HEAD["fin"], tmp_path), HEAD["pin1"])
    companies = page.locator("#role-select option")
    assert companies.count() == 4  # himself and his three companies
    assert companies.nth(0).inner_text().strip() == "Vətəndaş (şəxsən özüm)"

    # Act as the head of a company; the header says so on every page.
    second = companies.nth(2)
    company_label = second.inner_text().strip()
    assert company_label.endswith("— rəhbər")
    page.select_option("#role-select", index=2)
    with page.expect_navigation():
        page.click("button:has-text('Rolu seç')")
    assert page.locator("#role-select option:checked").inner_text().strip() == company_label

    # My data: who looked up my personal data (the log-ins did), dates as dd.mm.yyyy.
    page.click("nav >> text=Məlumatlarım")
    page.wait_for_url(re.compile(r"/my-data$"))
    assert page.locator("h1").inner_text() == "Məlumatlarım"
    first_row = page.locator("table tbody tr").first
    assert re.match(r"\d{2}\.\d{2}\.\d{4} \d{2}:\d{2}", first_row.locator("td").nth(0).inner_text())
    assert first_row.locator("td").nth(3).inner_text().strip()  # the purpose, in words
    checks.page(page, "10-my-data")

    # English, on the same page, and it stays so.
    with page.expect_navigation():
        page.click("text=English")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text() == "My data"
    assert page.locator("th").first.inner_text() == "Date"
    checks.page(page, "11-my-data-english")
    page.goto(portal + "/")
    assert page.locator("html").get_attribute("lang") == "en"

    # Log out: back to the log-in page, told so; the pages behind it ask to log in again.
    with page.expect_navigation(url=re.compile(r"/login\?why=logged_out$")):
        page.click("button:has-text('Log out')")
    assert "You have logged out." in page.locator(".notice").inner_text()
    page.goto(portal + "/my-data")
    assert "/login" in page.url and "Log in to see this page." in page.locator(".notice").inner_text()


def _session_of(context) -> dict:
    """What the portal's signed session cookie holds (signed, not encrypted: the tests may read it)."""
    cookie = next(c for c in context.cookies() if c["name"] == "portal_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    payload = cookie["value"]
    compressed = payload.startswith(".")
    data = payload.lstrip(".").split(".")[0]
    raw = base64.urlsafe_b64decode(data + "=" * (-len(data) % 4))
    return json.loads(zlib.decompress(raw) if compressed else raw)


def test_an_ended_session_goes_back_to_log_in_and_then_to_the_page(portal, context, page, tmp_path):
    login_with_card(page, portal, card_file(portal, EMPLOYEE["fin"], tmp_path), EMPLOYEE["pin1"])
    # The page's scripts cannot read the token.
    assert page.evaluate("document.cookie").find("portal_session") == -1
    # The session ends elsewhere (logged out at auth): the token and its refresh stop working.
    token = _session_of(context)["tok"]
    assert requests.post(f"{portal}/api/auth/logout", headers={"Authorization": f"Bearer {token}"},
                         timeout=10).status_code == 204
    # Auth refuses the token at once, the registry moments later (the logout reaches it as an event).
    def sent_to_log_in():
        page.goto(portal + "/my-data")
        return "/login?" in page.url
    eventually(sent_to_log_in, timeout=20, interval=0.5, message="the portal sending the person to log in")
    assert "Sessiyanın vaxtı bitib" in page.locator(".notice").inner_text()
    # Logging in again comes back to the page.
    page.click("text=Elektron imza kartı ilə daxil olmaq")
    page.set_input_files("#f-card-file", str(card_file(portal, EMPLOYEE["fin"], tmp_path)))
    page.fill("#f-pin", EMPLOYEE["pin1"])
    page.click("button:has-text('Daxil ol')")
    page.wait_for_url(re.compile(r"/my-data$"))


@pytest.mark.parametrize("path", ["/", "/login", "/login/asan", "/login/card", "/developers"])
def test_usable_on_a_360_pixel_phone_screen(portal, browser, checks, path):
    phone = browser.new_context(locale="az-AZ", viewport={"width": 360, "height": 740}, is_mobile=True,
                                has_touch=True, device_scale_factor=2)
    try:
        page = phone.new_page()
        page.goto(portal + path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, "the page scrolls sideways"
        if path == "/login/asan":
            checks.shot(page, "12-login-asan-360px")
    finally:
        phone.close()


def test_the_header_and_my_data_fit_a_360_pixel_screen_when_logged_in(portal, browser, checks, tmp_path):
    phone = browser.new_context(locale="az-AZ", viewport={"width": 360, "height": 740}, is_mobile=True,
                                has_touch=True, device_scale_factor=2)
    try:
        page = phone.new_page()
        login_with_card(page, portal, card_file(portal, HEAD["fin"], tmp_path), HEAD["pin1"])
        for path in ("/", "/my-data"):
            page.goto(portal + path)
            wide = page.evaluate("""() => [...document.querySelectorAll('body *')]
                .filter(e => e.getBoundingClientRect().right > 361).slice(0, 8)
                .map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))""")
            assert page.evaluate("document.documentElement.scrollWidth") <= 360, (path, wide)
        checks.page(page, "14-my-data-360px")
    finally:
        phone.close()


def test_everything_by_keyboard(portal, page):
    page.goto(portal + "/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Əsas məzmuna keç"
    page.keyboard.press("Enter")
    # To the Asan İmza form and through it without a mouse.
    page.goto(portal + "/login/asan")
    page.focus("#f-phone")
    page.keyboard.type(HEAD["phone"])
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "f-user-id"
    page.keyboard.type(HEAD["user_id"])
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.tagName") == "BUTTON"
    # The focused control is marked visibly (the focus style is not the browser's default none).
    outline = page.evaluate("getComputedStyle(document.activeElement).backgroundColor")
    assert outline == "rgb(255, 221, 0)"
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/login/asan/wait$"))
    assert re.fullmatch(r"\d{4}", page.locator("[data-code]").inner_text().strip())
