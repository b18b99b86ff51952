"""The certificates service through the gateway, with the real suite: contracts learnt from the
contracts service's events, issuing with every rule, the sealed PDF, verification by a bank acting
as itself, both verification histories, revocation by the holder and by contract termination,
the events on the bus, and the per-verifier rate limit."""
from __future__ import annotations

import time
import uuid
from datetime import date, datetime, timedelta, timezone

import pytest
import requests

from certificates_service.schemas import VerifyOut
from devtools.client import ApiSession, sim_identity
from devtools.pytest_plugin import eventually
from egov_kit.clock import baku_today

BANK_VOEN = "9900072351"
EMPLOYER_VOEN = "1701100231"
TODAY = baku_today()


def day(offset: int) -> str:
    return (TODAY + timedelta(days=offset)).isoformat()


@pytest.fixture(scope="module")
def holder(suite) -> ApiSession:
    return ApiSession(suite.gateway_url).login(sim_identity(label="employee 3"))


@pytest.fixture(scope="module")
def holder_record(holder) -> dict:
    return holder.get(f"/api/registry/persons/{holder_fin()}").json()


def holder_fin() -> str:
    return sim_identity(label="employee 3")["fin"]


@pytest.fixture(scope="module")
def bank(suite) -> ApiSession:
    """The head of Dan Ulduzu Bank, acting for the bank."""
    return ApiSession(suite.gateway_url).login(sim_identity(label="head of a bank")).act_for(BANK_VOEN)


def signed_data(notice_id: str, **changes) -> dict:
    data = {"notice_id": notice_id, "employer_voen": EMPLOYER_VOEN, "employer_name": '"Şəki İpək" ASC',
            "employee_fin": holder_fin(), "employee_name": "Həsənova Nərmin", "position": "Baş mühasib",
            "occupation_code": "2411", "workplace": "Şəki, M.Ə.Rəsulzadə küç. 12",
            "contract_number": f"EM-{notice_id[:6]}", "contract_date": day(-400), "start_date": day(-390),
            "contract_type": "indefinite", "end_date": None, "salary": "1250.00", "working_time": "full",
            "signed_at": datetime.now(timezone.utc).isoformat()}
    data.update(changes)
    return data


def terminated_data(notice_id: str) -> dict:
    return {"notice_id": notice_id, "employer_voen": EMPLOYER_VOEN, "employee_fin": holder_fin(),
            "termination_date": day(0), "ground": "01", "terminated_at": datetime.now(timezone.utc).isoformat()}


def contract_ids(session: ApiSession, **params) -> set[str]:
    response = session.get("/api/certificates/contracts", params={"limit": 200, **params})
    assert response.status_code == 200, response.text
    return {c["contract_id"] for c in response.json()["items"]}


def sign_contract(bus, holder, **changes) -> str:
    notice_id = uuid.uuid4().hex
    bus.publish("contracts.notice.signed", signed_data(notice_id, **changes))
    eventually(lambda: notice_id in contract_ids(holder), timeout=15, message="the contract in /contracts")
    return notice_id


@pytest.fixture(scope="module")
def contract_id(bus, holder) -> str:
    return sign_contract(bus, holder)


@pytest.fixture(scope="module")
def fixed_term_id(bus, holder) -> str:
    return sign_contract(bus, holder, contract_type="fixed_term", end_date=day(60), position="Kassir")


def issue_body(contract: str, **changes) -> dict:
    body = {"contract_id": contract, "type": "employment", "valid_until": day(30), "mobile": "+994996667788",
            "email": "nermin@example.az", "email_copy": False, "purpose": "10", "destination": "general",
            "addressee_voen": None, "notify_addressee_on_revoke": False}
    body.update(changes)
    return body


def issue(holder, contract, **changes) -> dict:
    response = holder.post("/api/certificates", json=issue_body(contract, **changes))
    assert response.status_code == 201, response.text
    return response.json()


@pytest.fixture(scope="module")
def general_cert(holder, contract_id) -> dict:
    return issue(holder, contract_id)


