"""Rules of the employment reference certificate ("İş yerinə dair arayış"), free of Flask and Mongo:
which contracts are in force, what a valid request is, what a certificate shows to whom, its status,
the PDF's rows and the events' payloads. The time is always passed in."""
from __future__ import annotations

import math
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from egov_kit.clock import baku_date, format_date, iso_instant, parse_date, parse_instant

EMPLOYMENT = "employment"
WITH_SALARY = "employment_with_salary"
TYPES = {
    EMPLOYMENT: ("İş yerindən arayış", "Employment reference"),
    WITH_SALARY: ("Əmək haqqı göstərilməklə iş yerindən arayış", "Employment reference showing the salary"),
}
GENERAL, ADDRESSED = "general", "addressed"
DESTINATIONS = {GENERAL: ("Ümumi", "General"), ADDRESSED: ("Ünvanlı", "Addressed")}
ACTIVE, REVOKED, EXPIRED = "active", "revoked", "expired"
STATUSES = {ACTIVE: ("Aktiv", "Active"), REVOKED: ("Deaktiv edilib", "Deactivated"),
            EXPIRED: ("Müddəti bitib", "Expired")}
CONTRACT_TYPES = {"indefinite": ("Müddətsiz", "Indefinite"), "fixed_term": ("Müddətli", "Fixed-term")}
REASON_HOLDER, REASON_CONTRACT_TERMINATED = "holder", "contract_terminated"
SIGNED, TERMINATED = "signed", "terminated"
FIXED_TERM = "fixed_term"

TITLE = "İş yerinə dair arayış"
MINISTRY = "Azərbaycan Respublikası Əmək və Əhalinin Sosial Müdafiəsi Nazirliyi"


# --- money, text ------------------------------------------------------------------------------

def parse_salary(text) -> int | None:
    """A decimal string ("1250.00") into integer qəpik; None when absent."""
    if text is None or text == "":
        return None
    try:
        amount = Decimal(str(text))
    except InvalidOperation as exc:
        raise ValueError("salary is not a decimal amount") from exc
    if not amount.is_finite() or amount < 0:
        raise ValueError("salary is not a decimal amount")
    qepik = amount * 100
    if qepik != qepik.to_integral_value():
        raise ValueError("salary has more than two decimals")
    return int(qepik)


def format_money(qepik: int | None) -> str | None:
    if qepik is None:
        return None
    return f"{qepik // 100}.{qepik % 100:02d}"


_FOLD = str.maketrans({"ə": "e", "ı": "i", "ö": "o", "ü": "u", "ç": "c", "ş": "s", "ğ": "g",
                       "\u0307": ""})


def fold(text) -> str:
    """Case- and Azerbaijani-letter-insensitive form for searching ("Şəki" ~ "seki")."""
    return str(text or "").replace("İ", "i").lower().translate(_FOLD)


def full_name(surname, name, patronymic) -> str:
    return " ".join(p for p in (surname, name, patronymic) if p)


# --- the contract projection --------------------------------------------------------------

def signed_contract(data: dict) -> dict:
    """Fields of a contract notice from `contracts.notice.signed`; ValueError when unusable."""
    notice_id, fin = data.get("notice_id"), data.get("employee_fin")
    if not notice_id or not fin:
        raise ValueError("notice_id and employee_fin are required")
    return {
        "employer_voen": data.get("employer_voen"), "employer_name": data.get("employer_name"),
        "employee_fin": str(fin).upper(), "employee_name": data.get("employee_name"),
        "position": data.get("position"), "occupation_code": data.get("occupation_code"),
        "workplace": data.get("workplace"), "contract_number": data.get("contract_number"),
        "contract_date": data.get("contract_date"), "start_date": data.get("start_date"),
        "contract_type": data.get("contract_type"), "end_date": data.get("end_date") or None,
        "salary_qepik": parse_salary(data.get("salary")), "working_time": data.get("working_time"),
        "signed_at": data.get("signed_at"),
    }


def terminated_contract(data: dict) -> dict:
    """Fields from `contracts.notice.terminated`; ValueError when unusable."""
    if not data.get("notice_id"):
        raise ValueError("notice_id is required")
    fields = {"status": TERMINATED, "termination_date": data.get("termination_date"),
              "termination_ground": data.get("ground"), "terminated_at": data.get("terminated_at")}
    if data.get("employee_fin"):
        fields["employee_fin"] = str(data["employee_fin"]).upper()
    if data.get("employer_voen"):
        fields["employer_voen"] = data["employer_voen"]
    return fields


