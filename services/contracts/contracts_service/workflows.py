"""What the contracts service does, step by step: who may act, which registry data fills a
notice, how a signature is started and finalised. Uses the repository, the other services
(gateways) and the domain rules; knows nothing of Flask or HTTP."""
from __future__ import annotations

import hashlib
import base64
import logging
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timezone

from egov_kit import pki
from egov_kit.bus import new_event

from . import documents, domain, pdfsign, repository as repo
from .domain import DomainError
from .gateways import Rejected, Unavailable

log = logging.getLogger("contracts.workflows")
SOURCE = "contracts"
# Shown in the citizen's data tracker; HTTP headers carry Latin-1 only, hence plain ASCII.
PERSON_PURPOSE = "employment contract notice: employee data"
AUTHORITY_PURPOSE = "authority to enter employment contract notices"


@dataclass(frozen=True)
class Actor:
    """The logged-in person and the company they act for (from the token)."""
    fin: str
    name: str
    acting_for: str | None = None


@dataclass(frozen=True)
class SigningKind:
    """The two documents signed the same way: the notice itself and its termination."""
    name: str
    path: str              # where the signing attempt is kept on the notice
    from_status: str
    to_status: str


NOTICE_SIGNING = SigningKind("notice", "signing", domain.UNSIGNED, domain.SIGNED)
TERMINATION_SIGNING = SigningKind("termination", "termination.signing", domain.SIGNED, domain.TERMINATED)
SIGNING_KINDS = (NOTICE_SIGNING, TERMINATION_SIGNING)

# How far a reader of notices goes to bring a pending signature up to date (see Contracts._settle).
LOCAL, STALE, FULL = "local", "stale", "full"


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def _digest_b64(data: bytes) -> str:
    return base64.b64encode(hashlib.sha256(data).digest()).decode("ascii")


def _parse_instant(value) -> datetime | None:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    if isinstance(value, str) and value:
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)
    return None


def _nested(doc: dict, path: str):
    for part in path.split("."):
        if not isinstance(doc, dict):
            return None
        doc = doc.get(part)
    return doc


