"""The contracts and certificates manuals in Chromium, as people do them, against the real suite:
the head of a company logs in with Asan İmza (the phone in a second tab), grants himself the
authority first and then a representative, enters a notice (the employee's name comes from the
population registry), finds it in the register and signs it with PIN2 on the phone; the
employee sees it among their own notices and issues an addressed certificate on it; the head of
a bank opens the link of the certificate's QR code, logs in and sees it valid; both verification
histories show the check; the employee deactivates the certificate and the history says so; the
head terminates the contract with a ground from the directory. Each main page is screenshotted
and checked with axe-core; some at 360 px and in English."""
from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest

from devtools.client import ApiSession, sim_identity
from devtools.pytest_plugin import eventually
from egov_kit.clock import baku_today

from conftest import card_file, confirm_on_phone, login_with_card, sign_with_card

HEAD = sim_identity(label="head of 3 companies")            # Məmmədov İlqar
REPRESENTATIVE = sim_identity(label="employee / representative 2")  # Quliyev Söhrab
EMPLOYEE = sim_identity(label="employee 4")                 # Ağayev Tuğrul
BANK_HEAD = sim_identity(label="head of a bank")            # Bağırova Səbinə
COMPANY = "1701100341"      # Göygöl Aqro, one of the head's companies
BANK = "9900072351"         # Dan Ulduzu bank: the certificate's addressee and its verifier
CONTRACT_NUMBER = f"GA-{uuid.uuid4().hex[:6].upper()}"


def day(offset: int) -> str:
    return (baku_today() + timedelta(days=offset)).strftime("%d.%m.%Y")


@pytest.fixture(scope="module")
def state() -> dict:
    """What one step of the story leaves for the next (the notice, the certificate)."""
    return {}


@pytest.fixture(scope="module", autouse=True)
def company_without_authorities(portal):
    """The story starts where the manual does: nobody holds an authority in the company yet."""
    head = ApiSession(portal).login(HEAD).act_for(COMPANY)
    for held in head.get("/api/contracts/authorities", params={"limit": 200}).json()["items"]:
        if held["status"] == "active":
            assert head.delete(f"/api/contracts/authorities/{held['id']}").status_code == 200


def _person_context(browser):
    context = browser.new_context(locale="az-AZ", viewport={"width": 1100, "height": 900}, accept_downloads=True)
    context.set_default_timeout(20_000)
    return context


@pytest.fixture(scope="module")
def head_page(browser, portal, checks):
    """The head, logged in with Asan İmza: the code on the portal, PIN1 on the phone's page."""
    context = _person_context(browser)
    page = context.new_page()
    page.goto(portal + "/login/asan")
    page.fill("#f-phone", HEAD["phone"])
    page.fill("#f-user-id", HEAD["user_id"])
    page.click("button:has-text('Giriş')")
    page.wait_for_url(re.compile(r"/login/asan/wait$"))
    code = page.locator("[data-code]").inner_text().strip()
    phone = context.new_page()
    phone.goto(f"{portal}/api/asan-sim/phones/{HEAD['phone']}")
    confirm_on_phone(phone, code, HEAD["pin1"])
    page.wait_for_url(portal + "/")
    phone.close()
    # The company's role, chosen at the top of the page (manual 2.5).
    page.select_option("#role-select", COMPANY)
    with page.expect_navigation():
        page.click("button:has-text('Rolu seç')")
    yield page
    context.close()


@pytest.fixture(scope="module")
def employee_page(browser, portal, tmp_path_factory):
    context = _person_context(browser)
    page = context.new_page()
    login_with_card(page, portal, card_file(portal, EMPLOYEE["fin"], tmp_path_factory.mktemp("cards")), EMPLOYEE["pin1"])
    yield page
    context.close()


