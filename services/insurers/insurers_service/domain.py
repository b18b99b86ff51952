"""The rules of "Sığortaedənin (hüquqi şəxs) onlayn uçota alınması": what an application holds
(the manual's sections and labels), which values are allowed, when it is complete enough to be
sent, what each party sees of it, the account number, and what the events carry.

Plain functions: no Flask, no pymongo, no clock of its own (dates and instants are passed in).
Whatever must be looked up (directories, the tax registry) is looked up by the service and handed
in as `Facts`."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from egov_kit import i18n

from . import messages  # noqa: F401 - the texts `say` fills in

DRAFT, SUBMITTED, REGISTERED, REJECTED = "draft", "submitted", "registered", "rejected"
STATUSES = (DRAFT, SUBMITTED, REGISTERED, REJECTED)
REGISTER, REJECT = "register", "reject"
DECISIONS = (REGISTER, REJECT)

# The manual's labels (az), with English beside them: in messages and in the OpenAPI document.
LABELS: dict[str, tuple[str, str]] = {
    "insurer_type": ("Sığortaedənin tipi", "Insurer type"),
    "full_name": ("Sığortaedənin adı", "Name of the insurer"),
    "short_name": ("Qısaldılmış adı", "Short name"),
    "registration_certificate_number": ("Dövlət qeydiyyatı şəhadətnaməsinin nömrəsi",
                                        "State registration certificate number"),
    "registration_date": ("Dövlət qeydiyyatına alınma tarixi", "State registration date"),
    "voen": ("Sığortaedənin VÖEN-i", "VOEN of the insurer"),
    "voen_issued_on": ("Sığortaedənin VÖEN-in alınma tarixi", "Date the VOEN was issued"),
    "parent_voen": ("Yuxarı təşkilatın VÖEN-i", "VOEN of the parent organisation"),
    "subordinate_to_voen": ("Tabeliyində olduğu təşkilatın VÖEN-i", "VOEN of the organisation it is subordinate to"),
    "documents": ("Skan olunmuş sənədlər", "Scanned documents"),
    "main_activity": ("Əsas fəaliyyət növü", "Main activity type"),
    "auxiliary_activities": ("Köməkçi fəaliyyət növləri", "Auxiliary activity types"),
    "ownership_type": ("Mülkiyyət növü", "Ownership type"),
    "legal_form": ("Təşkilati-hüquqi formasının kodu", "Organisational-legal form code"),
    "legal_address.district_code": ("Hüquqi ünvan: Rayon/Şəhər", "Legal address: district/city"),
    "legal_address.text": ("Hüquqi ünvan", "Legal address"),
    "actual_address.district_code": ("Faktiki ünvan: Rayon/Şəhər", "Actual address: district/city"),
    "actual_address.text": ("Faktiki ünvan", "Actual address"),
    "head_fin": ("Rəhbərin FİN-i", "FIN of the head"),
    "contact_email": ("Elektron poçt ünvanı", "E-mail address"),
    "contact_phone": ("Telefon nömrəsi", "Telephone number"),
}

# What the form sends, section by section (PATCH takes any of them; null clears one).
TEXT_FIELDS = ("full_name", "short_name", "registration_certificate_number", "contact_email", "contact_phone")
DATE_FIELDS = ("registration_date", "voen_issued_on")
VOEN_FIELDS = ("parent_voen", "subordinate_to_voen")
CODE_FIELDS = {"insurer_type": "insurer-types", "ownership_type": "ownership-types", "legal_form": "legal-forms"}
ADDRESS_FIELDS = ("legal_address", "actual_address")
FIELDS = ("insurer_type", *TEXT_FIELDS[:3], *DATE_FIELDS, *VOEN_FIELDS, "main_activity", "auxiliary_activities",
          "ownership_type", "legal_form", *ADDRESS_FIELDS, "head_fin", *TEXT_FIELDS[3:])
# Filled in before the application may be sent (besides at least one scanned document).
REQUIRED = ("insurer_type", "full_name", "short_name", "registration_certificate_number", "registration_date",
            "voen_issued_on", "main_activity", "ownership_type", "legal_form", "legal_address.district_code",
            "legal_address.text", "actual_address.district_code", "actual_address.text", "head_fin",
            "contact_email")
# The order the form shows them in, the documents after the VÖENs (manual, section 1).
CHECKLIST = (*REQUIRED[:6], "documents", *REQUIRED[6:])
DISTRICTS, ACTIVITY_TYPES = "districts", "activity-types"


def say(message: str, **params) -> str:
    """A message with its blanks filled, in the request's language; a plain code otherwise (the
    kit translates codes when it answers)."""
    return i18n.text(message).format(**params) if params else message


def label(name: str) -> str:
    az, en = LABELS.get(name, (name, name))
    return en if i18n.request_language() == "en" else az


# --- what must be looked up -------------------------------------------------------------------

@dataclass
class Facts:
    """What the checks need from the registries: directories by name ({code: item}), the
    applicant organisation as the tax registry holds it, other organisations by VÖEN (None:
    unknown), and the day in Baku."""
    voen: str
    today: date
    directories: dict[str, dict[str, dict]] = field(default_factory=dict)
    tax_record: dict | None = None
    organizations: dict[str, dict | None] = field(default_factory=dict)


@dataclass(frozen=True)
class Needs:
    directories: frozenset[str]
    tax_record: bool
    voens: tuple[str, ...]


def needs(changes: dict) -> Needs:
    """The look-ups the checks of `changes` need."""
    directories = {CODE_FIELDS[name] for name in CODE_FIELDS if changes.get(name)}
    if any((changes.get(name) or {}).get("district_code") for name in ADDRESS_FIELDS):
        directories.add(DISTRICTS)
    activities = bool(changes.get("main_activity") or changes.get("auxiliary_activities"))
    if activities:
        directories.add(ACTIVITY_TYPES)
    voens = tuple(dict.fromkeys(changes[name] for name in VOEN_FIELDS if changes.get(name)))
    return Needs(frozenset(directories), activities or bool(changes.get("head_fin")), voens)


# --- the checks -------------------------------------------------------------------------------

def validate(changes: dict, current: dict, facts: Facts) -> dict[str, list[str]]:
    """Field errors of `changes` (parsed by the schema: dates are dates, absent means unchanged,
    None means cleared) against the directories, the tax registry and the rest of the
    application (`current`, as stored)."""
    errors: dict[str, list[str]] = {}

    def fail(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    if "voen" in changes and changes["voen"] not in (None, facts.voen):
        fail("voen", "voen_not_yours")
    for name, directory in CODE_FIELDS.items():
        value = changes.get(name)
        if value and value not in facts.directories.get(directory, {}):
            fail(name, f"unknown_{name}")
    for name in DATE_FIELDS:
        value = changes.get(name)
        if value and value > facts.today:
            fail(name, "date_in_future")
    for name in VOEN_FIELDS:
        value = changes.get(name)
        if not value:
            continue
        if value == facts.voen:
            fail(name, "own_voen_not_allowed")
        elif facts.organizations.get(value) is None:
            fail(name, "unknown_organization")
    for name in ADDRESS_FIELDS:
        address = changes.get(name)
        if not address:
            continue
        if address.get("district_code") and address["district_code"] not in facts.directories.get(DISTRICTS, {}):
            fail(f"{name}.district_code", "unknown_district")
        if name == "actual_address" and address.get("same_as_legal") \
                and (address.get("district_code") or address.get("text")):
            fail(name, "same_as_legal_with_address")
    _check_activities(changes, current, facts, fail)
    head_fin = changes.get("head_fin")
    if head_fin and (facts.tax_record or {}).get("head_fin") != head_fin:
        fail("head_fin", "head_not_in_tax_registry")
    return errors


def _check_activities(changes: dict, current: dict, facts: Facts, fail) -> None:
    """Each code from the directory and among those the tax registry holds for this VÖEN; the
    main one not repeated among the auxiliary ones, none of those twice."""
    if not (changes.get("main_activity") or changes.get("auxiliary_activities")):
        return
    directory = facts.directories.get(ACTIVITY_TYPES, {})
    registered = set((facts.tax_record or {}).get("activity_types") or [])

    def check(name: str, code: str) -> bool:
        if code not in directory:
            fail(name, say("unknown_activity_type", code=code))
        elif code not in registered:
            fail(name, say("activity_not_registered", code=code))
        else:
            return True
        return False

    main = changes["main_activity"] if "main_activity" in changes else current.get("main_activity")
    if changes.get("main_activity"):
        check("main_activity", changes["main_activity"])
    auxiliary = changes["auxiliary_activities"] if "auxiliary_activities" in changes \
        else current.get("auxiliary_activities")
    seen: set[str] = set()
    for index, code in enumerate(auxiliary or []):
        name = f"auxiliary_activities.{index}"
        if code in seen:
            fail(name, say("activity_repeated", code=code))
        elif main and code == main:
            fail(name, say("activity_repeats_main", code=code))
        elif "auxiliary_activities" in changes:
            check(name, code)
        seen.add(code)


def completeness_errors(app: dict) -> dict[str, list[str]]:
    """What is still missing before the application may be sent: one error per field."""
    return {name: ["documents_required" if name == "documents" else say("required_for_submission", label=label(name))]
            for name in missing(app)}


def missing(app: dict) -> list[str]:
    """The required fields still empty (the names of REQUIRED, and `documents`), in the form's order."""
    out = []
    for name in CHECKLIST:
        if name.startswith("actual_address.") and (app.get("actual_address") or {}).get("same_as_legal"):
            continue  # the legal address stands for it (and is named when it is missing)
        if _value(app, name) in (None, "", [], {}):
            out.append(name)
    return out


