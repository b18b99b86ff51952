"""Signing a notice or its termination with Asan İmza or the e-signature card (PAdES PDF and a
detached CMS over the canonical JSON), finalising a confirmed signature, ending one that can no
longer complete, and handing out the signed documents (PDF, ADoc).

With Asan İmza polling the signature completes it; with the card the person's client signs each
hash the answers hand out and sends it to `card_response`, whose last answer completes it."""
from __future__ import annotations

import logging

from egov_kit import adoc, pades, pki
from egov_kit.auth import Principal
from egov_kit.bus import new_event
from egov_kit.clock import parse_instant, stamp
from egov_kit.errors import ServiceError, conflict, forbidden
from egov_kit.signing import ASAN, CARD, awaiting, b64, card_step, cms_of, digest_b64, outcome

from .. import documents, domain
from ..domain import NOTICE_SIGNING, SigningKind
from .common import SOURCE, UseCaseBase

log = logging.getLogger("contracts.signing")


class SigningUseCases(UseCaseBase):
    def start_signing(self, caller: Principal, notice_id: str, kind: SigningKind, method: str = ASAN, *,
                      certificate: str | None = None, operation_id: str | None = None) -> dict:
        """Ask the caller to sign: on the phone (PIN2), or with the e-signature card whose
        `certificate` (PEM) is given — the answer then holds the first hash for the card to sign.
        The bytes signed and the prepared PDF are kept. `operation_id`: the Idempotency-Key's
        operation — a repeat after a lost answer gets the signature that attempt started."""
        notice = self._company_notice(caller, notice_id, entering=True)
        attempt = domain.attempt_of(notice, kind) or {}
        if operation_id and attempt.get("operation_id") == operation_id and notice["status"] == kind.from_status:
            return _started_answer(attempt)
        if method not in (ASAN, CARD):
            raise ServiceError(422, "invalid", {"method": ["invalid_choice"]})
        if kind is NOTICE_SIGNING:
            domain.ensure_signable(notice)
        else:
            domain.ensure_termination_signable(notice)
        signer = self._person(caller)
        content = domain.signed_content(notice, kind)
        started = self.now()
        digests = [{"name": kind.name, "digest": digest_b64(content), "pades": False}]
        prepared = None
        if kind is NOTICE_SIGNING:
            pdf = documents.render_notice_pdf(domain.notice_content(notice), notice_id=notice_id,
                                              check_url=self.check_url(notice_id), created_at=started,
                                              signer_name=signer["name"], font_dir=self.pdf_font_dir,
                                              method=method)
            prepared = pades.prepare(pdf, reason="Əmək müqaviləsi bildirişinin imzalanması",
                                     location="Azərbaycan Respublikası", signer_name=signer["name"])
            digests.append({"name": "pdf", "digest": b64(prepared.digest), "pades": True})
            text = f"Əmək müqaviləsi bildirişinin imzalanması: № {notice['contract_number']}"
        else:
            text = f"Əmək müqaviləsinə xitam verilməsi barədə bildirişin imzalanması: № {notice['contract_number']}"
        if method == CARD:
            at_auth = self.signing.start_card(fin=caller.fin, certificate=certificate or "", text=text,
                                              digests=digests)
        else:
            at_auth = self.signing.start(fin=caller.fin, text=text, digests=digests)
        signing_id = at_auth["signing_id"]
        authority = self.authority_in_force(notice["employer_voen"], caller.fin)
        record = {"_id": signing_id, "notice_id": notice_id, "kind": kind.name, "method": method,
                  "signer_fin": caller.fin,
                  "signer_name": signer["name"], "content": content, "state": domain.PENDING,
                  "created_at": stamp(started)}
        if prepared is not None:
            record.update(pdf_prepared=prepared.prepared, pdf_digest=prepared.digest,
                          region_start=prepared.region_start, region_end=prepared.region_end)
        self.repository.insert_signing(record)
        attempt = {"signing_id": signing_id, "method": method, "state": domain.PENDING,
                   "verification_code": at_auth.get("verification_code"),
                   "expires_at": at_auth.get("expires_at"), "started_at": stamp(started),
                   "signer": signer, "operation_id": operation_id,
                   # The authority it is signed under (the head signs under his own, manual 2.7).
                   "authority_id": authority["_id"] if authority else "", **card_step(at_auth)}
        # Only if nothing changed since the signed bytes were built from it.
        conditions = {"status": kind.from_status, "updated_at": notice["updated_at"]}
        if self.repository.set_notice_fields(notice_id, conditions, {kind.path: attempt}) is None:
            raise conflict("signing_cancelled")
        return _started_answer(attempt)

    def poll_signing(self, caller: Principal, notice_id: str, kind: SigningKind) -> dict:
        """The state of the signature; a confirmed one is verified and the notice finalised here,
        and one that can no longer complete is ended here."""
        notice = self._company_notice(caller, notice_id)
        attempt = domain.attempt_of(notice, kind)
        if not attempt:
            raise ServiceError(404, "no_signing")
        state = attempt.get("state")
        if domain.awaits_signature(notice, kind) \
                and not self.may_finish_signing(notice["employer_voen"], attempt["signer"]["fin"], attempt):
            # The signer's authority lapsed or was withdrawn: whatever the phone says, it is over.
            self._end_attempt(notice, kind, attempt, domain.REFUSED)
            state = domain.REFUSED
        if state == domain.REFUSED:
            raise forbidden("signing_refused")
        if state != domain.PENDING:
            return self._signing_answer(notice, attempt)
        return self._ask_auth(notice, kind, attempt)

    def end_signatures_started_under(self, voen: str, authority_id: str) -> None:
        """Once an authority is withdrawn, the signatures pending under it end as refused (unless
        their signer may still sign otherwise: the head)."""
        memo: dict = {}
        for notice in self.repository.notices_pending_under(voen, authority_id):
            for kind in domain.SIGNING_KINDS:
                if not domain.awaits_signature(notice, kind):
                    continue
                attempt = domain.attempt_of(notice, kind)
                try:
                    lapsed = not self.may_finish_signing(voen, (attempt.get("signer") or {}).get("fin"), attempt, memo)
                except ServiceError:
                    continue  # the registry did not answer: its next poll ends it
                if lapsed:
                    self._end_attempt(notice, kind, attempt, domain.REFUSED)
                    notice = self.repository.get_notice(notice["_id"]) or notice

    def card_response(self, caller: Principal, notice_id: str, kind: SigningKind, signature: str) -> dict:
        """The card's signature (base64) over the hash handed out last, passed on to auth: the
        answer holds the next hash, or the outcome — signed (terminated) once the last holds up,
        `invalid` (nothing signed, to be signed again) when it does not verify. 409 when no card
        signature is awaited; 403 when the signer may no longer sign it."""
        notice = self._company_notice(caller, notice_id)
        attempt = domain.attempt_of(notice, kind) or {}
        if not domain.awaits_signature(notice, kind) or attempt.get("method") != CARD:
            raise conflict("no_card_signature_awaited")
        if not self.may_finish_signing(notice["employer_voen"], attempt["signer"]["fin"], attempt):
            self._end_attempt(notice, kind, attempt, domain.REFUSED)
            raise forbidden("signing_refused")
        try:
            answer = self.signing.card_response(attempt["signing_id"], signature)
        except ServiceError as refused:
            if refused.status == 409:  # over at auth: end it here too
                self._settle(notice, kind, attempt, self.signing.status(attempt["signing_id"]))
            raise
        return self._settle(notice, kind, attempt, answer)

    def _ask_auth(self, notice: dict, kind: SigningKind, attempt: dict) -> dict:
        """The state at the auth service; a confirmed signature is verified and finalised."""
        return self._settle(notice, kind, attempt, self.signing.status(attempt["signing_id"]))

    def _settle(self, notice: dict, kind: SigningKind, attempt: dict, answer: dict) -> dict:
        """What auth's answer means for the notice: finalised once confirmed, the attempt ended
        when it can no longer complete, and while a card signs, the hash it is to sign next."""
        remote = outcome(answer)
        if remote in (domain.REJECTED, domain.EXPIRED, domain.INVALID):
            return self._end_attempt(notice, kind, attempt, remote)
        if remote == domain.CONFIRMED:
            return self._finalise(notice, kind, attempt, answer)
        if remote != domain.PENDING:
            log.warning("unexpected signing state from auth")
        step = card_step(answer)
        if step and step["step"] != attempt.get("step"):
            conditions = {"status": kind.from_status, f"{kind.path}.signing_id": attempt["signing_id"],
                          f"{kind.path}.state": domain.PENDING}
            moved = self.repository.set_notice_fields(notice["_id"], conditions,
                                                      {f"{kind.path}.{key}": value for key, value in step.items()})
            notice = moved or notice
            attempt = (domain.attempt_of(moved, kind) if moved else None) or {**attempt, **step}
        pending = self._signing_answer(notice, attempt)
        # A signature of several parts asks the phone again ("2/2") with a code of its own:
        # the person compares the one the phone shows now.
        if remote == domain.PENDING and answer.get("verification_code"):
            pending["verification_code"] = answer["verification_code"]
        return pending

    @staticmethod
    def _signing_answer(notice: dict, attempt: dict) -> dict:
        out = {"state": attempt.get("state"), "signing_id": attempt.get("signing_id"),
               "method": attempt.get("method", ASAN), "status": notice["status"],
               "signed_at": notice.get("signed_at"), "terminated_at": notice.get("terminated_at"),
               "expires_at": attempt.get("expires_at"), "finished_at": attempt.get("finished_at")}
        if attempt.get("state") == domain.PENDING:
            out.update(awaiting(attempt))
        return out

    def _end_attempt(self, notice: dict, kind: SigningKind, attempt: dict, state: str) -> dict:
        conditions = {"status": kind.from_status, f"{kind.path}.signing_id": attempt["signing_id"],
                      f"{kind.path}.state": domain.PENDING}
        updated = self.repository.set_notice_fields(
            notice["_id"], conditions, {f"{kind.path}.state": state, f"{kind.path}.finished_at": self._stamp()})
        self.repository.forget_signing_files(attempt["signing_id"], state, self._stamp())
        current = updated or self.repository.get_notice(notice["_id"]) or notice
        return self._signing_answer(current, domain.attempt_of(current, kind) or {**attempt, "state": state})

    def _finalise(self, notice: dict, kind: SigningKind, attempt: dict, answer: dict) -> dict:
        signing_id = attempt["signing_id"]
        record = self.repository.get_signing(signing_id)
        signer_fin = attempt["signer"]["fin"]
        if record is None:
            raise conflict("no_signing")
        if record["content"] != domain.signed_content(notice, kind):
            # Edited after the signature was started: it covers content that no longer exists.
            return self._end_attempt(notice, kind, attempt, domain.CANCELLED)
        now = self.now()
        try:
            cms = cms_of(answer, kind.name)
            info = self.signing.verify(cms, record["content"], now=now)
            pdf_cms = signed_pdf = None
            if kind is NOTICE_SIGNING:
                pdf_cms = cms_of(answer, "pdf")
                prepared = pades.PreparedPdf(record["pdf_prepared"], record["pdf_digest"],
                                             record["region_start"], record["region_end"])
                pdf_info = self.signing.verify(pdf_cms, prepared.signed_range_content(), now=now)
                if pdf_info.fin != signer_fin:
                    raise pki.SignatureInvalid("PDF signed by someone else")
                signed_pdf = pades.finish(prepared, pdf_cms)
            if info.fin != signer_fin:
                raise pki.SignatureInvalid("signed by someone else")
        except (KeyError, ValueError, TypeError, pki.SignatureInvalid) as exc:
            log.warning("signature did not verify: %s", getattr(exc, "reason", type(exc).__name__))
            self._end_attempt(notice, kind, attempt, domain.INVALID)
            raise ServiceError(502, "signing_invalid") from None

        # The signer's authority must still be in force at this moment, not only when they started.
        if not self.may_finish_signing(notice["employer_voen"], signer_fin, attempt):
            self._end_attempt(notice, kind, attempt, domain.REFUSED)
            raise forbidden("signing_refused")

        signed_at = parse_instant(answer.get("signed_at")) or self.now()
        signer = {"fin": signer_fin, "name": attempt["signer"].get("name"), "method": attempt.get("method", ASAN)}
        self.repository.record_signing_result(signing_id, {
            "state": domain.CONFIRMED, "cms": cms, "pdf_cms": pdf_cms, "signed_pdf": signed_pdf,
            "certificate": info.certificate_pem, "signed_at": stamp(signed_at), "finished_at": self._stamp(),
        })
        conditions = {"status": kind.from_status, f"{kind.path}.signing_id": signing_id,
                      f"{kind.path}.state": domain.PENDING}
        changes = {f"{kind.path}.state": domain.CONFIRMED, f"{kind.path}.finished_at": self._stamp(),
                   "status": kind.to_status, "updated_at": self._stamp()}
        if kind is NOTICE_SIGNING:
            changes.update(signed_at=stamp(signed_at), signed_by=signer, signature_id=signing_id,
                           search=domain.search_key(notice))  # notices entered before it knew more fields
            event = new_event("contracts.notice.signed", domain.signed_event_data(notice, signed_at), source=SOURCE)
        else:
            changes.update({"terminated_at": stamp(signed_at), "termination.signed_at": stamp(signed_at),
                            "termination.signed_by": signer, "termination.signature_id": signing_id})
            event = new_event("contracts.notice.terminated",
                              domain.terminated_event_data(notice, notice["termination"], signed_at), source=SOURCE)
        updated = self.repository.set_notice_fields(notice["_id"], conditions, changes, event)
        # None: another poll finalised it a moment earlier (or the notice changed meanwhile).
        current = updated or self.repository.get_notice(notice["_id"]) or notice
        return self._signing_answer(current, domain.attempt_of(current, kind) or attempt)

    # --- the signed documents -------------------------------------------------------------

    def _signed_record(self, signing_id: str | None) -> dict:
        record = self.repository.get_signing(signing_id) if signing_id else None
        if record is None or record.get("state") != domain.CONFIRMED:
            raise conflict("notice_not_signed")
        return record

    def notice_pdf(self, caller: Principal, notice_id: str) -> tuple[bytes, str]:
        """The PAdES-signed PDF and its file name."""
        notice = self._readable_notice(caller, notice_id)
        domain.ensure_downloadable(notice)
        record = self._signed_record(notice.get("signature_id"))
        return record["signed_pdf"], documents.notice_filename(notice["contract_number"], "pdf")

    def notice_adoc(self, caller: Principal, notice_id: str) -> tuple[bytes, str]:
        """The ADoc container (the notice, its PDF, the termination once signed, their CMS) and
        its file name."""
        notice = self._readable_notice(caller, notice_id)
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
        data = adoc.build_adoc(documents=docs, signatures=sigs, fixed_time=parse_instant(notice.get("signed_at")))
        return data, documents.notice_filename(notice["contract_number"], "adoc")


def _started_answer(attempt: dict) -> dict:
    return {"signing_id": attempt["signing_id"], "method": attempt.get("method", ASAN),
            "expires_at": attempt.get("expires_at"), "state": attempt.get("state"), **awaiting(attempt)}
