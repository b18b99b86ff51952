"""The registry's rules: who may see a person's record, what a look-up leaves in the person's
data-access log, what of an organisation a caller sees, and what a search looks for.

Pure: the caller is an egov_kit.auth.Principal, the time is passed in."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from egov_kit.errors import field_error

from .text import fold

if TYPE_CHECKING:
    from egov_kit.auth import Principal

SEARCH_MIN_LENGTH = 2


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