def confirm_signing_on_the_phone(page, portal: str, person: dict) -> None:
    """On the phone's page in a second tab: each signing request whose code the portal shows now,
    confirmed with PIN2 (a notice asks twice: "1/2", "2/2"), until the portal says it is done."""
    phone = page.context.new_page()
    phone.goto(f"{portal}/api/asan-sim/phones/{person['phone']}")
    confirmed: set[str] = set()
    for _ in range(4):
        if "/sign/" not in page.url:
            break
        code = page.locator("[data-code]").inner_text().strip()
        if code in confirmed:
            page.wait_for_timeout(300)
            continue
        confirm_on_phone(phone, code, person["pin2"], asks_for="PİN2")
        confirmed.add(code)
        # The portal goes on by itself, or shows the next part's code.
        eventually(lambda: _moved_on(page, confirmed), timeout=20, interval=0.2,
                   message="the portal noticing the confirmation")
    phone.close()
    assert "/sign/" not in page.url


def _moved_on(page, confirmed: set[str]) -> bool:
    if "/sign/" not in page.url:
        return True
    try:
        shown = page.locator("[data-code]").all_inner_texts()  # does not wait
    except Exception:  # noqa: BLE001 - the page is navigating
        return False
    return bool(shown) and shown[0].strip() not in confirmed


# --- contracts ------------------------------------------------------------------------------

def test_the_head_grants_himself_first_then_a_representative(portal, head_page, checks):
    page = head_page
    page.click("nav >> text=Əmək müqavilələri")
    page.click("text=Əmək müqaviləsini bağlamaq səlahiyyəti olan şəxslər")
    page.wait_for_url(re.compile(r"/contracts/authorities$"))
    assert "özünüzə səlahiyyət verin" in page.locator("main").inner_text()
    checks.page(page, "ct-01-authorities-empty")

    page.click("text=Özümə səlahiyyət ver")
    assert HEAD["fin"] in page.locator("main").inner_text()
    checks.page(page, "ct-02-authority-self")
    page.click("button:has-text('Səlahiyyət ver')")
    assert "səlahiyyət qeydə alındı" in page.locator("[data-flash]").inner_text()
    # The newest first (earlier runs of the story leave withdrawn ones below).
    row = page.locator("tbody tr", has_text=HEAD["fin"]).first
    assert "Qüvvədədir" in row.inner_text() and "Müddətsiz" in row.inner_text()

    # A representative, fixed-term: first without its last day, said beside the field.
    page.click("text=Səlahiyyətli nümayəndə əlavə et")
    page.fill("#f-fin", REPRESENTATIVE["fin"].lower())
    page.check("#f-kind-2")  # Müddətli
    assert page.locator("#f-valid-until").is_visible()
    page.uncheck("#f-scopes-2")  # not the accidents
    page.click("button:has-text('Səlahiyyət ver')")
    assert page.locator(".error-summary a[href='#f-valid-until']").is_visible()
    assert page.locator("#f-valid-until").get_attribute("aria-invalid") == "true"
    checks.page(page, "ct-03-authority-errors")
    page.fill("#f-valid-until", day(90))
    page.click("button:has-text('Səlahiyyət ver')")
    page.wait_for_url(re.compile(r"/contracts/authorities$"))
    row = page.locator("tbody tr", has_text=REPRESENTATIVE["fin"]).first
    assert f"{REPRESENTATIVE['surname']} {REPRESENTATIVE['name']}" in row.inner_text()  # from the registry
    assert f"{day(90)} tarixinədək" in row.inner_text() and "Bədbəxt hadisələr" not in row.inner_text()
    checks.page(page, "ct-04-authorities")

    # The head withdraws it again, after a question.
    row.locator("text=Səlahiyyəti geri al").click()
    checks.page(page, "ct-05-authority-withdraw")
    page.click("button:has-text('Səlahiyyəti geri al')")
    assert "geri alındı" in page.locator("[data-flash]").inner_text()
    row = page.locator("tbody tr", has_text=REPRESENTATIVE["fin"]).first
    assert "Geri alınıb" in row.inner_text()


