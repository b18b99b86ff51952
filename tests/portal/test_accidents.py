"""Reporting a workplace accident in the portal, as the manual walks through it: a representative of
the café, authorised for accident reports, logs in, acts for the company, enters the incident,
finds two victims by FİN (one injured, one killed), gives her contacts, codes the fatal accident
for statistics when the check page asks for it, previews the report and sends it by signing with
PIN2 on the simulator's phone page in a second tab. The notice downloads as PDF and ADoc; the
history finds the report by a victim's name typed without Azerbaijani letters; a draft is deleted;
the open statistics say which counts are withheld. Each main page is screenshotted and checked
with axe-core, and the forms are checked at 360 px."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from urllib.parse import quote

import pytest

from devtools.client import ApiSession, sim_identity
from devtools.pytest_plugin import eventually

from conftest import card_file, confirm_on_phone, login_with_card, sign_with_card

CAFE = "1701100561"                                      # "Ağ Səhər" café, headed by Çingiz Hüseynov
HEAD = sim_identity(label="head of 1 company (cafe)")
REP = sim_identity(label="employee / representative 2")  # authorised here for accident reports only
INJURED = sim_identity(label="employee 3")               # Həsənova Nərmin
DIED = sim_identity(label="no job 1")                    # İsmayılova Ülviyyə
BAKU = timezone(timedelta(hours=4))
DISTRICT = "AZ-GA"                                       # Gəncə: no other test's accidents happened there
state: dict = {}


@pytest.fixture(scope="module")
def authorised(suite):
    """The head names himself first (the manual), then the representative, for accident reports."""
    head = ApiSession(suite.gateway_url).login(HEAD).act_for(CAFE)
    held = head.get("/api/contracts/authorities", params={"limit": 200}).json()["items"]
    active = {a["fin"] for a in held if a["status"] == "active"}
    for fin, scopes in ((HEAD["fin"], None), (REP["fin"], ["accidents"])):
        if fin not in active:
            granted = head.post("/api/contracts/authorities", json={"fin": fin, "valid_until": None, "scopes": scopes})
            assert granted.status_code == 201, granted.text
    rep = ApiSession(suite.gateway_url).login(REP)
    # Auth offers the company role once it has heard of the grant.
    eventually(lambda: rep.post("/api/auth/role", json={"voen": CAFE}).status_code == 200, timeout=20,
               message="the café's role for the representative")
    return True


@pytest.fixture(scope="module")
def rep_page(browser, portal, authorised, tmp_path_factory):
    """The representative's browser, logged in once with her card, acting for the café."""
    context = browser.new_context(locale="az-AZ", viewport={"width": 1100, "height": 900}, accept_downloads=True)
    context.set_default_timeout(20_000)
    page = context.new_page()
    login_with_card(page, portal, card_file(portal, REP["fin"], tmp_path_factory.mktemp("card")), REP["pin1"])
    page.select_option("#role-select", value=CAFE)
    with page.expect_navigation():
        page.click("button:has-text('Rolu seç')")
    assert page.locator("#role-select option:checked").get_attribute("value") == CAFE
    yield page
    context.close()


def _fits_360(page) -> None:
    width = page.viewport_size
    page.set_viewport_size({"width": 360, "height": 740})
    try:
        wide = page.evaluate("""() => Array.from(document.querySelectorAll('body *'))
            .filter(e => e.getBoundingClientRect().right > 361)
            .slice(0, 8).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))""")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, f"the page scrolls sideways: {wide}"
    finally:
        page.set_viewport_size(width)