def contract_in_force(contract: dict | None, today: date) -> bool:
    if not contract or contract.get("status") != SIGNED:
        return False
    end = parse_date(contract.get("end_date"))
    return end is None or end >= today


def contract_summary(contract: dict) -> dict:
    return {
        "contract_id": contract["_id"], "employer_voen": contract.get("employer_voen"),
        "employer_name": contract.get("employer_name"), "position": contract.get("position"),
        "start_date": contract.get("start_date"), "end_date": contract.get("end_date"),
        "contract_number": contract.get("contract_number"), "contract_type": contract.get("contract_type"),
    }


def contract_matches(contract: dict, query: str | None) -> bool:
    """The "Axtarış" window: any field of the contract (a summary or the stored projection)
    contains the text — dates also as dd.mm.yyyy, the contract type also as people name it
    ("Müddətli"), and the workplace though the list does not show it."""
    needle = fold(query).strip()
    if not needle:
        return True
    haystack = [contract.get(k) for k in ("employer_voen", "employer_name", "position", "start_date",
                                          "end_date", "contract_number", "contract_type", "workplace")]
    haystack += [format_date(contract.get("start_date")), format_date(contract.get("end_date")),
                 *CONTRACT_TYPES.get(contract.get("contract_type"), ())]
    return any(needle in fold(value) for value in haystack if value)


# --- issuing ------------------------------------------------------------------------------

def validate_issue(request: dict, contract: dict, today: date, purposes: dict,
                   addressee: dict | None) -> dict[str, list[str]]:
    """Every rule of the "Yeni arayış" form at once; {} when the request may be issued.

    `request` is already well-formed (types, formats); `addressee` is the organisation found for
    `addressee_voen` (None when there is none)."""
    errors: dict[str, list[str]] = {}
    if not contract_in_force(contract, today):
        errors["contract_id"] = ["contract_not_in_force"]
    valid_until = parse_date(request["valid_until"])
    end = parse_date(contract.get("end_date"))
    if valid_until < today:
        errors["valid_until"] = ["valid_until_in_past"]
    elif contract.get("contract_type") == FIXED_TERM and end is not None and valid_until > end:
        errors["valid_until"] = ["valid_until_after_contract_end"]
    if not request.get("email"):
        # The form asks for it whether or not a copy is wanted (manual 2.5.4).
        errors["email"] = ["required"]
    if request.get("purpose") not in purposes:
        errors["purpose"] = ["unknown_purpose"]
    if request.get("destination") == ADDRESSED:
        if not request.get("addressee_voen"):
            errors["addressee_voen"] = ["addressee_required"]
        elif addressee is None:
            errors["addressee_voen"] = ["unknown_organization"]
    else:
        if request.get("addressee_voen"):
            errors["addressee_voen"] = ["addressee_not_allowed"]
        if request.get("notify_addressee_on_revoke"):
            errors["notify_addressee_on_revoke"] = ["notify_only_when_addressed"]
    return errors


def holder_of(person: dict, contract: dict) -> dict:
    """The holder's names: from the log-in (population registry) or, lacking them, the notice."""
    surname, name, patronymic = person.get("surname"), person.get("name"), person.get("patronymic")
    if not (surname and name) and contract.get("employee_name"):
        parts = str(contract["employee_name"]).split(maxsplit=2)
        surname, name = parts[0], parts[1] if len(parts) > 1 else None
        patronymic = parts[2] if len(parts) > 2 else None
    return {"fin": person["fin"], "surname": surname, "name": name, "patronymic": patronymic,
            "full_name": full_name(surname, name, patronymic)}


