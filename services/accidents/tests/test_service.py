"""The use cases called directly on AccidentsService, against a database of the test's own, with
the real registry and the real auth service (and its Asan İmza simulator) of the running suite:
no HTTP of our own, no Flask.

Who is who comes from the simulator's identities and the registry's seed: İlqar Məmmədov heads
Şəki İpək Tekstil and Göygöl Aqro (and a third company), Gülnarə Əliyeva heads Çinarlı Logistika;
Aygün Şükürova acts for Şəki İpək as an authorised person; Nərmin Həsənova and Tuğrul Ağayev are
the victims."""
from __future__ import annotations

import base64
import io
import json
import zipfile
from datetime import date, datetime, timedelta, timezone

import pytest
import requests
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from accidents_service import create_app, domain
from accidents_service.repository import AccidentsRepository
from accidents_service.service import AccidentsService
from accidents_service.service.common import VICTIM_PURPOSE
from accidents_service.settings import AccidentsSettings
from devtools.client import ApiSession, sim_identity
from devtools.pytest_plugin import eventually
from egov_kit import pki
from egov_kit.access import undeclared_views
from egov_kit.auth import Principal
from egov_kit.clock import utcnow
from egov_kit.errors import ServiceError
from egov_kit.pdfdoc import page_text
from egov_kit.signing import SigningClient

COMPANY = "1701100231"         # Şəki İpək Tekstil, headed by İlqar Məmmədov
SIBLING = "1701100341"         # Göygöl Aqro, his too
OTHER_COMPANY = "1701100451"   # Çinarlı Logistika, headed by Gülnarə Əliyeva


def person(label: str, voen: str | None = None, role: str | None = None, patronymic: str | None = None) -> Principal:
    """Who a token names, as auth issues it at log-in (with the population registry's names)."""
    sim = sim_identity(label=label)
    return Principal(kind="person", subject=sim["fin"], fin=sim["fin"], name=sim["name"], surname=sim["surname"],
                     patronymic=patronymic, acting_for=voen, company_role=role)


HEAD = person("head of 3 companies", COMPANY, "head")
HEAD_OF_SIBLING = person("head of 3 companies", SIBLING, "head")
OTHER_HEAD = person("head of 1 company (logistics)", OTHER_COMPANY, "head")
REP = person("employee / representative 1", COMPANY, "authorised", patronymic="Elçin qızı")
AS_HIMSELF = person("head of 3 companies")
NOTIFIER = Principal(kind="service", subject="svc:notifier", service="notifier")
VICTIM = sim_identity(label="employee 3")["fin"]        # Nərmin Həsənova
SECOND_VICTIM = sim_identity(label="employee 4")["fin"]  # Tuğrul Ağayev
THIRD_VICTIM = sim_identity(label="no job 1")["fin"]     # Ülviyyə İsmayılova


def incident(**changes) -> dict:
    typed = {"occurred_at": utcnow() - timedelta(hours=2), "district_code": "AZ-SA",
             "address": "İpəkyolu küç. 3, toxuculuq sexi", "description": "Dəzgahın qoruyucu örtüyü açıq qalıb."}
    typed.update(changes)
    return typed


def body(**changes) -> dict:
    """A report as the schema hands it over."""
    typed = {"incident": incident(), "victims": [{"fin": VICTIM, "outcome": "injured"}],
             "informant": {"landline": "+994124041010", "mobile": "+994501112233", "email": "ilqar@example.az"}}
    typed.update(changes)
    return typed


def make_service(db, registry, signing, now=utcnow) -> AccidentsService:
    return AccidentsService(AccidentsRepository(db), registry, signing, public_base_url="http://127.0.0.1:8080",
                            pdf_font_dir=AccidentsSettings().pdf_font_dir, now=now)


@pytest.fixture
def accidents(fresh_db, registry_client, service_client) -> AccidentsService:
    service = make_service(fresh_db, registry_client("accidents"), SigningClient(service_client("accidents")))
    service.repository.ensure_indexes()
    return service


@pytest.fixture(scope="module", autouse=True)
def signers_known_to_asan(suite):
    """Auth signs with Asan İmza for people whose phone it knows from their Asan log-in."""
    for signer in (HEAD, REP):
        ApiSession(suite.gateway_url).login(sim_identity(fin=signer.fin))


@pytest.fixture
def registry_db(mongo_client, bus_names):
    """The running registry's own database (its data-access log)."""
    return mongo_client[f"{bus_names['queue_prefix'].replace('.', '_')}_registry"]


def refusal(call, *args, **kwargs) -> ServiceError:
    with pytest.raises(ServiceError) as raised:
        call(*args, **kwargs)
    return raised.value


