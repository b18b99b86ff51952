"""The use cases called directly on ContractsService, against a database of the test's own, with
the real registry and the real auth service of the running suite (no HTTP of our own, no Flask).

Who is who comes from the Asan İmza simulator's identities and the registry's seed: İlqar
Məmmədov heads Xəzər Ulduzu İnşaat (and two more companies), Gülnarə Əliyeva heads Çinarlı
Logistika; Aygün Şükürova and Nərmin Həsənova are nobody's heads."""
from __future__ import annotations

import base64
import io
import uuid
import zipfile
from datetime import date, timedelta

import pytest
import requests

from devtools.client import ApiSession, sim_identity
from egov_kit import pki
from egov_kit.access import undeclared_views
from egov_kit.auth import Principal
from egov_kit.clock import baku_today, utcnow
from egov_kit.errors import ServiceError
from egov_kit.signing import SigningClient

from contracts_service import create_app
from contracts_service.domain import NOTICE_SIGNING, TERMINATION_SIGNING
from contracts_service.repository import ContractsRepository
from contracts_service.service import ContractsService
from contracts_service.settings import ContractsSettings

COMPANY = "1701100121"        # Xəzər Ulduzu İnşaat, headed by İlqar Məmmədov
OTHER_COMPANY = "1701100451"  # Çinarlı Logistika, headed by Gülnarə Əliyeva


def person(label: str, voen: str | None = None, role: str | None = None) -> Principal:
    """The token's principal of a simulator identity, acting for `voen` in `role` (or as oneself)."""
    sim = sim_identity(label=label)
    return Principal(kind="person", subject=sim["fin"], fin=sim["fin"], name=sim["name"], surname=sim["surname"],
                     acting_for=voen, company_role=role)


HEAD = person("head of 3 companies", COMPANY, "head")
OTHER_HEAD = person("head of 1 company (logistics)", OTHER_COMPANY, "head")
REP = person("employee / representative 1", COMPANY, "authorised")
EMPLOYEE = person("employee 3")
ANOTHER_EMPLOYEE = person("employee 4")


def make_service(db, registry, signing, now=utcnow) -> ContractsService:
    return ContractsService(ContractsRepository(db), registry, signing, public_base_url="http://127.0.0.1:8080",
                            pdf_font_dir=ContractsSettings().pdf_font_dir, now=now)


@pytest.fixture
def contracts(fresh_db, registry_client, service_client) -> ContractsService:
    service = make_service(fresh_db, registry_client("contracts"), SigningClient(service_client("contracts")))
    service.repository.ensure_indexes()  # the contract number is unique per employer
    return service


@pytest.fixture(scope="module", autouse=True)
def signers_known_to_asan(suite):
    """Auth signs with Asan İmza for people whose phone it knows from their Asan log-in."""
    for signer in (HEAD, REP):
        ApiSession(suite.gateway_url).login(sim_identity(fin=signer.fin))


@pytest.fixture
def entering(contracts) -> ContractsService:
    """The service once both heads granted themselves the authority (manual 2.7): they may enter
    and sign notices themselves."""
    contracts.grant_authority(HEAD, HEAD.fin, None, ["contracts"])
    contracts.grant_authority(OTHER_HEAD, OTHER_HEAD.fin, None, ["contracts"])
    return contracts


def fields(**changes) -> dict:
    """A notice as the schema hands it over (typed: dates, salary in qəpik)."""
    typed = {"employee_fin": EMPLOYEE.fin, "position": "Baş mühasib", "occupation_code": "2411",
             "workplace": "Maliyyə şöbəsi", "contract_number": f"ƏM-{uuid.uuid4().hex[:8]}",
             "contract_date": date(2026, 11, 20), "start_date": date(2026, 12, 1), "contract_type": "fixed_term",
             "end_date": date(2027, 11, 30), "salary": 125050, "working_time": "full"}
    typed.update(changes)
    return typed


def refusal(call, *args, **kwargs) -> ServiceError:
    with pytest.raises(ServiceError) as raised:
        call(*args, **kwargs)
    return raised.value


