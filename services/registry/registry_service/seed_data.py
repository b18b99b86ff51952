"""Synthetic, reproducible copy of the state registries (population, tax) and directories.

build_seed() always returns the same data for the same seed: it draws only from
random.Random(seed), never from the clock, and never iterates over sets (string hashing
is randomised per process). The demo people come first with fixed FİNs and phones so the
Asan İmza simulator (services/auth/auth_service/data/asan_sim_identities.json) and the
docs can name them.
"""

from __future__ import annotations

import json
import random
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from .text import MOBILE_OPERATOR_CODES, transliterate

DEFAULT_SEED = 2026
# Ages and registration dates are computed against this, not today, so output never drifts.
REFERENCE_DATE = date(2026, 1, 1)
PERSON_COUNT = 400
ORGANIZATION_COUNT = 64
EMAIL_DOMAINS = ("mail.az-test.example", "poct.az-test.example", "inbox.az-test.example")
ORG_EMAIL_DOMAIN = "az-test.example"

DIRECTORY_NAMES = (
    "districts",
    "activity-types",
    "ownership-types",
    "legal-forms",
    "insurer-types",
    "certificate-purposes",
    "occupations",
    "termination-grounds",
    "lookup-purposes",
)

# Eurostat's ESAW code lists (main groups), for coding workplace accidents: data/esaw.json.
ESAW_DIRECTORY_NAMES = ("esaw-deviations", "esaw-contact-modes", "esaw-material-agents", "esaw-injury-types",
                        "esaw-body-parts")
DIRECTORY_NAMES += ESAW_DIRECTORY_NAMES

# FİNs on real ID cards avoid I and O (confusable with 1 and 0).
FIN_ALPHABET = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"

_DATA_DIR = Path(__file__).resolve().parent / "data"

# --- fixed organisations -------------------------------------------------------------

MINISTRY_VOEN = "1400067391"
SOCIAL_FUND_VOEN = "1400088211"
LABOUR_INSPECTORATE_VOEN = "1400245611"
PROSECUTOR_VOEN = "1500012341"
MIGRATION_SERVICE_VOEN = "1400371281"
EMBASSY_VOEN = "1300456721"
FOREIGN_BRANCH_VOEN = "1300588431"
DEMO_BANK_VOEN = "9900072351"
BANK_VOENS = (DEMO_BANK_VOEN, "9900081461", "9900093571", "9900104681", "9900115791")

DEMO_COMPANIES: dict[str, str] = {
    "xezer_ulduzu_insaat": "1701100121",
    "seki_ipek_tekstil": "1701100231",
    "goygol_aqro": "1701100341",
    "cinarli_logistika": "1701100451",
    "ag_seher_kafe": "1701100561",
}

# --- demo people ---------------------------------------------------------------------
# Registry facts only; their Asan İmza user IDs and PINs live in the auth service's
# simulator file, which the registry tests check against this table.