def test_a_representative_reports_an_accident_with_two_victims_and_signs_it_on_the_phone(
        portal, rep_page, checks):
    page = rep_page
    page.click("nav >> text=Bədbəxt hadisələr")
    page.wait_for_url(re.compile(r"/accidents$"))
    checks.page(page, "acc-01-start")
    page.click("text=Yeni məlumat")

    # 1–2. The employer from the tax registry (read-only) and the incident; empty, it says what is missing.
    page.wait_for_url(re.compile(r"/accidents/new$"))
    assert "1701100561" in page.locator(".summary-list").first.inner_text()
    page.click("button:has-text('Yadda saxla və davam et')")
    assert page.locator(".error-summary").is_visible()
    assert "Hadisənin baş vermə tarixi daxil edilməlidir." in page.locator("#f-incident-date-error").inner_text()
    assert page.locator("#f-incident-address-error").is_visible()
    assert page.locator("#f-incident-district-code").get_attribute("aria-invalid") == "true"
    checks.page(page, "acc-02-incident-errors")
    when = datetime.now(BAKU) - timedelta(hours=3)
    page.fill("#f-incident-date", when.strftime("%d.%m.%Y"))
    page.fill("#f-incident-time", "25:61")
    page.select_option("#f-incident-district-code", value=DISTRICT)
    page.fill("#f-incident-address", "Atatürk prospekti 12, anbar")
    page.fill("#f-incident-description", "Rəfdən düşən qutular iki işçinin üstünə yıxılıb.")
    page.click("button:has-text('Yadda saxla və davam et')")
    assert "saat:dəqiqə" in page.locator("#f-incident-time-error").inner_text()
    assert page.locator("#f-incident-address").input_value() == "Atatürk prospekti 12, anbar"
    page.fill("#f-incident-time", when.strftime("%H:%M"))
    page.click("button:has-text('Yadda saxla və davam et')")

    # 3. The victims, one by one: the FİN search fills who they are; the outcome is chosen.
    page.wait_for_url(re.compile(r"/accidents/reports/\w+/victims$"))
    state["report_path"] = page.url.rsplit("/victims", 1)[0]
    checks.page(page, "acc-03-victims-empty")
    page.fill("#f-fin", "ZZZZZZ9")
    page.click("button:has-text('Axtar')")
    assert "Bu FİN ilə şəxs tapılmadı." in page.locator("#f-fin-error").inner_text()
    page.fill("#f-fin", INJURED["fin"].lower())
    page.click("button:has-text('Axtar')")
    found = page.locator(".found")
    assert INJURED["surname"] in found.inner_text() and INJURED["name"] in found.inner_text()
    page.click("button:has-text('Yadda saxla/əlavə et')")  # no outcome chosen yet
    assert "Hadisənin nəticəsini seçin." in page.locator("#f-outcome-error").inner_text()
    page.check("label:has-text('Xəsarət alıb')")
    checks.page(page, "acc-04-victim-found")
    page.click("button:has-text('Yadda saxla/əlavə et')")
    assert "zərərçəkənlərə əlavə edildi" in page.locator(".notice-success").inner_text()

    page.fill("#f-fin", DIED["fin"])
    page.click("button:has-text('Axtar')")
    page.check("label:has-text('Vəfat edib')")
    page.select_option("#f-injury", value="110")   # concussion and internal injuries
    page.select_option("#f-body-part", value="10")  # head
    page.click("button:has-text('Yadda saxla/əlavə et')")
    rows = page.locator("table tbody tr")
    assert rows.count() == 2
    assert "Vəfat edib" in rows.nth(1).inner_text() and DIED["surname"] in rows.nth(1).inner_text()
    checks.page(page, "acc-05-victims")
    # The same FİN twice is said at the search.
    page.fill("#f-fin", DIED["fin"])
    page.click("button:has-text('Axtar')")
    assert "artıq əlavə edilib" in page.locator("#f-fin-error").inner_text()
    page.click("a.button:has-text('Davam et')")

    # 4. The informant: her identity shown; the mobile and e-mail checked.
    page.wait_for_url(re.compile(r"/informant$"))
    assert REP["surname"] in page.locator(".summary-list").inner_text()
    page.fill("#f-informant-mobile", "+99450111")
    page.fill("#f-informant-email", "aysel@example.az")
    page.click("button:has-text('Yadda saxla və davam et')")
    assert "+994" in page.locator("#f-informant-mobile-error").inner_text()
    checks.page(page, "acc-06-informant-errors")
    page.fill("#f-informant-mobile", REP["phone"])
    page.click("button:has-text('Yadda saxla və davam et')")

    # ESAW coding of the incident: optional here, so it is skipped at first ...
    page.wait_for_url(re.compile(r"/coding$"))
    page.click("button:has-text('Yadda saxla və davam et')")

    # 5. ... and the check page says a fatal accident needs it before signing, linked to the field.
    page.wait_for_url(re.compile(r"/reports/\w+$"))
    missing = page.locator(".error-summary")
    # The incident's three codes, and the injured victim's two (the other's were given).
    assert "ESAW" in missing.inner_text() and missing.locator("a").count() == 5
    assert page.locator("button:has-text('Göndər')").count() == 0
    checks.page(page, "acc-07-check-incomplete")
    missing.locator("a").first.click()
    page.wait_for_url(re.compile(r"/coding#f-incident-deviation$"))
    page.select_option("#f-incident-deviation", value="30")
    page.select_option("#f-incident-contact", value="40")
    page.select_option("#f-incident-material-agent", value="14")
    page.click("button:has-text('Yadda saxla və davam et')")
    page.wait_for_url(re.compile(r"/reports/\w+$"))
    missing.locator("a", has_text=INJURED["surname"]).first.click()
    page.wait_for_url(re.compile(r"/victims/%s\?from=check#f-injury$" % INJURED["fin"]))
    assert page.locator("#f-outcome").is_checked()  # injured, as she was added
    page.select_option("#f-injury", value="020")   # bone fractures
    page.select_option("#f-body-part", value="60")
    page.click("button:has-text('Yadda saxla və davam et')")
    page.wait_for_url(re.compile(r"/reports/\w+$"))
    assert page.locator(".error-summary").count() == 0
    summary = page.locator("main").inner_text()
    assert "Atatürk prospekti 12, anbar" in summary and "Gəncə" in summary and "Vəfat edib" in summary
    assert "24 saat" in page.locator(".notice-warning").inner_text()
    checks.page(page, "acc-08-check")
    _fits_360(page)

    # The preview: the draft as it will be filed.
    with page.expect_download() as preview:
        page.click("text=Baxış (PDF)")
    assert open(preview.value.path(), "rb").read(5) == b"%PDF-"

    # Send: the verification code, large; the phone in a second tab, confirmed with PIN2 (twice:
    # the report and its PDF are signed one after the other).
    page.click("button:has-text('Göndər')")
    page.wait_for_url(re.compile(r"/signing$"))
    code = page.locator("[data-code]").inner_text().strip()
    assert re.fullmatch(r"\d{4}", code)
    assert page.locator("[data-status]").is_visible()
    checks.page(page, "acc-09-signing")
    phone = page.context.new_page()
    phone.goto(f"{portal}/api/asan-sim/phones/{quote(REP['phone'])}")
    phone.wait_for_selector(f"text={code}")
    assert "İmzalama sorğusu" in phone.locator("section", has_text=code).inner_text()
    confirm_on_phone(phone, code, REP["pin2"])

    # The second part asks with a code of its own, shown on the portal's page as it comes (the
    # first request, answered, is no longer on the phone).
    def second_request():
        shown = page.locator("[data-code]").inner_text().strip()
        phone.reload()
        return shown if phone.locator("section", has_text=shown).count() else None
    second_code = eventually(second_request, timeout=20, interval=0.5, message="the phone's second signing request")
    confirm_on_phone(phone, second_code, REP["pin2"])
    phone.close()

    # Back on the portal the page noticed by itself: sent, under its registration number.
    page.wait_for_url(re.compile(r"/sent$"), timeout=30_000)
    number = page.locator("[data-registration-number]").inner_text().strip()
    assert re.fullmatch(r"BH-\d{4}-\d{6}", number)
    state["number"] = number
    checks.page(page, "acc-10-sent")
    with page.expect_download() as notice:
        page.click("text=Bildirişi yüklə (PDF)")
    assert open(notice.value.path(), "rb").read(5) == b"%PDF-"
    assert number in notice.value.suggested_filename or notice.value.suggested_filename.endswith(".pdf")
    with page.expect_download() as container:
        page.click("text=İmzalanmış sənəd (ADoc)")
    assert open(container.value.path(), "rb").read(2) == b"PK"


