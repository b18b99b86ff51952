"""What the waiting page does when the phone says no, and without JavaScript; and the card's
signature over a digest computed elsewhere (document signing), checked against `cryptography`."""
from __future__ import annotations

import base64
import hashlib
import re

import requests
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, utils

from asan_sim.cards import open_card_file
from devtools.client import sim_identity

from conftest import card_file

NO_JOB = sim_identity(label="no job 1")       # İsmayılova Ülviyyə
SECOND = sim_identity(label="no job 2")       # Cəfərov Şahin


def _start_asan(page, portal: str, person: dict) -> str:
    page.goto(portal + "/login/asan")
    page.fill("#f-phone", person["phone"])
    page.fill("#f-user-id", person["user_id"])
    page.click("button:has-text('Giriş')")
    page.wait_for_url(re.compile(r"/login/asan/wait$"))
    return page.locator("[data-code]").inner_text().strip()


def _on_phone(portal: str, person: dict, code: str) -> str:
    pending = requests.get(f"{portal}/api/asan-sim/phones/{person['phone']}/requests", timeout=10).json()
    return next(item["request_id"] for item in pending if item["verification_code"] == code)


def test_a_log_in_refused_on_the_phone_is_said_with_a_way_to_try_again(portal, page, checks):
    code = _start_asan(page, portal, NO_JOB)
    request_id = _on_phone(portal, NO_JOB, code)
    for _ in range(3):  # the third wrong PIN rejects the request
        requests.post(f"{portal}/api/asan-sim/phones/{NO_JOB['phone']}/requests/{request_id}",
                      json={"pin": "0000"}, timeout=10)
    retry = page.locator("a:has-text('Yenidən cəhd edin')")
    retry.wait_for()
    assert "təsdiqlənmədi" in page.locator("[data-status]").inner_text()
    assert page.evaluate("document.activeElement.textContent") == "Yenidən cəhd edin"
    checks.page(page, "13-login-asan-rejected")
    retry.click()
    page.wait_for_url(re.compile(r"/login/asan$"))


def test_without_javascript_the_waiting_page_looks_again_by_itself(portal, browser):
    context = browser.new_context(locale="az-AZ", java_script_enabled=False)
    try:
        page = context.new_page()
        code = _start_asan(page, portal, SECOND)
        assert page.locator("noscript").count() >= 1
        request_id = _on_phone(portal, SECOND, code)
        assert requests.post(f"{portal}/api/asan-sim/phones/{SECOND['phone']}/requests/{request_id}",
                             json={"pin": SECOND["pin1"]}, timeout=10).status_code == 200
        # The page refreshes itself (meta refresh) and, confirmed, goes on logged in.
        page.wait_for_url(portal + "/", timeout=20_000)
        assert f"{SECOND['surname']} {SECOND['name']}" in page.locator(".who").inner_text()
    finally:
        context.close()


def test_the_card_signs_a_digest_computed_elsewhere_as_rsa_pkcs1_v15(portal, page, tmp_path):
    """EgovCard.signDigest (card.js): what document signing with the card will send, the same bytes
    `cryptography` makes for the same key and digest (PKCS#1 v1.5 is deterministic)."""
    card_path = card_file(portal, NO_JOB["fin"], tmp_path)
    card_text = card_path.read_text(encoding="utf-8")
    digest = hashlib.sha256("Əmək müqaviləsi bildirişi".encode()).digest()
    page.goto(portal + "/login/card")
    signed = page.evaluate("""async ([text, pin, digest]) => {
        const card = EgovCard.parseCard(text);
        const key = await EgovCard.openKey(card, "sign", pin, true);
        return EgovCard.bytesToB64(await EgovCard.signDigest(key, EgovCard.b64ToBytes(digest)));
    }""", [card_text, NO_JOB["pin2"], base64.b64encode(digest).decode()])
    import json
    key = open_card_file(json.loads(card_text), "sign", NO_JOB["pin2"])
    expected = key.sign(digest, padding.PKCS1v15(), utils.Prehashed(hashes.SHA256()))
    assert base64.b64decode(signed) == expected