def submitted(accidents: AccidentsService, report: dict, **fields) -> dict:
    """The report as submitting it leaves it (signing with PIN2 is tested below and in test_api.py)."""
    number = domain.registration_number(2026, accidents.repository.next_number("BH-2026"))
    stats = domain.statistics_record(report)
    return accidents.repository.update_report(report["_id"], {}, {
        "status": "submitted", "registration_number": number, "submitted_at": utcnow().isoformat(), "late": 0,
        "stats": stats, "stats_year": stats["year"], **fields})


def test_every_route_declares_who_may_call_it(mongo_uri, fresh_db):
    assert undeclared_views(create_app({"mongo_uri": mongo_uri, "mongo_db": fresh_db.name})) == []


# --- opening a report ---------------------------------------------------------------------------

def test_a_report_is_filled_from_the_registries(accidents, registry_db):
    before = registry_db.access_log.count_documents({"subject_fin": VICTIM, "service": "accidents"})
    report = accidents.create_report(REP, body(victims=[{"fin": VICTIM, "outcome": "injured", "days_lost": 3},
                                                        {"fin": SECOND_VICTIM, "outcome": "died"}]))
    assert report["status"] == "draft" and "registration_number" not in report
    employer = report["employer"]
    assert employer["voen"] == COMPANY and "Şəki İpək" in employer["name"] and employer["legal_address"]
    assert employer["activity"]["code"] and employer["activity"]["name"] and employer["activity"]["section"]
    assert report["incident"]["district_name"] == "Şəki şəhəri"
    first, second = report["victims"]
    assert (first["surname"], first["name"], first["patronymic"], first["birth_date"]) == \
        ("Həsənova", "Nərmin", "İlqar qızı", "1996-09-09")
    assert first["outcome"] == "injured" and first["days_lost"] == 3 and second["outcome"] == "died"
    # The informant is the person acting, as their log-in identifies them, with the contacts typed.
    informant = report["informant"]
    assert (informant["fin"], informant["surname"], informant["patronymic"]) == (REP.fin, "Şükürova", "Elçin qızı")
    assert informant["mobile"] == "+994501112233" and informant["landline"] == "+994124041010"
    assert report["created_by"] == {"fin": REP.fin, "name": "Şükürova Aygün Elçin qızı"}
    # The victims' look-ups are in their data-access logs, with the purpose.
    logged = registry_db.access_log.find_one({"subject_fin": VICTIM, "service": "accidents"}, sort=[("at", -1)])
    assert logged["purpose"] == VICTIM_PURPOSE
    assert registry_db.access_log.count_documents({"subject_fin": VICTIM, "service": "accidents"}) == before + 1
    # Deadlines: someone died, so the report is due 24 hours after the accident.
    assert report["timing"]["deadline_at"] and report["timing"]["late"] is False


@pytest.mark.parametrize("changes, field, code", [
    ({"victims": [{"fin": "ZZZZZZ9", "outcome": "injured"}]}, "victims.0.fin", "unknown_person"),
    ({"victims": [{"fin": VICTIM, "outcome": "injured"}, {"fin": VICTIM, "outcome": "died"}]}, "victims.1.fin",
     "duplicate_victim"),
    ({"incident": incident(district_code="AZ-XX")}, "incident.district_code", "unknown_district"),
    ({"incident": incident(deviation="77")}, "incident.deviation", "unknown_esaw_code"),
    ({"victims": [{"fin": VICTIM, "outcome": "died", "injury": "021"}]}, "victims.0.injury", "unknown_esaw_code"),
    ({"incident": incident(occurred_at=utcnow() + timedelta(days=1))}, "incident.occurred_at", "occurred_in_future"),
])
def test_what_the_registries_do_not_know_is_named(accidents, changes, field, code):
    error = refusal(accidents.create_report, HEAD, body(**changes))
    assert error.status == 422 and error.errors[field] == [code], error.errors


def test_unknown_codes_and_people_are_named_all_at_once(accidents):
    error = refusal(accidents.create_report, HEAD, body(incident=incident(district_code="AZ-XX", contact="00"),
                                                        victims=[{"fin": "ZZZZZZ9", "outcome": "injured"}]))
    assert set(error.errors) == {"incident.district_code", "incident.contact", "victims.0.fin"}


def test_a_report_needs_a_company_and_the_same_operation_makes_one_report(accidents):
    assert refusal(accidents.create_report, AS_HIMSELF, body()).status == 403
    first = accidents.create_report(HEAD, body(), report_id="op-1")
    again = accidents.create_report(HEAD, body(victims=[]), report_id="op-1")
    assert again["_id"] == first["_id"] == "op-1" and len(again["victims"]) == 1
    items, total = accidents.history(HEAD, q=None, status=None, date_from=None, date_to=None, late=None,
                                     limit=20, offset=0)
    assert total == 1