def _value(app: dict, dotted: str) -> Any:
    value: Any = app
    for part in dotted.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


# --- what is stored ---------------------------------------------------------------------------

def new_application(app_id: str, voen: str, creator: dict, at: str) -> dict:
    """A draft for the organisation `voen`; `creator` is {fin, name}; `at` a stamp."""
    return {"_id": app_id, "voen": voen, "status": DRAFT, "created_at": at, "updated_at": at,
            "created_by": creator, "documents": {}, "documents_size": 0, "documents_count": 0}


def changes_to_update(changes: dict, head: dict | None) -> tuple[dict, dict]:
    """($set, $unset) of the fields in `changes`; `head` is the population registry's record of
    the head when head_fin is given. Dates are stored as ISO text."""
    sets: dict[str, Any] = {}
    unsets: dict[str, str] = {}
    for name in FIELDS:
        if name not in changes:
            continue
        value = changes[name]
        if value is None:
            unsets[name] = ""
            if name == "head_fin":
                unsets["head"] = ""
            continue
        if name in DATE_FIELDS:
            value = value.isoformat()
        elif name in ADDRESS_FIELDS:
            value = {k: v for k, v in value.items() if v not in (None, "", False)}
            if not value:
                unsets[name] = ""
                continue
        elif name == "head_fin" and head is not None:
            sets["head"] = {k: head.get(k) for k in ("fin", "surname", "name", "patronymic")}
        sets[name] = value
    return sets, unsets


