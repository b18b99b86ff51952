"""The institutions' pages in Chromium, against the real suite: a bank's head reads, in the bank's
inbox, that a certificate addressed to it was revoked (revoked through the API by its holder),
registers a webhook and sees its secret once (copied with the button), watches a notification reach
the webhook in the delivery log, replaces the secret and deletes the webhook; the labour
inspectorate's head finds a webhook suspended when the representative who registered it lost the
authority, and confirms it; operations staff replay a dead letter and try a failed delivery again.
Each main page is screenshotted and checked with axe-core."""
from __future__ import annotations

import hashlib
import hmac
import json
import re
import uuid
from datetime import datetime, timedelta, timezone

import pytest

from devtools.client import ApiSession, sim_identity
from devtools.pytest_plugin import eventually
from egov_kit.bus import Publisher, new_event

from conftest import card_file, login_with_card
from webhook_receiver import Receiver

BANK = "9900072351"             # Dan Ulduzu Bank: the certificates' addressee
INSPECTORATE = "1400245611"     # the labour inspectorate: a webhook registered by a representative
EMPLOYER = "1701100121"         # one of İlqar Məmmədov's companies: the holder's employer
BANK_HEAD = sim_identity(label="head of a bank")
INSPECTORATE_HEAD = sim_identity(label="head of the labour inspectorate")
EMPLOYER_HEAD = sim_identity(label="head of 3 companies")
HOLDER = sim_identity(label="employee 4")
REPRESENTATIVE = sim_identity(label="employee / representative 2")
STAFF = sim_identity(label="operations staff")
BAKU = timezone(timedelta(hours=4))


def day(offset: int = 0) -> str:
    return (datetime.now(BAKU).date() + timedelta(days=offset)).isoformat()


def signature_of(secret: str, request: dict) -> bool:
    """Whether the request carries the notifier's signature under `secret`."""
    timestamp = request["headers"]["X-Egov-Timestamp"]
    expected = "sha256=" + hmac.new(secret.encode(), f"{timestamp}.".encode() + request["body"],
                                    hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, request["headers"]["X-Egov-Signature"])


class Certificates:
    """Through the API: the holder's contract in force (entered and signed by the employer's head
    with PIN2), and certificates addressed to the bank that the holder revokes, each revocation
    telling the bank."""

    def __init__(self, gateway: str):
        self.gateway = gateway
        head = ApiSession(gateway).login(EMPLOYER_HEAD).act_for(EMPLOYER)
        granted = head.post("/api/contracts/authorities", json={"fin": EMPLOYER_HEAD["fin"], "valid_until": None})
        assert granted.status_code in (201, 409), granted.text  # the head names himself first
        notice = head.post("/api/contracts/notices", json={
            "employee_fin": HOLDER["fin"], "position": "Kassir", "occupation_code": "4211", "workplace": "Filial",
            "contract_number": f"INST-{uuid.uuid4().hex[:8]}", "contract_date": day(-20), "start_date": day(-10),
            "contract_type": "indefinite", "end_date": None, "salary": "800.00", "working_time": "full"})
        assert notice.status_code == 201, notice.text
        path = f"/api/contracts/notices/{notice.json()['id']}/signature"
        started = head.post(path)
        assert started.status_code == 202, started.text
        head.confirm_signing(path, EMPLOYER_HEAD["phone"], started.json()["verification_code"], EMPLOYER_HEAD["pin2"])
        eventually(lambda: head.get(path).json().get("state") == "confirmed", 20, message="the notice signed")
        self.holder = ApiSession(gateway).login(HOLDER)
        self.contract_id = notice.json()["id"]
        eventually(lambda: any(c["contract_id"] == self.contract_id for c in self.holder.get(
            "/api/certificates/contracts", params={"limit": 200}).json()["items"]), 20,
            message="the contract in the certificates service")

    def revoke_one(self) -> str:
        """A certificate addressed to the bank, revoked by its holder: its number."""
        issued = self.holder.post("/api/certificates", json={
            "contract_id": self.contract_id, "type": "employment", "valid_until": day(30), "email": "holder@example.az",
            "email_copy": False, "purpose": "09", "destination": "addressed", "addressee_voen": BANK,
            "notify_addressee_on_revoke": True})
        assert issued.status_code == 201, issued.text
        number = issued.json()["number"]
        revoked = self.holder.post(f"/api/certificates/{number}/revocation")
        assert revoked.status_code == 200, revoked.text
        return number


@pytest.fixture(scope="module")
def certificates(portal) -> Certificates:
    return Certificates(portal)


@pytest.fixture(scope="module")
def receiver():
    running = Receiver()
    yield running
    running.stop()