def signed(contracts: ContractsService, notice: dict) -> dict:
    """The notice as the signing of it leaves it (signing with PIN2 is test_api.py's business)."""
    return contracts.repository.set_notice_fields(notice["_id"], {}, {"status": "signed",
                                                                      "signed_at": utcnow().isoformat()})


def outbox_types(db, collection: str, doc_id: str) -> list[str]:
    return sorted(e["type"] for e in (db[collection].find_one({"_id": doc_id}).get("_outbox") or {}).values())


def test_every_route_declares_who_may_call_it(mongo_uri, fresh_db):
    assert undeclared_views(create_app({"mongo_uri": mongo_uri, "mongo_db": fresh_db.name})) == []


# --- authorities --------------------------------------------------------------------------

def test_the_head_grants_lists_and_withdraws_an_authority(contracts, fresh_db):
    until = baku_today() + timedelta(days=90)
    granted = contracts.grant_authority(HEAD, REP.fin, until)
    assert granted["status"] == "active" and granted["kind"] == "fixed_term"
    assert granted["scopes"] == ["contracts", "accidents", "insurers", "notifications"]  # omitted: all
    assert granted["valid_until"] == until.isoformat()
    assert granted["full_name"].startswith("Şükürova Aygün")  # from the population registry
    assert granted["granted_by"] == {"fin": HEAD.fin, "name": "Məmmədov İlqar"}
    assert outbox_types(fresh_db, "authorities", granted["id"]) == ["contracts.authority.granted"]
    mine = contracts.grant_authority(HEAD, HEAD.fin, None)
    assert mine["kind"] == "indefinite"

    again = refusal(contracts.grant_authority, HEAD, REP.fin, None)
    assert again.status == 409 and again.errors == {"fin": ["authority_exists"]}

    items, total = contracts.list_authorities(HEAD, limit=1, offset=0)
    assert total == 2 and [a["id"] for a in items] == [mine["id"]]  # the latest granted first
    items, _ = contracts.list_authorities(HEAD, limit=20, offset=1)
    assert [a["id"] for a in items] == [granted["id"]]

    # The representative may enter notices now, and no longer once it is withdrawn.
    assert contracts.create_notice(REP, fields())["status"] == "unsigned"
    withdrawn = contracts.withdraw_authority(HEAD, granted["id"])
    assert withdrawn["status"] == "withdrawn" and withdrawn["withdrawn_at"]
    assert outbox_types(fresh_db, "authorities", granted["id"]) == ["contracts.authority.granted",
                                                                    "contracts.authority.withdrawn"]
    assert refusal(contracts.withdraw_authority, HEAD, granted["id"]).code == "authority_withdrawn"
    assert refusal(contracts.create_notice, REP, fields()).code == "no_authority"
    items, total = contracts.list_authorities(HEAD, limit=20, offset=0)
    assert total == 2 and {a["id"]: a["status"] for a in items}[granted["id"]] == "withdrawn"  # the record stays


def test_only_the_head_named_in_the_tax_registry_manages_authorities(contracts):
    # A token claiming the head's role is not enough: the tax registry names the head.
    pretender = Principal(kind="person", subject=REP.fin, fin=REP.fin, name=REP.name, surname=REP.surname,
                          acting_for=COMPANY, company_role="head")
    for refused in (refusal(contracts.grant_authority, pretender, EMPLOYEE.fin, None),
                    refusal(contracts.list_authorities, pretender, limit=20, offset=0),
                    refusal(contracts.withdraw_authority, pretender, "x")):
        assert (refused.status, refused.code) == (403, "not_head")

    granted = contracts.grant_authority(HEAD, REP.fin, None)
    # Another company's head does not find it.
    assert refusal(contracts.withdraw_authority, OTHER_HEAD, granted["id"]).status == 404
    assert contracts.list_authorities(OTHER_HEAD, limit=20, offset=0) == ([], 0)


def test_an_authority_for_nobody_or_ending_in_the_past_is_refused(contracts):
    unknown = refusal(contracts.grant_authority, HEAD, "0000000", None)
    assert unknown.status == 422 and unknown.errors == {"fin": ["unknown_person"]}
    past = refusal(contracts.grant_authority, HEAD, REP.fin, baku_today() - timedelta(days=1))
    assert past.status == 422 and past.errors == {"valid_until": ["valid_until_past"]}
    assert contracts.list_authorities(HEAD, limit=20, offset=0) == ([], 0)


