"""Sending is signing: the draft is signed with the person's Asan İmza or e-signature card (a PAdES
signature in the notice's PDF and a detached CMS over the canonical JSON), and once the signature
is confirmed and verified the report is submitted — its registration number, signer and time
stored, immutable from then on, and `accidents.report.submitted` recorded in the same write. Then
the signed PDF and ADoc are handed out.

Signing methods: "asan" (the phone shows the code, PIN2 confirms; polling completes it) and
"card" (the card's certificate given at the start; the person's client signs each hash the
answers hand out and sends it to `card_response`, whose last answer completes it)."""
from __future__ import annotations

import logging

from egov_kit import adoc, pades, pki
from egov_kit.auth import Principal
from egov_kit.bus import new_event
from egov_kit.clock import baku_date, epoch_ms, parse_instant, stamp
from egov_kit.errors import ServiceError, conflict
from egov_kit.signing import (ASAN, CANCELLED, CARD, CONFIRMED, EXPIRED, INVALID, PENDING, REJECTED, awaiting, b64,
                              card_step, cms_of, digest_b64, outcome)

from .. import documents, domain
from .common import SOURCE, UseCaseBase

log = logging.getLogger("accidents.signing")

SIGNING_METHODS = (ASAN, CARD)


class SigningUseCases(UseCaseBase):
    def start_signing(self, caller: Principal, report_id: str, method: str = ASAN, *, certificate: str | None = None,
                      operation_id: str | None = None) -> dict:
        """Ask the caller to sign the draft: on the phone (PIN2), or with the e-signature card
        whose `certificate` (PEM) is given — the answer then holds the first hash for the card to
        sign. The registration number is reserved for the report now, since the signed notice
        carries it; the bytes signed and the prepared PDF are kept. `operation_id`: the
        Idempotency-Key's operation — a repeat after a lost answer gets the signature that attempt
        started, not a second one."""
        report = self._company_report(caller, report_id)
        attempt = report.get("signing") or {}
        if operation_id and attempt.get("operation_id") == operation_id and report["status"] == domain.DRAFT:
            return self._started_answer(attempt)
        if method not in SIGNING_METHODS:
            raise ServiceError(422, "invalid", {"method": ["invalid_choice"]})
        domain.ensure_draft(report)
        domain.ensure_submittable(report)

        report = self._reserve_number(report)
        number = report["reserved_number"]
        signer = self._person(caller)
        content = domain.signed_content(report, number)
        started = self.now()
        pdf = documents.render_report_pdf(report, number=number, created_at=started, font_dir=self.pdf_font_dir,
                                          signer_name=signer["name"], check_url=self.check_url(report_id),
                                          method=method)
        prepared = pades.prepare(pdf, reason=documents.SIGNING_REASON, location=documents.SIGNING_LOCATION,
                                 signer_name=signer["name"])
        text = f"İstehsalatda bədbəxt hadisə barədə məlumatın imzalanması: № {number}"
        digests = [{"name": "report", "digest": digest_b64(content), "pades": False},
                   {"name": "pdf", "digest": b64(prepared.digest), "pades": True}]
        if method == CARD:
            at_auth = self.signing.start_card(fin=caller.fin, certificate=certificate or "", text=text,
                                              digests=digests)
        else:
            at_auth = self.signing.start(fin=caller.fin, text=text, digests=digests)
        signing_id = at_auth["signing_id"]
        self.repository.insert_signing({
            "_id": signing_id, "report_id": report_id, "method": method, "signer_fin": caller.fin,
            "signer_name": signer["name"], "registration_number": number, "content": content, "state": PENDING,
            "created_at": stamp(started), "pdf_prepared": prepared.prepared, "pdf_digest": prepared.digest,
            "region_start": prepared.region_start, "region_end": prepared.region_end})
        attempt = {"signing_id": signing_id, "method": method, "state": PENDING,
                   "verification_code": at_auth.get("verification_code"), "expires_at": at_auth.get("expires_at"),
                   "started_at": stamp(started), "signer": signer, "operation_id": operation_id,
                   **card_step(at_auth)}
        # Only if nothing changed since the signed bytes were made from it.
        conditions = {"status": domain.DRAFT, "rev": report.get("rev", 0)}
        if self.repository.update_report(report_id, conditions, {"signing": attempt}) is None:
            raise conflict("report_signing_cancelled")
        return self._started_answer(attempt)

    def _reserve_number(self, report: dict) -> dict:
        """The draft with its registration number: taken from the year's counter the first time it
        is signed and kept by it from then on (a signature refused, rejected or expired does not
        use one up). Numbers left unused are those of drafts deleted after signing started."""
        if report.get("reserved_number"):
            return report
        year = baku_date(self.now()).year
        number = domain.registration_number(year, self.repository.next_number(domain.counter_name(year)))
        reserved = self.repository.update_report(report["_id"], {"status": domain.DRAFT, "reserved_number": None},
                                                 {"reserved_number": number})
        if reserved is not None:
            return reserved
        current = self.repository.get_report(report["_id"])  # another request reserved one a moment earlier
        if current is None:
            raise ServiceError(404)
        domain.ensure_draft(current)
        return current

    @staticmethod
    def _started_answer(attempt: dict) -> dict:
        return {"signing_id": attempt["signing_id"], "method": attempt.get("method", ASAN),
                "expires_at": attempt.get("expires_at"), "state": attempt.get("state"), **awaiting(attempt)}

    def poll_signing(self, caller: Principal, report_id: str) -> dict:
        """The state of the signature; a confirmed one is verified and the report submitted here."""
        report = self._company_report(caller, report_id)
        attempt = report.get("signing")
        if not attempt:
            raise ServiceError(404, "no_signing")
        if attempt.get("state") != PENDING or report["status"] != domain.DRAFT:
            return self._answer(report, attempt)
        return self._settle(report, attempt, self.signing.status(attempt["signing_id"]))

    def card_response(self, caller: Principal, report_id: str, signature: str) -> dict:
        """The card's signature (base64) over the hash handed out last, passed on to auth: the
        answer holds the next hash, or the outcome — submitted once the last holds up, `invalid`
        (nothing signed, the draft may be signed again) when it does not verify. 409 when the
        report awaits no card signature."""
        report = self._company_report(caller, report_id)
        attempt = report.get("signing") or {}
        if report["status"] != domain.DRAFT or attempt.get("state") != PENDING or attempt.get("method") != CARD:
            raise conflict("no_card_signature_awaited")
        try:
            answer = self.signing.card_response(attempt["signing_id"], signature)
        except ServiceError as refused:
            if refused.status == 409:
                self._settle(report, attempt, self.signing.status(attempt["signing_id"]))  # over at auth: end it here
            raise
        return self._settle(report, attempt, answer)

    def _settle(self, report: dict, attempt: dict, answer: dict) -> dict:
        """What auth's answer means for the report: submitted once confirmed, the attempt ended
        when it can no longer complete, and while a card signs, the hash it is to sign next."""
        remote = outcome(answer)
        if remote in (REJECTED, EXPIRED, INVALID):
            return self._end_attempt(report, attempt, remote)
        if remote == CONFIRMED:
            return self._finalise(report, attempt, answer)
        if remote != PENDING:
            log.warning("unexpected signing state from auth")
        step = card_step(answer)
        if step and step["step"] != attempt.get("step"):
            conditions = {"status": domain.DRAFT, "signing.signing_id": attempt["signing_id"], "signing.state": PENDING}
            moved = self.repository.update_report(report["_id"], conditions,
                                                  {f"signing.{key}": value for key, value in step.items()})
            report = moved or report
            attempt = (moved or {}).get("signing") or {**attempt, **step}
        pending = self._answer(report, attempt)
        # A report is signed in two parts: the phone asks again ("2/2") with a code of its own,
        # and the person compares the one it shows now.
        if remote == PENDING and answer.get("verification_code"):
            pending["verification_code"] = answer["verification_code"]
        return pending

    @staticmethod
    def _answer(report: dict, attempt: dict) -> dict:
        out = {"state": attempt.get("state"), "signing_id": attempt.get("signing_id"),
               "method": attempt.get("method", ASAN), "status": report["status"],
               "registration_number": report.get("registration_number"), "submitted_at": report.get("submitted_at"),
               "expires_at": attempt.get("expires_at"), "finished_at": attempt.get("finished_at")}
        if attempt.get("state") == PENDING:
            out.update(awaiting(attempt))
        return out

    def _end_attempt(self, report: dict, attempt: dict, state: str) -> dict:
        conditions = {"status": domain.DRAFT, "signing.signing_id": attempt["signing_id"], "signing.state": PENDING}
        updated = self.repository.update_report(report["_id"], conditions,
                                                {"signing.state": state, "signing.finished_at": self._stamp()})
        self.repository.forget_signing_files(attempt["signing_id"], state, self._stamp())
        current = updated or self.repository.get_report(report["_id"]) or report
        return self._answer(current, current.get("signing") or {**attempt, "state": state})

    def _finalise(self, report: dict, attempt: dict, answer: dict) -> dict:
        signing_id = attempt["signing_id"]
        record = self.repository.get_signing(signing_id)
        signer_fin = attempt["signer"]["fin"]
        if record is None:
            raise ServiceError(404, "no_signing")
        number = record["registration_number"]
        if record["content"] != domain.signed_content(report, number):
            # Changed after the signature was started: it covers content that no longer exists.
            return self._end_attempt(report, attempt, CANCELLED)
        now = self.now()
        try:
            cms = cms_of(answer, "report")
            info = self.signing.verify(cms, record["content"], now=now)
            pdf_cms = cms_of(answer, "pdf")
            prepared = pades.PreparedPdf(record["pdf_prepared"], record["pdf_digest"], record["region_start"],
                                         record["region_end"])
            pdf_info = self.signing.verify(pdf_cms, prepared.signed_range_content(), now=now)
            if info.fin != signer_fin or pdf_info.fin != signer_fin:
                raise pki.SignatureInvalid("signed by someone else")
            pades.finish(prepared, pdf_cms)  # the CMS fits the room kept for it
        except (KeyError, ValueError, TypeError, pki.SignatureInvalid) as exc:
            log.warning("signature did not verify: %s", getattr(exc, "reason", type(exc).__name__))
            self._end_attempt(report, attempt, INVALID)
            raise ServiceError(502, "signing_invalid") from None

        submitted_at = parse_instant(answer.get("signed_at")) or now
        self.repository.record_signing_result(signing_id, {
            "state": CONFIRMED, "cms": cms, "pdf_cms": pdf_cms,
            "certificate": info.certificate_pem, "signed_at": stamp(submitted_at), "finished_at": self._stamp()})
        late = domain.is_late(report, submitted_at)
        stats = domain.statistics_record(report)
        changes = {
            "status": domain.SUBMITTED, "registration_number": number, "submitted_at": stamp(submitted_at),
            "submitted_ms": epoch_ms(submitted_at),
            "signed_by": {"fin": signer_fin, "name": attempt["signer"]["name"], "method": attempt.get("method", ASAN)},
            "signature_id": signing_id, "late": 1 if late else 0,
            "filed_after_minutes": domain.minutes_between(domain.occurred_at(report), submitted_at),
            "stats": stats, "stats_year": stats["year"],
            "signing.state": CONFIRMED, "signing.finished_at": self._stamp(), "updated_at": self._stamp(),
        }
        event = new_event("accidents.report.submitted", domain.submitted_event_data(report, number, submitted_at),
                          source=SOURCE)
        conditions = {"status": domain.DRAFT, "signing.signing_id": signing_id, "signing.state": PENDING}
        updated = self.repository.update_report(report["_id"], conditions, changes, event)
        # None: another poll submitted it a moment earlier.
        current = updated or self.repository.get_report(report["_id"]) or report
        return self._answer(current, current.get("signing") or attempt)

    # --- the signed documents -----------------------------------------------------------------

    def _signed(self, caller: Principal, report_id: str) -> tuple[dict, dict]:
        report = self._readable_report(caller, report_id)
        domain.ensure_submitted(report)
        record = self.repository.get_signing(report.get("signature_id") or "")
        if record is None or record.get("state") != CONFIRMED:
            raise conflict("report_not_submitted")
        return report, record

    def report_pdf(self, caller: Principal, report_id: str) -> tuple[bytes, str]:
        """The PAdES-signed notice and its file name (the company's; the notifier's copy for the
        informant's e-mail)."""
        report, record = self._signed(caller, report_id)
        return _signed_pdf(record), documents.report_filename(report["registration_number"], "pdf")

    def report_adoc(self, caller: Principal, report_id: str) -> tuple[bytes, str]:
        """The ADoc: report.json (what was signed), the signed PDF, the manifest and the CMS."""
        report, record = self._signed(caller, report_id)
        data = adoc.build_adoc(documents=[("report.json", "application/json", record["content"]),
                                          ("report.pdf", "application/pdf", _signed_pdf(record))],
                               signatures=[("META-INF/signature.p7s", record["cms"])],
                               fixed_time=parse_instant(report.get("submitted_at")))
        return data, documents.report_filename(report["registration_number"], "adoc")


def _signed_pdf(record: dict) -> bytes:
    """The PAdES-signed PDF: the prepared PDF with the confirmed CMS in the room kept for it. It is
    kept as those two rather than as a third copy of the document (half the space, and the
    confirmation writes a few kilobytes instead of the whole PDF)."""
    prepared = pades.PreparedPdf(record["pdf_prepared"], record["pdf_digest"], record["region_start"],
                                 record["region_end"])
    return pades.finish(prepared, record["pdf_cms"])