def test_the_head_enters_a_notice_and_signs_it_with_pin2(portal, head_page, checks, state):
    page = head_page
    page.goto(portal + "/contracts")
    page.click("text=Əmək Müqaviləsi Bildirişinin daxil edilməsi")
    checks.page(page, "ct-06-notice-form")

    # Mistakes are said in the summary and beside each field, in Azerbaijani.
    page.fill("#f-employee-fin", EMPLOYEE["fin"])
    page.fill("#f-contract-date", "31.02.2026")
    page.fill("#f-salary", "-5")
    page.click("button:has-text('Yadda saxla')")
    assert page.locator(".error-summary").is_visible()
    assert "gg.aa.iiii" in page.locator("#f-contract-date-error").inner_text()
    assert page.locator(".error-summary a[href='#f-salary']").is_visible()
    assert page.locator("#f-employee-fin").input_value() == EMPLOYEE["fin"]  # kept as typed
    checks.page(page, "ct-07-notice-errors")

    page.fill("#f-position", "Aqronom")
    page.select_option("#f-occupation-code", "2142")
    page.fill("#f-workplace", "Göygöl sahəsi")
    page.fill("#f-contract-number", CONTRACT_NUMBER)
    page.fill("#f-contract-date", day(-40))
    page.fill("#f-start-date", day(-30))
    page.check("#f-contract-type")  # Müddətsiz
    assert not page.locator("#f-end-date").is_visible()
    page.fill("#f-salary", "1 250,50")
    page.check("#f-working-time")  # Tam iş vaxtı
    page.click("button:has-text('Yadda saxla')")

    # Check your answers: the employee's name and birth date come from the population registry.
    page.wait_for_url(re.compile(r"/contracts/notices/[^/]+$"))
    state["notice_url"] = page.url
    main = page.locator("main").inner_text()
    assert "Bildirişi yoxlayın və imzalayın" in main and "İmzalanmayıb" in main
    assert f"{EMPLOYEE['surname']} {EMPLOYEE['name']}" in main
    assert "1 250,50 AZN" in main and "Müddətsiz" in main and day(-30) in main
    checks.page(page, "ct-08-notice-check")

    # The register, searched by the contract number; "Bildirişi imzala" on the notice's row.
    page.goto(portal + "/contracts/notices")
    page.fill("#f-q", CONTRACT_NUMBER)
    page.click("button:has-text('Axtar')")
    rows = page.locator("tbody tr")
    assert rows.count() == 1 and "İmzalanmayıb" in rows.first.inner_text()
    checks.page(page, "ct-09-register")
    rows.first.locator("button:has-text('Bildirişi imzala')").click()

    # The code large, the wait in progress; PIN2 on the phone.
    page.wait_for_url(re.compile(r"/sign/notice$"))
    assert re.fullmatch(r"\d{4}", page.locator("[data-code]").inner_text().strip())
    assert page.locator("[data-status]").is_visible() and "PİN2" in page.locator("main").inner_text()
    checks.page(page, "ct-10-signing-wait")
    confirm_signing_on_the_phone(page, portal, HEAD)

    # Signed: said so, the status and the signing date in the notice and in the register.
    assert page.url == state["notice_url"]
    assert "müvəffəqiyyətlə imzalandı" in page.locator("[data-flash]").inner_text()
    assert "İmzalanıb" in page.locator("main").inner_text()
    checks.page(page, "ct-11-notice-signed")
    with page.expect_download() as pdf:
        page.click("text=PDF yüklə")
    assert open(pdf.value.path(), "rb").read().startswith(b"%PDF")
    with page.expect_download() as adoc:
        page.click("text=ADoc yüklə")
    assert open(adoc.value.path(), "rb").read().startswith(b"PK")
    assert page.locator("a:has-text('Çap et')").get_attribute("target") == "_blank"
    page.goto(portal + f"/contracts/notices?q={CONTRACT_NUMBER}")
    row = page.locator("tbody tr").first
    assert "İmzalanıb" in row.inner_text() and baku_today().strftime("%d.%m.%Y") in row.inner_text()