def test_an_authority_covers_the_scopes_the_head_chose(contracts, fresh_db):
    granted = contracts.grant_authority(HEAD, REP.fin, None, ["notifications", "accidents"])
    assert granted["scopes"] == ["accidents", "notifications"]
    stored = fresh_db.authorities.find_one({"_id": granted["id"]})
    assert stored["_outbox"][next(iter(stored["_outbox"]))]["data"]["scopes"] == ["accidents", "notifications"]
    assert contracts.authority_check(COMPANY, REP.fin) == {
        "voen": COMPANY, "fin": REP.fin, "head": False, "scopes": ["accidents", "notifications"],
        "authority_id": granted["id"], "valid_until": None}
    # Notifications and accidents, not these notices.
    refused = refusal(contracts.create_notice, REP, fields())
    assert (refused.status, refused.code) == (403, "scope_missing") and '"contracts"' in refused.detail
    assert refusal(contracts.list_company_notices, REP, status=None, q=None, limit=20, offset=0).code \
        == "scope_missing"
    # Another scope is another grant: the one in force is withdrawn first.
    assert refusal(contracts.grant_authority, HEAD, REP.fin, None, ["contracts"]).code == "authority_exists"
    contracts.withdraw_authority(HEAD, granted["id"])
    assert contracts.authority_check(COMPANY, REP.fin)["authority_id"] is None
    contracts.grant_authority(HEAD, REP.fin, None, ["contracts"])
    assert contracts.list_company_notices(REP, status=None, q=None, limit=20, offset=0) == ([], 0)

    for wrong, code in (([], "scopes_empty"), (["contracts", "payroll"], "scope_unknown")):
        failed = refusal(contracts.grant_authority, HEAD, EMPLOYEE.fin, None, wrong)
        assert failed.status == 422 and failed.errors == {"scopes": [code]}


def test_an_authority_stored_before_scopes_covers_all_of_them(contracts, fresh_db):
    granted = contracts.grant_authority(HEAD, REP.fin, None)
    fresh_db.authorities.update_one({"_id": granted["id"]}, {"$unset": {"scopes": ""}})
    assert contracts.authority_check(COMPANY, REP.fin)["scopes"] == ["contracts", "accidents", "insurers",
                                                                       "notifications"]
    assert contracts.create_notice(REP, fields())["status"] == "unsigned"
    assert contracts.list_authorities(HEAD, limit=20, offset=0)[0][0]["scopes"][0] == "contracts"


def test_the_head_grants_himself_the_authority_before_entering_notices(contracts):
    """Manual 2.7: "rəhbər şəxs ilk olaraq özünə səlahiyyət verməlidir". Until he has, the head
    reads the registry and manages authorities, but enters and signs nothing himself."""
    assert contracts.authority_check(COMPANY, HEAD.fin) == {
        "voen": COMPANY, "fin": HEAD.fin, "head": True, "scopes": [], "authority_id": None, "valid_until": None}
    refused = refusal(contracts.create_notice, HEAD, fields())
    assert (refused.status, refused.code) == (403, "head_authority_required")
    assert contracts.list_company_notices(HEAD, status=None, q=None, limit=20, offset=0) == ([], 0)
    contracts.grant_authority(HEAD, REP.fin, None, ["contracts"])
    drafted = contracts.create_notice(REP, fields())
    for call, args in ((contracts.update_notice, ({"position": "Mühasib"},)), (contracts.delete_notice, ()),
                       (contracts.start_signing, (NOTICE_SIGNING,))):
        assert refusal(call, HEAD, drafted["_id"], *args).code == "head_authority_required", call.__name__
    assert contracts.readable_notice(HEAD, drafted["_id"])["_id"] == drafted["_id"]

    # An authority of his own for notifications only is not the one the manual means.
    own = contracts.grant_authority(HEAD, HEAD.fin, None, ["notifications"])
    assert refusal(contracts.create_notice, HEAD, fields()).code == "head_authority_required"
    contracts.withdraw_authority(HEAD, own["id"])
    own = contracts.grant_authority(HEAD, HEAD.fin, None, ["contracts"])
    assert contracts.authority_check(COMPANY, HEAD.fin)["authority_id"] == own["id"]
    assert contracts.create_notice(HEAD, fields())["created_by"]["fin"] == HEAD.fin
    assert contracts.update_notice(HEAD, drafted["_id"], {"position": "Mühasib"})["position"] == "Mühasib"