# --- changing a draft ---------------------------------------------------------------------------

def test_victims_are_added_one_by_one_changed_and_removed(accidents):
    report = accidents.create_report(HEAD, body(victims=[]))
    assert report["victims"] == [] and "victims" in domain.submission_problems(report)
    report = accidents.add_victim(HEAD, report["_id"], {"fin": VICTIM, "outcome": "injured"})
    report = accidents.add_victim(HEAD, report["_id"], {"fin": SECOND_VICTIM, "outcome": "injured",
                                                        "injury": "020", "body_part": "60", "days_lost": 14})
    assert [v["fin"] for v in report["victims"]] == [VICTIM, SECOND_VICTIM]
    assert report["victims"][1]["injury_name"] == "Sümük sınıqları"
    assert report["victims"][1]["body_part_name"] == "Aşağı ətraflar"

    twice = refusal(accidents.add_victim, HEAD, report["_id"], {"fin": VICTIM, "outcome": "died"})
    assert (twice.status, twice.errors) == (409, {"fin": ["duplicate_victim"]})
    unknown = refusal(accidents.add_victim, HEAD, report["_id"], {"fin": "ZZZZZZ9", "outcome": "died"})
    assert (unknown.status, unknown.errors) == (422, {"fin": ["unknown_person"]})
    bad_code = refusal(accidents.update_victim, HEAD, report["_id"], VICTIM, {"body_part": "11"})
    assert bad_code.errors == {"body_part": ["unknown_esaw_code"]}

    report = accidents.update_victim(HEAD, report["_id"], VICTIM, {"outcome": "died", "injury": "050"})
    assert report["victims"][0]["outcome"] == "died" and report["victims"][0]["injury_name"]
    assert report["timing"]["deadline_at"]
    report = accidents.update_victim(HEAD, report["_id"], SECOND_VICTIM, {"injury": None, "days_lost": None})
    assert report["victims"][1]["injury"] is None and report["victims"][1]["injury_name"] is None
    report = accidents.remove_victim(HEAD, report["_id"], VICTIM)
    assert [v["fin"] for v in report["victims"]] == [SECOND_VICTIM] and report["timing"]["deadline_at"] is None
    assert refusal(accidents.remove_victim, HEAD, report["_id"], VICTIM).code == "unknown_victim"


def test_the_incident_and_the_informant_are_changed_and_whoever_saves_the_informant_is_it(accidents):
    report = accidents.create_report(HEAD, body())
    changed = accidents.update_report(HEAD, report["_id"], {"incident": {"address": "Sex 4", "deviation": "40"}})
    assert changed["incident"]["address"] == "Sex 4" and changed["incident"]["district_name"] == "Şəki şəhəri"
    assert changed["incident"]["deviation_name"].startswith("Maşın")
    assert changed["incident"]["description"] == report["incident"]["description"]
    cleared = accidents.update_report(HEAD, report["_id"], {"incident": {"deviation": None}})
    assert cleared["incident"]["deviation"] is None and cleared["incident"]["deviation_name"] is None

    own = accidents.update_report(HEAD, report["_id"], {"informant": {"email": "ilqar.m@example.az"}})
    assert own["informant"]["email"] == "ilqar.m@example.az" and own["informant"]["mobile"] == "+994501112233"
    taken = accidents.update_report(REP, report["_id"], {"informant": {"mobile": "+994514445566"}})
    # Another person: their own identity, and none of the previous informant's contacts.
    assert taken["informant"]["fin"] == REP.fin and taken["informant"]["email"] is None
    assert set(domain.submission_problems(taken)) == {"informant.email"}
    assert taken["updated_by"]["fin"] == REP.fin


def test_a_submitted_report_cannot_be_changed_or_deleted(accidents):
    report = submitted(accidents, accidents.create_report(HEAD, body()))
    for call, args in [(accidents.update_report, ({"incident": {"address": "x"}},)),
                       (accidents.add_victim, ({"fin": SECOND_VICTIM, "outcome": "injured"},)),
                       (accidents.update_victim, (VICTIM, {"outcome": "died"})),
                       (accidents.remove_victim, (VICTIM,)), (accidents.delete_report, ()),
                       (accidents.preview, ()), (accidents.start_signing, ())]:
        error = refusal(call, HEAD, report["_id"], *args)
        assert (error.status, error.code) == (409, "report_submitted"), call.__name__


def test_a_draft_is_deleted_with_what_finds_it(accidents, fresh_db):
    report = accidents.create_report(HEAD, body())
    assert fresh_db.search_terms.count_documents({"report_id": report["_id"]}) > 0
    accidents.delete_report(HEAD, report["_id"])
    assert refusal(accidents.report, HEAD, report["_id"]).status == 404
    assert fresh_db.search_terms.count_documents({"report_id": report["_id"]}) == 0


