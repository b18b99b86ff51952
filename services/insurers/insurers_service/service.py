"""The use cases of the insurers service: the company's draft saved section by section, its
scanned documents (checked by content, streamed into GridFS), sending it, the staff's queue and
decision (an account number from the counter, or a reason), and the public look-up of an
insurer's account number. No Flask here: the routes call this class."""
from __future__ import annotations

import hashlib
import logging
import uuid
from datetime import datetime
from typing import BinaryIO, Callable

from egov_kit import i18n
from egov_kit.auth import Principal
from egov_kit.bus import new_event
from egov_kit.clock import baku_date, stamp, utcnow
from egov_kit.errors import ServiceError, conflict, field_error, invalid

from . import domain, scans
from .repository import VoenTaken

log = logging.getLogger("insurers")
SOURCE = "insurers"
# Why the head is looked up (a code of the registry's look-up purposes): it lands in the head's
# data-access log. Organisations are no personal data: looked up without a purpose.
HEAD_LOOKUP = "insurer-application-head"


def _not_found() -> ServiceError:
    # Also for another company's application: whether it exists is nobody else's business.
    return ServiceError(404, "application_not_found")


class _TooLarge(Exception):
    pass


class _CheckedReader:
    """What GridFS reads the upload through: the bytes counted (refused beyond `limit`), hashed
    and shown to the format check as they go by, in one pass."""

    def __init__(self, head: bytes, source: BinaryIO, check, limit: int):
        self._head, self._source, self._check, self._limit = head, source, check, limit
        self.size = 0
        self.sha256 = hashlib.sha256()

    def read(self, n: int = -1) -> bytes:
        if self._head:
            data, self._head = self._head, b""
            if n is not None and n > len(data):
                data += self._source.read(n - len(data))
        else:
            data = self._source.read(n)
        if data:
            self.size += len(data)
            if self.size > self._limit:
                raise _TooLarge()
            self.sha256.update(data)
            self._check.feed(data)
        return data