def test_the_check_answers_for_this_moment(contracts):
    """What every service asks on each company request: an authority past its last day, or
    withdrawn, is gone from the very next answer."""
    contracts.grant_authority(HEAD, REP.fin, baku_today(), ["notifications"])
    assert contracts.authority_check(COMPANY, REP.fin)["valid_until"] == baku_today().isoformat()
    after_midnight = make_service(contracts.repository.db, contracts.registry, contracts.signing,
                                  now=lambda: utcnow() + timedelta(days=2))
    assert after_midnight.authority_check(COMPANY, REP.fin) == {
        "voen": COMPANY, "fin": REP.fin, "head": False, "scopes": [], "authority_id": None, "valid_until": None}
    # The head of another company is nobody here.
    assert contracts.authority_check(COMPANY, OTHER_HEAD.fin)["head"] is False


# --- notices ------------------------------------------------------------------------------

def test_an_unsigned_notice_is_entered_edited_and_deleted(entering):
    contracts = entering
    created = contracts.create_notice(HEAD, fields())  # under his own authority
    assert created["status"] == "unsigned" and created["salary_qepik"] == 125050
    assert created["employee"]["surname"] == "Həsənova" and created["employee"]["id_document"]["number"]
    assert created["employer"]["voen"] == COMPANY and created["employer"]["name"]
    assert created["occupation_name"] == "Mühasib"
    assert created["created_by"] == {"fin": HEAD.fin, "name": "Məmmədov İlqar"}

    edited = contracts.update_notice(HEAD, created["_id"], {"position": "Mühasib", "contract_type": "indefinite",
                                                           "occupation_code": "3322"})
    assert edited["position"] == "Mühasib" and edited["end_date"] is None  # indefinite: no end date
    assert edited["occupation_name"] == "Satış nümayəndəsi"
    assert contracts.readable_notice(HEAD, created["_id"])["position"] == "Mühasib"
    items, total = contracts.list_company_notices(HEAD, status="unsigned", q="satis numayendesi", limit=20, offset=0)
    assert total == 1 and items[0]["_id"] == created["_id"]

    refused = refusal(contracts.update_notice, HEAD, created["_id"], {"end_date": date(2026, 11, 1)})
    assert refused.status == 422 and "end_date" in refused.errors
    duplicate = refusal(contracts.create_notice, HEAD, fields(contract_number=created["contract_number"]))
    assert duplicate.status == 409 and duplicate.errors == {"contract_number": ["contract_number_taken"]}

    contracts.delete_notice(HEAD, created["_id"])
    assert refusal(contracts.readable_notice, HEAD, created["_id"]).status == 404
    assert contracts.list_company_notices(HEAD, status=None, q=None, limit=20, offset=0) == ([], 0)


def test_a_signed_notice_is_no_longer_edited_or_deleted(entering):
    contracts = entering
    notice = signed(contracts, contracts.create_notice(HEAD, fields()))
    assert refusal(contracts.update_notice, HEAD, notice["_id"], {"position": "Direktor"}).code == "notice_not_editable"
    assert refusal(contracts.delete_notice, HEAD, notice["_id"]).code == "notice_not_editable"
    assert contracts.readable_notice(HEAD, notice["_id"])["position"] == "Baş mühasib"