def test_the_employee_sees_the_notice_among_their_own(portal, employee_page, checks):
    page = employee_page
    page.goto(portal + "/contracts")
    page.click("text=Əmək müqaviləsi bildirişlərim")
    page.fill("#f-q", CONTRACT_NUMBER)
    page.click("button:has-text('Axtar')")
    row = page.locator("tbody tr").first
    assert "Göygöl" in row.inner_text() and "İmzalanıb" in row.inner_text()
    checks.page(page, "ct-12-my-notices")
    with page.expect_download() as pdf:
        row.locator("a:has-text('PDF')").click()
    assert open(pdf.value.path(), "rb").read().startswith(b"%PDF")


# --- certificates ---------------------------------------------------------------------------

def test_the_employee_issues_an_addressed_certificate(portal, employee_page, checks, state):
    page = employee_page
    page.goto(portal + "/certificates")
    checks.page(page, "cf-01-menu")
    page.click("text=Yeni arayış")

    # The certificates service hears of the signed notice from the bus.
    def listed():
        page.goto(portal + f"/certificates/new?q={CONTRACT_NUMBER}")
        return page.locator("tbody tr", has_text=CONTRACT_NUMBER).count() == 1
    eventually(listed, timeout=20, interval=0.5, message="the signed notice among the contracts in force")
    checks.page(page, "cf-02-contracts")
    page.locator("tbody tr", has_text=CONTRACT_NUMBER).locator("input[type=radio]").check()
    page.click("button:has-text('Davam et')")

    page.wait_for_url(re.compile(r"/certificates/new/form\?"))
    assert CONTRACT_NUMBER in page.locator("main").inner_text()
    page.check("#f-type-2")  # Əmək haqqı göstərilməklə
    page.fill("#f-valid-until", day(60))
    page.fill("#f-mobile", EMPLOYEE["phone"])
    page.fill("#f-email", "tugrul@example.az")
    page.select_option("#f-purpose", "01")
    # Addressed: the organisation search opens; nothing chosen yet is said.
    assert not page.locator("#f-org-q").is_visible()
    page.check("#f-destination-2")
    assert page.locator("#f-org-q").is_visible()
    page.get_by_role("button", name="Təsdiqlə").click()
    assert page.locator(".error-summary a[href='#f-addressee-voen']").is_visible()
    checks.page(page, "cf-03-form-errors")
    page.fill("#f-org-q", "Dan Ulduzu")
    page.click("#organisation-picker button:has-text('Axtar')")
    page.check(f"input[name=addressee_voen][value='{BANK}']")
    page.check("#f-notify-addressee-on-revoke")  # Bəli
    assert page.locator("#f-email").input_value() == "tugrul@example.az"  # kept through the search
    checks.page(page, "cf-04-form")
    page.get_by_role("button", name="Təsdiqlə").click()

    page.wait_for_url(re.compile(r"/certificates/issued/"))
    number = page.locator("[data-number]").inner_text().strip()
    assert number.startswith("AR-") and "Arayış hazırlandı" in page.locator("[data-flash]").inner_text()
    main = page.locator("main").inner_text()
    assert "1 250,50 AZN" in main and "Dan Ulduzu" in main and "Aktiv" in main
    checks.page(page, "cf-05-certificate")
    with page.expect_download() as pdf:
        page.click("text=Arayışı yüklə (PDF)")
    data = open(pdf.value.path(), "rb").read()
    assert data.startswith(b"%PDF")
    # The link the certificate prints (and its QR code holds): the portal's page checking it.
    link = re.search(rb"/URI \((https?://[^)]+)\)", data).group(1).decode()
    assert link == f"{portal}/certificates/verify/{number}"
    assert page.locator("[data-verification-url]").get_attribute("href") == link
    state.update(number=number, link=link)