def new_certificate(number: str, holder: dict, contract: dict, request: dict, purpose: dict,
                    addressee: dict | None, now: datetime) -> dict:
    """The stored certificate: a snapshot of the contract as it was when issued."""
    kind = request["type"]
    addressed = request.get("destination") == ADDRESSED
    return {
        "_id": number, "number": number, "status": ACTIVE, "type": kind,
        "holder_fin": holder["fin"], "holder": holder,
        "contract_id": contract["_id"], "contract_number": contract.get("contract_number"),
        "contract_type": contract.get("contract_type"), "contract_end_date": contract.get("end_date"),
        "employer_voen": contract.get("employer_voen"), "employer_name": contract.get("employer_name"),
        "position": contract.get("position"), "start_date": contract.get("start_date"),
        # The salary is kept only where it is shown: the salary type.
        "salary_qepik": contract.get("salary_qepik") if kind == WITH_SALARY else None,
        "valid_until": parse_date(request["valid_until"]).isoformat(),
        "mobile": request.get("mobile") or None, "email": request.get("email") or None,
        "email_copy": bool(request.get("email_copy")),
        "purpose": {"code": purpose["code"], "name_az": purpose.get("name_az"), "name_en": purpose.get("name_en")},
        "destination": ADDRESSED if addressed else GENERAL,
        "addressee": {"voen": addressee["voen"], "name": addressee.get("name")} if addressed and addressee else None,
        "notify_addressee_on_revoke": bool(request.get("notify_addressee_on_revoke")) and addressed,
        "issued_at": now, "revocation": None,
    }


def status_of(cert: dict, today: date) -> str:
    if cert.get("status") == REVOKED:
        return REVOKED
    return EXPIRED if parse_date(cert["valid_until"]) < today else ACTIVE


def is_valid(cert: dict | None, today: date) -> bool:
    return cert is not None and status_of(cert, today) == ACTIVE


def _iso(moment) -> str | None:
    instant = parse_instant(moment)
    return iso_instant(instant) if instant else None


def _salary(cert: dict) -> str | None:
    return format_money(cert.get("salary_qepik")) if cert.get("type") == WITH_SALARY else None


def holder_view(cert: dict, today: date, *, pdf_url: str, verification_url: str) -> dict:
    """What the holder sees in the form and the history."""
    revocation = cert.get("revocation") or {}
    view = {
        "number": cert["number"], "status": status_of(cert, today),
        "status_name": STATUSES[status_of(cert, today)][0], "type": cert["type"],
        "type_name": TYPES[cert["type"]][0],
        "holder": {k: cert["holder"].get(k) for k in ("fin", "surname", "name", "patronymic", "full_name")},
        "contract_id": cert["contract_id"], "contract_number": cert.get("contract_number"),
        "employer_voen": cert.get("employer_voen"), "employer_name": cert.get("employer_name"),
        "position": cert.get("position"), "start_date": cert.get("start_date"),
        "purpose": {"code": cert["purpose"]["code"], "name": cert["purpose"].get("name_az")},
        "destination": cert["destination"], "destination_name": DESTINATIONS[cert["destination"]][0],
        "addressee": cert.get("addressee"),
        "notify_addressee_on_revoke": cert.get("notify_addressee_on_revoke", False),
        "valid_until": cert["valid_until"], "issued_at": _iso(cert["issued_at"]),
        "revoked_at": _iso(revocation.get("at")), "revocation_reason": revocation.get("reason"),
        "mobile": cert.get("mobile"), "email": cert.get("email"), "email_copy": cert.get("email_copy", False),
        "pdf_url": pdf_url, "verification_url": verification_url,
    }
    salary = _salary(cert)
    if salary is not None:
        view["salary"] = salary
    return view


def verifier_view(cert: dict) -> dict:
    """What a verifier learns about a valid certificate: the form's content, nothing more."""
    holder = cert["holder"]
    view = {
        "number": cert["number"], "type": cert["type"], "type_name": TYPES[cert["type"]][0],
        "holder_name": holder.get("full_name"),
        "holder": {"surname": holder.get("surname"), "name": holder.get("name"),
                   "patronymic": holder.get("patronymic")},
        "employer_voen": cert.get("employer_voen"), "employer_name": cert.get("employer_name"),
        "position": cert.get("position"), "start_date": cert.get("start_date"),
        "purpose": {"code": cert["purpose"]["code"], "name": cert["purpose"].get("name_az")},
        "destination": cert["destination"], "addressee": cert.get("addressee"),
        "valid_until": cert["valid_until"], "issued_at": _iso(cert["issued_at"]),
    }
    salary = _salary(cert)
    if salary is not None:
        view["salary"] = salary
    return view