def fields_of(app: dict) -> dict:
    """The application's own values in the shape the checks take (a full re-check at submission)."""
    out = {}
    for name in FIELDS:
        if name in app:
            value = app[name]
            if name in DATE_FIELDS and isinstance(value, str):
                value = date.fromisoformat(value)
            out[name] = value
    return out


# --- what each party sees ---------------------------------------------------------------------

def documents_view(app: dict) -> list[dict]:
    docs = sorted((app.get("documents") or {}).items(), key=lambda item: (item[1].get("uploaded_at") or "", item[0]))
    return [{"id": doc_id, "filename": d.get("filename"), "content_type": d.get("content_type"),
             "size": d.get("size"), "sha256": d.get("sha256"), "uploaded_at": d.get("uploaded_at")}
            for doc_id, d in docs]


def _address(address: dict | None) -> dict | None:
    if not address:
        return None
    return {"district_code": address.get("district_code"), "text": address.get("text"),
            "same_as_legal": bool(address.get("same_as_legal"))}


def view(app: dict, *, staff: bool = False) -> dict:
    """The application as answered: every field of the form, the head as the population registry
    gave it, the documents, what is still missing, and the outcome. Who decided is for staff."""
    out = {"id": app["_id"], "status": app["status"], "voen": app["voen"]}
    for name in FIELDS:
        out[name] = app.get(name)
    out["auxiliary_activities"] = list(app.get("auxiliary_activities") or [])
    legal = _address(app.get("legal_address"))
    actual = _address(app.get("actual_address"))
    if actual and actual["same_as_legal"]:
        actual = {**(legal or {"district_code": None, "text": None}), "same_as_legal": True}
    out["legal_address"], out["actual_address"] = legal, actual
    out["head"] = app.get("head")
    out["documents"] = documents_view(app)
    out["missing"] = missing(app) if app["status"] == DRAFT else []
    for name in ("account_number", "reason", "created_at", "updated_at", "submitted_at", "submitted_by",
                 "decided_at"):
        out[name] = app.get(name)
    if staff:
        out["decided_by"] = app.get("decided_by")
    return out