def test_the_bank_verifies_it_by_opening_its_qr_link(portal, browser, checks, state, tmp_path):
    context = _person_context(browser)
    try:
        page = context.new_page()
        page.goto(state["link"])
        # Logged in first, then the result (the check records who made it).
        assert "/login?" in page.url
        page.click("text=Elektron imza kartı ilə daxil olmaq")
        page.set_input_files("#f-card-file", str(card_file(portal, BANK_HEAD["fin"], tmp_path)))
        page.fill("#f-pin", BANK_HEAD["pin1"])
        page.click("button:has-text('Daxil ol')")
        page.wait_for_url(state["link"])
        result = page.locator("[data-result]")
        assert result.get_attribute("data-result") == "valid"
        text = result.inner_text()
        assert "Arayış etibarlıdır." in text and f"{EMPLOYEE['surname']} {EMPLOYEE['name']}" in text
        assert "1 250,50 AZN" in text
        checks.page(page, "cf-06-verify-qr")
        with page.expect_download() as pdf:
            page.click("text=Arayışı yüklə (PDF)")
        assert open(pdf.value.path(), "rb").read().startswith(b"%PDF")
        # Acting for the bank, typed by hand in "Arayışların yoxlanılması".
        page.select_option("#role-select", BANK)
        with page.expect_navigation():
            page.click("button:has-text('Rolu seç')")
        page.goto(portal + "/certificates/verify")
        page.fill("#f-number", state["number"].lower())
        page.click("button:has-text('Arayışı yoxla')")
        assert page.locator("[data-result]").get_attribute("data-result") == "valid"
        page.click("nav >> text=Arayışlar")
        page.click("text=Mənim yoxladığım arayışlar")
        rows = page.locator("tbody tr", has_text=state["number"])
        assert rows.count() >= 2 and EMPLOYEE["surname"] in rows.first.inner_text()
        checks.page(page, "cf-07-checked-by-me")
        state["bank_context"] = context
    except BaseException:
        context.close()
        raise


def test_the_employee_sees_who_checked_it(portal, employee_page, checks, state):
    page = employee_page
    page.goto(portal + "/certificates/checks/of-mine")
    rows = page.locator("tbody tr", has_text=state["number"])
    assert rows.count() >= 2
    texts = [rows.nth(i).inner_text() for i in range(rows.count())]
    assert all(BANK_HEAD["surname"] in t and BANK_HEAD["fin"] in t for t in texts)
    assert any(BANK in t and "Dan Ulduzu" in t for t in texts)  # the check made for the bank
    assert re.search(r"\d{2}\.\d{2}\.\d{4} \d{2}:\d{2}", texts[0])
    checks.page(page, "cf-08-checked-mine")


def test_the_employee_deactivates_it_and_the_history_says_so(portal, employee_page, checks, state):
    page = employee_page
    page.goto(portal + "/certificates/history")
    row = page.locator(f"tr[data-number='{state['number']}']")
    assert "Aktiv" in row.inner_text()
    checks.page(page, "cf-09-history")
    row.locator("text=Deaktiv et").click()
    assert "Dan Ulduzu" in page.locator(".notice").inner_text()  # the addressee will be told
    checks.page(page, "cf-10-revoke")
    page.click("button:has-text('Deaktiv et')")
    page.wait_for_url(re.compile(r"/certificates/history$"))
    assert "deaktiv edildi" in page.locator("[data-flash]").inner_text()
    row = page.locator(f"tr[data-number='{state['number']}']")
    assert "Deaktiv edilib" in row.inner_text() and "Deaktiv et" not in row.inner_text()
    assert baku_today().strftime("%d.%m.%Y") in row.inner_text()

    # The bank checking it now learns nothing about its holder.
    bank = state.pop("bank_context")
    try:
        page = bank.new_page()
        page.goto(state["link"])
        result = page.locator("[data-result]")
        assert result.get_attribute("data-result") == "not_valid"
        assert EMPLOYEE["surname"] not in page.locator("main").inner_text()
        checks.page(page, "cf-11-verify-not-valid")
    finally:
        bank.close()