@pytest.fixture(scope="module")
def salary_cert(holder, contract_id) -> dict:
    return issue(holder, contract_id, type="employment_with_salary", destination="addressed",
                 addressee_voen=BANK_VOEN, notify_addressee_on_revoke=True, purpose="01",
                 email="n.hasanova@example.az", email_copy=True, mobile="+994501112299")


def test_signed_contract_is_offered_and_searchable(holder, contract_id, fixed_term_id, suite):
    answer = holder.get("/api/certificates/contracts", params={"limit": 200}).json()
    listed = {c["contract_id"]: c for c in answer["items"]}
    assert answer["total"] == len(listed) and answer["offset"] == 0
    mine = listed[contract_id]
    assert mine == {"contract_id": contract_id, "employer_voen": EMPLOYER_VOEN, "employer_name": '"Şəki İpək" ASC',
                    "position": "Baş mühasib", "start_date": day(-390), "end_date": None,
                    "contract_number": f"EM-{contract_id[:6]}", "contract_type": "indefinite"}
    assert listed[fixed_term_id]["end_date"] == day(60)
    assert contract_id in contract_ids(holder, q="şəki ipək") and contract_id in contract_ids(holder, q="SEKI")
    assert fixed_term_id in contract_ids(holder, q="kassir") and contract_id not in contract_ids(holder, q="kassir")
    someone_else = ApiSession(suite.gateway_url).login(sim_identity(label="employee 4"))
    assert contract_id not in contract_ids(someone_else)


INVALID_CASES = [
    # (changes to a good request, field named, status)
    ({"contract_id": "no-such-notice"}, "contract_id", 404),
    ({"valid_until": None}, "valid_until", 422),
    ({"valid_until": "31.12.2026"}, "valid_until", 422),
    ({"valid_until": day(-1)}, "valid_until", 422),
    ({"type": "salary"}, "type", 422),
    ({"mobile": "+99412345"}, "mobile", 422),
    ({"email": "not-an-email"}, "email", 422),
    ({"email": None, "email_copy": True}, "email", 422),
    ({"email": None}, "email", 422),          # required even without a copy (manual 2.5.4)
    ({"email": "  "}, "email", 422),
    ({"purpose": "99"}, "purpose", 422),
    ({"destination": "elsewhere"}, "destination", 422),
    ({"destination": "addressed"}, "addressee_voen", 422),
    ({"destination": "addressed", "addressee_voen": "12345"}, "addressee_voen", 422),
    ({"destination": "addressed", "addressee_voen": "1999999999"}, "addressee_voen", 422),
    ({"addressee_voen": BANK_VOEN}, "addressee_voen", 422),
    ({"notify_addressee_on_revoke": True}, "notify_addressee_on_revoke", 422),
    ({"unexpected": 1}, "unexpected", 422),
]


@pytest.mark.parametrize("changes,field,status", INVALID_CASES, ids=[c[1] + "-" + str(i) for i, c in enumerate(INVALID_CASES)])
def test_each_invalid_field_is_named(holder, contract_id, changes, field, status):
    response = holder.post("/api/certificates", json=issue_body(contract_id, **changes))
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"].startswith("application/problem+json")
    assert field in response.json()["errors"], response.json()


def test_the_form_requires_the_email(holder, contract_id):
    """Manual 2.5.4: the e-mail is entered (and remembered), a copy wanted or not."""
    body = issue_body(contract_id)
    del body["email"]
    for sent in (body, {**body, "email": ""}):
        response = holder.post("/api/certificates", json=sent, headers={"Accept-Language": "en"})
        assert response.status_code == 422, response.text
        assert response.json()["errors"] == {"email": ["This field is required."]}
    spec = holder.get("/api/certificates/openapi.json").json()
    assert "email" in spec["components"]["schemas"]["IssueIn"]["required"]


def test_fixed_term_caps_valid_until_and_messages_are_translated(holder, fixed_term_id):
    too_late = holder.post("/api/certificates", json=issue_body(fixed_term_id, valid_until=day(61)))
    assert too_late.status_code == 422
    assert "müqavilənin bitmə tarixindən" in too_late.json()["errors"]["valid_until"][0]
    english = holder.post("/api/certificates", json=issue_body(fixed_term_id, valid_until=day(61)),
                          headers={"Accept-Language": "en"})
    assert "end date" in english.json()["errors"]["valid_until"][0]
    assert issue(holder, fixed_term_id, valid_until=day(60))["status"] == "active"