def test_another_companys_notice_is_a_404(entering):
    contracts = entering
    notice = contracts.create_notice(HEAD, fields())
    for call, args in ((contracts.readable_notice, ()), (contracts.update_notice, ({"position": "x"},)),
                       (contracts.delete_notice, ()), (contracts.notice_pdf, ()),
                       (contracts.register_termination, (date(2027, 1, 31), "69"))):
        assert refusal(call, OTHER_HEAD, notice["_id"], *args).status == 404, call.__name__
    assert refusal(contracts.start_signing, OTHER_HEAD, notice["_id"], NOTICE_SIGNING).status == 404
    assert contracts.list_company_notices(OTHER_HEAD, status=None, q=None, limit=20, offset=0) == ([], 0)
    # The same head acting for another of his companies does not see it either.
    sibling = Principal(kind="person", subject=HEAD.fin, fin=HEAD.fin, name=HEAD.name, surname=HEAD.surname,
                        acting_for="1701100231", company_role="head")
    assert refusal(contracts.readable_notice, sibling, notice["_id"]).status == 404
    assert contracts.readable_notice(HEAD, notice["_id"])["_id"] == notice["_id"]


def test_unknown_employee_and_occupation_are_named_as_field_errors(entering):
    contracts = entering
    refused = refusal(contracts.create_notice, HEAD, fields(employee_fin="0000000", occupation_code="0000"))
    assert refused.status == 422
    assert refused.errors == {"employee_fin": ["unknown_person"], "occupation_code": ["unknown_occupation"]}
    assert contracts.list_company_notices(HEAD, status=None, q=None, limit=20, offset=0) == ([], 0)


def test_a_representative_without_authority_is_refused(entering):
    contracts = entering
    refused = refusal(contracts.create_notice, REP, fields())
    assert (refused.status, refused.code) == (403, "no_authority")
    assert refusal(contracts.list_company_notices, REP, status=None, q=None, limit=20, offset=0).code \
        == "no_authority"
    notice = contracts.create_notice(HEAD, fields())
    assert refusal(contracts.readable_notice, REP, notice["_id"]).code == "no_authority"
    # An authority that ran out yesterday gives no right either.
    later = make_service(contracts.repository.db, contracts.registry, contracts.signing,
                         now=lambda: utcnow() + timedelta(days=2))
    contracts.grant_authority(HEAD, REP.fin, baku_today())
    assert contracts.create_notice(REP, fields())["status"] == "unsigned"
    assert refusal(later.create_notice, REP, fields()).code == "no_authority"


def test_my_notices_are_the_persons_own_once_signed(entering):
    contracts = entering
    mine = signed(contracts, contracts.create_notice(HEAD, fields()))
    draft = contracts.create_notice(HEAD, fields())
    signed(contracts, contracts.create_notice(HEAD, fields(employee_fin=ANOTHER_EMPLOYEE.fin)))

    items, total = contracts.my_notices(EMPLOYEE, status=None, q=None, limit=20, offset=0)
    assert total == 1 and [n["_id"] for n in items] == [mine["_id"]]
    assert contracts.my_notices(EMPLOYEE, status="unsigned", q=None, limit=20, offset=0) == ([], 0)
    assert contracts.my_notices(EMPLOYEE, status="signed", q="xezer ulduzu", limit=20, offset=0)[1] == 1
    assert contracts.my_notices(EMPLOYEE, status=None, q="Çinarlı", limit=20, offset=0) == ([], 0)
    assert contracts.readable_notice(EMPLOYEE, mine["_id"])["_id"] == mine["_id"]
    assert refusal(contracts.readable_notice, EMPLOYEE, draft["_id"]).status == 404  # the employer's draft
    assert refusal(contracts.readable_notice, ANOTHER_EMPLOYEE, mine["_id"]).status == 404


def test_the_public_check_shows_a_signed_notice_only(entering):
    contracts = entering
    draft = contracts.create_notice(HEAD, fields())
    assert refusal(contracts.public_check, draft["_id"]).status == 404
    notice = signed(contracts, draft)
    checked = contracts.public_check(notice["_id"])
    assert checked["status"] == "signed" and checked["employer_name"] == notice["employer"]["name"]
    assert EMPLOYEE.fin not in str(checked) and "Həsənova" not in str(checked)