def test_the_head_terminates_the_contract_with_a_ground(portal, head_page, checks, state):
    page = head_page
    page.goto(state["notice_url"])
    page.click("text=Əmək müqaviləsinə xitam ver")
    page.fill("#f-date", day(-31))
    page.select_option("#f-ground", "69")
    page.click("button:has-text('Yadda saxla')")
    assert "#f-date" in page.locator(".error-summary a").first.get_attribute("href")  # before the start
    checks.page(page, "ct-12-termination-errors")
    page.fill("#f-date", day(0))
    page.click("button:has-text('Yadda saxla')")
    page.wait_for_url(state["notice_url"])
    assert "İşçinin təşəbbüsü ilə" in page.locator("main").inner_text()
    page.click("button:has-text('Xitam bildirişini imzala')")
    page.wait_for_url(re.compile(r"/sign/termination$"))
    confirm_signing_on_the_phone(page, portal, HEAD)
    assert "Xitam verilib" in page.locator("main").inner_text()
    checks.page(page, "ct-13-terminated")


# --- English, and a phone's screen --------------------------------------------------------

def test_in_english_and_on_a_360_pixel_screen(portal, employee_page, browser, checks, state):
    page = employee_page
    page.goto(portal + "/certificates/history?lang=en")
    assert page.locator("h1").inner_text() == "Certificate history"
    assert "Deactivated" in page.locator(f"tr[data-number='{state['number']}']").inner_text()
    checks.page(page, "cf-12-history-english")
    page.goto(portal + "/contracts/my-notices?lang=az")

    phone = browser.new_context(locale="az-AZ", viewport={"width": 360, "height": 740}, is_mobile=True,
                                has_touch=True, device_scale_factor=2)
    try:
        small = phone.new_page()
        small.context.add_cookies(page.context.cookies())
        for path, name in ((f"/certificates/issued/{state['number']}", "cf-13-certificate-360px"),
                           ("/certificates/new/form?contract_id=none", None),
                           ("/certificates/verify", "cf-14-verify-360px"),
                           ("/contracts/my-notices", "ct-14-my-notices-360px")):
            small.goto(portal + path)
            small.wait_for_load_state("networkidle")
            wide = small.evaluate("""() => [...document.querySelectorAll('body *')]
                .filter(e => e.getBoundingClientRect().right > 361 && !e.closest('.table-wrap'))
                .slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))""")
            assert small.evaluate("document.documentElement.scrollWidth") <= 360, f"{path} scrolls sideways: {wide}"
            if name:
                checks.page(small, name)
    finally:
        phone.close()


def test_the_head_signs_a_notice_with_the_e_signature_card(portal, head_page, checks, tmp_path):
    """The card instead of the phone: the notice's parts ("1/2", "2/2") signed in the page with
    PIN2, a wrong PIN said beside its field."""
    head = ApiSession(portal).login(HEAD).act_for(COMPANY)
    entered = head.post("/api/contracts/notices", json={
        "employee_fin": sim_identity(label="employee 3")["fin"], "position": "Mühasib", "occupation_code": "2411",
        "workplace": "Göygöl sahəsi", "contract_number": f"GA-{uuid.uuid4().hex[:6].upper()}",
        "contract_date": (baku_today() - timedelta(days=10)).isoformat(),
        "start_date": (baku_today() - timedelta(days=5)).isoformat(), "contract_type": "indefinite",
        "salary": "900", "working_time": "full"})
    assert entered.status_code == 201, entered.text
    page = head_page
    page.goto(f"{portal}/contracts/notices/{entered.json()['id']}")
    page.click("text=Elektron imza kartı ilə imzala")
    page.wait_for_url(re.compile(r"/sign/notice/card$"))
    checks.page(page, "ct-15-sign-with-card")
    sign_with_card(page, card_file(portal, HEAD["fin"], tmp_path), HEAD["pin2"], "Kartla imzala")
    page.wait_for_url(re.compile(r"/contracts/notices/[^/]+$"), timeout=30_000)
    assert "İmzalanıb" in page.locator("main").inner_text()