def test_only_the_holder_may_use_a_contract(suite, contract_id):
    stranger = ApiSession(suite.gateway_url).login(sim_identity(label="employee 4"))
    response = stranger.post("/api/certificates", json=issue_body(contract_id))
    assert response.status_code == 404 and "contract_id" in response.json()["errors"]


def test_anonymous_callers_are_refused(suite):
    anonymous = ApiSession(suite.gateway_url)
    for method, path in (("GET", "/api/certificates"), ("GET", "/api/certificates/contracts"),
                         ("POST", "/api/certificates/verifications"), ("GET", "/api/certificates/contacts")):
        response = anonymous.request(method, path, json={} if method == "POST" else None)
        assert response.status_code == 401, (path, response.text)


def test_issued_certificates_with_their_sealed_pdf(suite, holder, holder_record, general_cert, salary_cert,
                                                  read_pdf_text, check_seal, tamper):
    assert general_cert["status"] == "active" and general_cert["number"].startswith("AR-")
    assert "salary" not in general_cert and salary_cert["salary"] == "1250.00"
    assert salary_cert["addressee"] == {"voen": BANK_VOEN, "name": salary_cert["addressee"]["name"]}
    assert salary_cert["addressee"]["name"] and salary_cert["notify_addressee_on_revoke"] is True
    assert general_cert["verification_url"] == f"{suite.gateway_url}/certificates/verify/{general_cert['number']}"

    ca_pem = requests.get(f"{suite.gateway_url}/api/certificates/seal-ca.pem", timeout=10).text
    assert "BEGIN CERTIFICATE" in ca_pem
    full_name = f"{holder_record['surname']} {holder_record['name']} {holder_record['patronymic']}"
    for cert, shows_salary in ((general_cert, False), (salary_cert, True)):
        response = holder.get(f"/api/certificates/{cert['number']}/pdf")
        assert response.status_code == 200 and response.headers["Content-Type"] == "application/pdf"
        again = holder.get(f"/api/certificates/{cert['number'].lower().replace('-', '')}/pdf")
        assert again.content == response.content  # the stored file, not a new rendering
        status = check_seal(response.content, ca_pem)
        assert status.intact and status.valid and status.trusted
        assert not check_seal(tamper(response.content), ca_pem).intact
        text = read_pdf_text(response.content)
        for shown in ("İş yerinə dair arayış", cert["number"], full_name, holder_fin(), '"Şəki İpək" ASC',
                      "Baş mühasib", date.fromisoformat(day(-390)).strftime("%d.%m.%Y"),
                      date.fromisoformat(cert["valid_until"]).strftime("%d.%m.%Y"), cert["verification_url"]):
            assert shown in text, shown
        assert ("1250.00 AZN" in text) is shows_salary and ("Əmək haqqı:" in text) is shows_salary
    assert "Dan Ulduzu" in read_pdf_text(holder.get(f"/api/certificates/{salary_cert['number']}/pdf").content)


def test_history_newest_first_and_contacts_remembered(holder, general_cert, salary_cert):
    history = holder.get("/api/certificates", params={"limit": 200}).json()
    numbers = [c["number"] for c in history["items"]]
    assert numbers.index(salary_cert["number"]) < numbers.index(general_cert["number"])
    contacts = holder.get("/api/certificates/contacts").json()
    assert contacts["mobiles"][:2] == ["+994501112299", "+994996667788"]
    assert contacts["emails"][:2] == ["n.hasanova@example.az", "nermin@example.az"]