def test_a_termination_is_entered_on_a_signed_contract_with_a_ground_that_fits(entering):
    contracts = entering
    draft = contracts.create_notice(HEAD, fields(contract_type="indefinite", end_date=None))
    assert refusal(contracts.register_termination, HEAD, draft["_id"], date(2027, 1, 31), "69").code \
        == "notice_not_signed"
    notice = signed(contracts, draft)
    refused = refusal(contracts.register_termination, HEAD, notice["_id"], date(2026, 11, 30), "73")
    assert refused.errors == {"date": ["termination_before_start"], "ground": ["ground_needs_fixed_term"]}
    entered = contracts.register_termination(HEAD, notice["_id"], date(2027, 1, 31), "69")
    assert entered["termination"]["ground"] == "69" and entered["termination"]["ground_name"]
    assert entered["status"] == "signed"  # terminated only once the termination is signed


# --- signing ------------------------------------------------------------------------------

def test_starting_a_signature_asks_the_signer_and_keeps_what_is_signed(entering, fresh_db):
    contracts = entering
    notice = contracts.create_notice(HEAD, fields())
    started = contracts.start_signing(HEAD, notice["_id"], NOTICE_SIGNING)
    assert started["state"] == "pending" and started["signing_id"] and started["verification_code"]

    attempt = contracts.readable_notice(HEAD, notice["_id"])["signing"]
    assert attempt["state"] == "pending" and attempt["verification_code"] == started["verification_code"]
    assert attempt["signer"] == {"fin": HEAD.fin, "name": "Məmmədov İlqar"}
    own = contracts.authority_check(COMPANY, HEAD.fin)
    assert own["head"] and attempt["authority_id"] == own["authority_id"]  # the head signs under his own
    record = fresh_db.signings.find_one({"_id": started["signing_id"]})
    assert bytes(record["pdf_prepared"]).startswith(b"%PDF") and notice["contract_number"] in record["content"].decode()
    # Nobody has confirmed on the phone yet: the auth service says it is pending.
    polled = contracts.poll_signing(HEAD, notice["_id"], NOTICE_SIGNING)
    assert polled["state"] == "pending" and polled["verification_code"] == started["verification_code"]

    # Edited meanwhile: that signature no longer covers the notice.
    contracts.update_notice(HEAD, notice["_id"], {"workplace": "Mühasibatlıq"})
    assert contracts.poll_signing(HEAD, notice["_id"], NOTICE_SIGNING)["state"] == "cancelled"


def test_auth_refusing_to_start_a_signature_is_told_to_the_caller(contracts):
    refused = refusal(contracts.signing.start, fin="0000000", text="x",
                      digests=[{"name": "notice", "digest": "AAAA", "pades": False}])
    assert refused.status == 422 and refused.code == "signing_start_refused" and refused.detail


def test_a_signature_under_a_lapsed_authority_shows_refused_and_ends_when_polled(contracts, fresh_db):
    authority = contracts.grant_authority(HEAD, REP.fin, baku_today())  # its last day is today
    notice = contracts.create_notice(REP, fields())
    contracts.start_signing(REP, notice["_id"], NOTICE_SIGNING)
    assert contracts.readable_notice(HEAD, notice["_id"])["signing"]["authority_id"] == authority["id"]

    after_midnight = make_service(fresh_db, contracts.registry, contracts.signing,
                                  now=lambda: utcnow() + timedelta(days=2))
    shown = after_midnight.readable_notice(HEAD, notice["_id"])
    assert shown["signing"]["state"] == "refused"
    items, _ = after_midnight.list_company_notices(HEAD, status=None, q=None, limit=20, offset=0)
    assert items[0]["signing"]["state"] == "refused"
    assert fresh_db.notices.find_one({"_id": notice["_id"]})["signing"]["state"] == "pending"  # reading wrote nothing

    refused = refusal(after_midnight.poll_signing, HEAD, notice["_id"], NOTICE_SIGNING)
    assert (refused.status, refused.code) == (403, "signing_refused")
    stored = fresh_db.notices.find_one({"_id": notice["_id"]})
    assert stored["signing"]["state"] == "refused" and stored["signing"]["finished_at"] and stored["status"] == "unsigned"