@pytest.fixture(scope="module")
def bank(browser, portal, tmp_path_factory):
    """The bank's head in a browser of her own, logged in with her card and acting for the bank."""
    context = browser.new_context(locale="az-AZ", viewport={"width": 1100, "height": 900})
    context.set_default_timeout(15_000)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=portal)
    page = context.new_page()
    login_with_card(page, portal, card_file(portal, BANK_HEAD["fin"], tmp_path_factory.mktemp("bank")),
                    BANK_HEAD["pin1"])
    act_for(page, BANK)
    yield page
    context.close()


def act_for(page, voen: str) -> None:
    page.select_option("#role-select", value=voen)
    with page.expect_navigation():
        page.click("button:has-text('Rolu seç')")


def numbers_on(page) -> str:
    return page.locator("main").inner_text()


def test_the_bank_reads_a_revocation_in_its_inbox(bank, portal, certificates, checks):
    page = bank
    # Acting as herself, the page asks her to choose the organisation first.
    act_for(page, "")
    page.click("nav >> text=Təşkilatlar")
    assert page.locator("h2").first.inner_text() == "Təşkilatı seçin"
    act_for(page, BANK)

    number = certificates.revoke_one()

    def listed():
        page.goto(portal + "/institutions")
        return number in numbers_on(page)
    eventually(listed, 20, interval=0.5, message="the revocation in the bank's inbox")
    assert page.locator("h1").inner_text() == "Bildiriş qutusu"
    assert "Dan Ulduzu" in page.locator(".inst-caption").inner_text()
    row = page.locator("tbody tr", has_text=number)
    assert re.match(r"\d{2}\.\d{2}\.\d{4} \d{2}:\d{2}", row.locator("td").nth(0).inner_text())
    assert row.locator("td").nth(2).inner_text() == "İş yerinə dair arayış qüvvədən düşüb"
    checks.page(page, "inst-01-inbox")

    row.locator("a").click()
    page.wait_for_url(re.compile(r"/institutions/inbox/"))
    details = page.locator("dl.inst-summary").first.inner_text()
    assert number in details and f"{HOLDER['surname']} {HOLDER['name']}" in details
    assert "Arayış sahibi arayışı deaktiv edib" in details
    assert "artıq etibarlı deyil" in page.locator(".notice").first.inner_text()
    checks.page(page, "inst-02-notification")
    # What it links to: the certificate's check, which finds it no longer valid.
    entry_url = page.url
    page.click("text=Arayışı yoxla")
    page.wait_for_url(re.compile(r"/certificates/verify/"))
    assert page.locator("[data-result]").get_attribute("data-result") == "not_valid"
    checks.shot(page, "inst-02b-certificate-check")
    page.goto(entry_url)

    # On a phone's screen, nothing scrolls sideways.
    page.set_viewport_size({"width": 360, "height": 740})
    try:
        for path in (page.url, portal + "/institutions"):
            page.goto(path)
            assert page.evaluate("document.documentElement.scrollWidth") <= 360, path
        checks.page(page, "inst-11-inbox-360px")
    finally:
        page.set_viewport_size({"width": 1100, "height": 900})
    page.go_back()

    # In English, the same notification.
    page.goto(page.url + "?lang=en")
    assert "Employment reference certificate No. " + number in page.locator("h1").inner_text()
    assert "The holder deactivated the certificate" in page.locator("dl.inst-summary").first.inner_text()
    page.goto(portal + "/institutions?lang=az")


