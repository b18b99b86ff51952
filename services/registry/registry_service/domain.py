"""The registry's rules: who may see a person's record, what a look-up leaves in the person's
data-access log, what of an organisation a caller sees, and what a search looks for.

Pure: the caller is an egov_kit.auth.Principal, the time is passed in."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Container

from egov_kit.errors import field_error

from .text import fold

if TYPE_CHECKING:
    from egov_kit.auth import Principal

SEARCH_MIN_LENGTH = 2
# Why a look-up is made: a code of this directory, in this header; shown to the person by its name.
PURPOSES_DIRECTORY = "lookup-purposes"
PURPOSE_HEADER = "X-Purpose"


def may_see_person(caller: Principal, fin: str) -> bool:
    """Services, staff and the person themself. Employers look people up through the
    e-services, which say why (the purpose lands in the person's data-access log)."""
    return caller.kind == "service" or caller.is_staff or caller.fin == fin


def access_entry(caller: Principal, fin: str, purpose: str | None, at: datetime) -> dict | None:
    """The data-access log entry a look-up of `fin` leaves; None when people look themselves up."""
    if caller.kind == "service":
        accessor = {"kind": "service", "service": caller.service}
        service = caller.service
    elif caller.fin == fin:
        return None
    else:
        accessor = {"kind": "person", "fin": caller.fin, "name": caller.full_name,
                    "organization_voen": caller.acting_for}
        service = "registry"
    return {"subject_fin": fin, "accessor": accessor, "service": service, "purpose": purpose, "at": at}


def check_purpose(purpose: str | None, known: Container[str], *, required: bool) -> None:
    """A purpose, when given, is a code of the lookup-purposes directory; a look-up that lands in
    someone's data-access log must give one. Refusals name the header."""
    if purpose is None:
        if required:
            raise field_error(PURPOSE_HEADER, "lookup_purpose_required")
    elif purpose not in known:
        raise field_error(PURPOSE_HEADER, "unknown_lookup_purpose")


def purpose_as_shown(code: str | None, purposes: dict[str, dict], lang: str) -> dict | None:
    """A logged purpose as the person reads it: its code and its name in their language (an entry
    recorded before purposes were codes shows its text as both)."""
    if code is None:
        return None
    item = purposes.get(code)
    if item is None:
        return {"code": code, "name": code}
    return {"code": code, "name": item.get("name_en" if lang == "en" else "name_az") or code}


def organization_as_seen_by(org: dict, caller: Principal) -> dict:
    """Who heads an organisation is for the suite's services and staff, not for the public."""
    if caller.kind == "service" or caller.is_staff:
        return org
    return {key: value for key, value in org.items() if key != "head_fin"}


def organization_search(text: str | None) -> tuple[str, str]:
    """What a search looks for: ("voen", prefix) when only digits are typed, else ("name", the
    text folded like the stored names, so "seki ipek" finds "Şəki İpək")."""
    text = (text or "").strip()
    if len(text) < SEARCH_MIN_LENGTH:
        raise field_error("q", "search_too_short")
    if text.isdigit():
        return "voen", text
    return "name", fold(text)