def test_withdrawing_an_authority_ends_the_signatures_started_under_it(contracts, fresh_db):
    authority = contracts.grant_authority(HEAD, REP.fin, None)
    notice = contracts.create_notice(REP, fields())
    contracts.start_signing(REP, notice["_id"], NOTICE_SIGNING)
    contracts.withdraw_authority(HEAD, authority["id"])

    stored = fresh_db.notices.find_one({"_id": notice["_id"]})
    assert stored["signing"]["state"] == "refused" and stored["signing"]["finished_at"]
    assert refusal(contracts.poll_signing, HEAD, notice["_id"], NOTICE_SIGNING).code == "signing_refused"


# --- signing with the e-signature card ----------------------------------------------------

@pytest.fixture(scope="module")
def cards(suite) -> dict[str, pki.CertKey]:
    """The test e-signature cards the simulator hands out (certificate and key), by FİN."""
    def card(fin: str) -> pki.CertKey:
        body = requests.get(f"{suite.gateway_url}/api/asan-sim/cards/{fin}", timeout=10).json()
        return pki.load_certkey(body["private_key"], body["certificate"])
    return {fin: card(fin) for fin in (HEAD.fin, REP.fin)}


def card_signature(card: pki.CertKey, answer: dict) -> str:
    """What the person's client does with the hash an answer hands out: the card signs it as it is."""
    return base64.b64encode(pki.sign_prehashed(card, base64.b64decode(answer["digest"]))).decode()


def sign_with_card(contracts: ContractsService, caller: Principal, notice_id: str, kind, card: pki.CertKey) -> dict:
    answer = contracts.start_signing(caller, notice_id, kind, "card", certificate=card.cert_pem)
    while answer["state"] == "pending":
        answer = contracts.card_response(caller, notice_id, kind, card_signature(card, answer))
    return answer


def test_the_card_signs_a_notice_and_its_termination(entering, cards, fresh_db):
    contracts = entering
    notice = contracts.create_notice(HEAD, fields(contract_type="indefinite", end_date=None))
    started = contracts.start_signing(HEAD, notice["_id"], NOTICE_SIGNING, "card", certificate=cards[HEAD.fin].cert_pem)
    assert (started["method"], started["step"], started["steps"]) == ("card", "1/2", 2)
    assert "verification_code" not in started
    polled = contracts.poll_signing(HEAD, notice["_id"], NOTICE_SIGNING)
    assert (polled["state"], polled["digest"]) == ("pending", started["digest"])
    second = contracts.card_response(HEAD, notice["_id"], NOTICE_SIGNING, card_signature(cards[HEAD.fin], started))
    assert (second["state"], second["step"]) == ("pending", "2/2")
    done = contracts.card_response(HEAD, notice["_id"], NOTICE_SIGNING, card_signature(cards[HEAD.fin], second))
    assert done["state"] == "confirmed" and done["status"] == "signed" and done["signed_at"]
    stored = contracts.readable_notice(HEAD, notice["_id"])
    assert stored["signed_by"] == {"fin": HEAD.fin, "name": "Məmmədov İlqar", "method": "card"}
    assert outbox_types(fresh_db, "notices", notice["_id"]) == ["contracts.notice.signed"]

    contracts.register_termination(HEAD, notice["_id"], date(2027, 1, 31), "69")
    ended = sign_with_card(contracts, HEAD, notice["_id"], TERMINATION_SIGNING, cards[HEAD.fin])
    assert ended["state"] == "confirmed" and ended["status"] == "terminated" and ended["terminated_at"]
    stored = contracts.readable_notice(HEAD, notice["_id"])
    assert stored["termination"]["signed_by"]["method"] == "card"
    assert outbox_types(fresh_db, "notices", notice["_id"]) == ["contracts.notice.signed",
                                                                 "contracts.notice.terminated"]

    ca = contracts.signing.ca_pem()
    archive = zipfile.ZipFile(io.BytesIO(contracts.notice_adoc(HEAD, notice["_id"])[0]))
    for content, signature in (("notice.json", "META-INF/signature.p7s"),
                               ("termination.json", "META-INF/signature-termination.p7s")):
        assert pki.verify_detached_cms(archive.read(signature), archive.read(content), [ca]).fin == HEAD.fin
    pdf, _name = contracts.notice_pdf(HEAD, notice["_id"])
    assert archive.read("notice.pdf") == pdf and b"/ETSI.CAdES.detached" in pdf