def test_every_list_answers_one_page_shape(holder, general_cert, salary_cert, contract_id, fixed_term_id):
    for path in ("/api/certificates", "/api/certificates/contracts", "/api/certificates/verifications/mine",
                 "/api/certificates/verifications/of-my-certificates"):
        first = holder.get(path, params={"limit": 1}).json()
        assert set(first) == {"items", "total", "limit", "offset"} and first["limit"] == 1, path
        assert len(first["items"]) == min(1, first["total"]), path
        assert holder.get(path).json()["limit"] == 20, path
        assert holder.get(path, params={"limit": 201}).status_code == 422, path
    [newest] = holder.get("/api/certificates", params={"limit": 1}).json()["items"]
    second = holder.get("/api/certificates", params={"limit": 1, "offset": 1}).json()
    assert second["total"] >= 2 and second["offset"] == 1 and second["items"][0]["number"] != newest["number"]


def test_every_route_declares_its_caller(mongo_uri, fresh_db):
    from certificates_service import create_app
    from egov_kit.access import undeclared_views

    assert undeclared_views(create_app({"mongo_uri": mongo_uri, "mongo_db": fresh_db.name})) == []


def test_a_bank_verifies_and_both_histories_record_it(holder, bank, salary_cert, general_cert, holder_record,
                                                      contract_id):
    typed = salary_cert["number"].lower().replace("-", " ")
    result = bank.post("/api/certificates/verifications", json={"number": typed})
    assert result.status_code == 200, result.text
    body = result.json()
    assert body["result"] == "valid"
    shown = body["certificate"]
    assert shown["number"] == salary_cert["number"] and shown["salary"] == "1250.00"
    assert shown["holder_name"].startswith(f"{holder_record['surname']} {holder_record['name']}")
    assert shown["employer_name"] == '"Şəki İpək" ASC' and shown["position"] == "Baş mühasib"
    assert shown["start_date"] == day(-390) and shown["valid_until"] == salary_cert["valid_until"]
    assert shown["purpose"]["code"] == "01" and shown["issued_at"]
    plain = bank.post("/api/certificates/verifications", json={"number": general_cert["number"]}).json()
    assert plain["result"] == "valid" and "salary" not in plain["certificate"]
    addressed = issue(holder, contract_id, destination="addressed", addressee_voen=BANK_VOEN)
    for_bank = bank.post("/api/certificates/verifications", json={"number": addressed["number"]}).json()
    assert for_bank["certificate"]["addressee"]["voen"] == BANK_VOEN
    # The answer is sent as the workflow shaped it: exactly what the documented schema makes of it.
    for answer in (body, plain, for_bank, {"result": "not_valid"}):
        assert VerifyOut().dump(answer) == answer

    download = bank.get(body["pdf_url"].replace(bank.base_url, ""))
    assert download.status_code == 200 and download.content.startswith(b"%PDF")

    mine = bank.get("/api/certificates/verifications/mine").json()["items"]
    checked = next(i for i in mine if i["number"] == salary_cert["number"])
    assert checked["result"] == "valid" and checked["holder"]["surname"] == holder_record["surname"]
    assert checked["holder"]["patronymic"] == holder_record["patronymic"]

    bank_head = sim_identity(label="head of a bank")
    seen = holder.get("/api/certificates/verifications/of-my-certificates").json()["items"]
    by_bank = next(i for i in seen if i["number"] == salary_cert["number"])
    assert by_bank["verifier"]["fin"] == bank_head["fin"] and by_bank["verifier"]["surname"] == bank_head["surname"]
    assert by_bank["organization"]["voen"] == BANK_VOEN and "Dan Ulduzu" in by_bank["organization"]["name"]
    assert by_bank["verified_at"]


def test_the_printed_link_is_the_portals_check_and_the_api_has_its_own(bank, general_cert):
    # The printed link (and QR code) is a page for people: it sends a stranger to log in first.
    page = requests.get(general_cert["verification_url"], allow_redirects=False, timeout=10)
    assert page.status_code == 302 and "/login?" in page.headers["Location"]
    assert "text/html" in requests.get(general_cert["verification_url"], timeout=10).headers["Content-Type"]
    # The same check for API clients, logged in, by number.
    response = bank.get(f"/api/certificates/verify/{general_cert['number']}")
    assert response.status_code == 200 and response.json()["result"] == "valid"


