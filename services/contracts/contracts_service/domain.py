"""Rules of employment contract notices and signing authorities: plain functions, no Flask, no Mongo.

Refusals are ServiceErrors carrying message codes (see messages.py), keyed by the field they
concern where there is one, so the problem document names it."""
from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from egov_kit.authority import SCOPES
from egov_kit.clock import iso_instant
from egov_kit.errors import conflict, field_error, invalid

UNSIGNED, SIGNED, TERMINATED = "unsigned", "signed", "terminated"
STATUSES = (UNSIGNED, SIGNED, TERMINATED)
CONTRACT_TYPES = ("indefinite", "fixed_term")
WORKING_TIMES = ("full", "part")

# A monthly salary above a million manat is a typing slip, not a contract.
MAX_SALARY_QEPIK = 100_000_000
_AMOUNT_RE = re.compile(r"^[0-9]+(?:[.,][0-9]+)?$")

# Notice fields the employer types (everything else comes from the registries).
NOTICE_FIELDS = ("employee_fin", "position", "occupation_code", "workplace", "contract_number",
                 "contract_date", "start_date", "contract_type", "end_date", "salary", "working_time")


# --- money --------------------------------------------------------------------------------

def parse_salary(value) -> int:
    """A salary as typed (string or number, manat) → integer qəpik; raises ValueError(code)."""
    if isinstance(value, bool) or value is None:
        raise ValueError("salary_invalid")
    if isinstance(value, int):
        text = str(value)
    elif isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError("salary_invalid")
        text = repr(value)
    elif isinstance(value, str):
        text = value.strip().replace(" ", "")
    else:
        raise ValueError("salary_invalid")
    if not _AMOUNT_RE.match(text):
        # Covers "abc", negatives, exponents ("1e3") and empty strings.
        raise ValueError("salary_invalid")
    try:
        amount = Decimal(text.replace(",", "."))
    except InvalidOperation:
        raise ValueError("salary_invalid") from None
    if amount.as_tuple().exponent < -2:
        # Trailing zeros beyond two decimals ("1250.500") are still exact qəpik.
        if amount != amount.quantize(Decimal("0.01")):
            raise ValueError("salary_invalid")
    qepik = int(amount * 100)
    if qepik <= 0:
        raise ValueError("salary_invalid")
    if qepik > MAX_SALARY_QEPIK:
        raise ValueError("salary_too_large")
    return qepik


def format_salary(qepik: int) -> str:
    """Integer qəpik → the decimal string used everywhere outside storage ("1250.50")."""
    return f"{qepik // 100}.{qepik % 100:02d}"


# --- notice content -----------------------------------------------------------------------

def check_term(contract_type: str, start_date: date, end_date: date | None,
               contract_date: date | None = None) -> dict[str, list[str]]:
    """Field errors of the contract's term: a fixed term needs an end after its start; an
    indefinite contract has no end; work does not start before the contract is concluded."""
    errors: dict[str, list[str]] = {}
    if contract_type == "fixed_term":
        if end_date is None:
            errors["end_date"] = ["end_date_required"]
        elif end_date <= start_date:
            errors["end_date"] = ["end_date_before_start"]
    elif contract_type == "indefinite" and end_date is not None:
        errors["end_date"] = ["end_date_not_allowed"]
    if contract_date is not None and start_date < contract_date:
        errors["start_date"] = ["start_before_contract"]
    return errors


def merge_changes(current: dict, changes: dict) -> dict:
    """The typed fields after a partial edit. Choosing "indefinite" without naming an end date
    drops the old one, since such a contract cannot have it."""
    merged = {key: current.get(key) for key in NOTICE_FIELDS}
    merged.update(changes)
    if changes.get("contract_type") == "indefinite" and "end_date" not in changes:
        merged["end_date"] = None
    return merged


def check_notice(fields: dict) -> None:
    """All rules over the typed fields (already type-checked); raises ServiceError(422)."""
    errors = check_term(fields["contract_type"], fields["start_date"], fields.get("end_date"),
                        fields.get("contract_date"))
    if errors:
        raise invalid(errors)