def test_a_card_signature_that_does_not_verify_leaves_the_notice_to_be_signed_again(entering, cards):
    contracts = entering
    notice = contracts.create_notice(HEAD, fields())
    started = contracts.start_signing(HEAD, notice["_id"], NOTICE_SIGNING, "card", certificate=cards[HEAD.fin].cert_pem)
    wrong = contracts.card_response(HEAD, notice["_id"], NOTICE_SIGNING, card_signature(cards[REP.fin], started))
    assert wrong["state"] == "invalid" and wrong["status"] == "unsigned"
    assert refusal(contracts.card_response, HEAD, notice["_id"], NOTICE_SIGNING,
                   card_signature(cards[HEAD.fin], started)).code == "no_card_signature_awaited"
    assert sign_with_card(contracts, HEAD, notice["_id"], NOTICE_SIGNING, cards[HEAD.fin])["status"] == "signed"


def test_a_card_that_may_not_sign_is_refused_naming_the_certificate(entering, cards):
    contracts = entering
    notice = contracts.create_notice(HEAD, fields())
    another = refusal(contracts.start_signing, HEAD, notice["_id"], NOTICE_SIGNING, "card",
                      certificate=cards[REP.fin].cert_pem)
    assert (another.status, another.errors) == (403, {"certificate": ["certificate_of_another_person"]})
    stranger = pki.issue_certificate(pki.generate_ca(), common_name="Məmmədov İlqar", fin=HEAD.fin)
    untrusted = refusal(contracts.start_signing, HEAD, notice["_id"], NOTICE_SIGNING, "card",
                        certificate=stranger.cert_pem)
    assert (untrusted.status, untrusted.errors) == (422, {"certificate": ["certificate_untrusted"]})
    assert contracts.readable_notice(HEAD, notice["_id"]).get("signing") is None


def test_a_card_signature_under_a_lapsed_authority_is_refused(contracts, cards, fresh_db):
    contracts.grant_authority(HEAD, REP.fin, baku_today())  # its last day is today
    notice = contracts.create_notice(REP, fields())
    started = contracts.start_signing(REP, notice["_id"], NOTICE_SIGNING, "card", certificate=cards[REP.fin].cert_pem)
    after_midnight = make_service(fresh_db, contracts.registry, contracts.signing,
                                  now=lambda: utcnow() + timedelta(days=2))
    signature = card_signature(cards[REP.fin], started)
    assert refusal(after_midnight.card_response, REP, notice["_id"], NOTICE_SIGNING, signature).code == "no_authority"
    # Whoever of the company passes the card's signature on, the signer may no longer sign it.
    refused = refusal(after_midnight.card_response, HEAD, notice["_id"], NOTICE_SIGNING, signature)
    assert (refused.status, refused.code) == (403, "signing_refused")
    stored = fresh_db.notices.find_one({"_id": notice["_id"]})
    assert stored["signing"]["state"] == "refused" and stored["status"] == "unsigned"


def test_a_repeated_signature_start_under_one_key_is_one_signature(entering, cards):
    contracts = entering
    notice = contracts.create_notice(HEAD, fields())
    first = contracts.start_signing(HEAD, notice["_id"], NOTICE_SIGNING, "card", certificate=cards[HEAD.fin].cert_pem,
                                    operation_id="op-1")
    again = contracts.start_signing(HEAD, notice["_id"], NOTICE_SIGNING, "card", certificate=cards[HEAD.fin].cert_pem,
                                    operation_id="op-1")
    assert again["signing_id"] == first["signing_id"] and again["digest"] == first["digest"]
    other = contracts.start_signing(HEAD, notice["_id"], NOTICE_SIGNING, operation_id="op-2")  # Asan İmza now
    assert other["signing_id"] != first["signing_id"] and other["method"] == "asan" and other["verification_code"]