def test_wrong_numbers_reveal_nothing_and_are_recorded(bank, general_cert):
    number = general_cert["number"]
    wrong_check = number[:-1] + ("0" if number[-1] != "0" else "1")
    for typed in (wrong_check, "AR-00000-00000-00000"[:-1] + "Z", "hello", "AR-" + "X" * 20):
        response = bank.post("/api/certificates/verifications", json={"number": typed})
        assert response.status_code == 200 and response.json() == {"result": "not_valid"}, typed
    mine = bank.get("/api/certificates/verifications/mine").json()["items"]
    recorded = next(i for i in mine if i["number"] == wrong_check)
    assert recorded["result"] == "not_valid" and recorded["holder"] is None
    assert bank.get(f"/api/certificates/verifications/{wrong_check}/pdf").status_code == 404


def test_holder_revokes_then_verifiers_learn_nothing(bus, holder, bank, contract_id, holder_record):
    cert = issue(holder, contract_id, destination="addressed", addressee_voen=BANK_VOEN,
                 notify_addressee_on_revoke=True, type="employment_with_salary", purpose="01")
    assert bank.post("/api/certificates/verifications", json={"number": cert["number"]}).json()["result"] == "valid"
    listener = bus.listen("certificates.certificate.revoked")
    try:
        revoked = holder.post(f"/api/certificates/{cert['number']}/revocation")
        assert revoked.status_code == 200 and revoked.json()["status"] == "revoked"
        assert revoked.json()["revocation_reason"] == "holder"
        again = holder.post(f"/api/certificates/{cert['number']}/revocation")
        assert again.status_code == 409 and again.headers["Content-Type"].startswith("application/problem+json")

        answer = bank.post("/api/certificates/verifications", json={"number": cert["number"]})
        assert answer.status_code == 200 and answer.json() == {"result": "not_valid"}
        assert holder_record["surname"] not in answer.text
        assert bank.get(f"/api/certificates/verifications/{cert['number']}/pdf").status_code == 404
        assert holder.get(f"/api/certificates/{cert['number']}/pdf").status_code == 200  # the holder keeps it

        event = eventually(lambda: next((e for e in listener.events() if e["data"]["number"] == cert["number"]), None),
                           timeout=15, message="the revoked event")
        data = event["data"]
        assert data["reason"] == "holder" and data["destination"] == "addressed"
        assert data["addressee_voen"] == BANK_VOEN and "Dan Ulduzu" in data["addressee_name"]
        assert data["notify_addressee"] is True and data["holder_name"].startswith(holder_record["surname"])
        assert event["source"] == "certificates" and data["revoked_at"]
    finally:
        listener.close()
    history = {c["number"]: c for c in holder.get("/api/certificates", params={"limit": 200}).json()["items"]}
    assert history[cert["number"]]["status"] == "revoked"
    stranger_try = bank.post(f"/api/certificates/{cert['number']}/revocation")
    assert stranger_try.status_code == 404


def test_issued_event_for_the_e_mail_copy(bus, holder, contract_id):
    listener = bus.listen("certificates.certificate.issued")
    try:
        cert = issue(holder, contract_id, email="copy@example.az", email_copy=True)
        event = eventually(lambda: next((e for e in listener.events() if e["data"]["number"] == cert["number"]), None),
                           timeout=15, message="the issued event")
    finally:
        listener.close()
    data = event["data"]
    assert data["email"] == "copy@example.az" and data["email_copy"] is True and data["holder_fin"] == holder_fin()
    assert data["type"] == "employment" and data["valid_until"] == cert["valid_until"]
    assert data["employer_name"] == '"Şəki İpək" ASC' and data["purpose"] and data["issued_at"]


def test_the_notifier_downloads_with_its_service_token(suite, general_cert):
    def token(client_id: str) -> str:
        response = requests.post(f"{suite.url('auth')}/api/auth/service-tokens", timeout=10, json={
            "client_id": client_id, "client_secret": suite.env()["SERVICE_CLIENT_SECRET"], "audience": "certificates"})
        assert response.status_code == 200, response.text
        return response.json()["access_token"]

    url = f"{suite.url('certificates')}/api/certificates/{general_cert['number']}/pdf"
    notifier = requests.get(url, headers={"Authorization": f"Bearer {token('notifier')}"}, timeout=10)
    assert notifier.status_code == 200 and notifier.content.startswith(b"%PDF")
    other = requests.get(url, headers={"Authorization": f"Bearer {token('contracts')}"}, timeout=10)
    assert other.status_code == 403