def check_termination(notice_start: date, termination_date: date) -> None:
    if termination_date < notice_start:
        raise field_error("date", "termination_before_start")


# Grounds of the Labour Code that only a fixed-term contract can end on (article 73: its term ran out).
FIXED_TERM_ONLY_ARTICLES = ("73",)


def check_ground(contract_type: str, ground: dict) -> list[str]:
    """Codes wrong with a termination ground for this contract (empty when it fits)."""
    article = str(ground.get("article") or str(ground.get("code", "")).split(".")[0])
    if article in FIXED_TERM_ONLY_ARTICLES and contract_type != "fixed_term":
        return ["ground_needs_fixed_term"]
    return []


def full_name(person: dict) -> str:
    return " ".join(p for p in (person.get("surname"), person.get("name"), person.get("patronymic")) if p)


def employee_from_registry(person: dict) -> dict:
    """What the Labour Code wants on a notice about the employee, from the population registry."""
    doc = person.get("id_document") or {}
    address = person.get("address") or {}
    return {
        "fin": person["fin"],
        "surname": person.get("surname", ""),
        "name": person.get("name", ""),
        "patronymic": person.get("patronymic", ""),
        "birth_date": person.get("birth_date"),
        "id_document": {"series": doc.get("series", ""), "number": doc.get("number", "")},
        "address": address.get("text", ""),
    }


def employer_from_registry(org: dict) -> dict:
    address = org.get("legal_address") or {}
    return {"voen": org["voen"], "name": org.get("name", ""), "legal_address": address.get("text", "")}


def canonical_json(content: dict) -> bytes:
    """Deterministic bytes of a document: what the signature covers (sorted keys, UTF-8)."""
    return json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def notice_content(notice: dict) -> dict:
    """The signed content of a notice: everything a reader of the contract needs, nothing internal."""
    return {
        "document": "employment_contract_notice",
        "notice_id": notice["_id"],
        "employer": notice["employer"],
        "employee": notice["employee"],
        "position": notice["position"],
        "occupation_code": notice["occupation_code"],
        "occupation_name": notice.get("occupation_name", ""),
        "workplace": notice["workplace"],
        "contract_number": notice["contract_number"],
        "contract_date": notice["contract_date"],
        "start_date": notice["start_date"],
        "contract_type": notice["contract_type"],
        "end_date": notice.get("end_date"),
        "salary": format_salary(notice["salary_qepik"]),
        "currency": "AZN",
        "working_time": notice["working_time"],
    }


def termination_content(notice: dict, termination: dict) -> dict:
    return {
        "document": "employment_contract_termination",
        "notice_id": notice["_id"],
        "employer": {"voen": notice["employer"]["voen"], "name": notice["employer"]["name"]},
        "employee": {"fin": notice["employee"]["fin"], "full_name": full_name(notice["employee"])},
        "contract_number": notice["contract_number"],
        "contract_date": notice["contract_date"],
        "termination_date": termination["date"],
        "ground": termination["ground"],
        "ground_name": termination.get("ground_name", ""),
    }


# --- search -------------------------------------------------------------------------------

_FOLD = str.maketrans({"ə": "e", "ä": "e", "ı": "i", "ö": "o", "ü": "u", "ç": "c", "ş": "s", "ğ": "g",
                       "\u0307": None})


def fold(text: str) -> str:
    """Search key insensitive to case and to Azerbaijani letters ("Həsənova" ~ "hesenova")."""
    text = unicodedata.normalize("NFC", text or "").replace("İ", "i").replace("I", "ı").lower()
    return " ".join(text.translate(_FOLD).split())


def search_key(notice: dict) -> str:
    """What the registry's and the employee's search look in: the employee, the contract number,
    the position and its classifier name, the workplace and the employer."""
    employee = notice["employee"]
    employer = notice.get("employer") or {}
    parts = [employee["fin"], full_name(employee), notice["contract_number"], notice["position"],
             notice.get("occupation_name") or "", notice.get("workplace") or "",
             employer.get("name") or "", employer.get("voen") or ""]
    return fold(" ".join(p for p in parts if p))