# --- who sees what --------------------------------------------------------------------------------

def test_nobody_outside_the_company_sees_its_reports(accidents):
    report = accidents.create_report(HEAD, body())
    assert accidents.report(REP, report["_id"])["_id"] == report["_id"]  # an authorised person of the company
    for outsider in (OTHER_HEAD, HEAD_OF_SIBLING):
        for call, args in [(accidents.report, ()), (accidents.update_report, ({"incident": {"address": "x"}},)),
                           (accidents.add_victim, ({"fin": SECOND_VICTIM, "outcome": "injured"},)),
                           (accidents.remove_victim, (VICTIM,)), (accidents.delete_report, ()),
                           (accidents.preview, ()), (accidents.start_signing, ()), (accidents.poll_signing, ()),
                           (accidents.report_pdf, ()), (accidents.report_adoc, ())]:
            assert refusal(call, outsider, report["_id"], *args).status == 404, call.__name__
        items, total = accidents.history(outsider, q="Həsənova", status=None, date_from=None, date_to=None,
                                         late=None, limit=20, offset=0)
        assert total == 0 and items == []
    # The notifier may fetch a submitted report's PDF (for the informant's e-mail), never a draft.
    assert refusal(accidents.report_pdf, NOTIFIER, report["_id"]).status == 404


# --- the history ------------------------------------------------------------------------------------

def search(accidents, caller=HEAD, **filters) -> list[str]:
    args = {"q": None, "status": None, "date_from": None, "date_to": None, "late": None, "limit": 200, "offset": 0}
    args.update(filters)
    items, total = accidents.history(caller, **args)
    assert total == len(items)
    return [r["_id"] for r in items]


def test_the_history_is_searched_by_victim_number_dates_status_and_lateness(accidents):
    now = utcnow()
    a = accidents.create_report(HEAD, body(incident=incident(occurred_at=now - timedelta(days=40))))
    b = accidents.create_report(HEAD, body(victims=[{"fin": SECOND_VICTIM, "outcome": "died"}],
                                           incident=incident(occurred_at=now - timedelta(hours=30))))
    c = accidents.create_report(HEAD, body(victims=[{"fin": THIRD_VICTIM, "outcome": "injured"},
                                                    {"fin": VICTIM, "outcome": "injured"}]))
    elsewhere = accidents.create_report(OTHER_HEAD, body())
    c = submitted(accidents, c)

    assert search(accidents) == [c["_id"], b["_id"], a["_id"]]  # newest first, the company's only
    assert search(accidents, q="Həsənova") == [c["_id"], a["_id"]]
    assert search(accidents, q="hesenova") == search(accidents, q="HƏSƏNOVA") == [c["_id"], a["_id"]]
    assert search(accidents, q="nərmin həs") == [c["_id"], a["_id"]]
    assert search(accidents, q="ismayilova ulviyye") == [c["_id"]]
    assert search(accidents, q=SECOND_VICTIM.lower()) == [b["_id"]]
    assert search(accidents, q=c["registration_number"].lower()) == [c["_id"]]
    assert search(accidents, q="Quliyev") == []
    assert search(accidents, status="submitted") == [c["_id"]]
    assert search(accidents, status="draft", q="həsənova") == [a["_id"]]
    today = datetime.now(timezone(timedelta(hours=4))).date()
    assert search(accidents, date_from=today - timedelta(days=41), date_to=today - timedelta(days=39)) == [a["_id"]]
    assert search(accidents, date_from=today - timedelta(days=2)) == [c["_id"], b["_id"]]
    # b: someone died 30 hours ago and it is still a draft — filing it now is late already.
    assert search(accidents, late=True) == [b["_id"]]
    assert search(accidents, late=False) == [c["_id"], a["_id"]]
    assert elsewhere["_id"] in search(accidents, OTHER_HEAD, q="hesenova")

    items, total = accidents.history(HEAD, q=None, status=None, date_from=None, date_to=None, late=None,
                                     limit=1, offset=1)
    assert total == 3 and [r["_id"] for r in items] == [b["_id"]]
    items, total = accidents.history(HEAD, q="hesenova", status=None, date_from=None, date_to=None, late=None,
                                     limit=1, offset=1)
    assert total == 2 and [r["_id"] for r in items] == [a["_id"]]
    assert refusal(search, accidents, date_from=date(2026, 5, 2), date_to=date(2026, 5, 1)).errors == \
        {"from": ["invalid_date_range"]}
    assert refusal(search, accidents, q="x").errors == {"q": ["search_too_short"]}