DEMO: dict[str, dict[str, Any]] = {
    "multi_head": {
        "fin": "5ZK2M7P", "surname": "Məmmədov", "name": "İlqar", "patronymic": "Rəşid oğlu",
        "gender": "male", "birth_date": "1974-03-12", "mobile": "+994501112233",
        "label": "head of 3 companies", "staff": False,
        "companies": [DEMO_COMPANIES["xezer_ulduzu_insaat"], DEMO_COMPANIES["seki_ipek_tekstil"],
                      DEMO_COMPANIES["goygol_aqro"]],
    },
    "head_a": {
        "fin": "3HB8RXT", "surname": "Əliyeva", "name": "Gülnarə", "patronymic": "Söhrab qızı",
        "gender": "female", "birth_date": "1981-07-25", "mobile": "+994552223344",
        "label": "head of 1 company (logistics)", "staff": False,
        "companies": [DEMO_COMPANIES["cinarli_logistika"]],
    },
    "head_b": {
        "fin": "6TQ4NWA", "surname": "Hüseynov", "name": "Çingiz", "patronymic": "Tuğrul oğlu",
        "gender": "male", "birth_date": "1968-11-02", "mobile": "+994703334455",
        "label": "head of 1 company (cafe)", "staff": False,
        "companies": [DEMO_COMPANIES["ag_seher_kafe"]],
    },
    "employee_1": {
        "fin": "2PLX9DM", "surname": "Şükürova", "name": "Aygün", "patronymic": "Elçin qızı",
        "gender": "female", "birth_date": "1992-05-18", "mobile": "+994514445566",
        "label": "employee / representative 1", "staff": False, "companies": [],
    },
    "employee_2": {
        "fin": "7MW3KZS", "surname": "Quliyev", "name": "Söhrab", "patronymic": "Əli oğlu",
        "gender": "male", "birth_date": "1988-01-30", "mobile": "+994775556677",
        "label": "employee / representative 2", "staff": False, "companies": [],
    },
    "employee_3": {
        "fin": "4RD6YFC", "surname": "Həsənova", "name": "Nərmin", "patronymic": "İlqar qızı",
        "gender": "female", "birth_date": "1996-09-09", "mobile": "+994996667788",
        "label": "employee 3", "staff": False, "companies": [],
    },
    "employee_4": {
        "fin": "1XG5VHJ", "surname": "Ağayev", "name": "Tuğrul", "patronymic": "Çingiz oğlu",
        "gender": "male", "birth_date": "1990-12-14", "mobile": "+994107778899",
        "label": "employee 4", "staff": False, "companies": [],
    },
    "jobless_1": {
        "fin": "8JN2QAE", "surname": "İsmayılova", "name": "Ülviyyə", "patronymic": "Vüqar qızı",
        "gender": "female", "birth_date": "1999-04-22", "mobile": "+994608889900",
        "label": "no job 1", "staff": False, "companies": [],
    },
    "jobless_2": {
        "fin": "9CV7TBU", "surname": "Cəfərov", "name": "Şahin", "patronymic": "Oqtay oğlu",
        "gender": "male", "birth_date": "1985-06-06", "mobile": "+994509990011",
        "label": "no job 2", "staff": False, "companies": [],
    },
    "staff": {
        "fin": "3SF9WKL", "surname": "Qasımova", "name": "Leyla", "patronymic": "Fərid qızı",
        "gender": "female", "birth_date": "1983-02-17", "mobile": "+994551230001",
        "label": "operations staff (ministry)", "staff": True, "companies": [],
    },
    "inspectorate_head": {
        "fin": "6DE4PUZ", "surname": "Rəhimov", "name": "Vüqar", "patronymic": "Məmməd oğlu",
        "gender": "male", "birth_date": "1971-08-08", "mobile": "+994701230002",
        "label": "head of the labour inspectorate", "staff": False,
        "companies": [LABOUR_INSPECTORATE_VOEN],
    },
    "prosecutor_head": {
        "fin": "2KY8MRN", "surname": "Səfərov", "name": "Kamran", "patronymic": "Həsən oğlu",
        "gender": "male", "birth_date": "1969-10-10", "mobile": "+994511230003",
        "label": "head of the prosecutor's office", "staff": False,
        "companies": [PROSECUTOR_VOEN],
    },
    "bank_head": {
        "fin": "5TH3WQG", "surname": "Bağırova", "name": "Səbinə", "patronymic": "Əkbər qızı",
        "gender": "female", "birth_date": "1977-12-01", "mobile": "+994991230004",
        "label": "head of a bank", "staff": False, "companies": [DEMO_BANK_VOEN],
    },
}

DEMO_FINS: tuple[str, ...] = tuple(p["fin"] for p in DEMO.values())