# --- state machine ------------------------------------------------------------------------

def ensure_editable(notice: dict) -> None:
    """Only an unsigned notice can be edited or deleted."""
    if notice["status"] != UNSIGNED:
        raise conflict("notice_not_editable")


def ensure_signable(notice: dict) -> None:
    if notice["status"] != UNSIGNED:
        raise conflict("notice_signed" if notice["status"] == SIGNED else "notice_terminated")


def ensure_terminable(notice: dict) -> None:
    """A termination is entered (or re-entered, until it is signed) for a contract in force."""
    if notice["status"] == UNSIGNED:
        raise conflict("notice_not_signed")
    if notice["status"] == TERMINATED:
        raise conflict("notice_terminated")


def ensure_termination_signable(notice: dict) -> None:
    ensure_terminable(notice)
    if not notice.get("termination"):
        raise conflict("no_termination")


def ensure_downloadable(notice: dict) -> None:
    if notice["status"] == UNSIGNED:
        raise conflict("notice_not_signed")


# --- signing ------------------------------------------------------------------------------

PENDING, CONFIRMED, REJECTED, EXPIRED = "pending", "confirmed", "rejected", "expired"
# Our own end states: the signer's authority lapsed before confirmation / the document changed
# after signing started / what came back did not verify.
REFUSED, CANCELLED, INVALID = "refused", "cancelled", "invalid"


@dataclass(frozen=True)
class SigningKind:
    """The two documents signed the same way: the notice itself and its termination."""
    name: str
    path: str              # where the signing attempt is kept on the notice
    from_status: str
    to_status: str


NOTICE_SIGNING = SigningKind("notice", "signing", UNSIGNED, SIGNED)
TERMINATION_SIGNING = SigningKind("termination", "termination.signing", SIGNED, TERMINATED)
SIGNING_KINDS = (NOTICE_SIGNING, TERMINATION_SIGNING)


def attempt_of(notice: dict, kind: SigningKind) -> dict | None:
    """The latest signing attempt of that kind on the notice, if any."""
    found = notice
    for part in kind.path.split("."):
        if not isinstance(found, dict):
            return None
        found = found.get(part)
    return found


def with_attempt(notice: dict, kind: SigningKind, attempt: dict) -> dict:
    """A copy of the notice carrying `attempt` in place of that kind's attempt."""
    if kind is NOTICE_SIGNING:
        return {**notice, "signing": attempt}
    return {**notice, "termination": {**notice["termination"], "signing": attempt}}


def awaits_signature(notice: dict, kind: SigningKind) -> bool:
    """A signature of that kind is pending and the notice is still where it would take it from."""
    attempt = attempt_of(notice, kind)
    return bool(attempt) and attempt.get("state") == PENDING and notice["status"] == kind.from_status


def signed_content(notice: dict, kind: SigningKind) -> bytes:
    """The exact bytes a signature of that kind covers."""
    if kind is NOTICE_SIGNING:
        return canonical_json(notice_content(notice))
    return canonical_json(termination_content(notice, notice["termination"]))


# --- authorities --------------------------------------------------------------------------

ACTIVE, EXPIRED_AUTHORITY, WITHDRAWN = "active", "expired", "withdrawn"


def authority_status(authority: dict, today: date) -> str:
    """active / expired / withdrawn: a fixed-term power of attorney works through its last day."""
    if authority.get("status") == WITHDRAWN:
        return WITHDRAWN
    valid_until = authority.get("valid_until")
    if valid_until is not None and date.fromisoformat(valid_until) < today:
        return EXPIRED_AUTHORITY
    return ACTIVE


def authority_in_force(authority: dict | None, today: date) -> bool:
    return authority is not None and authority_status(authority, today) == ACTIVE


# The scope of this e-service; the head chooses an authority's scopes among SCOPES.
CONTRACTS = "contracts"


def authority_scopes(authority: dict) -> tuple[str, ...]:
    """What an authority covers; one granted before scopes existed covers them all."""
    stored = authority.get("scopes")
    return tuple(s for s in SCOPES if s in stored) if stored is not None else SCOPES