def test_the_search_follows_the_victims_and_a_lagging_term_shows_nothing_wrong(accidents):
    report = accidents.create_report(HEAD, body())
    accidents.add_victim(HEAD, report["_id"], {"fin": THIRD_VICTIM, "outcome": "injured"})
    assert search(accidents, q="İsmayılova") == [report["_id"]]
    accidents.remove_victim(HEAD, report["_id"], THIRD_VICTIM)
    assert search(accidents, q="İsmayılova") == []
    # A term left behind (the process died between the report's write and the clean-up) finds the
    # report, but the report itself says it no longer matches.
    accidents.repository.add_terms(report["_id"], COMPANY, {"name:ismayilova"})
    assert search(accidents, q="İsmayılova") == [] and search(accidents, q="Həsənova") == [report["_id"]]


# --- sending: signing with Asan İmza ---------------------------------------------------------------

def confirm(signer: Principal, started: dict, pin: str | None = None, *, gateway: str) -> int:
    """Confirm on the signer's simulated phone (PIN2 unless another PIN is typed): the phone's answer."""
    sim = sim_identity(fin=signer.fin)
    return ApiSession(gateway).confirm_on_phone(sim["phone"], started["verification_code"], pin or sim["pin2"],
                                                kind="sign").status_code


def poll_until_final(accidents, caller, report_id, *, confirm_next: tuple[Principal, str] | None = None) -> dict:
    """Poll as the company's client does; with `confirm_next` (signer, gateway), each next provider
    session the polls start ("2/2": the PDF's signature) is confirmed on the signer's phone too."""
    def final():
        answer = accidents.poll_signing(caller, report_id)
        if answer["state"] != "pending":
            return answer
        if confirm_next is not None:
            signer, gateway = confirm_next
            sim = sim_identity(fin=signer.fin)
            phone = ApiSession(gateway)
            pending = phone.http.get(f"{gateway}/api/asan-sim/phones/{sim['phone']}/requests", timeout=10).json()
            for request in (r for r in pending if r["kind"] == "sign"):
                phone.http.post(f"{gateway}/api/asan-sim/phones/{sim['phone']}/requests/{request['request_id']}",
                                json={"pin": sim["pin2"]}, timeout=10)
        return None
    return eventually(final, timeout=30, message="the signature to become final")


def test_an_incomplete_or_uncoded_fatal_report_is_not_signed(accidents):
    report = accidents.create_report(HEAD, body(victims=[], informant=None))
    error = refusal(accidents.start_signing, HEAD, report["_id"])
    assert error.code == "report_incomplete"
    assert set(error.errors) == {"victims", "informant.mobile", "informant.email"}
    fatal = accidents.create_report(HEAD, body(victims=[{"fin": VICTIM, "outcome": "died"}]))
    error = refusal(accidents.start_signing, HEAD, fatal["_id"])
    assert set(error.errors) == {"incident.deviation", "incident.contact", "incident.material_agent",
                                 "victims.0.injury", "victims.0.body_part"}
    complete = accidents.create_report(HEAD, body())
    assert refusal(accidents.start_signing, HEAD, complete["_id"], "pigeon").errors == {"method": ["invalid_choice"]}
    assert refusal(accidents.poll_signing, HEAD, report["_id"]).code == "no_signing"