def test_termination_revokes_the_remaining_certificates(bus, holder, bank):
    notice_id = sign_contract(bus, holder, position="Ofis meneceri")
    alerting = issue(holder, notice_id, destination="addressed", addressee_voen=BANK_VOEN,
                     notify_addressee_on_revoke=True)
    plain = issue(holder, notice_id)
    already = issue(holder, notice_id)
    assert holder.post(f"/api/certificates/{already['number']}/revocation").status_code == 200
    listener = bus.listen("certificates.certificate.revoked")
    try:
        bus.publish("contracts.notice.terminated", terminated_data(notice_id))

        def revoked_both():
            history = {c["number"]: c for c in holder.get("/api/certificates", params={"limit": 200}).json()["items"]}
            return all(history[c["number"]]["status"] == "revoked" for c in (alerting, plain)) and history

        history = eventually(revoked_both, timeout=15, message="automatic revocation")
        assert history[alerting["number"]]["revocation_reason"] == "contract_terminated"
        assert history[plain["number"]]["revocation_reason"] == "contract_terminated"
        assert history[already["number"]]["revocation_reason"] == "holder"  # revoked once, by its holder

        def events():
            mine = [e for e in listener.events() if e["data"]["number"] in (alerting["number"], plain["number"])]
            return mine if len(mine) == 2 else None

        by_number = {e["data"]["number"]: e["data"] for e in eventually(events, timeout=15, message="revoked events")}
        assert by_number[alerting["number"]]["reason"] == "contract_terminated"
        assert by_number[alerting["number"]]["notify_addressee"] is True
        assert by_number[alerting["number"]]["addressee_voen"] == BANK_VOEN
        assert by_number[plain["number"]]["notify_addressee"] is False
    finally:
        listener.close()
    assert bank.post("/api/certificates/verifications", json={"number": plain["number"]}).json() == {"result": "not_valid"}
    assert notice_id not in contract_ids(holder)
    refused = holder.post("/api/certificates", json=issue_body(notice_id))
    assert refused.status_code == 422 and "contract_id" in refused.json()["errors"]


def test_termination_arriving_before_signing_stays_terminated(bus, holder):
    early = uuid.uuid4().hex
    bus.publish("contracts.notice.terminated", terminated_data(early))
    bus.publish("contracts.notice.signed", signed_data(early, position="Gecikmiş bildiriş"))
    # A later contract shows the events before it were handled (one queue, handled in order).
    sign_contract(bus, holder, position="Nişan")
    assert early not in contract_ids(holder)
    refused = holder.post("/api/certificates", json=issue_body(early))
    assert refused.status_code == 422 and "contract_id" in refused.json()["errors"]  # known, but not in force


def test_duplicate_events_are_harmless(bus, holder):
    notice_id = uuid.uuid4().hex
    event = bus.publish("contracts.notice.signed", signed_data(notice_id, position="Təkrar"))
    bus.publish("contracts.notice.signed", signed_data(notice_id, position="Təkrar"), event_id=event["id"])
    bus.publish("contracts.notice.signed", signed_data(notice_id, position="Təkrar"))
    eventually(lambda: notice_id in contract_ids(holder), timeout=15, message="the contract")
    listed = [c for c in holder.get("/api/certificates/contracts", params={"limit": 200}).json()["items"]
              if c["contract_id"] == notice_id]
    assert len(listed) == 1

    cert = issue(holder, notice_id, destination="addressed", addressee_voen=BANK_VOEN, notify_addressee_on_revoke=True)
    listener = bus.listen("certificates.certificate.revoked")
    try:
        ending = bus.publish("contracts.notice.terminated", terminated_data(notice_id))
        bus.publish("contracts.notice.terminated", terminated_data(notice_id), event_id=ending["id"])
        bus.publish("contracts.notice.terminated", terminated_data(notice_id))
        sign_contract(bus, holder, position="Nişan 2")  # everything before it has been handled
        eventually(lambda: holder.get(f"/api/certificates/{cert['number']}").json()["status"] == "revoked",
                   message="the revocation")
        eventually(lambda: [e for e in listener.events() if e["data"]["number"] == cert["number"]],
                   timeout=15, message="the revoked event")
        time.sleep(1)  # room for a duplicate, were there one
        seen = [e for e in listener.events() if e["data"]["number"] == cert["number"]]
    finally:
        listener.close()
    assert len(seen) == 1


