"""Registering a company as an insurer in the portal, as the manual walks through it: the head of
"Xəzər Ulduzu İnşaat" fills the five sections with the directories' pickers, uploads a scan (a file
that is no PDF, JPEG or PNG is refused on the field; a PDF uploads with its progress shown), finds
the head by FİN, checks the answers and sends the application; operations staff find it in their
queue, open its document and register it; anyone then finds the account number by VÖEN. Each main
page is screenshotted and checked with axe-core."""
from __future__ import annotations

import re

import pytest

from devtools.client import sim_identity

from conftest import card_file, login_with_card

COMPANY = "1701100121"                                # Xəzər Ulduzu İnşaat: 41.20, 43.21, 71.12
HEAD = sim_identity(label="head of 3 companies")      # Məmmədov İlqar
STAFF = sim_identity(label="operations staff")        # Qasımova Leyla (STAFF_FINS)
OTHER = sim_identity(label="employee 3")
state: dict = {}


def scanned_pdf() -> bytes:
    from fpdf import FPDF

    doc = FPDF()
    doc.add_page()
    doc.set_font("helvetica", size=12)
    doc.cell(0, 10, "Dovlet qeydiyyati sehadetnamesi")
    return bytes(doc.output())


def _logged_in(browser, portal, person, folder, voen=None):
    context = browser.new_context(locale="az-AZ", viewport={"width": 1100, "height": 900}, accept_downloads=True)
    context.set_default_timeout(20_000)
    page = context.new_page()
    login_with_card(page, portal, card_file(portal, person["fin"], folder), person["pin1"])
    if voen:
        page.select_option("#role-select", value=voen)
        with page.expect_navigation():
            page.click("button:has-text('Rolu seç')")
    return context, page


def _fits_360(page) -> None:
    size = page.viewport_size
    page.set_viewport_size({"width": 360, "height": 740})
    try:
        wide = page.evaluate("""() => Array.from(document.querySelectorAll('body *'))
            .filter(e => e.getBoundingClientRect().right > 361).slice(0, 8)
            .map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))""")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, f"the page scrolls sideways: {wide}"
    finally:
        page.set_viewport_size(size)


def _save(page):
    page.click("button:has-text('Yadda saxla və davam et')")


def test_the_head_fills_the_five_sections_uploads_a_scan_and_sends(browser, portal, checks, tmp_path):
    context, page = _logged_in(browser, portal, HEAD, tmp_path, COMPANY)
    try:
        page.click("nav >> text=Sığortaedənlər")
        page.wait_for_url(re.compile(r"/insurers$"))
        checks.page(page, "ins-01-start")
        page.click("button:has-text('Yeni müraciət')")

        # 1. The insurer: pickers from the directories, dates as dd.mm.yyyy, the API's checks on the field.
        page.wait_for_url(re.compile(r"/insurers/applications/\w+/insurer$"))
        state["path"] = page.url.rsplit("/insurer", 1)[0]
        assert COMPANY in page.locator("main .summary-list").inner_text()
        page.select_option("#f-insurer-type", label="Hüquqi şəxs")
        page.fill("#f-full-name", '"Xəzər Ulduzu İnşaat" Məhdud Məsuliyyətli Cəmiyyəti')
        page.fill("#f-short-name", '"Xəzər Ulduzu İnşaat" MMC')
        page.fill("#f-registration-certificate-number", "ŞƏH-2010/0121")
        page.fill("#f-registration-date", "32.03.2010")
        page.fill("#f-voen-issued-on", "15.03.2010")
        page.fill("#f-parent-voen", "123")
        _save(page)
        assert "gün.ay.il" in page.locator("#f-registration-date-error").inner_text()
        assert page.locator("#f-parent-voen-error").is_visible()
        assert page.locator(".error-summary a[href='#f-parent-voen']").is_visible()
        checks.page(page, "ins-02-insurer-errors")
        page.fill("#f-registration-date", "15.03.2010")
        page.fill("#f-parent-voen", "")
        _save(page)

        # The scanned documents: a file that only pretends to be a PNG is refused on the field ...
        page.wait_for_url(re.compile(r"/documents$"))
        fake = tmp_path / "şəhadətnamə.png"
        fake.write_bytes(b"not an image at all, just text\n" * 40)
        page.set_input_files("#f-file", str(fake))
        page.click("button:has-text('Yüklə')")
        page.wait_for_selector("#f-file-error")
        assert "PDF, JPEG" in page.locator("#f-file-error").inner_text()
        assert page.evaluate("document.activeElement.classList.contains('error-summary')")
        checks.page(page, "ins-03-upload-refused")
        # ... a PDF uploads, its progress shown, and is listed.
        scan = tmp_path / "dövlət qeydiyyatı şəhadətnaməsi.pdf"
        scan.write_bytes(scanned_pdf())
        page.set_input_files("#f-file", str(scan))
        # What the progress said is kept across the page's reload (the upload may be over at once).
        page.evaluate("""() => {
            const box = document.querySelector('[data-upload-progress]');
            new MutationObserver(() => {
                if (!box.hidden) { sessionStorage.setItem('uploadProgress', box.textContent.trim()); }
            }).observe(box, {attributes: true, childList: true, subtree: true, characterData: true});
        }""")
        with page.expect_navigation():
            page.click("button:has-text('Yüklə')")
        assert re.match(r"Yüklənir: \d+%|Fayl yoxlanılır", page.evaluate("sessionStorage.getItem('uploadProgress')") or "")
        assert "yükləndi" in page.locator(".notice-success").inner_text()
        assert "dövlət qeydiyyatı şəhadətnaməsi.pdf" in page.locator("table").inner_text()
        checks.page(page, "ins-04-documents")
        _fits_360(page)
        page.click("a.button:has-text('Davam et')")

        # 2. Activity types registered for this VÖEN, ownership, legal form.
        page.wait_for_url(re.compile(r"/activities$"))
        assert page.locator("#f-main-activity option").count() == 4  # "Seçin" and the three registered
        page.select_option("#f-main-activity", value="41.20")
        page.check("label:has-text('43.21')")
        page.check("label:has-text('41.20')")  # the main one again: refused by the service
        page.select_option("#f-ownership-type", label="Xüsusi mülkiyyət")
        page.select_option("#f-legal-form", value="111")
        _save(page)
        assert "41.20" in page.locator("#f-auxiliary-activities-error").inner_text()
        page.uncheck("label:has-text('41.20')")
        checks.page(page, "ins-05-activities")
        _save(page)

        # 3. The legal address; 4. the actual address, the same.
        page.wait_for_url(re.compile(r"/legal-address$"))
        page.select_option("#f-legal-address-district-code", value="AZ-BA-XTA")
        page.fill("#f-legal-address-text", "Xətai prospekti 24")
        _save(page)
        page.wait_for_url(re.compile(r"/actual-address$"))
        assert not page.locator("#f-actual-address-text").is_visible()  # shown only for another address
        page.check("label:has-text('Xeyr, başqa ünvandır')")
        assert page.locator("#f-actual-address-text").is_visible()
        page.check("label:has-text('Bəli')")
        checks.page(page, "ins-06-actual-address")
        _save(page)

        # 5. The head, found by FİN; someone the tax registry does not name is refused.
        page.wait_for_url(re.compile(r"/head$"))
        page.fill("#f-head-fin", OTHER["fin"])
        page.click("button:has-text('Axtar')")
        assert page.locator("#f-head-fin-error").is_visible()
        page.fill("#f-head-fin", HEAD["fin"].lower())
        page.click("button:has-text('Axtar')")
        assert "Məmmədov İlqar Rəşid oğlu" in page.locator(".found").inner_text()
        page.fill("#f-contact-email", "muhasibat@xezer-ulduzu.example")
        page.fill("#f-contact-phone", "+994 12 404 01 21")
        checks.page(page, "ins-07-head")
        _save(page)

        # Check your answers, then send.
        page.wait_for_url(re.compile(r"/insurers/applications/\w+$"))
        assert page.locator(".error-summary").count() == 0
        main = page.locator("main").inner_text()
        assert "Xətai prospekti 24" in main and "41.20" in main and "dövlət qeydiyyatı şəhadətnaməsi.pdf" in main
        checks.page(page, "ins-08-check")
        _fits_360(page)
        page.click("button:has-text('Göndər')")
        page.wait_for_url(re.compile(r"/sent$"))
        assert "Müraciət göndərildi" in page.locator("h1").inner_text()
        checks.page(page, "ins-09-sent")
        page.goto(portal + "/insurers")
        assert "Baxılır" in page.locator("table").inner_text()
    finally:
        context.close()