def test_the_history_finds_the_report_by_a_victims_name_without_azerbaijani_letters(rep_page, checks):
    page = rep_page
    number = state.get("number")
    if not number:
        pytest.skip("the report was not sent")
    page.click("nav >> text=Bədbəxt hadisələr")
    page.click("text=Tarixçə")
    page.wait_for_url(re.compile(r"/accidents/history$"))
    page.fill("#f-q", "hesenova nermin")
    page.click("form[role=search] button:has-text('Axtar')")
    page.wait_for_url(re.compile(r"/accidents/history\?"))
    row = page.locator("tbody tr", has_text=number)
    assert row.count() == 1
    assert "Göndərilib" in row.inner_text() and "Həsənova Nərmin" in row.inner_text()
    checks.page(page, "acc-11-history-search")
    _fits_360(page)
    # A date the portal cannot read is said beside the field.
    page.fill("#f-from", "31.02.2026")
    page.click("form[role=search] button:has-text('Axtar')")
    assert "gün.ay.il" in page.locator("#f-from-error").inner_text()
    # The signed report opens with its notice; nothing in it can be changed any more.
    page.goto(page.url.split("/accidents/")[0] + "/accidents/history?q=" + number)
    page.click(f"a:has-text('{number}')")
    page.wait_for_url(re.compile(r"/accidents/reports/\w+$"))
    assert page.locator("h1").inner_text() == number
    assert page.locator("text=Dəyiş").count() == 0
    checks.page(page, "acc-12-report")