def test_the_bank_registers_a_webhook_sees_its_secret_once_replaces_it_and_deletes_it(
        bank, portal, certificates, receiver, checks):
    page = bank
    page.goto(portal + "/institutions/webhooks")
    checks.page(page, "inst-03-webhooks")
    page.click("text=Yeni webhook")

    # Nothing typed, then an address the notifier refuses: each said beside the field and in the summary.
    page.click("button:has-text('Qeydiyyata al')")
    assert "Ünvanı (URL) daxil edin." in page.locator("#f-url-error").inner_text()
    assert page.evaluate("document.activeElement.classList.contains('error-summary')")
    page.fill("#f-url", "ftp://bank.az/egov")
    page.click("button:has-text('Qeydiyyata al')")
    assert "http:// və ya https://" in page.locator("#f-url-error").inner_text()
    assert page.locator(".error-summary a[href='#f-url']").is_visible()
    checks.page(page, "inst-04-webhook-errors")

    page.fill("#f-url", receiver.url)
    page.click("button:has-text('Qeydiyyata al')")
    assert page.locator("h1").inner_text() == "Webhook qeydiyyata alındı"
    secret = page.input_value("#f-secret")
    assert len(secret) >= 32
    assert "yalnız indi göstərilir" in page.locator(".notice").inner_text()
    page.click("button:has-text('Kopyala')")
    page.wait_for_selector("text=Gizli açar kopyalandı.")
    assert page.evaluate("navigator.clipboard.readText()") == secret
    checks.page(page, "inst-05-secret")

    # Once left, the secret is nowhere to be seen again.
    page.click("text=Gizli açarı saxladım, davam et")
    page.wait_for_url(re.compile(r"/institutions/webhooks/[0-9a-f]{32}$"))
    webhook_url = page.url
    assert secret not in page.content()
    page.goto(portal + "/institutions/webhooks")
    assert secret not in page.content() and receiver.url in numbers_on(page)

    # A revocation reaches the webhook, signed with that secret; the delivery log shows it.
    number = certificates.revoke_one()
    delivered = eventually(lambda: [r for r in receiver.requests if number in r["body"].decode()], 20,
                           message="the notification at the webhook")
    assert signature_of(secret, delivered[0])
    page.goto(webhook_url)
    log = page.locator("table", has_text="Göndərilən bildirişlər")
    row = log.locator("tbody tr", has_text=json.loads(delivered[0]["body"])["id"])
    assert "Çatdırılıb" in row.inner_text() and "204" in row.inner_text()
    checks.page(page, "inst-06-webhook")

    # A new secret, after saying so: shown once, and the next notification is signed with it alone.
    page.click("text=Gizli açarı yenilə")
    assert page.locator("h1").inner_text() == "Gizli açar yenilənsin?"
    checks.page(page, "inst-07-replace-secret")
    page.click("button:has-text('Bəli, gizli açarı yenilə')")
    assert page.locator("h1").inner_text() == "Gizli açar yeniləndi"
    new_secret = page.input_value("#f-secret")
    assert len(new_secret) >= 32 and new_secret != secret
    number = certificates.revoke_one()
    (after,) = eventually(lambda: [r for r in receiver.requests if number in r["body"].decode()], 20,
                          message="the next notification")
    assert signature_of(new_secret, after) and not signature_of(secret, after)

    page.set_viewport_size({"width": 360, "height": 740})
    try:
        page.goto(webhook_url)
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        checks.page(page, "inst-12-webhook-360px")
    finally:
        page.set_viewport_size({"width": 1100, "height": 900})

    # Deleted, after saying so.
    page.goto(webhook_url)
    page.click("text=Webhook-u sil")
    page.click("button:has-text('Bəli, sil')")
    page.wait_for_url(re.compile(r"/institutions/webhooks$"))
    assert "Webhook silindi." in page.locator(".notice").inner_text()
    assert receiver.url not in numbers_on(page)


def test_the_head_confirms_a_webhook_suspended_when_its_registrant_lost_the_authority(
        browser, portal, receiver, checks, tmp_path):
    # Through the API: the inspectorate's head grants a representative the notifications; the
    # representative registers a webhook; the head withdraws the authority.
    head = ApiSession(portal).login(INSPECTORATE_HEAD).act_for(INSPECTORATE)
    granted = head.post("/api/contracts/authorities", json={"fin": REPRESENTATIVE["fin"], "valid_until": None,
                                                            "scopes": ["notifications"]})
    assert granted.status_code == 201, granted.text
    rep = ApiSession(portal).login(REPRESENTATIVE)

    def role():
        answer = rep.post("/api/auth/role", json={"voen": INSPECTORATE})
        return answer.json()["access_token"] if answer.status_code == 200 else None
    rep.token = eventually(role, 15, message="the representative's role")
    url = f"{receiver.url}/inspectorate/{uuid.uuid4().hex[:6]}"
    hook = rep.post("/api/notifier/webhooks", json={"url": url})
    assert hook.status_code == 201, hook.text
    hook_id = hook.json()["id"]
    assert head.delete(f"/api/contracts/authorities/{granted.json()['id']}").status_code == 200
    eventually(lambda: next(w for w in head.get("/api/notifier/webhooks").json()["items"]
                            if w["id"] == hook_id)["state"] == "suspended", 15, message="the webhook suspended")

    context = browser.new_context(locale="az-AZ", viewport={"width": 1100, "height": 900})
    context.set_default_timeout(15_000)
    try:
        page = context.new_page()
        login_with_card(page, portal, card_file(portal, INSPECTORATE_HEAD["fin"], tmp_path),
                        INSPECTORATE_HEAD["pin1"])
        act_for(page, INSPECTORATE)
        page.goto(portal + "/institutions/webhooks")
        row = page.locator("tbody tr", has_text=url)
        assert "Dayandırılıb" in row.inner_text()
        assert f"{REPRESENTATIVE['surname']}" in row.inner_text() and "səlahiyyətli nümayəndə" in row.inner_text()
        row.locator("a").click()
        box = page.locator(".inst-box")
        assert "Webhook dayandırılıb" in box.inner_text() and "geri alınıb" in box.inner_text()
        checks.page(page, "inst-08-suspended")
        box.locator("button:has-text('Webhook-u təsdiq et')").click()
        assert "Webhook təsdiq edildi." in page.locator(".notice").inner_text()
        assert "Aktiv" in page.locator("dl.inst-summary").inner_text()
        assert page.locator(".inst-box").count() == 0  # held under the head's own right now
    finally:
        context.close()
        head.delete(f"/api/notifier/webhooks/{hook_id}")