class InsurersService:
    def __init__(self, *, repository, registry, settings, now: Callable[[], datetime] = utcnow,
                 new_id: Callable[[], str] = lambda: uuid.uuid4().hex):
        """`repository`: InsurersRepository; `registry`: the kit's RegistryClient; `settings`:
        InsurersSettings; `now`: the clock; `new_id`: ids of applications and documents."""
        self.repository = repository
        self.registry = registry
        self.settings = settings
        self.now = now
        self.new_id = new_id

    # --- the public look-up ("Sığortaedənin uçot nömrəsinin öyrənilməsi") -----------------------

    def account_number_of(self, voen: str) -> dict:
        answer = domain.lookup_answer(voen, self.repository.registered(voen))
        if answer is None:
            raise ServiceError(404, "insurer_not_found")
        return answer

    # --- who sees what ------------------------------------------------------------------------

    def _visible(self, principal: Principal, app_id: str) -> dict:
        """The application, for its company, and for staff once it has been sent (a draft is the
        company's own business); 404 for anyone else."""
        app = self.repository.get(app_id)
        if app is None or not (principal.acting_for == app["voen"]
                               or (principal.is_staff and app["status"] != domain.DRAFT)):
            raise _not_found()
        return app

    def _own(self, principal: Principal, app_id: str) -> dict:
        app = self.repository.get(app_id)
        if app is None or principal.acting_for != app["voen"]:
            raise _not_found()
        return app

    def _own_draft(self, principal: Principal, app_id: str) -> dict:
        app = self._own(principal, app_id)
        if app["status"] != domain.DRAFT:
            raise conflict("application_not_draft")
        return app

    def _view(self, principal: Principal, app: dict) -> dict:
        return domain.view(app, staff=principal.is_staff and principal.acting_for != app["voen"])

    def _voen_free(self, voen: str) -> None:
        active = self.repository.active_for(voen)
        if active is not None:
            raise conflict("voen_already_registered" if active.get("status") == domain.REGISTERED
                           else "voen_under_review", "voen")

    # --- the checks' look-ups -----------------------------------------------------------------

    def _facts(self, voen: str, changes: dict) -> domain.Facts:
        wanted = domain.needs(changes)
        facts = domain.Facts(voen=voen, today=baku_date(self.now()))
        for name in sorted(wanted.directories):
            facts.directories[name] = self.registry.directory(name)
        if wanted.tax_record:
            facts.tax_record = self.registry.organization(voen, cached=True)
        for other in wanted.voens:
            facts.organizations[other] = self.registry.organization(other, cached=True)
        return facts

    def _checked(self, voen: str, changes: dict, current: dict) -> tuple[dict, dict]:
        """($set, $unset) of valid `changes`; 422 naming every field at fault otherwise. The head
        is looked up in the population registry only once the FİN is known to be the head's."""
        errors = domain.validate(changes, current, self._facts(voen, changes))
        if errors:
            raise invalid(errors)
        head = None
        if changes.get("head_fin") and changes["head_fin"] != (current.get("head") or {}).get("fin"):
            head = self.registry.person(changes["head_fin"], HEAD_LOOKUP)
            if head is None:
                raise field_error("head_fin", "unknown_person")
        elif changes.get("head_fin"):
            head = current["head"]
        return domain.changes_to_update(changes, head)

    # --- the draft ----------------------------------------------------------------------------

    def create(self, principal: Principal, body: dict, app_id: str | None = None) -> dict:
        """A new draft for the organisation the caller acts for, with whatever sections it brings.
        `app_id`: the id to give it — the same for every attempt of one request (Idempotency-Key),
        so an attempt cut short and repeated finds the draft it made instead of making another."""
        voen = principal.acting_for
        if app_id is not None:
            made = self.repository.get(app_id)
            if made is not None and made["voen"] == voen:
                return self._view(principal, made)
        self._voen_free(voen)
        sets, _unsets = self._checked(voen, body, {})
        at = stamp(self.now())
        app = domain.new_application(app_id or self.new_id(), voen,
                                     domain.person_of(principal.fin, principal.full_name), at)
        app.update(sets)
        self.repository.insert(app)
        return self._view(principal, app)

    def application(self, principal: Principal, app_id: str) -> dict:
        return self._view(principal, self._visible(principal, app_id))

    def change(self, principal: Principal, app_id: str, changes: dict) -> dict:
        """A section (or any fields) saved; null clears a field."""
        app = self._own_draft(principal, app_id)
        if not changes:
            return self._view(principal, app)
        sets, unsets = self._checked(app["voen"], changes, app)
        sets["updated_at"] = stamp(self.now())
        changed = self.repository.update_draft(app_id, app["voen"], sets, unsets)
        if changed is None:
            self._own_draft(principal, app_id)  # says why: gone, or sent meanwhile
            raise conflict("application_not_draft")
        return self._view(principal, changed)

    def applications(self, principal: Principal, status: str | None, limit: int, offset: int
                     ) -> tuple[list[dict], int]:
        """For a company: its own applications, newest first. For staff: every application sent
        (drafts are not theirs to see), the submitted ones (the queue) oldest first."""
        query: dict = {}
        if principal.acting_for:
            query["voen"] = principal.acting_for
            if status:
                query["status"] = status
        elif principal.is_staff:
            sent = [s for s in domain.STATUSES if s != domain.DRAFT]
            query["status"] = {"$in": [status] if status in sent else [] if status else sent}
        else:
            raise ServiceError(403, "staff_required")
        items, total = self.repository.page(query, limit, offset,
                                            oldest_submitted_first=status == domain.SUBMITTED)
        return [domain.summary(app) for app in items], total

    # --- sending it ---------------------------------------------------------------------------

    def submit(self, principal: Principal, app_id: str) -> dict:
        """Complete and still valid, the VÖEN neither registered nor under review: submitted, with
        its event (the notifier tells the applicant)."""
        app = self._own_draft(principal, app_id)
        errors = domain.completeness_errors(app)
        if errors:
            raise invalid(errors)
        fields = domain.fields_of(app)
        errors = domain.validate(fields, {}, self._facts(app["voen"], fields))
        if errors:
            raise invalid(errors)
        self._voen_free(app["voen"])
        now = self.now()
        sets = {"submitted_at": stamp(now), "submitted_by": domain.person_of(principal.fin, principal.full_name),
                "updated_at": stamp(now)}
        event = new_event("insurers.application.submitted", domain.event_data({**app, **sets}), source=SOURCE)
        try:
            submitted = self.repository.submit(app_id, app["voen"], sets, event)
        except VoenTaken:
            self._voen_free(app["voen"])
            raise conflict("voen_under_review", "voen") from None
        if submitted is None:
            self._own_draft(principal, app_id)
            raise conflict("application_not_draft")
        return self._view(principal, submitted)

    # --- the staff's decision -----------------------------------------------------------------

    def decide(self, staff: Principal, app_id: str, decision: str, reason: str | None) -> dict:
        """Register (a new account number) or reject (with the reason): final, recorded with who
        and when, and published."""
        app = self.repository.get(app_id)
        if app is None:
            raise _not_found()
        if app["status"] == domain.DRAFT:
            raise conflict("application_not_submitted")
        if app["status"] != domain.SUBMITTED:
            raise conflict("application_already_decided")
        reason = (reason or "").strip() or None
        if decision == domain.REJECT and not reason:
            raise field_error("reason", "reason_required")
        if decision == domain.REGISTER and reason:
            raise field_error("reason", "reason_only_for_rejection")
        now = self.now()
        at = stamp(now)
        sets = {"status": domain.REGISTERED if decision == domain.REGISTER else domain.REJECTED, "decided_at": at,
                "decided_by": domain.person_of(staff.fin, staff.full_name), "updated_at": at}
        unsets = {}
        if decision == domain.REGISTER:
            sets["account_number"] = domain.account_number(self.repository.next_account_number())
            event = new_event("insurers.application.registered", domain.event_data(
                app, account_number=sets["account_number"], registered_at=at), source=SOURCE)
        else:
            sets["reason"] = reason
            unsets["active_voen"] = ""  # the company may apply again
            event = new_event("insurers.application.rejected", domain.event_data(
                app, reason=reason, rejected_at=at), source=SOURCE)
        decided = self.repository.decide(app_id, sets, unsets, event)
        if decided is None:
            raise conflict("application_already_decided")
        return domain.view(decided, staff=True)

    # --- scanned documents --------------------------------------------------------------------

    def too_large(self, status: int, code: str, size: int) -> ServiceError:
        """A refusal naming the limit in MB (413 for sizes)."""
        return ServiceError(status, code, detail=domain.say(code, limit=domain.megabytes(size)))

    def add_document(self, principal: Principal, app_id: str, filename: str | None, source: BinaryIO,
                     size: int | None) -> dict:
        """Checks the file by its content while streaming it into GridFS, then names it in the
        draft within the limits; refused files leave nothing behind."""
        settings = self.settings
        app = self._own_draft(principal, app_id)
        if size is not None and size > settings.max_document_bytes:
            raise self.too_large(413, "document_too_large", settings.max_document_bytes)
        if int(app.get("documents_count") or 0) >= settings.max_documents:
            raise ServiceError(409, "too_many_documents",
                               detail=domain.say("too_many_documents", limit=settings.max_documents))
        if size is not None and int(app.get("documents_size") or 0) + size > settings.max_application_bytes:
            raise self.too_large(413, "application_documents_too_large", settings.max_application_bytes)
        head = source.read(scans.SNIFF_BYTES)
        if not head:
            raise field_error("file", "document_empty")
        check = scans.recognise(head)
        if check is None:
            raise field_error("file", "document_type_not_allowed")
        doc_id = self.new_id()
        name = domain.clean_filename(filename, check.extension)
        reader = _CheckedReader(head, source, check, settings.max_document_bytes)
        try:
            self.repository.store_file(doc_id, name, reader, {"application_id": app_id,
                                                              "content_type": check.content_type})
            check.finish()
        except _TooLarge:
            self.repository.delete_file(doc_id)
            raise self.too_large(413, "document_too_large", settings.max_document_bytes) from None
        except scans.Damaged as damaged:
            self.repository.delete_file(doc_id)
            raise ServiceError(422, "document_damaged", {"file": [domain.say(
                "document_damaged", kind=damaged.kind, problem=i18n.text(damaged.problem))]}) from None
        except BaseException:
            self.repository.delete_file(doc_id)
            raise
        at = stamp(self.now())
        entry = {"filename": name, "content_type": check.content_type, "size": reader.size,
                 "sha256": reader.sha256.hexdigest(), "uploaded_at": at,
                 "uploaded_by": domain.person_of(principal.fin, principal.full_name)}
        attached = self.repository.attach_document(app_id, app["voen"], doc_id, entry,
                                                   max_total=settings.max_application_bytes,
                                                   max_count=settings.max_documents, at=at)
        if attached is None:
            self.repository.delete_file(doc_id)
            now = self._own_draft(principal, app_id)  # gone or sent meanwhile: 404 / 409
            if int(now.get("documents_count") or 0) >= settings.max_documents:
                raise ServiceError(409, "too_many_documents",
                                   detail=domain.say("too_many_documents", limit=settings.max_documents))
            raise self.too_large(413, "application_documents_too_large", settings.max_application_bytes)
        return next(d for d in domain.documents_view(attached) if d["id"] == doc_id)

    def document(self, principal: Principal, app_id: str, doc_id: str):
        """(its description, the GridFS file to stream) for the company and for staff."""
        app = self._visible(principal, app_id)
        entry = (app.get("documents") or {}).get(doc_id)
        stored = self.repository.open_file(doc_id) if entry else None
        if stored is None:
            if entry:
                log.error("a document named in its application is missing from GridFS")
            raise ServiceError(404, "document_not_found")
        return {"id": doc_id, **entry}, stored

    def remove_document(self, principal: Principal, app_id: str, doc_id: str) -> None:
        app = self._own_draft(principal, app_id)
        entry = (app.get("documents") or {}).get(doc_id)
        if entry is None:
            raise ServiceError(404, "document_not_found")
        if self.repository.detach_document(app_id, app["voen"], doc_id, int(entry["size"]),
                                           stamp(self.now())) is None:
            self._own_draft(principal, app_id)
            raise ServiceError(404, "document_not_found")  # removed meanwhile
        self.repository.delete_file(doc_id)