def test_a_draft_is_signed_later_from_the_history_or_deleted(rep_page, portal, checks):
    page = rep_page
    page.goto(portal + "/accidents/new")
    when = datetime.now(BAKU) - timedelta(hours=1)
    page.fill("#f-incident-date", when.strftime("%d.%m.%Y"))
    page.fill("#f-incident-time", when.strftime("%H:%M"))
    page.select_option("#f-incident-district-code", value=DISTRICT)
    page.fill("#f-incident-address", "Atatürk prospekti 12, həyət")
    page.fill("#f-incident-description", "Sürüşkən pilləkən.")
    page.click("button:has-text('Yadda saxla və davam et')")
    page.wait_for_url(re.compile(r"/victims$"))
    page.goto(portal + "/accidents/history?status=draft")
    row = page.locator("tbody tr", has_text="Qaralama").first
    assert "İmzalanmayıb" in row.inner_text()
    # "Sign" opens the draft's check page, which says what it lacks.
    row.locator("a", has_text="İmzala").click()
    page.wait_for_url(re.compile(r"/accidents/reports/\w+$"))
    assert "Ən azı bir zərərçəkən" in page.locator(".error-summary").inner_text()
    page.click("main >> text=Sil")
    page.wait_for_url(re.compile(r"/delete$"))
    checks.page(page, "acc-13-delete")
    page.click("button:has-text('Bəli, sil')")
    page.wait_for_url(re.compile(r"/accidents/history$"))
    assert "Qaralama silindi." in page.locator(".notice-success").inner_text()


def test_the_open_statistics_show_withheld_counts_as_such(portal, page, checks):
    if not state.get("number"):
        pytest.skip("no report was sent")
    page.goto(portal + "/accidents/statistics?group_by=outcome&district=" + DISTRICT)
    assert page.locator("h1").inner_text() == "Bədbəxt hadisələrin statistikası"
    table = page.locator("table")
    # Two victims in Gəncə this year: both counts and the total are under 5.
    assert "5-dən az (göstərilmir)" in table.inner_text()
    assert table.locator("caption").inner_text().endswith("nəticə üzrə")
    checks.page(page, "acc-14-statistics")
    page.goto(portal + "/accidents/statistics?lang=en")
    assert page.locator("h1").inner_text() == "Accidents at work: statistics"
    page.set_viewport_size({"width": 360, "height": 740})
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_a_complete_draft_is_signed_with_the_e_signature_card_when_the_service_offers_it(
        suite, rep_page, portal, checks, tmp_path):
    rep = ApiSession(suite.gateway_url).login(REP).act_for(CAFE)
    opened = rep.post("/api/accidents/reports", json={
        "incident": {"occurred_at": (datetime.now(BAKU) - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
                     "district_code": DISTRICT, "address": "Atatürk prospekti 12, mətbəx",
                     "description": "Bıçaqla əl kəsilib."},
        "victims": [{"fin": INJURED["fin"], "outcome": "injured"}],
        "informant": {"mobile": REP["phone"], "email": "aysel@example.az"}})
    assert opened.status_code == 201, opened.text
    page = rep_page
    page.goto(f"{portal}/accidents/reports/{opened.json()['id']}")
    page.click("button:has-text('Elektron imza kartı ilə imzala və göndər')")
    page.wait_for_url(re.compile(r"/card$"))
    checks.page(page, "acc-15-card")
    sign_with_card(page, card_file(portal, REP["fin"], tmp_path), REP["pin2"], "İmzala və göndər")
    page.wait_for_url(re.compile(r"/sent$"), timeout=30_000)
    assert re.fullmatch(r"BH-\d{4}-\d{6}", page.locator("[data-registration-number]").inner_text().strip())
