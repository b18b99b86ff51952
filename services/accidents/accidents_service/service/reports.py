"""Reports as drafts: opened for the company with the employer filled from the tax registry, the
incident, the victims (added one by one, from the population registry) and the informant entered
and changed, the history searched, the draft previewed or deleted; and the public check."""
from __future__ import annotations

import uuid
from datetime import date

from egov_kit.auth import Principal
from egov_kit.clock import epoch_ms, stamp
from egov_kit.errors import ServiceError, conflict, field_error, invalid, not_found
from egov_kit.signing import CANCELLED, PENDING

from .. import documents, domain
from .common import VICTIM_PURPOSE, UseCaseBase, raise_collected

# A word borne by at most this many of a company's search terms is "rare": its reports are the
# search's candidates (see ReportUseCases._candidates).
RAREST_WORD_LIMIT = 200
# A word with at most this many reports is taken as the candidates without reading the others.
FEW_ENOUGH = 20


class ReportUseCases(UseCaseBase):
    # --- reading -----------------------------------------------------------------------------

    def shown(self, report: dict) -> dict:
        """The report with its deadlines as they stand now (computed, not stored)."""
        return {**report, "timing": domain.timing(report, self.now())}

    def report(self, caller: Principal, report_id: str) -> dict:
        return self.shown(self._company_report(caller, report_id))

    def history(self, caller: Principal, *, q: str | None, status: str | None, date_from: date | None,
                date_to: date | None, late: bool | None, limit: int, offset: int) -> tuple[list[dict], int]:
        """The company's reports, newest first: by registration number, or by victims' FİN or
        names (typed with or without Azerbaijani letters), the incident's date range, status and
        lateness."""
        voen = self._company(caller)
        if date_from and date_to and date_from > date_to:
            raise invalid({"from": ["invalid_date_range"]})
        search = domain.parse_search(q)
        filters = {"status": status or None, "date_from": date_from.isoformat() if date_from else None,
                   "date_to": date_to.isoformat() if date_to else None, "late": late,
                   "now_ms": epoch_ms(self.now())}
        if search is None:
            items, total = self.repository.history(voen, **filters, limit=limit, offset=offset)
            return [self.shown(r) for r in items], total
        if search.number:
            found = self.repository.report_by_number(search.number)
            ids = {found["_id"]} if found else set()
        else:
            ids = self._candidates(voen, search)
        reports = [r for r in self.repository.history_of(sorted(ids or ()), voen, **filters) if search.matches(r)]
        return [self.shown(r) for r in reports[offset:offset + limit]], len(reports)

    def _candidates(self, voen: str, search) -> set[str]:
        """The reports a search by words may find. Every one is checked against all the words
        afterwards, so the reports of the rarest word are enough: a family name borne by a few
        victims is not intersected with a first name borne by hundreds. Only when every word is
        common are the words' reports intersected."""
        ranges = search.term_ranges()
        rarest = None
        for options in ranges:
            if rarest is not None and len(rarest) <= FEW_ENOUGH:
                break  # a handful of reports to check: looking further costs more than it saves
            # A word is worth reading only while it may be rarer than the rarest so far.
            limit = RAREST_WORD_LIMIT if rarest is None else len(rarest) - 1
            ids, complete = self.repository.report_ids_for(voen, options, limit=limit)
            if complete and not ids:
                return set()
            if complete:
                rarest = ids
        if rarest is not None:
            return rarest
        ids: set[str] | None = None
        for options in ranges:
            matching, _ = self.repository.report_ids_for(voen, options)
            ids = matching if ids is None else ids & matching
            if not ids:
                break
        return ids or set()

    def find_person(self, caller: Principal, fin: str) -> dict:
        """The victims' section's FİN search (Zərərçəkənlər: "FİN daxil edib axtarış"): who the
        person is, as a victim would be filled from the population registry, before the outcome is
        chosen and the victim added. The look-up shows in the person's data-access log with the
        same purpose as adding them."""
        self._company(caller)
        found = self.registry.person(fin, VICTIM_PURPOSE)
        if found is None:
            raise field_error("fin", "unknown_person", 404)
        return domain.person_from_registry(found)

    def preview(self, caller: Principal, report_id: str) -> tuple[bytes, str]:
        """The draft as it would be filed, marked on every page as not submitted."""
        report = self._company_report(caller, report_id)
        domain.ensure_draft(report)
        pdf = documents.render_report_pdf(report, number=None, created_at=self.now(), font_dir=self.pdf_font_dir)
        return pdf, documents.report_filename(None, "pdf")

    def public_check(self, report_id: str) -> dict:
        """What anyone holding the signed PDF may learn: that it was filed, when, by which employer;
        nothing about the people in it."""
        report = self.repository.get_report(report_id)
        if report is None or report["status"] != domain.SUBMITTED:
            raise not_found()
        return {"report_id": report["_id"], "registration_number": report["registration_number"],
                "status": report["status"], "submitted_at": report["submitted_at"],
                "employer_name": report["employer"]["name"]}

    # --- opening a report ------------------------------------------------------------------------

    def create_report(self, caller: Principal, body: dict, *, report_id: str | None = None) -> dict:
        """Open a draft for the company the caller acts for. `report_id`: the id to give it (the
        operation id of an Idempotency-Key: a repeat after a lost answer finds the report made)."""
        voen = self._company(caller)
        if report_id:
            existing = self.repository.get_report(report_id)
            if existing is not None and existing["employer_voen"] == voen:
                return self.shown(existing)
        incident = body["incident"]
        domain.check_occurred_at(incident["occurred_at"], self.now())
        errors: dict[str, list[str]] = {}
        incident_filled = self._incident_fill(incident, errors)
        victims = body.get("victims") or []
        domain.check_victims(victims)
        victims_filled = [self._new_victim(v, f"victims.{i}", errors) for i, v in enumerate(victims)]
        raise_collected(errors)
        org = self.registry.organization(voen, cached=True)  # the tax registry changes rarely
        if org is None:
            raise conflict("no_employer")
        activity = None
        if org.get("activity_types"):
            activity = self.registry.directory("activity-types").get(org["activity_types"][0]) \
                or {"code": org["activity_types"][0]}
        now = self._stamp()
        report = {
            "_id": report_id or uuid.uuid4().hex,
            "status": domain.DRAFT,
            "employer_voen": voen,
            "employer": domain.employer_from_registry(org, activity),
            "incident": self._incident_doc(incident, incident_filled),
            "victims": victims_filled,
            "informant": self._informant(caller, body["informant"]) if body.get("informant") else None,
            "created_at": now, "updated_at": now, "created_by": self._person(caller), "rev": 0,
        }
        report.update(self._derived(report))
        self.repository.add_terms(report["_id"], voen, domain.search_terms(report))
        if not self.repository.insert_report(report):
            existing = self.repository.get_report(report["_id"])
            if existing is None or existing["employer_voen"] != voen:
                raise conflict("report_changed")
            return self.shown(existing)
        return self.shown(report)

    @staticmethod
    def _incident_doc(incident: dict, filled: dict, current: dict | None = None) -> dict:
        doc = {key: None for key in ("deviation", "deviation_name", "contact", "contact_name", "material_agent",
                                     "material_agent_name")}
        doc.update(current or {})
        for key, value in incident.items():
            doc[key] = stamp(value) if key == "occurred_at" else value
        doc.update(filled)
        return doc

    def _new_victim(self, victim: dict, prefix: str, errors: dict) -> dict:
        return {"days_lost": None, "injury": None, "injury_name": None, "body_part": None, "body_part_name": None,
                **self._victim_fill(victim, prefix, errors)}

    @staticmethod
    def _derived(report: dict) -> dict:
        """What is kept beside the report for the history's filters."""
        return {"occurred_date": domain.occurred_date(domain.occurred_at(report)),
                "deadline_ms": domain.deadline_ms(report)}

    # --- changing a draft ------------------------------------------------------------------------

    def _save_draft(self, caller: Principal, report: dict, changes: dict) -> dict:
        """One conditional write of the draft as the caller left it (409 if it was submitted or
        changed by someone else meanwhile). A signature pending on the old content is cancelled:
        it must not complete any more."""
        changed = {**report, **changes}
        stored = {**changes, **self._derived(changed), "updated_at": self._stamp(), "updated_by": self._person(caller)}
        signing = report.get("signing") or {}
        if signing.get("state") == PENDING:
            stored["signing.state"] = CANCELLED
            stored["signing.finished_at"] = self._stamp()
        terms = domain.search_terms(changed)
        self.repository.add_terms(report["_id"], report["employer_voen"], terms)
        updated = self.repository.update_report(report["_id"], {"status": domain.DRAFT, "rev": report.get("rev", 0)},
                                                stored)
        if updated is None:
            current = self.repository.get_report(report["_id"])
            if current is None:
                raise not_found()
            domain.ensure_draft(current)
            raise conflict("report_changed")
        self.repository.keep_only_terms(report["_id"], terms)
        if signing.get("state") == PENDING:
            self.repository.forget_signing_files(signing["signing_id"], CANCELLED, self._stamp())
        return self.shown(updated)

    def _draft(self, caller: Principal, report_id: str) -> dict:
        report = self._company_report(caller, report_id)
        domain.ensure_draft(report)
        return report

    def update_report(self, caller: Principal, report_id: str, body: dict) -> dict:
        """Change the incident (the fields given), the informant's contacts, or the whole list of
        victims of a draft."""
        report = self._draft(caller, report_id)
        changes: dict = {}
        errors: dict[str, list[str]] = {}
        if "incident" in body:
            incident = body["incident"]
            if "occurred_at" in incident:
                domain.check_occurred_at(incident["occurred_at"], self.now())
            filled = self._incident_fill(incident, errors)
            changes["incident"] = self._incident_doc(incident, filled, report["incident"])
        if "victims" in body:
            domain.check_victims(body["victims"])
            changes["victims"] = [self._new_victim(v, f"victims.{i}", errors) for i, v in enumerate(body["victims"])]
        raise_collected(errors)
        if "informant" in body:
            changes["informant"] = self._informant(caller, body["informant"], report.get("informant"))
        if not changes:
            return self.shown(report)
        return self._save_draft(caller, report, changes)

    def add_victim(self, caller: Principal, report_id: str, victim: dict) -> dict:
        """Add one victim: the FİN looked up in the population registry, the outcome chosen."""
        report = self._draft(caller, report_id)
        if domain.victim_index(report, victim["fin"]) is not None:
            raise conflict("duplicate_victim", "fin")
        if len(report.get("victims") or []) >= domain.MAX_VICTIMS:
            raise invalid({"victims": ["too_many_victims"]})
        errors: dict[str, list[str]] = {}
        added = self._new_victim(victim, "victim", errors)
        raise_collected({k.replace("victim.", "", 1): v for k, v in errors.items()})
        return self._save_draft(caller, report, {"victims": [*(report.get("victims") or []), added]})

    def update_victim(self, caller: Principal, report_id: str, fin: str, changes: dict) -> dict:
        """Change a victim's outcome, ESAW coding or days lost."""
        report = self._draft(caller, report_id)
        index = domain.victim_index(report, fin)
        if index is None:
            raise ServiceError(404, "unknown_victim")
        errors: dict[str, list[str]] = {}
        filled = self._victim_fill(changes, "victim", errors, person=False)
        raise_collected({k.replace("victim.", "", 1): v for k, v in errors.items()})
        victims = list(report["victims"])
        victims[index] = {**victims[index], **filled}
        return self._save_draft(caller, report, {"victims": victims})

    def remove_victim(self, caller: Principal, report_id: str, fin: str) -> dict:
        report = self._draft(caller, report_id)
        index = domain.victim_index(report, fin)
        if index is None:
            raise ServiceError(404, "unknown_victim")
        victims = [v for i, v in enumerate(report["victims"]) if i != index]
        return self._save_draft(caller, report, {"victims": victims})

    def delete_report(self, caller: Principal, report_id: str) -> None:
        """Delete a draft (409 once submitted)."""
        self._draft(caller, report_id)
        if not self.repository.delete_draft(report_id):
            raise conflict("report_submitted")
        self.repository.keep_only_terms(report_id, set())