@pytest.fixture
def staff_page(browser, portal, tmp_path):
    context = browser.new_context(locale="az-AZ", viewport={"width": 1100, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    login_with_card(page, portal, card_file(portal, STAFF["fin"], tmp_path), STAFF["pin1"])
    yield page
    context.close()


def test_staff_replay_a_dead_letter_and_try_a_failed_delivery_again(
        staff_page, portal, suite, amqp_url, certificates, receiver, checks):
    # An event the notifier cannot use (no certificate number): dead-lettered at once.
    broken = new_event("certificates.certificate.revoked", {"addressee_voen": BANK, "notify_addressee": True},
                       source="certificates")
    publisher = Publisher(amqp_url, suite.exchange, name="portal-institutions-tests")
    try:
        publisher.publish(broken)
    finally:
        publisher.close()
    # A delivery the bank's receiver refuses (410): given up at once.
    bank = ApiSession(portal).login(BANK_HEAD).act_for(BANK)
    hook = bank.post("/api/notifier/webhooks", json={"url": f"{receiver.url}/refusing"})
    assert hook.status_code == 201, hook.text
    receiver.status = 410
    try:
        number = certificates.revoke_one()
        refused = eventually(lambda: [r for r in receiver.requests if number in r["body"].decode()
                                      and r["headers"].get("X-Egov-Signature")], 20, message="the refused call")
        event_id = refused[0]["headers"]["X-Egov-Event-Id"]
        page = staff_page
        page.click("nav >> text=Əməliyyatlar")
        page.wait_for_url(re.compile(r"/operations/dead-letters$"))

        def dead():
            page.goto(portal + "/operations/dead-letters")
            return broken["id"] in numbers_on(page)
        eventually(dead, 20, interval=0.5, message="the dead letter")
        row = page.locator("tbody tr", has_text=broken["id"])
        assert "Emal edilməyib" in row.inner_text() and "number" in row.inner_text()
        checks.page(page, "inst-09-dead-letters")
        row.locator("button:has-text('Yenidən göndər')").click()
        assert "Hadisə yenidən emala göndərildi." in page.locator(".notice").inner_text()
        # Still unusable, it comes back to the list, with the time it was replayed.
        page.select_option("#f-state", value="")
        page.click("button:has-text('Göstər')")
        assert page.locator("tbody tr", has_text=broken["id"]).locator(".inst-small").count() == 1

        # The failed delivery: the bank's receiver is fixed, staff try it again.
        page.click("text=Çatdırılmayan bildirişlər")

        def failed():
            page.goto(portal + "/operations/deliveries")
            return event_id in numbers_on(page)
        eventually(failed, 20, interval=0.5, message="the failed delivery")
        row = page.locator("tbody tr", has_text=event_id)
        assert "Çatdırılmayıb" in row.inner_text() and "HTTP 410" in row.inner_text()
        checks.page(page, "inst-10-failed-deliveries")
        receiver.status = 204
        row.locator("button:has-text('Yenidən cəhd et')").click()
        assert "Bildiriş yenidən göndərilir." in page.locator(".notice").inner_text()
        eventually(lambda: len([r for r in receiver.requests if number in r["body"].decode()]) == 2, 20,
                   message="the delivery tried again")
        page.select_option("#f-state", value="sent")
        page.click("button:has-text('Göstər')")
        assert "Çatdırılıb" in page.locator("tbody tr", has_text=event_id).inner_text()
    finally:
        receiver.status = 204
        bank.delete(f"/api/notifier/webhooks/{hook.json()['id']}")


def test_a_person_acting_for_no_organisation_and_one_not_staff_are_told_so(bank, portal):
    page = bank
    page.goto(portal + "/operations/dead-letters")
    assert page.locator("h1").inner_text() == "Bu səhifəyə giriş hüququnuz yoxdur"
    page.goto(portal + "/institutions/inbox/" + uuid.uuid4().hex + ":" + BANK)
    assert page.locator("h1").inner_text() == "Səhifə tapılmadı"
