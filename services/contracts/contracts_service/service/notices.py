"""Notices of employment contracts: entered from the registries, edited while unsigned, listed for
the company and for the employee, checked by anyone, and their termination entered."""
from __future__ import annotations

import uuid
from datetime import date

from egov_kit.auth import Principal
from egov_kit.errors import ServiceError, conflict, forbidden, invalid, not_found

from .. import domain
from .common import UseCaseBase

# Shown in the citizen's data tracker; HTTP headers carry Latin-1 only, hence plain ASCII.
PERSON_PURPOSE = "contract-notice-employee"  # codes of the registry's lookup-purposes directory


class NoticeUseCases(UseCaseBase):
    # --- entering and editing -------------------------------------------------------------

    def _registry_fill(self, fields: dict) -> dict:
        """Employee and occupation from the registries; every unknown one named at once."""
        errors: dict[str, list[str]] = {}
        filled: dict = {}
        if "employee_fin" in fields:
            person = self.registry.person(fields["employee_fin"], PERSON_PURPOSE)
            if person is None:
                errors["employee_fin"] = ["unknown_person"]
            else:
                filled["employee"] = domain.employee_from_registry(person)
        if "occupation_code" in fields:
            occupation = self.registry.directory("occupations").get(fields["occupation_code"])
            if occupation is None:
                errors["occupation_code"] = ["unknown_occupation"]
            else:
                filled["occupation_name"] = occupation.get("name_az", "")
        if errors:
            raise invalid(errors)
        return filled

    @staticmethod
    def _stored_fields(fields: dict) -> dict:
        out = {}
        for key, value in fields.items():
            if key == "salary":
                out["salary_qepik"] = value
            elif isinstance(value, date):
                out[key] = value.isoformat()
            else:
                out[key] = value
        return out

    @staticmethod
    def _typed_fields(notice: dict) -> dict:
        typed = {key: notice.get(key) for key in domain.NOTICE_FIELDS if key != "salary"}
        typed["salary"] = notice["salary_qepik"]
        for key in ("contract_date", "start_date", "end_date"):
            if typed.get(key):
                typed[key] = date.fromisoformat(typed[key])
        return typed

    def create_notice(self, caller: Principal, fields: dict) -> dict:
        voen = self.require_company_rights(caller, entering=True)
        domain.check_notice(fields)
        filled = self._registry_fill(fields)
        org = self.registry.organization(voen)
        if org is None:
            raise forbidden("not_your_company")
        now = self._stamp()
        notice = {
            "_id": uuid.uuid4().hex,
            "status": domain.UNSIGNED,
            "employer_voen": voen,
            "employer": domain.employer_from_registry(org),
            **self._stored_fields(fields),
            **filled,
            "created_at": now, "updated_at": now,
            "created_by": self._person(caller),
        }
        notice["search"] = domain.search_key(notice)
        self.repository.insert_notice(notice)
        return notice

    def update_notice(self, caller: Principal, notice_id: str, changes: dict) -> dict:
        notice = self._company_notice(caller, notice_id, entering=True)
        domain.ensure_editable(notice)
        merged = domain.merge_changes(self._typed_fields(notice), changes)
        domain.check_notice(merged)
        filled = self._registry_fill({k: v for k, v in changes.items()
                                      if k in ("employee_fin", "occupation_code")})
        stored = {**self._stored_fields({k: merged[k] for k in domain.NOTICE_FIELDS}), **filled,
                  "updated_at": self._stamp(), "updated_by": self._person(caller)}
        stored["search"] = domain.search_key({**notice, **stored})
        signing = notice.get("signing")
        if signing and signing.get("state") == domain.PENDING:
            # The pending signature covers the old content; it must not complete any more.
            stored["signing.state"] = domain.CANCELLED
        updated = self.repository.update_unsigned_notice(notice_id, stored)
        if updated is None:
            raise conflict("notice_not_editable")
        return updated

    def delete_notice(self, caller: Principal, notice_id: str) -> None:
        notice = self._company_notice(caller, notice_id, entering=True)
        domain.ensure_editable(notice)
        if not self.repository.delete_unsigned_notice(notice_id):
            raise conflict("notice_not_editable")

    # --- reading (never writes) -----------------------------------------------------------

    def _as_shown(self, notice: dict, memo: dict) -> dict:
        """The notice as it stands now. A signature still pending under an authority that lapsed
        or was withdrawn can no longer complete: it is shown as refused, computed here and not
        stored (polling the signature, or withdrawing the authority, is what stores it)."""
        for kind in domain.SIGNING_KINDS:
            if not domain.awaits_signature(notice, kind):
                continue
            attempt = domain.attempt_of(notice, kind)
            signer = (attempt.get("signer") or {}).get("fin")
            try:
                lapsed = not self.may_finish_signing(notice["employer_voen"], signer, attempt, memo)
            except ServiceError:
                continue  # the registry did not answer: shown as stored rather than failing the read
            if lapsed:
                notice = domain.with_attempt(notice, kind, {**attempt, "state": domain.REFUSED})
        return notice

    def readable_notice(self, caller: Principal, notice_id: str) -> dict:
        """One notice: the employer's (acting for the company, with rights), or the employee's own
        once signed."""
        return self._as_shown(self._readable_notice(caller, notice_id), {})

    def list_company_notices(self, caller: Principal, *, status: str | None, q: str | None,
                             limit: int, offset: int) -> tuple[list[dict], int]:
        """The company's registry of notices, the latest entered first."""
        voen = self.require_company_rights(caller)
        query: dict = {"employer_voen": voen}
        if status:
            query["status"] = status
        items, total = self.repository.list_notices(query, search=_search(q), limit=limit, offset=offset,
                                                    sort=[("created_at", -1), ("_id", -1)])
        memo: dict = {}
        return [self._as_shown(n, memo) for n in items], total

    def my_notices(self, caller: Principal, *, status: str | None, q: str | None,
                   limit: int, offset: int) -> tuple[list[dict], int]:
        """The person's own notices from any employer, once signed, the latest signed first."""
        if status == domain.UNSIGNED:
            return [], 0  # drafts are the employer's business until signed
        query = {"employee_fin": caller.fin, "status": status or {"$in": [domain.SIGNED, domain.TERMINATED]}}
        items, total = self.repository.list_notices(query, search=_search(q), limit=limit, offset=offset,
                                                    sort=[("signed_at", -1), ("_id", -1)])
        memo: dict = {}
        return [self._as_shown(n, memo) for n in items], total

    def public_check(self, notice_id: str) -> dict:
        """What anyone holding the PDF may learn: status and employer, nothing personal."""
        notice = self.repository.get_notice(notice_id)
        if notice is None or notice["status"] == domain.UNSIGNED:
            raise not_found()
        return {"notice_id": notice["_id"], "status": notice["status"],
                "status_label": domain.domain_label("status", notice["status"]),
                "signed_at": notice.get("signed_at"), "terminated_at": notice.get("terminated_at"),
                "employer_name": notice["employer"]["name"]}

    # --- termination ----------------------------------------------------------------------

    def register_termination(self, caller: Principal, notice_id: str, termination_date: date, ground: str) -> dict:
        """Enter (or re-enter, until it is signed) the termination of a contract in force."""
        notice = self._company_notice(caller, notice_id, entering=True)
        domain.ensure_terminable(notice)
        errors: dict[str, list[str]] = {}
        try:
            domain.check_termination(date.fromisoformat(notice["start_date"]), termination_date)
        except ServiceError as exc:
            errors.update(exc.errors)
        item = self.registry.directory("termination-grounds").get(ground)
        if item is None:
            errors["ground"] = ["unknown_ground"]
        elif misfit := domain.check_ground(notice["contract_type"], item):
            errors["ground"] = misfit
        if errors:
            raise invalid(errors)
        termination = {"date": termination_date.isoformat(), "ground": ground,
                       "ground_name": item.get("name_az", ""), "registered_at": self._stamp(),
                       "registered_by": self._person(caller)}
        # Re-entering replaces an unsigned termination (and voids any signature pending on it).
        updated = self.repository.set_notice_fields(notice_id, {"status": domain.SIGNED},
                                                    {"termination": termination, "updated_at": self._stamp()})
        if updated is None:
            raise conflict("notice_terminated")
        return updated


def _search(q: str | None) -> str | None:
    """The search key typed (folded like the notices' own), or None for no search."""
    return domain.fold(q) if q and q.strip() else None