def test_signing_submits_the_report_under_its_number_with_the_event(accidents, fresh_db, suite):
    occurred = utcnow() - timedelta(hours=30)
    report = accidents.create_report(REP, body(
        incident=incident(occurred_at=occurred, deviation="50", contact="30", material_agent="02"),
        victims=[{"fin": VICTIM, "outcome": "died", "injury": "120", "body_part": "70"},
                 {"fin": SECOND_VICTIM, "outcome": "injured", "injury": "020", "body_part": "50", "days_lost": 21}]))
    path = report["_id"]

    # Rejected on the phone first: the report stays a draft, its number stays reserved for it.
    started = accidents.start_signing(REP, path)
    assert started["state"] == "pending" and started["verification_code"]
    assert [confirm(REP, started, "00000", gateway=suite.gateway_url) for _ in range(3)] == [403, 403, 403]
    assert poll_until_final(accidents, REP, path)["state"] == "rejected"
    reserved = accidents.repository.get_report(path)["reserved_number"]
    assert reserved.startswith("BH-") and accidents.report(REP, path)["status"] == "draft"

    started = accidents.start_signing(REP, path)
    assert confirm(REP, started, gateway=suite.gateway_url) == 200
    # Whoever of the company polls completes it (and the polls start the PDF's session, "2/2").
    final = poll_until_final(accidents, HEAD, path, confirm_next=(REP, suite.gateway_url))
    assert final["state"] == "confirmed" and final["status"] == "submitted"
    assert final["registration_number"] == reserved and domain.NUMBER_RE.match(reserved)

    stored = accidents.report(HEAD, path)
    assert stored["status"] == "submitted" and stored["registration_number"] == reserved
    assert stored["signed_by"]["fin"] == REP.fin and stored["submitted_at"]
    assert stored["late"] == 1 and stored["timing"]["late"] is True  # someone died 30 hours before
    assert stored["filed_after_minutes"] >= 30 * 60 and stored["timing"]["filed_after_minutes"] >= 30 * 60
    assert stored["stats"]["base"]["deviation"] == "50" and stored["stats_year"] == occurred.year
    [event] = fresh_db.reports.find_one({"_id": path})["_outbox"].values()
    assert event["type"] == "accidents.report.submitted" and event["source"] == "accidents"
    assert event["data"]["registration_number"] == reserved and event["data"]["any_died"] is True
    assert event["data"]["informant"]["email"] == "ilqar@example.az"
    assert [v["outcome"] for v in event["data"]["victims"]] == ["died", "injured"]

    # Immutable, and polling again changes nothing.
    assert accidents.poll_signing(HEAD, path)["state"] == "confirmed"
    assert refusal(accidents.update_report, HEAD, path, {"informant": {"email": "x@example.az"}}).status == 409
    assert search(accidents, q=reserved) == [path] and search(accidents, late=True) == [path]

    pdf, filename = accidents.report_pdf(HEAD, path)
    assert pdf.startswith(b"%PDF") and filename == f"Bədbəxt hadisə barədə bildiriş {reserved}.pdf"
    assert accidents.report_pdf(NOTIFIER, path)[0] == pdf
    data, filename = accidents.report_adoc(REP, path)
    archive = zipfile.ZipFile(io.BytesIO(data))
    content = json.loads(archive.read("report.json"))
    assert content["registration_number"] == reserved and content["victims"][0]["surname"] == "Həsənova"
    assert archive.read("report.pdf") == pdf and filename.endswith(".adoc")
    assert accidents.public_check(path) == {"report_id": path, "registration_number": reserved,
                                            "status": "submitted", "submitted_at": stored["submitted_at"],
                                            "employer_name": stored["employer"]["name"]}


def test_a_report_changed_while_the_phone_shows_it_is_not_submitted(accidents, suite):
    report = accidents.create_report(HEAD, body())
    started = accidents.start_signing(HEAD, report["_id"])
    changed = accidents.update_report(HEAD, report["_id"], {"incident": {"description": "Başqa təsvir."}})
    assert changed["signing"]["state"] == "cancelled"
    assert confirm(HEAD, started, gateway=suite.gateway_url) == 200
    assert accidents.poll_signing(HEAD, report["_id"])["state"] == "cancelled"
    assert accidents.report(HEAD, report["_id"])["status"] == "draft"
    assert refusal(accidents.public_check, report["_id"]).status == 404
    assert refusal(accidents.report_pdf, HEAD, report["_id"]).code == "report_not_submitted"


def test_a_repeated_signature_start_under_one_key_is_one_signature(accidents):
    report = accidents.create_report(HEAD, body())
    first = accidents.start_signing(HEAD, report["_id"], operation_id="op-sign")
    again = accidents.start_signing(HEAD, report["_id"], operation_id="op-sign")
    assert again["signing_id"] == first["signing_id"]
    other = accidents.start_signing(HEAD, report["_id"], operation_id="op-other")
    assert other["signing_id"] != first["signing_id"]


# --- sending: signing with the e-signature card -------------------------------------------------

@pytest.fixture(scope="module")
def cards(suite) -> dict[str, pki.CertKey]:
    """The test e-signature cards the simulator hands out (certificate and key), by FİN."""
    def card(fin: str) -> pki.CertKey:
        body = requests.get(f"{suite.gateway_url}/api/asan-sim/cards/{fin}", timeout=10).json()
        return pki.load_certkey(body["private_key"], body["certificate"])
    return {fin: card(fin) for fin in (HEAD.fin, REP.fin)}


def card_signature(card: pki.CertKey, answer: dict) -> str:
    """What the person's client does with the hash an answer hands out: the card signs it as it is."""
    assert answer["digest_algorithm"] == "sha256"
    return base64.b64encode(pki.sign_prehashed(card, base64.b64decode(answer["digest"]))).decode()