def test_verifications_are_rate_limited_per_verifier(suite, bank):
    checker = ApiSession(suite.gateway_url).login(sim_identity(label="no job 2"))
    # At most two fixed one-minute windows are touched, so 61 checks must cross the limit of 30.
    for attempt in range(61):
        response = checker.post("/api/certificates/verifications", json={"number": "AR-00000-00000-00000"})
        if response.status_code == 429:
            break
        assert response.status_code == 200, response.text
    else:
        pytest.fail("never rate-limited")
    assert attempt >= 30
    assert response.headers["Content-Type"].startswith("application/problem+json")
    assert 1 <= int(response.headers["Retry-After"]) <= 60
    # Another verifier is not affected.
    assert bank.post("/api/certificates/verifications", json={"number": "AR-00000-00000-00000"}).status_code == 200


# --- what the lists say in words; search; deactivating an expired certificate -------------

@pytest.fixture(scope="module")
def certificates_db(mongo_client, bus_names):
    """The running certificates service's own database (to let a certificate's last day pass)."""
    return mongo_client[f"{bus_names['queue_prefix'].replace('.', '_')}_certificates"]


def test_contracts_are_found_by_type_name_and_workplace(holder, contract_id, fixed_term_id):
    fixed_only = contract_ids(holder, q="Müddətli")
    assert fixed_term_id in fixed_only and contract_id not in fixed_only
    indefinite = contract_ids(holder, q="muddetsiz")
    assert contract_id in indefinite and fixed_term_id not in indefinite
    assert {contract_id, fixed_term_id} <= contract_ids(holder, q="rəsulzadə")  # the workplace
    assert not contract_ids(holder, q="Gəncə filialı")


def test_history_names_status_and_destination(holder, general_cert, salary_cert):
    history = {c["number"]: c for c in holder.get("/api/certificates", params={"limit": 200}).json()["items"]}
    assert history[general_cert["number"]]["destination_name"] == "Ümumi"
    assert history[salary_cert["number"]]["destination_name"] == "Ünvanlı"
    assert history[general_cert["number"]]["status_name"] == "Aktiv"
    one = holder.get(f"/api/certificates/{general_cert['number']}").json()
    assert one["status_name"] == "Aktiv" and one["destination_name"] == "Ümumi"


def test_deactivating_an_expired_certificate_alerts_nobody(bus, holder, bank, contract_id, certificates_db):
    cert = issue(holder, contract_id, destination="addressed", addressee_voen=BANK_VOEN,
                 notify_addressee_on_revoke=True, valid_until=day(0))
    # Midnight passes (the suite has no clock to move, so its last day moves to yesterday).
    assert certificates_db.certificates.update_one({"_id": cert["number"]},
                                                   {"$set": {"valid_until": day(-1)}}).matched_count == 1
    shown = holder.get(f"/api/certificates/{cert['number']}").json()
    assert shown["status"] == "expired" and shown["status_name"] == "Müddəti bitib"
    assert bank.post("/api/certificates/verifications", json={"number": cert["number"]}).json() == \
        {"result": "not_valid"}

    listener = bus.listen("certificates.certificate.revoked")
    try:
        revoked = holder.post(f"/api/certificates/{cert['number']}/revocation")
        assert revoked.status_code == 200 and revoked.json()["status"] == "revoked"
        assert revoked.json()["status_name"] == "Deaktiv edilib"
        event = eventually(lambda: next((e for e in listener.events() if e["data"]["number"] == cert["number"]),
                                        None), timeout=15, message="the revoked event")
    finally:
        listener.close()
    assert event["data"]["notify_addressee"] is False and event["data"]["addressee_voen"] == BANK_VOEN