def pdf_rows(cert: dict) -> list[tuple[str, str]]:
    """Label and value of each line of the printed certificate, in order (labels from the manual)."""
    holder = cert["holder"]
    rows = [
        ("Arayışın nömrəsi", cert["number"]),
        ("Arayışın növü", TYPES[cert["type"]][0]),
        ("Soyadı, adı, atasının adı", holder.get("full_name") or ""),
        ("Fərdi identifikasiya nömrəsi (FİN)", holder["fin"]),
        ("İşəgötürən", cert.get("employer_name") or ""),
        ("İşəgötürənin VÖEN-i", cert.get("employer_voen") or ""),
        ("Vəzifə", cert.get("position") or ""),
        ("İşə qəbul tarixi", format_date(cert.get("start_date"))),
        ("Əmək müqaviləsinin nömrəsi", cert.get("contract_number") or ""),
    ]
    salary = _salary(cert)
    if salary is not None:
        rows.append(("Əmək haqqı", f"{salary} AZN"))
    rows.append(("Arayışın təyinatı", cert["purpose"].get("name_az") or cert["purpose"]["code"]))
    rows.append(("Arayışın təqdim olunacağı yer", DESTINATIONS[cert["destination"]][0]))
    if cert["destination"] == ADDRESSED and cert.get("addressee"):
        addressee = cert["addressee"]
        rows.append(("Arayışın ünvanlandığı qurum", f"{addressee.get('name') or ''} (VÖEN {addressee['voen']})"))
    rows.append(("Son etibarlılıq tarixi", format_date(cert["valid_until"])))
    rows.append(("Verilmə tarixi", format_date(baku_date(cert["issued_at"]))))
    return rows


# --- events -------------------------------------------------------------------------------

def issued_event_data(cert: dict) -> dict:
    return {
        "number": cert["number"], "holder_fin": cert["holder_fin"], "holder_name": cert["holder"]["full_name"],
        "type": cert["type"], "valid_until": cert["valid_until"], "email": cert.get("email"),
        "email_copy": bool(cert.get("email_copy")), "employer_name": cert.get("employer_name"),
        "purpose": cert["purpose"].get("name_az") or cert["purpose"]["code"],
        "issued_at": _iso(cert["issued_at"]),
    }


def revoked_event_data(cert: dict, reason: str, revoked_at: datetime) -> dict:
    """The revocation as published. The addressee is alerted only when it asked to be and the
    certificate was still valid: one that had expired already stopped being valid on its printed
    date, so deactivating it afterwards is no news to anyone."""
    addressee = cert.get("addressee") or {}
    was_valid = status_of(cert, baku_date(revoked_at)) == ACTIVE
    return {
        "number": cert["number"], "holder_name": cert["holder"]["full_name"], "reason": reason,
        "destination": cert["destination"], "addressee_voen": addressee.get("voen"),
        "addressee_name": addressee.get("name"),
        "notify_addressee": bool(cert.get("notify_addressee_on_revoke")) and cert["destination"] == ADDRESSED
        and was_valid,
        "revoked_at": _iso(revoked_at),
    }


# --- verification -------------------------------------------------------------------------

def rate_window(now: datetime, seconds: int = 60) -> tuple[int, int]:
    """Fixed window holding `now` and the whole seconds until it ends (for Retry-After)."""
    stamp = now.timestamp()
    window = int(stamp // seconds)
    return window, max(1, math.ceil((window + 1) * seconds - stamp))


def verification_record(*, number: str, result: str, verifier: dict, organization: dict | None,
                        cert: dict | None, at: datetime) -> dict:
    """One attempt, kept for both histories. The holder's names only when the check succeeded:
    a not-valid answer tells the verifier nothing about anyone."""
    valid = result == "valid"
    return {
        "number": number, "result": result, "at": at,
        "verifier_fin": verifier["fin"],
        "verifier": {k: verifier.get(k) for k in ("surname", "name", "patronymic")},
        "organization": organization,
        "holder_fin": cert["holder_fin"] if cert else None,
        "holder": {k: cert["holder"].get(k) for k in ("surname", "name", "patronymic")} if valid and cert else None,
    }


def checked_by_view(record: dict) -> dict:
    """A line of "Mənim yoxlanılan arayışlarım": who checked the holder's certificate."""
    verifier = record.get("verifier") or {}
    return {"number": record["number"], "verified_at": _iso(record["at"]), "result": record["result"],
            "verifier": {"surname": verifier.get("surname"), "name": verifier.get("name"),
                         "patronymic": verifier.get("patronymic"), "fin": record["verifier_fin"]},
            "organization": record.get("organization")}


def checked_view(record: dict) -> dict:
    """A line of "Mənim yoxladığım arayışlar": what the verifier checked."""
    return {"number": record["number"], "verified_at": _iso(record["at"]), "result": record["result"],
            "holder": record.get("holder")}
