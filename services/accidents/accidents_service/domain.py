"""Rules of workplace accident reports: plain functions and values, no Flask, no Mongo, no clock of
their own (the time is passed in).

Refusals are ServiceErrors carrying message codes (messages.py), keyed by the field they concern
("incident.occurred_at", "victims.1.fin") so the problem document names it."""
from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from egov_kit.clock import as_utc, baku_date, epoch_ms, iso_instant, parse_instant
from egov_kit.errors import ServiceError, conflict, invalid
from egov_kit.validators import FIN_RE, normalize_fin

DRAFT, SUBMITTED = "draft", "submitted"
STATUSES = (DRAFT, SUBMITTED)
INJURED, DIED = "injured", "died"
OUTCOMES = (INJURED, DIED)

MAX_VICTIMS = 50
DESCRIPTION_MAX = 2000
ADDRESS_MAX = 300
# A clock a little ahead of ours is not a report from the future.
FUTURE_SKEW = timedelta(minutes=5)
# A fatal accident is to be reported within 24 hours of it.
FATAL_REPORTING_DEADLINE = timedelta(hours=24)

# Registration numbers: BH-<year>-<6 digits> (bədbəxt hadisə), from a counter per year.
NUMBER_PREFIX = "BH"
NUMBER_RE = re.compile(r"^BH-(\d{4})-(\d{6})$")


def registration_number(year: int, sequence: int) -> str:
    if not 0 < sequence <= 999_999:
        raise ValueError("the year's registration numbers are used up")
    return f"{NUMBER_PREFIX}-{year:04d}-{sequence:06d}"


def counter_name(year: int) -> str:
    return f"{NUMBER_PREFIX}-{year:04d}"


def normalize_number(text: str) -> str | None:
    """A registration number as typed ("bh-2026-000123", " BH 2026 000123 ") → "BH-2026-000123"."""
    compact = re.sub(r"[\s_.]+", "-", (text or "").strip().upper())
    return compact if NUMBER_RE.match(compact) else None


# --- ESAW coding (Eurostat, ESAW methodology 2013, Annex II: main groups) ----------------------

@dataclass(frozen=True)
class Coding:
    field: str        # as sent and stored ("deviation")
    directory: str    # the registry's directory of its codes
    label_az: str
    label_en: str


INCIDENT_CODINGS = (
    Coding("deviation", "esaw-deviations", "Normal vəziyyətdən kənarlaşma (ESAW)", "Deviation (ESAW)"),
    Coding("contact", "esaw-contact-modes", "Xəsarətin alınma üsulu — təmas (ESAW)", "Contact — mode of injury (ESAW)"),
    Coding("material_agent", "esaw-material-agents", "Maddi agent (ESAW)", "Material agent (ESAW)"),
)
VICTIM_CODINGS = (
    Coding("injury", "esaw-injury-types", "Xəsarətin növü (ESAW)", "Type of injury (ESAW)"),
    Coding("body_part", "esaw-body-parts", "Bədənin zədələnmiş hissəsi (ESAW)", "Part of body injured (ESAW)"),
)
CODINGS = {c.field: c for c in INCIDENT_CODINGS + VICTIM_CODINGS}


# --- the report's parts -------------------------------------------------------------------------

def full_name(person: dict) -> str:
    return " ".join(p for p in (person.get("surname"), person.get("name"), person.get("patronymic")) if p)


def person_from_registry(person: dict) -> dict:
    """Who a victim or the informant is, from the population registry."""
    return {"fin": person["fin"], "surname": person.get("surname", ""), "name": person.get("name", ""),
            "patronymic": person.get("patronymic", ""), "birth_date": person.get("birth_date")}


def employer_from_registry(org: dict, activity: dict | None) -> dict:
    """The employer block (tax registry): name, VÖEN, legal address, main activity."""
    address = org.get("legal_address") or {}
    return {"voen": org["voen"], "name": org.get("name", ""), "legal_address": address.get("text", ""),
            "district_code": address.get("district_code"),
            "activity": None if not activity else {"code": activity["code"], "name": activity.get("name_az", ""),
                                                   "section": activity.get("section")}}


def check_occurred_at(occurred_at: datetime, now: datetime) -> None:
    if as_utc(occurred_at) > as_utc(now) + FUTURE_SKEW:
        raise invalid({"incident.occurred_at": ["occurred_in_future"]})


def check_victims(victims: list[dict], prefix: str = "victims") -> None:
    """The same FİN at most once, and not too many."""
    errors: dict[str, list[str]] = {}
    if len(victims) > MAX_VICTIMS:
        errors[prefix] = ["too_many_victims"]
    seen: set[str] = set()
    for index, victim in enumerate(victims):
        fin = normalize_fin(victim["fin"])
        if fin in seen:
            errors[f"{prefix}.{index}.fin"] = ["duplicate_victim"]
        seen.add(fin)
    if errors:
        raise invalid(errors)