# Organisations with fixed identities. head: a DEMO key, or None for a generated person.
# legal_form/ownership/insurer_type codes refer to directories.json.
_FIXED_ORGS: list[dict[str, Any]] = [
    {"voen": MINISTRY_VOEN, "name": "Azərbaycan Respublikasının Əmək və Əhalinin Sosial Müdafiəsi Nazirliyi",
     "short_name": "Əmək və Əhalinin Sosial Müdafiəsi Nazirliyi", "slug": "labour-ministry",
     "head": None, "district": "AZ-BA-NSM", "street": "Əsəf Zeynallı küçəsi 85",
     "activities": ["84.11", "84.12"], "ownership": "1", "legal_form": "160", "insurer_type": "6",
     "registered": "1995-03-01"},
    {"voen": SOCIAL_FUND_VOEN, "name": "Dövlət Sosial Müdafiə Fondu",
     "short_name": "DSMF", "slug": "dsmf", "head": None, "district": "AZ-BA-YSM",
     "street": "Hüseyn Cavid prospekti 42", "activities": ["84.30"], "ownership": "1",
     "legal_form": "160", "insurer_type": "6", "registered": "1995-04-12"},
    {"voen": LABOUR_INSPECTORATE_VOEN, "name": "Dövlət Əmək Müfəttişliyi Xidməti",
     "short_name": "DƏMX", "slug": "labour-inspectorate", "head": "inspectorate_head",
     "district": "AZ-BA-NRM", "street": "Tbilisi prospekti 60", "activities": ["84.13", "84.12"],
     "ownership": "1", "legal_form": "160", "insurer_type": "6", "registered": "2001-09-17"},
    {"voen": PROSECUTOR_VOEN, "name": "Azərbaycan Respublikasının Baş Prokurorluğu",
     "short_name": "Baş Prokurorluq", "slug": "prosecutor", "head": "prosecutor_head",
     "district": "AZ-BA-SBL", "street": "Neftçilər prospekti 7", "activities": ["84.23"],
     "ownership": "1", "legal_form": "160", "insurer_type": "6", "registered": "1995-02-10"},
    {"voen": MIGRATION_SERVICE_VOEN, "name": "Azərbaycan Respublikasının Dövlət Miqrasiya Xidməti",
     "short_name": "Dövlət Miqrasiya Xidməti", "slug": "migration", "head": None,
     "district": "AZ-BA-XTA", "street": "Babək prospekti 50", "activities": ["84.11"],
     "ownership": "1", "legal_form": "160", "insurer_type": "6", "registered": "2007-05-02"},
    # A fictional state, so no real embassy is impersonated.
    {"voen": EMBASSY_VOEN, "name": "Ardeniya Krallığının Azərbaycan Respublikasındakı Səfirliyi",
     "short_name": "Ardeniya Səfirliyi", "slug": "ardenia-embassy", "head": None,
     "district": "AZ-BA-SBL", "street": "İstiqlaliyyət küçəsi 21", "activities": ["99.00"],
     "ownership": "4", "legal_form": "330", "insurer_type": "7", "registered": "2004-11-23"},
    {"voen": FOREIGN_BRANCH_VOEN, "name": "\"Nordlicht Engineering GmbH\" şirkətinin Azərbaycan filialı",
     "short_name": "Nordlicht Engineering filialı", "slug": "nordlicht", "head": None,
     "district": "AZ-BA-XZR", "street": "Sülh küçəsi 14", "activities": ["71.12", "09.10"],
     "ownership": "4", "legal_form": "310", "insurer_type": "4", "registered": "2012-06-05"},
    # Banks: invented names.
    {"voen": BANK_VOENS[0], "name": "\"Dan Ulduzu Bank\" Açıq Səhmdar Cəmiyyəti",
     "short_name": "\"Dan Ulduzu Bank\" ASC", "slug": "danulduzubank", "head": "bank_head",
     "district": "AZ-BA-NSM", "street": "Füzuli küçəsi 71", "activities": ["64.19"],
     "ownership": "3", "legal_form": "121", "insurer_type": "1", "registered": "1998-07-14"},
    {"voen": BANK_VOENS[1], "name": "\"Şərq Körpüsü Bank\" Açıq Səhmdar Cəmiyyəti",
     "short_name": "\"Şərq Körpüsü Bank\" ASC", "slug": "serqkorpusubank", "head": None,
     "district": "AZ-BA-SBL", "street": "Bülbül prospekti 18", "activities": ["64.19"],
     "ownership": "5", "legal_form": "121", "insurer_type": "1", "registered": "2003-02-20"},
    {"voen": BANK_VOENS[2], "name": "\"Göy Qala Bank\" Açıq Səhmdar Cəmiyyəti",
     "short_name": "\"Göy Qala Bank\" ASC", "slug": "goyqalabank", "head": None,
     "district": "AZ-BA-YSM", "street": "Şərifzadə küçəsi 33", "activities": ["64.19"],
     "ownership": "3", "legal_form": "121", "insurer_type": "1", "registered": "2006-10-09"},
    {"voen": BANK_VOENS[3], "name": "\"Çinar Kredit Bank\" Qapalı Səhmdar Cəmiyyəti",
     "short_name": "\"Çinar Kredit Bank\" QSC", "slug": "cinarkreditbank", "head": None,
     "district": "AZ-GA", "street": "Atatürk prospekti 112", "activities": ["64.19"],
     "ownership": "3", "legal_form": "122", "insurer_type": "1", "registered": "2009-04-28"},
    {"voen": BANK_VOENS[4], "name": "\"Ülfət Bank\" Açıq Səhmdar Cəmiyyəti",
     "short_name": "\"Ülfət Bank\" ASC", "slug": "ulfetbank", "head": None,
     "district": "AZ-BA-NRM", "street": "Ziya Bünyadov prospekti 9", "activities": ["64.19", "65.12"],
     "ownership": "3", "legal_form": "121", "insurer_type": "1", "registered": "2011-12-01"},
    # Demo companies.
    {"voen": DEMO_COMPANIES["xezer_ulduzu_insaat"], "core": "Xəzər Ulduzu İnşaat", "legal_form": "111",
     "head": "multi_head", "district": "AZ-BA-XTA", "street": "Xətai prospekti 24",
     "activities": ["41.20", "43.21", "71.12"], "ownership": "3", "insurer_type": "1",
     "registered": "2010-03-15"},
    {"voen": DEMO_COMPANIES["seki_ipek_tekstil"], "core": "Şəki İpək Tekstil", "legal_form": "121",
     "head": "multi_head", "district": "AZ-SA", "street": "Məmməd Əmin Rəsulzadə küçəsi 5",
     "activities": ["13.20", "46.90"], "ownership": "3", "insurer_type": "1",
     "registered": "2014-08-01"},
    {"voen": DEMO_COMPANIES["goygol_aqro"], "core": "Göygöl Aqro", "legal_form": "122",
     "head": "multi_head", "district": "AZ-GYG", "street": "Heydər Əliyev prospekti 40",
     "activities": ["01.21", "11.02", "01.13"], "ownership": "3", "insurer_type": "1",
     "registered": "2017-02-09"},
    {"voen": DEMO_COMPANIES["cinarli_logistika"], "core": "Çinarlı Logistika", "legal_form": "111",
     "head": "head_a", "district": "AZ-SM", "street": "Sülh küçəsi 3",
     "activities": ["49.41", "52.10"], "ownership": "3", "insurer_type": "1",
     "registered": "2015-05-20"},
    {"voen": DEMO_COMPANIES["ag_seher_kafe"], "core": "Ağ Şəhər Kafe", "legal_form": "111",
     "head": "head_b", "district": "AZ-BA-SBL", "street": "Nizami küçəsi 91",
     "activities": ["56.10"], "ownership": "3", "insurer_type": "1",
     "registered": "2019-11-11"},
]

