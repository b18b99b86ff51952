import hashlib
import json
import os
import re
import subprocess
import sys
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

SERVICE_DIR = Path(__file__).resolve().parents[1]
REPO_ROOT = Path(__file__).resolve().parents[3]
SIM_FILE = REPO_ROOT / "simulator/asan_sim/data/identities.json"  # the Asan İmza simulator's test SIMs

# Lets the tests run from a bare checkout, before the service is pip-installed.
if str(SERVICE_DIR) not in sys.path:
    sys.path.insert(0, str(SERVICE_DIR))

from registry_service import seed_data  # noqa: E402
from registry_service.seed_data import (  # noqa: E402
    DEMO,
    DEMO_BANK_VOEN,
    DEMO_COMPANIES,
    DEMO_FINS,
    DIRECTORY_NAMES,
    LABOUR_INSPECTORATE_VOEN,
    PROSECUTOR_VOEN,
    REFERENCE_DATE,
    build_seed,
)
from registry_service.text import (  # noqa: E402
    az_lower,
    az_upper,
    fold,
    is_valid_fin,
    is_valid_mobile,
    is_valid_voen,
    normalize_fin,
    normalize_mobile,
    transliterate,
)

AZ_LETTERS = "əğıİöüçşƏĞÖÜÇŞ"


@pytest.fixture(scope="module")
def seed():
    return build_seed()


@pytest.fixture(scope="module")
def persons(seed):
    return {p["fin"]: p for p in seed["persons"]}


@pytest.fixture(scope="module")
def orgs(seed):
    return {o["voen"]: o for o in seed["organizations"]}


@pytest.fixture(scope="module")
def codes(seed):
    return {name: {row["code"] for row in rows} for name, rows in seed["directories"].items()}


@pytest.fixture(scope="module")
def sim():
    return json.loads(SIM_FILE.read_text(encoding="utf-8"))