def victim_index(report: dict, fin: str) -> int | None:
    fin = normalize_fin(fin)
    return next((i for i, v in enumerate(report.get("victims") or []) if v["fin"] == fin), None)


def any_died(report: dict) -> bool:
    return any(v.get("outcome") == DIED for v in report.get("victims") or [])


def occurred_at(report: dict) -> datetime:
    return parse_instant(report["incident"]["occurred_at"])


def deadline(report: dict) -> datetime | None:
    """When a fatal accident had to be reported by (None when nobody died)."""
    return occurred_at(report) + FATAL_REPORTING_DEADLINE if any_died(report) else None


def deadline_ms(report: dict) -> int | None:
    due = deadline(report)
    return None if due is None else epoch_ms(due)


def is_late(report: dict, at: datetime) -> bool:
    """Filed (or, for a draft, if filed at `at`) after a fatal accident's deadline."""
    due = deadline(report)
    return due is not None and as_utc(at) > due


def minutes_between(start: datetime, end: datetime) -> int:
    return max(0, int((as_utc(end) - as_utc(start)).total_seconds() // 60))


def occurred_date(occurred: datetime) -> str:
    """The incident's calendar day in Baku (what the history's date range is about)."""
    return baku_date(occurred).isoformat()


def timing(report: dict, now: datetime) -> dict:
    """The deadlines as shown: when a fatal accident had to be reported by, how long after the
    accident the report was filed, and whether that was late (for a draft: whether filing it now
    would be)."""
    due = deadline(report)
    shown = {"deadline_at": iso_instant(due) if due else None, "filed_after_minutes": None}
    if report["status"] == SUBMITTED:
        submitted = parse_instant(report.get("submitted_at"))
        shown["filed_after_minutes"] = minutes_between(occurred_at(report), submitted) if submitted else None
        shown["late"] = bool(report.get("late"))
    else:
        shown["late"] = is_late(report, now)
    return shown


# --- state ----------------------------------------------------------------------------------------

def ensure_draft(report: dict) -> None:
    """A submitted report is immutable."""
    if report["status"] != DRAFT:
        raise conflict("report_submitted")


def ensure_submitted(report: dict) -> None:
    if report["status"] != SUBMITTED:
        raise conflict("report_not_submitted")


def submission_problems(report: dict) -> dict[str, list[str]]:
    """What keeps a draft from being signed, by field: at least one victim; the informant's mobile
    and e-mail; for a fatal accident the ESAW coding of the incident and of every victim."""
    errors: dict[str, list[str]] = {}
    victims = report.get("victims") or []
    if not victims:
        errors["victims"] = ["victims_required"]
    informant = report.get("informant") or {}
    for field in ("mobile", "email"):
        if not informant.get(field):
            errors[f"informant.{field}"] = ["informant_contact_required"]
    if any_died(report):
        incident = report["incident"]
        for coding in INCIDENT_CODINGS:
            if not incident.get(coding.field):
                errors[f"incident.{coding.field}"] = ["esaw_required_when_fatal"]
        for index, victim in enumerate(victims):
            for coding in VICTIM_CODINGS:
                if not victim.get(coding.field):
                    errors[f"victims.{index}.{coding.field}"] = ["esaw_required_when_fatal"]
    return errors


def ensure_submittable(report: dict) -> None:
    errors = submission_problems(report)
    if errors:
        raise ServiceError(422, "report_incomplete", errors)


# --- the signed content --------------------------------------------------------------------------

def canonical_json(content: dict) -> bytes:
    """Deterministic bytes of a document: what the signature covers (sorted keys, UTF-8)."""
    return json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


_INCIDENT_KEYS = ("occurred_at", "district_code", "district_name", "address", "description",
                  "deviation", "deviation_name", "contact", "contact_name", "material_agent", "material_agent_name")
_VICTIM_KEYS = ("fin", "surname", "name", "patronymic", "birth_date", "outcome", "injury", "injury_name",
                "body_part", "body_part_name", "days_lost")
_INFORMANT_KEYS = ("fin", "surname", "name", "patronymic", "landline", "mobile", "email")


def report_content(report: dict, number: str) -> dict:
    """What is signed: the report as filed under its registration number, nothing internal."""
    return {
        "document": "workplace_accident_report",
        "report_id": report["_id"],
        "registration_number": number,
        "employer": report["employer"],
        "incident": {k: report["incident"].get(k) for k in _INCIDENT_KEYS},
        "victims": [{k: v.get(k) for k in _VICTIM_KEYS} for v in report.get("victims") or []],
        "informant": {k: (report.get("informant") or {}).get(k) for k in _INFORMANT_KEYS},
    }


def signed_content(report: dict, number: str) -> bytes:
    return canonical_json(report_content(report, number))


def place(report: dict) -> str:
    """Where it happened, as one line: the district and the address."""
    incident = report["incident"]
    return ", ".join(p for p in (incident.get("district_name"), incident.get("address")) if p)


# --- events ------------------------------------------------------------------------------------

def submitted_event_data(report: dict, number: str, submitted_at: datetime) -> dict:
    informant = report.get("informant") or {}
    return {
        "report_id": report["_id"],
        "registration_number": number,
        "employer_voen": report["employer"]["voen"],
        "employer_name": report["employer"]["name"],
        "occurred_at": iso_instant(occurred_at(report)),
        "address": place(report),
        "victims": [{"fin": v["fin"], "name": full_name(v), "outcome": v["outcome"]} for v in report["victims"]],
        "any_died": any_died(report),
        "informant": {"fin": informant.get("fin"), "name": full_name(informant), "email": informant.get("email"),
                      "mobile": informant.get("mobile"), "landline": informant.get("landline")},
        "submitted_at": iso_instant(submitted_at),
    }


# --- search ------------------------------------------------------------------------------------

_FOLD = str.maketrans({"ə": "e", "ä": "e", "ı": "i", "ö": "o", "ü": "u", "ç": "c", "ş": "s", "ğ": "g",
                       "\u0307": None})


def fold(text: str) -> str:
    """Case and Azerbaijani letters aside ("Həsənova" ~ "hesenova" ~ "HƏSƏNOVA")."""
    text = unicodedata.normalize("NFC", text or "").replace("İ", "i").replace("I", "ı").lower()
    return " ".join(text.translate(_FOLD).split())


def _words(text: str) -> list[str]:
    return [w for w in re.split(r"[^\w]+", fold(text)) if w]


def search_terms(report: dict) -> set[str]:
    """What a report is found by in the history besides its number: each victim's FİN, and each
    word of each victim's name (found by its beginning)."""
    terms: set[str] = set()
    for victim in report.get("victims") or []:
        terms.add(f"fin:{victim['fin']}")
        for word in _words(full_name(victim)):
            terms.add(f"name:{word}")
    return terms


@dataclass(frozen=True)
class Search:
    """What a typed search looks for: a registration number, or words each of which must be the
    beginning of a victim's name word or a victim's FİN."""
    number: str | None = None
    words: tuple[str, ...] = ()

    def term_ranges(self) -> list[list[tuple[str, str | None]]]:
        """Per word, the terms that satisfy it: (exact term, None) or (prefix, "prefix")."""
        out = []
        for word in self.words:
            options: list[tuple[str, str | None]] = [(f"name:{word}", "prefix")]
            if FIN_RE.match(word.upper()):
                options.append((f"fin:{word.upper()}", None))
            out.append(options)
        return out

    def matches(self, report: dict) -> bool:
        """The report as it stands now satisfies the search (the terms index may lag a change)."""
        if self.number:
            return report.get("registration_number") == self.number
        terms = search_terms(report)
        for options in self.term_ranges():
            if not any((t in terms) if kind is None else any(x.startswith(t) for x in terms) for t, kind in options):
                return False
        return True


MIN_WORD = 2


def parse_search(q: str | None) -> Search | None:
    """None: no search. A registration number is looked up as one; otherwise the words (of at
    least two letters: a single letter would match half the history)."""
    if not q or not q.strip():
        return None
    number = normalize_number(q)
    if number:
        return Search(number=number)
    words = tuple(dict.fromkeys(w for w in _words(q) if len(w) >= MIN_WORD))
    if not words:
        raise invalid({"q": ["search_too_short"]})
    return Search(words=words[:5])


# --- statistics ----------------------------------------------------------------------------------

MIN_CELL = 5  # a count under 5 is not published (it could point at a person)
GROUPINGS = ("month", "district", "activity", "outcome", "deviation", "contact", "material_agent", "injury",
             "body_part")
UNKNOWN = "unknown"


def statistics_record(report: dict) -> dict:
    """What the open statistics count of a submitted report, kept with it: per victim (the unit of
    ESAW), the accident's month, place, the employer's activity section and ESAW groups."""
    occurred = baku_date(occurred_at(report))
    incident = report["incident"]
    activity = (report["employer"].get("activity") or {})
    base = {"month": f"{occurred.month:02d}", "district": incident.get("district_code") or UNKNOWN,
            "activity": activity.get("section") or UNKNOWN}
    for coding in INCIDENT_CODINGS:
        base[coding.field] = incident.get(coding.field) or UNKNOWN
    victims = [{"outcome": v["outcome"], **{c.field: v.get(c.field) or UNKNOWN for c in VICTIM_CODINGS}}
               for v in report["victims"]]
    return {"year": occurred.year, "base": base, "victims": victims}


def count_victims(records: list[dict], group_by: str) -> dict[str, int]:
    """Victims per value of `group_by` over the statistics records."""
    counts: dict[str, int] = {}
    for record in records:
        for victim in record.get("victims") or []:
            value = victim.get(group_by) if group_by in ("outcome",) + tuple(c.field for c in VICTIM_CODINGS) \
                else (record.get("base") or {}).get(group_by)
            value = str(value or UNKNOWN)
            counts[value] = counts.get(value, 0) + 1
    return counts


def suppress(counts: dict[str, int], min_cell: int = MIN_CELL) -> tuple[dict[str, int | None], int | None]:
    """Cells under `min_cell` are withheld (None). With the total published, one withheld cell
    would be the total less the others, so then the next smallest is withheld too; a total under
    `min_cell` is withheld as well. Returns (cells, total)."""
    total = sum(counts.values())
    shown: dict[str, int | None] = {k: (v if v >= min_cell else None) for k, v in counts.items()}
    if total < min_cell:
        return {k: None for k in counts}, None
    hidden = [k for k, v in shown.items() if v is None]
    if len(hidden) == 1:
        visible = sorted((v, k) for k, v in shown.items() if v is not None)
        if visible:
            shown[visible[0][1]] = None
    return shown, total


# NACE Rev. 2 sections: how the open statistics name an employer's activity.
NACE_SECTIONS = {
    "A": ("Kənd təsərrüfatı, meşə təsərrüfatı və balıqçılıq", "Agriculture, forestry and fishing"),
    "B": ("Mədənçıxarma sənayesi", "Mining and quarrying"),
    "C": ("Emal sənayesi", "Manufacturing"),
    "D": ("Elektrik enerjisi, qaz və buxar istehsalı, bölüşdürülməsi və təchizatı",
          "Electricity, gas, steam and air conditioning supply"),
    "E": ("Su təchizatı; tullantıların təmizlənməsi və emalı", "Water supply; sewerage, waste management and remediation"),
    "F": ("Tikinti", "Construction"),
    "G": ("Ticarət; nəqliyyat vasitələrinin təmiri", "Wholesale and retail trade; repair of motor vehicles"),
    "H": ("Nəqliyyat və anbar təsərrüfatı", "Transportation and storage"),
    "I": ("Turistlərin yerləşdirilməsi və ictimai iaşə", "Accommodation and food service activities"),
    "J": ("İnformasiya və rabitə", "Information and communication"),
    "K": ("Maliyyə və sığorta fəaliyyəti", "Financial and insurance activities"),
    "L": ("Daşınmaz əmlakla əlaqədar əməliyyatlar", "Real estate activities"),
    "M": ("Peşə, elmi və texniki fəaliyyət", "Professional, scientific and technical activities"),
    "N": ("İnzibati və yardımçı xidmətlər", "Administrative and support service activities"),
    "O": ("Dövlət idarəetməsi və müdafiə; sosial təminat", "Public administration and defence; social security"),
    "P": ("Təhsil", "Education"),
    "Q": ("Əhaliyə səhiyyə və sosial xidmətlərin göstərilməsi", "Human health and social work activities"),
    "R": ("İstirahət, əyləncə və incəsənət", "Arts, entertainment and recreation"),
    "S": ("Digər xidmət sahələri", "Other service activities"),
    "T": ("Ev təsərrüfatlarının fəaliyyəti", "Activities of households as employers"),
    "U": ("Ekstraterritorial təşkilatların fəaliyyəti", "Activities of extraterritorial organisations"),
}
MONTHS = ("Yanvar", "Fevral", "Mart", "Aprel", "May", "İyun", "İyul", "Avqust", "Sentyabr", "Oktyabr", "Noyabr",
          "Dekabr")
MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
             "November", "December")


# --- labels ------------------------------------------------------------------------------------

LABELS = {
    "status": {DRAFT: ("Qaralama (imzalanmayıb)", "Draft (not signed)"), SUBMITTED: ("Göndərilib", "Submitted")},
    "outcome": {INJURED: ("Xəsarət alıb", "Injured"), DIED: ("Vəfat edib", "Died")},
}


def label(kind: str, value: str | None, lang: str = "az") -> str:
    """How a coded value is shown to people."""
    pair = LABELS.get(kind, {}).get(value or "")
    if pair is None:
        return value or ""
    return pair[1] if lang == "en" else pair[0]