# Generated companies: name cores and the activity each implies.
_COMPANY_PREFIXES = (
    "Xəzər", "Şirvan", "Qafqaz", "Kür", "Araz", "Abşeron", "Gəncə", "Şəki", "Qarabağ",
    "Naxçıvan", "Lənkəran", "Qəbələ", "Muğan", "Şahdağ", "Günəş", "Çinar", "Qızıl Açar",
    "Yaşıl Vadi", "Mavi Dəniz", "Ağ Daş", "İnci", "Zəfər", "Körpü", "Səma", "Ümid", "Ulduz",
)
# Prefixes that are places: such a company sits in that place.
_PREFIX_DISTRICTS = {
    "Şirvan": "AZ-SR", "Kür": "AZ-MI", "Abşeron": "AZ-ABS", "Gəncə": "AZ-GA", "Şəki": "AZ-SA",
    "Naxçıvan": "AZ-NV", "Lənkəran": "AZ-LA", "Qəbələ": "AZ-QAB", "Muğan": "AZ-SAB",
    "Şahdağ": "AZ-QUS", "Qarabağ": "AZ-AGM",
}
_COMPANY_SECTORS = (
    ("İnşaat", "41.20"), ("Tikinti", "41.20"), ("Yol Tikinti", "42.11"), ("Elektrik Montaj", "43.21"),
    ("Avto Servis", "45.20"), ("Ticarət", "46.90"), ("Market", "47.11"), ("Logistika", "49.41"),
    ("Anbar Xidmətləri", "52.10"), ("Otel", "55.10"), ("Restoran", "56.10"), ("Proqram", "62.01"),
    ("Rəqəmsal Həllər", "62.02"), ("Data Mərkəzi", "63.11"), ("Hüquq Məsləhət", "69.10"),
    ("Audit", "69.20"), ("Konsaltinq", "70.22"), ("Mühəndislik", "71.12"), ("Reklam", "73.11"),
    ("Mühafizə", "80.10"), ("Təmizlik", "81.21"), ("Aqro", "01.11"), ("Tərəvəz", "01.13"),
    ("Üzüm Bağları", "01.21"), ("Neft Servis", "09.10"), ("Çörək Zavodu", "10.71"),
    ("Şərab", "11.02"), ("Tekstil", "13.20"), ("Metal Konstruksiya", "25.11"), ("Mebel", "31.09"),
    ("Enerji", "35.11"), ("Təhsil Mərkəzi", "85.31"), ("Klinika", "86.10"), ("Əmlak", "68.20"),
)
_AUXILIARY_ACTIVITIES = ("46.90", "47.11", "49.41", "52.10", "68.20", "70.22", "62.02", "73.11")
# (legal form code, weight) for generated companies.
_COMPANY_FORMS = (("111", 14), ("121", 2), ("122", 2), ("112", 1))
# Azerbaijani full-name suffix (genitive) and abbreviation per legal form.
_FORM_SUFFIX = {
    "111": ("Məhdud Məsuliyyətli Cəmiyyəti", "MMC"),
    "112": ("Əlavə Məsuliyyətli Cəmiyyəti", "ƏMC"),
    "121": ("Açıq Səhmdar Cəmiyyəti", "ASC"),
    "122": ("Qapalı Səhmdar Cəmiyyəti", "QSC"),
}