def summary(app: dict) -> dict:
    """A line of a list (the staff queue, the company's applications)."""
    return {"id": app["_id"], "status": app["status"], "voen": app["voen"], "full_name": app.get("full_name"),
            "documents_count": int(app.get("documents_count") or 0), "account_number": app.get("account_number"),
            "created_at": app.get("created_at"), "submitted_at": app.get("submitted_at"),
            "decided_at": app.get("decided_at")}


def lookup_answer(voen: str, found: dict | None) -> dict | None:
    """The public answer for a registered insurer: its VÖEN, name and account number, nothing else."""
    if not found or found.get("status") != REGISTERED or not found.get("account_number"):
        return None
    return {"voen": voen, "name": found.get("full_name"), "account_number": found["account_number"]}


# --- decisions and events ---------------------------------------------------------------------

ACCOUNT_PREFIX = "SE-"


def account_number(sequence: int) -> str:
    """The insurer's account number (uçot nömrəsi) from the counter's value: SE-0000042."""
    return f"{ACCOUNT_PREFIX}{sequence:07d}"


def person_of(fin: str | None, full_name: str | None) -> dict:
    return {"fin": fin, "name": full_name}


def event_data(app: dict, **extra) -> dict:
    """What every insurers.application.* event carries (docs/events.md), and `extra`."""
    applicant = app.get("submitted_by") or {}
    return {"application_id": app["_id"], "voen": app["voen"], "name": app.get("full_name"),
            "applicant_fin": applicant.get("fin"), "applicant_name": applicant.get("name"),
            "applicant_email": app.get("contact_email"), "submitted_at": app.get("submitted_at"), **extra}


# --- scanned documents ------------------------------------------------------------------------

_UNSAFE = re.compile(r"[\x00-\x1f\x7f\"\\/:*?<>|]+")


def clean_filename(raw: str | None, extension: str) -> str:
    """The name a document is kept and offered under: the last path part of what the browser sent,
    without control or path characters, at most 120 characters; `document.<extension>` when
    nothing is left."""
    name = unicodedata.normalize("NFC", str(raw or "")).replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE.sub("_", name).strip(" ._")
    if not name:
        return f"document.{extension}"
    if len(name) > 120:
        stem, dot, ext = name.rpartition(".")
        name = (stem[:120 - len(ext) - 1] + "." + ext) if dot and len(ext) <= 10 else name[:120]
    return name


def megabytes(size: int) -> str:
    """A limit for people: 8 MB, 2.5 MB."""
    value = size / (1024 * 1024)
    return f"{value:.0f}" if value == int(value) else f"{value:.1f}"