def test_signing_with_the_card_submits_the_report_as_asan_does(accidents, cards, fresh_db, suite):
    report = accidents.create_report(REP, body())
    card = cards[REP.fin]
    started = accidents.start_signing(REP, report["_id"], "card", certificate=card.cert_pem)
    assert (started["method"], started["state"], started["step"], started["steps"]) == ("card", "pending", "1/2", 2)
    assert "verification_code" not in started
    polled = accidents.poll_signing(HEAD, report["_id"])  # anyone of the company sees what the card is to sign
    assert (polled["state"], polled["digest"], polled["step"]) == ("pending", started["digest"], "1/2")

    second = accidents.card_response(REP, report["_id"], card_signature(card, started))
    assert (second["state"], second["step"]) == ("pending", "2/2") and second["digest"] != started["digest"]
    assert accidents.report(HEAD, report["_id"])["signing"]["step"] == "2/2"
    # The first signature sent again (the client lost the answer): the same answer, nothing undone.
    repeated = accidents.card_response(REP, report["_id"], card_signature(card, started))
    assert (repeated["state"], repeated["step"], repeated["digest"]) == ("pending", "2/2", second["digest"])
    final = accidents.card_response(REP, report["_id"], card_signature(card, second))
    assert final["state"] == "confirmed" and final["status"] == "submitted" and "digest" not in final
    number = final["registration_number"]

    stored = accidents.report(HEAD, report["_id"])
    assert stored["signed_by"] == {"fin": REP.fin, "name": "Şükürova Aygün Elçin qızı", "method": "card"}
    assert stored["signing"]["method"] == "card" and stored["registration_number"] == number
    [event] = fresh_db.reports.find_one({"_id": report["_id"]})["_outbox"].values()
    assert event["type"] == "accidents.report.submitted" and event["data"]["registration_number"] == number

    # The same documents as with Asan İmza: the PAdES PDF and the ADoc with the CMS over report.json.
    ca = accidents.signing.ca_pem()
    pdf, _name = accidents.report_pdf(HEAD, report["_id"])
    context = ValidationContext(trust_roots=[pki.CertKey(cert_pem=ca).asn1_cert], allow_fetching=False)
    status = validate_pdf_signature(PdfFileReader(io.BytesIO(pdf)).embedded_signatures[0], context)
    assert status.intact and status.valid and status.trusted
    assert "elektronimzakartıiləimzalanmışdır" in page_text(pdf, -1).replace(" ", "")
    archive = zipfile.ZipFile(io.BytesIO(accidents.report_adoc(REP, report["_id"])[0]))
    signer = pki.verify_detached_cms(archive.read("META-INF/signature.p7s"), archive.read("report.json"), [ca])
    assert signer.fin == REP.fin and archive.read("report.pdf") == pdf

    # Over: no card signature awaited any more.
    assert refusal(accidents.card_response, REP, report["_id"], card_signature(card, second)).status == 409


def test_a_card_signature_that_does_not_verify_leaves_the_report_to_be_signed_again(accidents, cards):
    report = accidents.create_report(HEAD, body())
    started = accidents.start_signing(HEAD, report["_id"], "card", certificate=cards[HEAD.fin].cert_pem)
    wrong = accidents.card_response(HEAD, report["_id"], card_signature(cards[REP.fin], started))
    assert wrong["state"] == "invalid" and wrong["status"] == "draft" and "digest" not in wrong
    stored = accidents.report(HEAD, report["_id"])
    assert stored["status"] == "draft" and stored["signing"]["state"] == "invalid"
    assert refusal(accidents.card_response, HEAD, report["_id"], card_signature(cards[HEAD.fin], started)).status == 409
    assert refusal(accidents.report_pdf, HEAD, report["_id"]).code == "report_not_submitted"

    again = accidents.start_signing(HEAD, report["_id"], "card", certificate=cards[HEAD.fin].cert_pem)
    second = accidents.card_response(HEAD, report["_id"], card_signature(cards[HEAD.fin], again))
    final = accidents.card_response(HEAD, report["_id"], card_signature(cards[HEAD.fin], second))
    assert final["state"] == "confirmed" and final["registration_number"] == stored["reserved_number"]


def test_a_card_that_may_not_sign_is_refused_naming_the_certificate(accidents, cards):
    report = accidents.create_report(HEAD, body())
    another = refusal(accidents.start_signing, HEAD, report["_id"], "card", certificate=cards[REP.fin].cert_pem)
    assert (another.status, another.errors) == (403, {"certificate": ["certificate_of_another_person"]})
    stranger = pki.issue_certificate(pki.generate_ca(), common_name="Məmmədov İlqar", fin=HEAD.fin)
    untrusted = refusal(accidents.start_signing, HEAD, report["_id"], "card", certificate=stranger.cert_pem)
    assert (untrusted.status, untrusted.errors) == (422, {"certificate": ["certificate_untrusted"]})
    garbage = refusal(accidents.start_signing, HEAD, report["_id"], "card", certificate="-----BEGIN CERTIFICATE-----")
    assert garbage.errors == {"certificate": ["certificate_malformed"]}
    assert accidents.report(HEAD, report["_id"]).get("signing") is None  # nothing started
    # An Asan İmza signature awaits no card.
    accidents.start_signing(HEAD, report["_id"])
    assert refusal(accidents.card_response, HEAD, report["_id"], "AAAA").code == "no_card_signature_awaited"