@lru_cache(maxsize=None)
def _read_json_text(name: str) -> str:
    return (_DATA_DIR / name).read_text(encoding="utf-8")


def _load(name: str) -> Any:
    # Parse on every call so callers may mutate what they get.
    return json.loads(_read_json_text(name))


def load_directories() -> dict[str, list[dict[str, Any]]]:
    """All directories, name → list of {code, name_az, name_en, ...}."""
    dirs = {"districts": _load("districts.json")}
    dirs.update(_load("directories.json"))
    dirs.update(_load("esaw.json"))
    return {name: dirs[name] for name in DIRECTORY_NAMES}


def _slug(text: str) -> str:
    ascii_text = transliterate(text)
    out = "".join(ch if ch.isalnum() else "-" for ch in ascii_text)
    return "-".join(part for part in out.split("-") if part)


class _Builder:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.names = _load("names.json")
        self.directories = load_directories()
        self.districts = {d["code"]: d for d in self.directories["districts"]}
        self.city_districts = [d["code"] for d in self.directories["districts"]
                               if d["kind"] == "city_district"]
        self.other_places = [d["code"] for d in self.directories["districts"]
                             if d["kind"] != "city_district" and d["code"] != "AZ-BA"]
        self.fins: set[str] = set(DEMO_FINS)
        self.mobiles: set[str] = {p["mobile"] for p in DEMO.values()}
        self.emails: set[str] = set()
        self.documents: set[tuple[str, str]] = set()
        self.voens: set[str] = {o["voen"] for o in _FIXED_ORGS}

    # --- small generators ------------------------------------------------------------

    def new_fin(self) -> str:
        while True:
            fin = "".join(self.rng.choice(FIN_ALPHABET) for _ in range(7))
            if fin not in self.fins:
                self.fins.add(fin)
                return fin

    def new_mobile(self) -> str:
        while True:
            operator = self.rng.choice(MOBILE_OPERATOR_CODES)
            number = f"+994{operator}{self.rng.randint(2_000_000, 9_999_999)}"
            if number not in self.mobiles:
                self.mobiles.add(number)
                return number

    def new_voen(self) -> str:
        while True:
            # Last digit 1 marks a legal entity in real VÖENs.
            voen = f"{self.rng.randint(1, 3)}{self.rng.randint(0, 99_999_999):08d}1"
            if voen not in self.voens:
                self.voens.add(voen)
                return voen

    def new_document(self, birth_year: int) -> dict[str, str]:
        while True:
            # Old "AA" cards are only still held by people born before the new ones came.
            if birth_year < 1995 and self.rng.random() < 0.35:
                doc = ("AA", f"{self.rng.randint(0, 9_999_999):07d}")
            else:
                doc = ("AZE", f"{self.rng.randint(10_000_000, 19_999_999):08d}")
            if doc not in self.documents:
                self.documents.add(doc)
                return {"series": doc[0], "number": doc[1]}

    def new_email(self, name: str, surname: str, birth_year: int) -> str:
        base = f"{transliterate(name)}.{transliterate(surname)}".replace(" ", "")
        domain = self.rng.choice(EMAIL_DOMAINS)
        for local in (base, f"{base}{birth_year % 100:02d}", f"{base}{birth_year}"):
            email = f"{local}@{domain}"
            if email not in self.emails:
                self.emails.add(email)
                return email
        n = 2
        while f"{base}.{n}@{domain}" in self.emails:
            n += 1
        self.emails.add(f"{base}.{n}@{domain}")
        return f"{base}.{n}@{domain}"

    def place_prefix(self, code: str) -> str:
        d = self.districts[code]
        if "autonomous_republic" in d:
            return f"{d['autonomous_republic']}, {d['name_az']}"
        return d["name_az"]

    def pick_home_district(self) -> str:
        roll = self.rng.random()
        if roll < 0.55:
            return self.rng.choice(self.city_districts)
        if roll < 0.65:
            return self.rng.choice(("AZ-SM", "AZ-GA"))
        return self.rng.choice(self.other_places)

    def street(self, code: str) -> str:
        pool = self.names["streets"]
        if code.startswith("AZ-BA"):
            pool = pool + self.names["baku_streets"]
        return self.rng.choice(pool)

    def home_address(self, code: str) -> dict[str, str]:
        text = f"{self.place_prefix(code)}, {self.street(code)}, ev {self.rng.randint(1, 180)}"
        if self.districts[code]["kind"] != "district" or self.rng.random() < 0.3:
            text += f", mənzil {self.rng.randint(1, 120)}"
        return {"district_code": code, "text": text}

    def birth_date(self) -> str:
        start = date(1956, 1, 1).toordinal()
        end = date(2005, 12, 31).toordinal()
        return date.fromordinal(self.rng.randint(start, end)).isoformat()

    # --- people ----------------------------------------------------------------------

    def person(self, *, fin: str, surname: str, name: str, patronymic: str, gender: str,
               birth_date: str, mobile: str) -> dict[str, Any]:
        year = int(birth_date[:4])
        return {
            "fin": fin,
            "surname": surname,
            "name": name,
            "patronymic": patronymic,
            "birth_date": birth_date,
            "gender": gender,
            "id_document": self.new_document(year),
            "address": self.home_address(self.pick_home_district()),
            "email": self.new_email(name, surname, year),
            "mobile": mobile,
        }

    def generated_person(self) -> dict[str, Any]:
        gender = self.rng.choice(("male", "female"))
        first_names = self.names["male_names"] if gender == "male" else self.names["female_names"]
        name = self.rng.choice(first_names)
        father = self.rng.choice([n for n in self.names["male_names"] if n != name])
        family = self.rng.choice(self.names["surnames"])
        surname = family + "a" if gender == "female" and family.endswith("v") else family
        patronymic = f"{father} {'oğlu' if gender == 'male' else 'qızı'}"
        return self.person(fin=self.new_fin(), surname=surname, name=name, patronymic=patronymic,
                           gender=gender, birth_date=self.birth_date(), mobile=self.new_mobile())

    def persons(self) -> list[dict[str, Any]]:
        people = []
        for demo in DEMO.values():
            fields = {k: demo[k] for k in ("fin", "surname", "name", "patronymic", "gender",
                                           "birth_date", "mobile")}
            people.append(self.person(**fields))
        while len(people) < PERSON_COUNT:
            people.append(self.generated_person())
        return people

    # --- organisations ---------------------------------------------------------------

    def org_email(self, slug: str) -> str:
        email = f"info@{slug}.{ORG_EMAIL_DOMAIN}"
        n = 2
        while email in self.emails:
            email = f"info@{slug}-{n}.{ORG_EMAIL_DOMAIN}"
            n += 1
        self.emails.add(email)
        return email

    def organization(self, *, voen: str, name: str, short_name: str, slug: str, head_fin: str,
                     district: str, street: str, activities: list[str], ownership: str,
                     legal_form: str, insurer_type: str, registered: str) -> dict[str, Any]:
        return {
            "voen": voen,
            "name": name,
            "short_name": short_name,
            "head_fin": head_fin,
            "legal_address": {"district_code": district,
                              "text": f"{self.place_prefix(district)}, {street}"},
            "activity_types": activities,
            "ownership_type": ownership,
            "legal_form": legal_form,
            "insurer_type": insurer_type,
            "registration_date": registered,
            "email": self.org_email(slug),
        }

    def organizations(self, people: list[dict[str, Any]]) -> list[dict[str, Any]]:
        demo_fins = set(DEMO_FINS)
        adult_limit = (REFERENCE_DATE - timedelta(days=25 * 365)).isoformat()
        # Each generated head heads one organisation; demo people never get extra ones.
        candidates = [p["fin"] for p in people
                      if p["fin"] not in demo_fins and p["birth_date"] <= adult_limit]
        heads = iter(self.rng.sample(candidates, ORGANIZATION_COUNT))

        orgs = []
        for spec in _FIXED_ORGS:
            head_fin = DEMO[spec["head"]]["fin"] if spec["head"] else next(heads)
            if "core" in spec:
                suffix, abbr = _FORM_SUFFIX[spec["legal_form"]]
                name = f"\"{spec['core']}\" {suffix}"
                short_name = f"\"{spec['core']}\" {abbr}"
                slug = _slug(spec["core"])
            else:
                name, short_name, slug = spec["name"], spec["short_name"], spec["slug"]
            orgs.append(self.organization(
                voen=spec["voen"], name=name, short_name=short_name, slug=slug, head_fin=head_fin,
                district=spec["district"], street=spec["street"], activities=list(spec["activities"]),
                ownership=spec["ownership"], legal_form=spec["legal_form"],
                insurer_type=spec["insurer_type"], registered=spec["registered"]))

        used_cores = {spec["core"] for spec in _FIXED_ORGS if "core" in spec}
        forms = [code for code, weight in _COMPANY_FORMS for _ in range(weight)]
        while len(orgs) < ORGANIZATION_COUNT:
            prefix = self.rng.choice(_COMPANY_PREFIXES)
            sector, activity = self.rng.choice(_COMPANY_SECTORS)
            core = f"{prefix} {sector}"
            if core in used_cores:
                continue
            used_cores.add(core)
            legal_form = self.rng.choice(forms)
            suffix, abbr = _FORM_SUFFIX[legal_form]
            district = _PREFIX_DISTRICTS.get(prefix) or self.pick_home_district()
            extra = self.rng.sample([a for a in _AUXILIARY_ACTIVITIES if a != activity],
                                    self.rng.randint(0, 2))
            registered = date.fromordinal(self.rng.randint(
                date(1996, 1, 1).toordinal(), date(2024, 12, 31).toordinal())).isoformat()
            orgs.append(self.organization(
                voen=self.new_voen(), name=f"\"{core}\" {suffix}", short_name=f"\"{core}\" {abbr}",
                slug=_slug(core), head_fin=next(heads), district=district,
                street=f"{self.street(district)} {self.rng.randint(1, 150)}",
                activities=[activity, *extra], ownership="5" if self.rng.random() < 0.1 else "3",
                legal_form=legal_form, insurer_type="1", registered=registered))
        return orgs


def build_seed(seed: int = DEFAULT_SEED) -> dict[str, Any]:
    """Persons, organisations and directories; identical output for identical seed."""
    builder = _Builder(seed)
    people = builder.persons()
    orgs = builder.organizations(people)
    return {"persons": people, "organizations": orgs, "directories": builder.directories}
