"""What every feature of AccidentsService shares: its collaborators and clock, who may see which
report, and the look-ups in the registries that fill a report."""
from __future__ import annotations

from datetime import datetime
from typing import Callable

from egov_kit.auth import Principal
from egov_kit.clock import stamp, utcnow
from egov_kit.errors import ServiceError, forbidden, not_found
from egov_kit.registry import RegistryClient
from egov_kit.signing import SigningClient

from .. import domain
from ..repository import AccidentsRepository

SOURCE = "accidents"
# Shown in the person's data-access log (HTTP headers carry Latin-1 only, hence plain ASCII).
VICTIM_PURPOSE = "accident-report-victim"  # a code of the registry's lookup-purposes directory


class UseCaseBase:
    def __init__(self, repository: AccidentsRepository, registry: RegistryClient, signing: SigningClient, *,
                 public_base_url: str, pdf_font_dir: str, now: Callable[[], datetime] = utcnow):
        self.repository = repository
        self.registry = registry
        self.signing = signing
        self.public_base_url = public_base_url.rstrip("/")
        self.pdf_font_dir = pdf_font_dir
        self.now = now

    def _stamp(self) -> str:
        return stamp(self.now())

    @staticmethod
    def _person(caller: Principal) -> dict:
        """How a person acting is recorded (who created, changed, signed ...)."""
        return {"fin": caller.fin, "name": caller.full_name or caller.fin}

    def check_url(self, report_id: str) -> str:
        """The public check behind the signed PDF's QR code."""
        return f"{self.public_base_url}/api/accidents/reports/{report_id}/check"

    # --- who sees which report --------------------------------------------------------------

    @staticmethod
    def _company(caller: Principal) -> str:
        if not caller.acting_for:
            raise forbidden("not_your_company")
        return caller.acting_for

    def _company_report(self, caller: Principal, report_id: str) -> dict:
        """A report of the company the caller acts for (anyone else's is a 404, as if there were none)."""
        voen = self._company(caller)
        report = self.repository.get_report(report_id)
        if report is None or report["employer_voen"] != voen:
            raise not_found()
        return report

    def _readable_report(self, caller: Principal, report_id: str) -> dict:
        """The company's own report, or — for the notifier, which e-mails the informant a copy —
        any submitted one."""
        if caller.kind == "service":
            report = self.repository.get_report(report_id)
            if report is None or report["status"] != domain.SUBMITTED:
                raise not_found()
            return report
        return self._company_report(caller, report_id)

    # --- the registries ---------------------------------------------------------------------

    def _coded(self, coding: domain.Coding, code: str | None, field: str, errors: dict) -> dict:
        """{field: code, field_name: its name} for a code of an ESAW directory (None clears it)."""
        if code is None:
            return {coding.field: None, f"{coding.field}_name": None}
        item = self.registry.directory(coding.directory).get(code)
        if item is None:
            errors[field] = ["unknown_esaw_code"]
            return {}
        return {coding.field: code, f"{coding.field}_name": item.get("name_az", "")}

    def _incident_fill(self, fields: dict, errors: dict) -> dict:
        """The district's name and the ESAW names of the incident's fields given in `fields`."""
        filled: dict = {}
        if "district_code" in fields:
            district = self.registry.directory("districts").get(fields["district_code"])
            if district is None:
                errors["incident.district_code"] = ["unknown_district"]
            else:
                filled["district_name"] = district.get("name_az", "")
        for coding in domain.INCIDENT_CODINGS:
            if coding.field in fields:
                filled.update(self._coded(coding, fields[coding.field], f"incident.{coding.field}", errors))
        return filled

    def _victim_fill(self, victim: dict, prefix: str, errors: dict, *, person: bool = True) -> dict:
        """A victim as stored: who they are from the population registry (the look-up is logged
        with its purpose in their data-access log), the outcome, and the ESAW coding given."""
        filled: dict = {}
        if person:
            found = self.registry.person(victim["fin"], VICTIM_PURPOSE)
            if found is None:
                errors[f"{prefix}.fin"] = ["unknown_person"]
            else:
                filled.update(domain.person_from_registry(found))
        for key in ("outcome", "days_lost"):
            if key in victim:
                filled[key] = victim[key]
        for coding in domain.VICTIM_CODINGS:
            if coding.field in victim:
                filled.update(self._coded(coding, victim[coding.field], f"{prefix}.{coding.field}", errors))
        return filled

    def _informant(self, caller: Principal, contacts: dict, current: dict | None = None) -> dict:
        """The logged-in person's identity, with the contacts given (merged over the current ones).
        The identity is the one their log-in established from the population registry and their
        token carries: asking the registry again about the person at the keyboard would tell
        nothing new (and put a look-up of their own data in their data-access log)."""
        identity = {"fin": caller.fin, "surname": caller.surname or "", "name": caller.name or "",
                    "patronymic": caller.patronymic or ""}
        # The contacts already given are kept only when they are this person's own.
        kept = current if current and current.get("fin") == caller.fin else {}
        merged = {"landline": None, "mobile": None, "email": None,
                  **{k: kept.get(k) for k in ("landline", "mobile", "email")}, **contacts}
        return {**identity, **merged}


def raise_collected(errors: dict) -> None:
    if errors:
        raise ServiceError(422, "invalid", errors)