def test_staff_register_it_from_their_queue_and_anyone_finds_its_account_number(browser, portal, checks, tmp_path):
    if not state.get("path"):
        pytest.skip("no application was sent")
    context, page = _logged_in(browser, portal, STAFF, tmp_path)
    try:
        page.click("nav >> text=Sığortaedənlər")
        page.click("text=Müraciətlərə baxış")
        page.wait_for_url(re.compile(r"/insurers/review$"))
        row = page.locator("tbody tr", has_text=COMPANY)
        assert row.count() == 1 and "Baxılır" in row.inner_text()
        checks.page(page, "ins-10-review-queue")
        row.locator("a").click()
        page.wait_for_url(re.compile(r"/insurers/review/\w+$"))
        with page.expect_download() as scan:
            page.click("a:has-text('dövlət qeydiyyatı şəhadətnaməsi.pdf')")
        assert open(scan.value.path(), "rb").read(5) == b"%PDF-"
        # Rejecting needs a reason.
        page.check("label:has-text('Rədd et')")
        page.click("button:has-text('Qərarı təsdiq et')")
        assert page.locator("#f-reason-error").is_visible()
        checks.page(page, "ins-11-review-item")
        page.check("label:has-text('Uçota al')")
        page.click("button:has-text('Qərarı təsdiq et')")
        notice = page.locator(".notice-success").inner_text()
        number = re.search(r"SE-\d{7}", notice).group(0)
        assert "Uçota alınıb" in page.locator("main").inner_text()
    finally:
        context.close()

    # Anyone, without logging in.
    anonymous = browser.new_context(locale="az-AZ")
    try:
        page = anonymous.new_page()
        page.goto(portal + "/insurers")
        page.click("text=Sığortaedənin uçot nömrəsinin öyrənilməsi")
        page.fill("#f-voen", "1234567890")
        page.click("main button:has-text('Axtar')")
        assert page.locator("#f-voen-error").is_visible()
        page.fill("#f-voen", COMPANY)
        page.click("main button:has-text('Axtar')")
        result = page.locator("main .summary-list").inner_text()
        assert number in result and "Xəzər Ulduzu İnşaat" in result
        checks.page(page, "ins-12-account-number")
    finally:
        anonymous.close()