def _digest(data) -> str:
    return hashlib.sha256(json.dumps(data, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


# --- determinism -------------------------------------------------------------------------

def test_same_output_every_call(seed):
    assert build_seed() == seed
    assert build_seed(2026) == seed


def test_other_seed_gives_other_people(seed):
    other = build_seed(7)
    assert other["persons"][len(DEMO):] != seed["persons"][len(DEMO):]
    # Demo people stay put whatever the seed.
    assert [p["fin"] for p in other["persons"][:len(DEMO)]] == list(DEMO_FINS)


def test_same_output_in_another_process_with_other_hash_seed(seed):
    code = (
        "import hashlib, json, sys; sys.path.insert(0, sys.argv[1]);"
        "from registry_service.seed_data import build_seed;"
        "print(hashlib.sha256(json.dumps(build_seed(), ensure_ascii=False, sort_keys=True)"
        ".encode()).hexdigest())"
    )
    env = dict(os.environ, PYTHONHASHSEED="12345")
    out = subprocess.run([sys.executable, "-c", code, str(SERVICE_DIR)], env=env,
                         capture_output=True, text=True, check=True)
    assert out.stdout.strip() == _digest(seed)


def test_callers_cannot_corrupt_later_seeds():
    first = build_seed()
    first["persons"][0]["name"] = "X"
    first["directories"]["districts"].clear()
    again = build_seed()
    assert again["persons"][0]["name"] == DEMO["multi_head"]["name"]
    assert again["directories"]["districts"]


# --- counts and uniqueness ---------------------------------------------------------------

def test_counts(seed):
    assert len(seed["persons"]) >= 320
    assert len(seed["organizations"]) >= 60
    assert tuple(seed["directories"]) == DIRECTORY_NAMES
    dirs = seed["directories"]
    assert len(dirs["activity-types"]) >= 30
    assert 35 <= len(dirs["occupations"]) <= 60
    for name, rows in dirs.items():
        assert rows, name
        for row in rows:
            assert row["code"] and row["name_az"] and row["name_en"], (name, row)


@pytest.mark.parametrize("key", ["fin", "mobile", "email"])
def test_person_fields_unique(seed, key):
    values = [p[key] for p in seed["persons"]]
    assert len(values) == len(set(values)), Counter(values).most_common(3)


def test_id_documents_unique(seed):
    docs = [(p["id_document"]["series"], p["id_document"]["number"]) for p in seed["persons"]]
    assert len(docs) == len(set(docs))


@pytest.mark.parametrize("key", ["voen", "name", "email"])
def test_organization_fields_unique(seed, key):
    values = [o[key] for o in seed["organizations"]]
    assert len(values) == len(set(values))


def test_directory_codes_unique(seed):
    for name, rows in seed["directories"].items():
        values = [r["code"] for r in rows]
        assert len(values) == len(set(values)), name


# --- formats -----------------------------------------------------------------------------

def test_person_formats(seed):
    for p in seed["persons"]:
        assert is_valid_fin(p["fin"]) and p["fin"] == normalize_fin(p["fin"]), p["fin"]
        assert "I" not in p["fin"] and "O" not in p["fin"], p["fin"]
        assert is_valid_mobile(p["mobile"]), p["mobile"]
        assert p["gender"] in ("male", "female")
        born = date.fromisoformat(p["birth_date"])
        assert 18 <= (REFERENCE_DATE - born).days // 365 <= 75, p["birth_date"]
        suffix = " oğlu" if p["gender"] == "male" else " qızı"
        assert p["patronymic"].endswith(suffix), p["patronymic"]
        doc = p["id_document"]
        assert (doc["series"], len(doc["number"])) in (("AZE", 8), ("AA", 7)), doc
        assert doc["number"].isdigit()
        assert p["address"]["text"] and p["address"]["district_code"]
        assert p["email"].isascii()
        assert re.fullmatch(r"[a-z0-9.]+@[a-z0-9.-]+\.example", p["email"]), p["email"]


def test_organization_formats(seed):
    for o in seed["organizations"]:
        assert is_valid_voen(o["voen"]), o["voen"]
        assert o["name"] and o["short_name"]
        assert o["legal_address"]["text"]
        assert o["activity_types"] and len(o["activity_types"]) == len(set(o["activity_types"]))
        assert re.fullmatch(r"[a-z0-9.-]+@[a-z0-9.-]+\.example", o["email"]), o["email"]
        date.fromisoformat(o["registration_date"])


def test_every_head_exists(seed, persons):
    for o in seed["organizations"]:
        assert o["head_fin"] in persons, o["voen"]


def test_referenced_codes_exist(seed, codes):
    for p in seed["persons"]:
        assert p["address"]["district_code"] in codes["districts"]
    for o in seed["organizations"]:
        assert o["legal_address"]["district_code"] in codes["districts"]
        assert set(o["activity_types"]) <= codes["activity-types"], o["activity_types"]
        assert o["ownership_type"] in codes["ownership-types"]
        assert o["legal_form"] in codes["legal-forms"]
        assert o["insurer_type"] in codes["insurer-types"]
    for d in seed["directories"]["districts"]:
        if "parent" in d:
            assert d["parent"] in codes["districts"]


def test_azerbaijani_letters_survive(seed):
    person_text = " ".join(f"{p['surname']} {p['name']} {p['patronymic']} {p['address']['text']}"
                           for p in seed["persons"])
    org_text = " ".join(o["name"] for o in seed["organizations"])
    for letter in "əğıİöüçşƏÇŞÜ":
        assert letter in person_text, letter
    for letter in "əğıİöüçşƏŞÇ":
        assert letter in org_text, letter
    for name, rows in seed["directories"].items():
        assert any(set(r["name_az"]) & set(AZ_LETTERS) for r in rows), name


# --- directories content -------------------------------------------------------------------

def test_districts_are_complete(seed):
    districts = seed["directories"]["districts"]
    kinds = Counter(d["kind"] for d in districts)
    assert kinds["district"] == 66
    assert kinds["city"] == 11
    names = {d["name_az"] for d in districts}
    for expected in ("Bakı şəhəri", "Gəncə şəhəri", "Sumqayıt şəhəri", "Mingəçevir şəhəri",
                     "Şirvan şəhəri", "Naftalan şəhəri", "Lənkəran şəhəri", "Şəki şəhəri",
                     "Yevlax şəhəri", "Xankəndi şəhəri", "Naxçıvan şəhəri", "Şuşa rayonu",
                     "Abşeron rayonu", "Ağcabədi rayonu", "Ağdam rayonu", "Zərdab rayonu",
                     "İsmayıllı rayonu", "Kəngərli rayonu", "Bakı şəhəri, Nəsimi rayonu"):
        assert expected in names, expected


def test_directory_contents(codes, seed):
    assert {"68.2.c", "69", "70.a", "70.b", "73", "74", "75"} <= codes["termination-grounds"]
    purposes = {r["name_az"] for r in seed["directories"]["certificate-purposes"]}
    assert {"Bank üçün", "Səfirlik üçün", "Dövlət orqanına təqdim etmək üçün"} <= purposes
    insurer_types = {r["name_az"] for r in seed["directories"]["insurer-types"]}
    assert {"Hüquqi şəxs", "Xarici hüquqi şəxsin filialı"} <= insurer_types
    assert all(re.fullmatch(r"\d{4}", c) for c in codes["occupations"])
    assert all(re.fullmatch(r"\d{2}\.\d{2}", c) for c in codes["activity-types"])
    abbreviations = {r["abbreviation"] for r in seed["directories"]["legal-forms"]}
    assert {"MMC", "ASC", "QSC"} <= abbreviations


# --- named organisations and demo people ---------------------------------------------------

def test_inspectorate_and_prosecutor(orgs):
    assert orgs[LABOUR_INSPECTORATE_VOEN]["name"] == "Dövlət Əmək Müfəttişliyi Xidməti"
    assert orgs[PROSECUTOR_VOEN]["name"] == "Azərbaycan Respublikasının Baş Prokurorluğu"
    assert orgs[LABOUR_INSPECTORATE_VOEN]["head_fin"] == DEMO["inspectorate_head"]["fin"]
    assert orgs[PROSECUTOR_VOEN]["head_fin"] == DEMO["prosecutor_head"]["fin"]


def test_banks_embassy_and_company_forms(seed, orgs):
    banks = [o for o in seed["organizations"] if "64.19" in o["activity_types"]]
    assert len(banks) >= 3
    assert orgs[DEMO_BANK_VOEN]["head_fin"] == DEMO["bank_head"]["fin"]
    assert any(o["legal_form"] == "330" for o in seed["organizations"])  # embassy
    forms = Counter(o["short_name"].rsplit(" ", 1)[-1] for o in seed["organizations"])
    assert forms["MMC"] >= 10 and forms["ASC"] >= 2 and forms["QSC"] >= 1


def test_demo_people_come_first_and_match(seed):
    people = seed["persons"][:len(DEMO)]
    for person, demo in zip(people, DEMO.values()):
        for key in ("fin", "surname", "name", "patronymic", "gender", "birth_date", "mobile"):
            assert person[key] == demo[key], key
        assert is_valid_fin(demo["fin"]) and is_valid_mobile(demo["mobile"])
        assert set(demo["name"] + demo["surname"] + demo["patronymic"]) & set(AZ_LETTERS)


def test_demo_roles(seed):
    headed = Counter(o["head_fin"] for o in seed["organizations"])
    by_head = {}
    for o in seed["organizations"]:
        by_head.setdefault(o["head_fin"], []).append(o["voen"])
    for key, demo in DEMO.items():
        assert sorted(by_head.get(demo["fin"], [])) == sorted(demo["companies"]), key
    assert headed[DEMO["multi_head"]["fin"]] == 3
    assert headed[DEMO["head_a"]["fin"]] == 1 and headed[DEMO["head_b"]["fin"]] == 1
    for key in ("employee_1", "employee_2", "employee_3", "employee_4",
                "jobless_1", "jobless_2", "staff"):
        assert headed[DEMO[key]["fin"]] == 0, key
    assert [k for k, d in DEMO.items() if d["staff"]] == ["staff"]
    assert set(DEMO_COMPANIES.values()) <= {o["voen"] for o in seed["organizations"]}


def test_sim_identities_match_registry(sim, persons):
    assert [s["fin"] for s in sim] == list(DEMO_FINS)
    for s, demo in zip(sim, DEMO.values()):
        person = persons[s["fin"]]
        assert s["phone"] == person["mobile"] == demo["mobile"]
        assert s["name"] == person["name"] and s["surname"] == person["surname"]
        assert s["companies"] == demo["companies"]  # the heads the tax registry names
        assert s["label"] == demo["label"] and s["label"].isascii()
        assert re.fullmatch(r"\d{6}", s["user_id"])
        assert re.fullmatch(r"\d{4}", s["pin1"])
        assert re.fullmatch(r"\d{5}", s["pin2"])
    assert len({s["user_id"] for s in sim}) == len(sim)
    assert len({s["phone"] for s in sim}) == len(sim)


# --- text helpers --------------------------------------------------------------------------

def test_fold():
    assert fold("ŞƏKİ İnşaat") == fold("seki insaat") == "seki insaat"
    assert fold("  Gəncə   ŞƏHƏRİ ") == "gence seheri"
    assert fold("IĞDIR") == fold("ığdır") == "igdir"
    assert fold("Çingiz Söhrab Tuğrul Ülviyyə") == "cingiz sohrab tugrul ulviyye"
    assert fold("i\u0307nşaat") == "insaat"  # İ lower-cased by a generic tool
    assert fold("Ş\u0259ki") == fold("S\u0327əki")  # NFC / NFD spellings


def test_az_case():
    assert az_lower("İLQAR IŞIQ") == "ilqar ışıq"
    assert az_upper("ilqar ışıq") == "İLQAR IŞIQ"


def test_transliterate():
    assert transliterate("Məmmədov Gülnarə") == "memmedov gulnare"
    assert transliterate("Şükürova").isascii()


@pytest.mark.parametrize("value,ok", [
    ("5ZK2M7P", True), ("5zk2m7p", True), (" 5zk2m7p ", True), ("1234567", True),
    ("5ZK2M7", False), ("5ZK2M7PP", False), ("5ZK-M7P", False), ("5ZKŞM7P", False),
    ("", False), (None, False), (1234567, False),
])
def test_fin_validation(value, ok):
    assert is_valid_fin(value) is ok


@pytest.mark.parametrize("value,ok", [
    ("1400245611", True), ("0000000000", True), ("140024561", False), ("14002456111", False),
    ("14002456a1", False), ("１４００２４５６１１", False), (1400245611, False),
])
def test_voen_validation(value, ok):
    assert is_valid_voen(value) is ok


@pytest.mark.parametrize("value,ok", [
    ("+994501234567", True), ("+994101234567", True), ("+994991234567", True),
    ("+994121234567", False),  # Baku landline code
    ("+99450123456", False), ("+9945012345678", False), ("994501234567", False),
    ("0501234567", False), ("+994 50 123 45 67", False), (None, False),
])
def test_mobile_validation(value, ok):
    assert is_valid_mobile(value) is ok


@pytest.mark.parametrize("raw", ["050 123 45 67", "(050) 123-45-67", "994501234567",
                                 "00994501234567", "+994 50 123 45 67"])
def test_normalize_mobile(raw):
    assert normalize_mobile(raw) == "+994501234567"


def test_module_constants_are_valid():
    for voen in (LABOUR_INSPECTORATE_VOEN, PROSECUTOR_VOEN, DEMO_BANK_VOEN, *DEMO_COMPANIES.values(),
                 seed_data.MINISTRY_VOEN, seed_data.SOCIAL_FUND_VOEN):
        assert is_valid_voen(voen)
    assert len(set(DEMO_FINS)) == len(DEMO_FINS)