def test_a_report_changed_while_the_card_signs_is_not_submitted(accidents, cards):
    report = accidents.create_report(HEAD, body())
    started = accidents.start_signing(HEAD, report["_id"], "card", certificate=cards[HEAD.fin].cert_pem)
    accidents.update_report(HEAD, report["_id"], {"incident": {"description": "Başqa təsvir."}})
    assert refusal(accidents.card_response, HEAD, report["_id"], card_signature(cards[HEAD.fin], started)).status == 409
    assert accidents.report(HEAD, report["_id"])["status"] == "draft"


def test_a_repeated_card_signature_start_under_one_key_is_one_signature(accidents, cards):
    report = accidents.create_report(HEAD, body())
    first = accidents.start_signing(HEAD, report["_id"], "card", certificate=cards[HEAD.fin].cert_pem,
                                    operation_id="op-card")
    again = accidents.start_signing(HEAD, report["_id"], "card", certificate=cards[HEAD.fin].cert_pem,
                                    operation_id="op-card")
    assert again["signing_id"] == first["signing_id"] and again["digest"] == first["digest"]


# --- open statistics ---------------------------------------------------------------------------------

def test_statistics_count_victims_and_withhold_small_cells(accidents):
    year = utcnow().year
    for index in range(3):
        victims = [{"fin": VICTIM, "outcome": "injured"}, {"fin": SECOND_VICTIM, "outcome": "injured"}]
        if index == 0:
            victims.append({"fin": THIRD_VICTIM, "outcome": "died"})
        submitted(accidents, accidents.create_report(HEAD, body(victims=victims)))
    accidents.create_report(HEAD, body())  # a draft counts for nothing

    by_outcome = accidents.statistics(year=year, district=None, group_by="outcome")
    assert by_outcome["total"] == 7 and by_outcome["unit"] == "victims" and by_outcome["min_cell"] == 5
    cells = {i["code"]: i for i in by_outcome["items"]}
    assert cells["injured"]["count"] is None and cells["injured"]["suppressed"]  # 6, withheld with the 1
    assert cells["died"]["count"] is None and cells["died"]["name_az"] == "Vəfat edib"
    by_district = accidents.statistics(year=year, district="AZ-SA", group_by="district")
    assert [(i["code"], i["count"], i["name_az"]) for i in by_district["items"]] == [("AZ-SA", 7, "Şəki şəhəri")]
    assert accidents.statistics(year=year, district="AZ-GA", group_by="month") == {
        "year": year, "district": "AZ-GA", "group_by": "month", "unit": "victims", "min_cell": 5, "total": None,
        "items": []}
    by_deviation = accidents.statistics(year=year, district=None, group_by="deviation")
    assert [(i["code"], i["count"]) for i in by_deviation["items"]] == [("unknown", 7)]
    assert by_deviation["items"][0]["name_en"] == "Not known (not coded)"
    assert accidents.statistics(year=year - 5, district=None, group_by="activity")["total"] is None
    assert refusal(accidents.statistics, year=year, district="AZ-XX", group_by="month").errors == \
        {"district": ["unknown_district"]}


@pytest.mark.parametrize("rare_up_to, few_enough", [(1, 20), (200, 20), (200, 0)])
def test_a_search_by_several_words_finds_the_same_whichever_word_is_rare(accidents, monkeypatch, rare_up_to,
                                                                        few_enough):
    """The reports of the rarest word are the candidates (the first word with a few reports is
    taken at once; otherwise each word is read only while it may be rarer); when every word is
    common (here: more than one term each), the words' reports are intersected. Either way the
    same reports."""
    from accidents_service.service import reports as report_use_cases

    monkeypatch.setattr(report_use_cases, "RAREST_WORD_LIMIT", rare_up_to)
    monkeypatch.setattr(report_use_cases, "FEW_ENOUGH", few_enough)
    a = accidents.create_report(HEAD, body())
    c = accidents.create_report(HEAD, body(victims=[{"fin": THIRD_VICTIM, "outcome": "injured"},
                                                    {"fin": VICTIM, "outcome": "injured"}]))
    b = accidents.create_report(HEAD, body(victims=[{"fin": SECOND_VICTIM, "outcome": "died"}]))
    assert search(accidents, q="nərmin həs") == [c["_id"], a["_id"]]
    assert search(accidents, q="hesenova ismayilova") == [c["_id"]]
    assert search(accidents, q="ismayilova ulviyye") == [c["_id"]]
    assert search(accidents, q="hesenova quliyev") == []
    assert b["_id"] not in search(accidents, q="nermin")