class Contracts:
    def __init__(self, db, registry, signatures, public_base_url: str, now=utcnow):
        self.db = db
        self.registry = registry
        self.signatures = signatures
        self.public_base_url = public_base_url.rstrip("/")
        self.now = now

    # --- who may act ----------------------------------------------------------------------

    def _stamp(self) -> str:
        return domain.stamp(self.now())

    def _today(self) -> date:
        return domain.today_in_baku(self.now())

    def _company(self, actor: Actor) -> str:
        if not actor.acting_for:
            raise DomainError(403, "not_your_company")
        return actor.acting_for

    def is_head(self, voen: str, fin: str) -> bool:
        return self.registry.head_fin(voen) == fin

    def require_head(self, actor: Actor) -> str:
        """Only the head named in the tax registry grants or withdraws authorities."""
        voen = self._company(actor)
        if not self.is_head(voen, actor.fin):
            raise DomainError(403, "not_head")
        return voen

    def authority_in_force(self, voen: str, fin: str) -> dict | None:
        """The person's authority for the company that is in force now, if any."""
        today = self._today()
        return next((a for a in repo.authorities_of_person(self.db, voen, fin)
                     if domain.authority_in_force(a, today)), None)

    def may_act(self, voen: str, fin: str) -> bool:
        """Head of the company, or holder of an authority in force for it (checked now)."""
        return self.authority_in_force(voen, fin) is not None or self.is_head(voen, fin)

    def may_finish_signing(self, voen: str, fin: str, attempt: dict, memo: dict | None = None) -> bool:
        """The signer may still sign by the right the signature was started under: the head, or the
        very authority then in force. An authority that expired or was withdrawn meanwhile ends the
        signature, and one granted anew afterwards does not bring it back.

        `memo` keeps look-ups for the length of one request (a registry page checks many attempts)."""
        memo = {} if memo is None else memo
        today = self._today()
        key = ("authorities", voen, fin)
        if key not in memo:
            memo[key] = repo.authorities_of_person(self.db, voen, fin)
        authorities = memo[key]
        authority_id = attempt.get("authority_id")
        if authority_id is None:  # started before the authority was recorded with it
            if any(domain.authority_in_force(a, today) for a in authorities):
                return True
        elif authority_id and any(a["_id"] == authority_id and domain.authority_in_force(a, today)
                                  for a in authorities):
            return True
        key = ("head", voen)
        if key not in memo:
            memo[key] = self.registry.head_fin(voen)
        return memo[key] == fin

    def require_company_rights(self, actor: Actor) -> str:
        voen = self._company(actor)
        if not self.may_act(voen, actor.fin):
            raise DomainError(403, "no_authority")
        return voen

    # --- authorities ----------------------------------------------------------------------

    def authority_view(self, authority: dict) -> dict:
        status = domain.authority_status(authority, self._today())
        return {
            "id": authority["_id"], "voen": authority["voen"], "fin": authority["fin"],
            "surname": authority.get("surname"), "name": authority.get("name"),
            "patronymic": authority.get("patronymic"), "full_name": domain.full_name(authority),
            "valid_until": authority.get("valid_until"),
            "kind": "indefinite" if authority.get("valid_until") is None else "fixed_term",
            "status": status, "granted_at": authority["granted_at"], "granted_by": authority["granted_by"],
            "withdrawn_at": authority.get("withdrawn_at"),
        }

    def grant_authority(self, actor: Actor, fin: str, valid_until: date | None) -> dict:
        voen = self.require_head(actor)
        domain.check_valid_until(valid_until, self._today())
        person = self.registry.person(fin, AUTHORITY_PURPOSE)
        if person is None:
            raise DomainError(422, "unknown_person", {"fin": ["unknown_person"]})
        today = self._today()
        if any(domain.authority_in_force(a, today) for a in repo.authorities_of_person(self.db, voen, fin)):
            raise DomainError(409, "authority_exists", {"fin": ["authority_exists"]})
        authority = {
            "_id": uuid.uuid4().hex, "voen": voen, "fin": fin,
            "surname": person.get("surname", ""), "name": person.get("name", ""),
            "patronymic": person.get("patronymic", ""),
            "valid_until": valid_until.isoformat() if valid_until else None,
            "status": domain.ACTIVE, "granted_at": self._stamp(),
            "granted_by": {"fin": actor.fin, "name": actor.name},
        }
        event = new_event("contracts.authority.granted", domain.authority_granted_data(authority), source=SOURCE)
        repo.insert_authority(self.db, authority, event)
        return self.authority_view(authority)

    def list_authorities(self, actor: Actor) -> list[dict]:
        voen = self.require_head(actor)
        return [self.authority_view(a) for a in repo.authorities_of(self.db, voen)]

    def withdraw_authority(self, actor: Actor, authority_id: str) -> dict:
        voen = self.require_head(actor)
        current = repo.get_authority(self.db, authority_id, voen)
        if current is None:
            raise DomainError(404, "not_found")
        event = new_event("contracts.authority.withdrawn", domain.authority_withdrawn_data(current), source=SOURCE)
        changes = {"status": domain.WITHDRAWN, "withdrawn_at": self._stamp(),
                   "withdrawn_by": {"fin": actor.fin, "name": actor.name}}
        withdrawn = repo.withdraw_authority(self.db, authority_id, voen, changes, event)
        if withdrawn is None:
            raise DomainError(409, "authority_withdrawn")
        # Signatures started under it can never complete now: they end at once (refused), so
        # nobody is shown a signature "pending" that is already dead. Should this stop half-way,
        # the next reader of each notice ends them just the same (_settle).
        memo: dict = {}
        for notice in repo.notices_pending_under(self.db, voen, authority_id):
            self._settle(notice, LOCAL, memo)
        return self.authority_view(withdrawn)

    # --- notices --------------------------------------------------------------------------

    def check_url(self, notice_id: str) -> str:
        return f"{self.public_base_url}/api/contracts/notices/{notice_id}/check"

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
            raise DomainError(422, "invalid", errors)
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

    def create_notice(self, actor: Actor, fields: dict) -> dict:
        voen = self.require_company_rights(actor)
        domain.check_notice(fields)
        filled = self._registry_fill(fields)
        org = self.registry.organization(voen)
        if org is None:
            raise DomainError(403, "not_your_company")
        now = self._stamp()
        notice = {
            "_id": uuid.uuid4().hex,
            "status": domain.UNSIGNED,
            "employer_voen": voen,
            "employer": domain.employer_from_registry(org),
            **self._stored_fields(fields),
            **filled,
            "created_at": now, "updated_at": now,
            "created_by": {"fin": actor.fin, "name": actor.name},
        }
        notice["search"] = domain.search_key(notice)
        try:
            repo.insert_notice(self.db, notice)
        except repo.ContractNumberTaken:
            raise DomainError(409, "contract_number_taken", {"contract_number": ["contract_number_taken"]}) from None
        return notice

    def _company_notice(self, actor: Actor, notice_id: str) -> dict:
        voen = self.require_company_rights(actor)
        notice = repo.get_notice(self.db, notice_id)
        if notice is None or notice["employer_voen"] != voen:
            raise DomainError(404, "not_found")
        return notice

    def get_company_notice(self, actor: Actor, notice_id: str) -> dict:
        return self._company_notice(actor, notice_id)

    def readable_notice(self, actor: Actor, notice_id: str, settle: str | None = None) -> dict:
        """The employer (acting for the company, with rights) or the employee once it is signed.
        With `settle`, a pending signature on it is first brought up to date (see _settle)."""
        notice = repo.get_notice(self.db, notice_id)
        if notice is None:
            raise DomainError(404, "not_found")
        if notice["employee_fin"] == actor.fin and notice["status"] != domain.UNSIGNED:
            return self._settle(notice, settle) if settle else notice
        if actor.acting_for and actor.acting_for == notice["employer_voen"]:
            if not self.may_act(actor.acting_for, actor.fin):
                raise DomainError(403, "no_authority")
            return self._settle(notice, settle) if settle else notice
        raise DomainError(404, "not_found")

    def update_notice(self, actor: Actor, notice_id: str, changes: dict) -> dict:
        notice = self._company_notice(actor, notice_id)
        domain.ensure_editable(notice)
        merged = domain.merge_changes(self._typed_fields(notice), changes)
        domain.check_notice(merged)
        filled = self._registry_fill({k: v for k, v in changes.items()
                                      if k in ("employee_fin", "occupation_code")})
        stored = {**self._stored_fields({k: merged[k] for k in domain.NOTICE_FIELDS}), **filled,
                  "updated_at": self._stamp(), "updated_by": {"fin": actor.fin, "name": actor.name}}
        candidate = {**notice, **stored}
        stored["search"] = domain.search_key(candidate)
        signing = notice.get("signing")
        if signing and signing.get("state") == domain.PENDING:
            # The pending signature covers the old content; it must not complete any more.
            stored["signing.state"] = domain.CANCELLED
        try:
            updated = repo.update_unsigned_notice(self.db, notice_id, stored)
        except repo.ContractNumberTaken:
            raise DomainError(409, "contract_number_taken", {"contract_number": ["contract_number_taken"]}) from None
        if updated is None:
            raise DomainError(409, "notice_not_editable")
        return updated

    def delete_notice(self, actor: Actor, notice_id: str) -> None:
        notice = self._company_notice(actor, notice_id)
        domain.ensure_editable(notice)
        if not repo.delete_unsigned_notice(self.db, notice_id):
            raise DomainError(409, "notice_not_editable")

    def list_company_notices(self, actor: Actor, *, status: str | None, q: str | None,
                             limit: int, offset: int) -> tuple[list[dict], int]:
        voen = self.require_company_rights(actor)
        query: dict = {"employer_voen": voen}
        if status:
            query["status"] = status
        search = domain.fold(q) if q and q.strip() else None
        items, total = repo.list_notices(self.db, query, search=search, limit=limit, offset=offset,
                                         sort=[("created_at", -1), ("_id", -1)])
        return self._settle_page(items), total

    def my_notices(self, actor: Actor, *, status: str | None, q: str | None = None,
                   limit: int, offset: int) -> tuple[list[dict], int]:
        if status == domain.UNSIGNED:
            return [], 0  # drafts are the employer's business until signed
        query = {"employee_fin": actor.fin,
                 "status": status or {"$in": [domain.SIGNED, domain.TERMINATED]}}
        search = domain.fold(q) if q and q.strip() else None
        items, total = repo.list_notices(self.db, query, search=search, limit=limit, offset=offset,
                                         sort=[("signed_at", -1), ("_id", -1)])
        return self._settle_page(items), total

    def _settle_page(self, notices: list[dict]) -> list[dict]:
        memo: dict = {}
        return [self._settle(n, STALE, memo) for n in notices]

    def public_check(self, notice_id: str) -> dict:
        notice = repo.get_notice(self.db, notice_id)
        if notice is None or notice["status"] == domain.UNSIGNED:
            raise DomainError(404, "not_found")
        return {"notice_id": notice["_id"], "status": notice["status"],
                "status_label": domain.domain_label("status", notice["status"]),
                "signed_at": notice.get("signed_at"), "terminated_at": notice.get("terminated_at"),
                "employer_name": notice["employer"]["name"]}

    # --- termination ----------------------------------------------------------------------

    def register_termination(self, actor: Actor, notice_id: str, termination_date: date, ground: str) -> dict:
        notice = self._company_notice(actor, notice_id)
        domain.ensure_terminable(notice)
        errors: dict[str, list[str]] = {}
        try:
            domain.check_termination(date.fromisoformat(notice["start_date"]), termination_date)
        except DomainError as exc:
            errors.update(exc.errors)
        item = self.registry.directory("termination-grounds").get(ground)
        if item is None:
            errors["ground"] = ["unknown_ground"]
        elif misfit := domain.check_ground(notice["contract_type"], item):
            errors["ground"] = misfit
        if errors:
            raise DomainError(422, "invalid", errors)
        termination = {"date": termination_date.isoformat(), "ground": ground,
                       "ground_name": item.get("name_az", ""), "registered_at": self._stamp(),
                       "registered_by": {"fin": actor.fin, "name": actor.name}}
        # Re-entering replaces an unsigned termination (and voids any signature pending on it).
        updated = repo.set_notice_fields(self.db, notice_id, {"status": domain.SIGNED},
                                         {"termination": termination, "updated_at": self._stamp()})
        if updated is None:
            raise DomainError(409, "notice_terminated")
        return updated

    # --- signing --------------------------------------------------------------------------

    @staticmethod
    def _signed_bytes(notice: dict, kind: SigningKind) -> bytes:
        if kind is NOTICE_SIGNING:
            return domain.canonical_json(domain.notice_content(notice))
        return domain.canonical_json(domain.termination_content(notice, notice["termination"]))

    def start_signing(self, actor: Actor, notice_id: str, kind: SigningKind) -> dict:
        notice = self._company_notice(actor, notice_id)
        if kind is NOTICE_SIGNING:
            domain.ensure_signable(notice)
        else:
            domain.ensure_termination_signable(notice)
        content = self._signed_bytes(notice, kind)
        started = self.now()
        digests = [{"name": kind.name, "digest": _digest_b64(content), "pades": False}]
        prepared = None
        if kind is NOTICE_SIGNING:
            pdf = documents.render_notice_pdf(domain.notice_content(notice), notice_id=notice_id,
                                              check_url=self.check_url(notice_id), created_at=started,
                                              signer_name=actor.name)
            prepared = pdfsign.prepare(pdf, reason="Əmək müqaviləsi bildirişinin imzalanması",
                                       location="Azərbaycan Respublikası", signer_name=actor.name)
            digests.append({"name": "pdf", "digest": base64.b64encode(prepared.digest).decode("ascii"),
                            "pades": True})
            text = f"Əmək müqaviləsi bildirişinin imzalanması: № {notice['contract_number']}"
        else:
            text = f"Əmək müqaviləsinə xitam verilməsi barədə bildirişin imzalanması: № {notice['contract_number']}"
        try:
            started_at_auth = self.signatures.start(fin=actor.fin, text=text, digests=digests)
        except Rejected as exc:
            raise DomainError(409 if exc.status == 409 else 422, "signing_start_refused",
                              detail=exc.body.get("detail")) from None
        signing_id = started_at_auth["signing_id"]
        authority = self.authority_in_force(notice["employer_voen"], actor.fin)
        record = {"_id": signing_id, "notice_id": notice_id, "kind": kind.name, "signer_fin": actor.fin,
                  "signer_name": actor.name, "content": content, "state": domain.PENDING,
                  "created_at": domain.stamp(started)}
        if prepared is not None:
            record.update(pdf_prepared=prepared.prepared, pdf_digest=prepared.digest,
                          region_start=prepared.region_start, region_end=prepared.region_end)
        repo.insert_signing(self.db, record)
        attempt = {"signing_id": signing_id, "state": domain.PENDING,
                   "verification_code": started_at_auth.get("verification_code"),
                   "expires_at": started_at_auth.get("expires_at"), "started_at": domain.stamp(started),
                   "signer": {"fin": actor.fin, "name": actor.name},
                   # The right it is signed under ("" for the head signing without an authority).
                   "authority_id": authority["_id"] if authority else ""}
        # Only if nothing changed since the signed bytes were built from it.
        conditions = {"status": kind.from_status, "updated_at": notice["updated_at"]}
        if repo.set_notice_fields(self.db, notice_id, conditions, {kind.path: attempt}) is None:
            raise DomainError(409, "signing_cancelled")
        return {"signing_id": signing_id, "verification_code": attempt["verification_code"],
                "expires_at": attempt["expires_at"], "state": domain.PENDING}

    def poll_signing(self, actor: Actor, notice_id: str, kind: SigningKind) -> dict:
        """The state of the signature; a confirmed one is verified and the notice finalised here."""
        notice = self._company_notice(actor, notice_id)
        attempt = _nested(notice, kind.path)
        if not attempt:
            raise DomainError(404, "no_signing")
        state = attempt.get("state")
        if state == domain.PENDING and notice["status"] == kind.from_status \
                and not self.may_finish_signing(notice["employer_voen"], attempt["signer"]["fin"], attempt):
            # The signer's authority lapsed or was withdrawn: whatever the phone says, it is over.
            self._end_attempt(notice, kind, attempt, domain.REFUSED)
            state = domain.REFUSED
        if state == domain.REFUSED:
            raise DomainError(403, "signing_refused")
        if state != domain.PENDING:
            return self._signing_answer(notice, attempt)
        return self._ask_auth(notice, kind, attempt)

    def _ask_auth(self, notice: dict, kind: SigningKind, attempt: dict) -> dict:
        """The state at the auth service; a confirmed signature is verified and finalised."""
        answer = self.signatures.status(attempt["signing_id"])
        remote = answer.get("state")
        if remote == domain.PENDING:
            return self._signing_answer(notice, attempt)
        if remote in (domain.REJECTED, domain.EXPIRED):
            return self._end_attempt(notice, kind, attempt, remote)
        if remote != domain.CONFIRMED:
            log.warning("unexpected signing state from auth")
            return self._signing_answer(notice, attempt)
        return self._finalise(notice, kind, attempt, answer)

    def _settle(self, notice: dict, reach: str, memo: dict | None = None) -> dict:
        """Bring the notice's pending signatures up to date before anyone is shown them, so that
        a signature that can no longer complete does not sit there as "pending":

        - the signer's authority lapsed or was withdrawn → the attempt ends as refused (LOCAL:
          only this, from our own records);
        - the request on the phone has expired → asked at the auth service, which tells whether
          it was confirmed in time, rejected or expired (STALE: this too — a listing);
        - FULL (one notice opened): the auth service is asked about any pending signature, so a
          signature confirmed on the phone shows as signed even if its signer never polled.

        Never fails the read: when a service does not answer, the attempt is left as it was."""
        memo = {} if memo is None else memo
        for kind in SIGNING_KINDS:
            attempt = _nested(notice, kind.path)
            if not attempt or attempt.get("state") != domain.PENDING or notice["status"] != kind.from_status:
                continue
            try:
                signer = (attempt.get("signer") or {}).get("fin")
                if not self.may_finish_signing(notice["employer_voen"], signer, attempt, memo):
                    self._end_attempt(notice, kind, attempt, domain.REFUSED)
                elif reach == FULL or (reach == STALE and self._past_expiry(attempt)):
                    self._ask_auth(notice, kind, attempt)
                else:
                    continue
            except (DomainError, Unavailable):
                pass  # ended (invalid, refused) or left pending; the stored notice says which
            notice = repo.get_notice(self.db, notice["_id"]) or notice
        return notice

    def _past_expiry(self, attempt: dict) -> bool:
        expires = _parse_instant(attempt.get("expires_at"))
        return expires is not None and expires <= self.now()

    def _signing_answer(self, notice: dict, attempt: dict) -> dict:
        out = {"state": attempt.get("state"), "signing_id": attempt.get("signing_id"), "status": notice["status"],
               "signed_at": notice.get("signed_at"), "terminated_at": notice.get("terminated_at"),
               "expires_at": attempt.get("expires_at"), "finished_at": attempt.get("finished_at")}
        if attempt.get("state") == domain.PENDING:
            out["verification_code"] = attempt.get("verification_code")
        return out

    def _end_attempt(self, notice: dict, kind: SigningKind, attempt: dict, state: str) -> dict:
        conditions = {"status": kind.from_status, f"{kind.path}.signing_id": attempt["signing_id"],
                      f"{kind.path}.state": domain.PENDING}
        updated = repo.set_notice_fields(self.db, notice["_id"], conditions,
                                         {f"{kind.path}.state": state, f"{kind.path}.finished_at": self._stamp()})
        repo.forget_signing_files(self.db, attempt["signing_id"], state, self._stamp())
        current = updated or repo.get_notice(self.db, notice["_id"]) or notice
        return self._signing_answer(current, _nested(current, kind.path) or {**attempt, "state": state})

    def _verify(self, cms: bytes, content: bytes) -> pki.SignerInfo:
        try:
            return pki.verify_detached_cms(cms, content, [self.signatures.ca_pem()], now=self.now())
        except pki.SignatureInvalid:
            # The test CA may have been re-created since we cached it: look once more.
            return pki.verify_detached_cms(cms, content, [self.signatures.ca_pem(refresh=True)], now=self.now())

    def _finalise(self, notice: dict, kind: SigningKind, attempt: dict, answer: dict) -> dict:
        signing_id = attempt["signing_id"]
        record = repo.get_signing(self.db, signing_id)
        signer_fin = attempt["signer"]["fin"]
        if record is None:
            raise DomainError(409, "no_signing")
        if record["content"] != self._signed_bytes(notice, kind):
            # Edited after the signature was started: it covers content that no longer exists.
            return self._end_attempt(notice, kind, attempt, domain.CANCELLED)
        by_name = {s.get("name"): s for s in answer.get("signatures") or []}
        try:
            cms = base64.b64decode(by_name[kind.name]["cms"])
            info = self._verify(cms, record["content"])
            pdf_cms = signed_pdf = None
            if kind is NOTICE_SIGNING:
                pdf_cms = base64.b64decode(by_name["pdf"]["cms"])
                prepared = pdfsign.PreparedPdf(record["pdf_prepared"], record["pdf_digest"],
                                               record["region_start"], record["region_end"])
                pdf_info = self._verify(pdf_cms, prepared.signed_range_content())
                if pdf_info.fin != signer_fin:
                    raise pki.SignatureInvalid("PDF signed by someone else")
                signed_pdf = pdfsign.finish(prepared, pdf_cms)
            if info.fin != signer_fin:
                raise pki.SignatureInvalid("signed by someone else")
        except (KeyError, ValueError, TypeError, pki.SignatureInvalid) as exc:
            log.warning("signature did not verify: %s", getattr(exc, "reason", type(exc).__name__))
            self._end_attempt(notice, kind, attempt, domain.INVALID)
            raise DomainError(502, "signing_invalid") from None

        # The signer's authority must still be in force at this moment, not only when they started.
        if not self.may_finish_signing(notice["employer_voen"], signer_fin, attempt):
            self._end_attempt(notice, kind, attempt, domain.REFUSED)
            raise DomainError(403, "signing_refused")

        signed_at = _parse_instant(answer.get("signed_at")) or self.now()
        signer = {"fin": signer_fin, "name": attempt["signer"].get("name")}
        repo.record_signing_result(self.db, signing_id, {
            "state": domain.CONFIRMED, "cms": cms, "pdf_cms": pdf_cms, "signed_pdf": signed_pdf,
            "certificate": info.certificate_pem, "signed_at": domain.stamp(signed_at), "finished_at": self._stamp(),
        })
        conditions = {"status": kind.from_status, f"{kind.path}.signing_id": signing_id,
                      f"{kind.path}.state": domain.PENDING}
        changes = {f"{kind.path}.state": domain.CONFIRMED, f"{kind.path}.finished_at": self._stamp(),
                   "status": kind.to_status, "updated_at": self._stamp()}
        if kind is NOTICE_SIGNING:
            changes.update(signed_at=domain.stamp(signed_at), signed_by=signer, signature_id=signing_id,
                           search=domain.search_key(notice))  # notices entered before it knew more fields
            event = new_event("contracts.notice.signed", domain.signed_event_data(notice, signed_at), source=SOURCE)
        else:
            changes.update({"terminated_at": domain.stamp(signed_at), "termination.signed_at": domain.stamp(signed_at),
                            "termination.signed_by": signer, "termination.signature_id": signing_id})
            event = new_event("contracts.notice.terminated",
                              domain.terminated_event_data(notice, notice["termination"], signed_at), source=SOURCE)
        updated = repo.set_notice_fields(self.db, notice["_id"], conditions, changes, event)
        # None: another poll finalised it a moment earlier (or the notice changed meanwhile).
        current = updated or repo.get_notice(self.db, notice["_id"]) or notice
        return self._signing_answer(current, _nested(current, kind.path) or attempt)

    # --- documents ------------------------------------------------------------------------

    def _signed_record(self, signing_id: str | None) -> dict:
        record = repo.get_signing(self.db, signing_id) if signing_id else None
        if record is None or record.get("state") != domain.CONFIRMED:
            raise DomainError(409, "notice_not_signed")
        return record

    def notice_pdf(self, actor: Actor, notice_id: str) -> tuple[bytes, str]:
        notice = self.readable_notice(actor, notice_id)
        domain.ensure_downloadable(notice)
        record = self._signed_record(notice.get("signature_id"))
        return record["signed_pdf"], documents.notice_filename(notice["contract_number"], "pdf")

    def notice_adoc(self, actor: Actor, notice_id: str) -> tuple[bytes, str]:
        notice = self.readable_notice(actor, notice_id)
        domain.ensure_downloadable(notice)
        record = self._signed_record(notice.get("signature_id"))
        docs = [("notice.json", "application/json", record["content"]),
                ("notice.pdf", "application/pdf", record["signed_pdf"])]
        sigs = [("META-INF/signature.p7s", record["cms"])]
        termination = notice.get("termination") or {}
        if notice["status"] == domain.TERMINATED and termination.get("signature_id"):
            term = self._signed_record(termination["signature_id"])
            docs.append(("termination.json", "application/json", term["content"]))
            sigs.append(("META-INF/signature-termination.p7s", term["cms"]))
        data = documents.build_adoc(documents=docs, signatures=sigs, fixed_time=_parse_instant(notice.get("signed_at")))
        return data, documents.notice_filename(notice["contract_number"], "adoc")