def normalise_scopes(scopes) -> tuple[str, ...]:
    """The head's choice in the catalogue's order (None: all of them); raises a field error for an
    empty choice or an unknown scope."""
    if scopes is None:
        return SCOPES
    if not scopes:
        raise field_error("scopes", "scopes_empty")
    if any(s not in SCOPES for s in scopes):
        raise field_error("scopes", "scope_unknown")
    return tuple(s for s in SCOPES if s in scopes)


def company_refusal(*, head: bool, authority: dict | None, scope: str = CONTRACTS,
                    entering: bool = False) -> str | None:
    """Why a person may not act for the company in `scope` (None when they may), given whether they
    are its head now and the authority they hold in force (None: none). An authority covering the
    scope is enough. The head acts without one, except that entering or signing notices needs the
    head's own authority first (the manual, 2.7: "rəhbər şəxs ilk olaraq özünə səlahiyyət
    verməlidir")."""
    if authority is not None and scope in authority_scopes(authority):
        return None
    if head:
        return "head_authority_required" if entering else None
    return "scope_missing" if authority is not None else "no_authority"


def authority_check_answer(voen: str, fin: str, head: bool, authority: dict | None) -> dict:
    """Where a person stands for the company now (GET /authority-checks; egov_kit.authority)."""
    return {"voen": voen, "fin": fin, "head": head,
            "scopes": list(authority_scopes(authority)) if authority else [],
            "authority_id": authority["_id"] if authority else None,
            "valid_until": authority.get("valid_until") if authority else None}


def check_valid_until(valid_until: date | None, today: date) -> None:
    if valid_until is not None and valid_until < today:
        raise field_error("valid_until", "valid_until_past")


# --- events -------------------------------------------------------------------------------

def signed_event_data(notice: dict, signed_at: datetime) -> dict:
    return {
        "notice_id": notice["_id"],
        "employer_voen": notice["employer"]["voen"],
        "employer_name": notice["employer"]["name"],
        "employee_fin": notice["employee"]["fin"],
        "employee_name": full_name(notice["employee"]),
        "position": notice["position"],
        "occupation_code": notice["occupation_code"],
        "workplace": notice["workplace"],
        "contract_number": notice["contract_number"],
        "contract_date": notice["contract_date"],
        "start_date": notice["start_date"],
        "contract_type": notice["contract_type"],
        "end_date": notice.get("end_date"),
        "salary": format_salary(notice["salary_qepik"]),
        "working_time": notice["working_time"],
        "signed_at": iso_instant(signed_at),
    }


def terminated_event_data(notice: dict, termination: dict, terminated_at: datetime) -> dict:
    return {
        "notice_id": notice["_id"],
        "employer_voen": notice["employer"]["voen"],
        "employee_fin": notice["employee"]["fin"],
        "termination_date": termination["date"],
        "ground": termination["ground"],
        "terminated_at": iso_instant(terminated_at),
    }


def authority_granted_data(authority: dict) -> dict:
    return {"authority_id": authority["_id"], "voen": authority["voen"], "fin": authority["fin"],
            "valid_until": authority.get("valid_until"), "scopes": list(authority_scopes(authority)),
            "granted_by_fin": authority["granted_by"]["fin"]}


def authority_withdrawn_data(authority: dict) -> dict:
    return {"authority_id": authority["_id"], "voen": authority["voen"], "fin": authority["fin"]}


# --- labels -------------------------------------------------------------------------------

LABELS = {
    "contract_type": {"indefinite": "Müddətsiz", "fixed_term": "Müddətli"},
    "working_time": {"full": "Tam iş vaxtı", "part": "Natamam iş vaxtı"},
    "status": {UNSIGNED: "İmzalanmayıb", SIGNED: "İmzalanıb", TERMINATED: "Xitam verilib"},
}


def domain_label(kind: str, value: str) -> str:
    """How a coded value is shown to people (Azerbaijani)."""
    return LABELS.get(kind, {}).get(value, value)
