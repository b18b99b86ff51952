"""The use cases of the certificates service: the contract projection fed by the contracts
service's events, issuing on a contract in force (the PDF and its seal), the holder's history,
downloads and revocation, and verification by number with both its histories. No Flask here:
the routes and the event handlers call this class."""
from __future__ import annotations

import os
import threading
from datetime import datetime, timedelta
from typing import Callable

from egov_kit.auth import Principal
from egov_kit.bus import new_event
from egov_kit.clock import baku_date, utcnow
from egov_kit.errors import ServiceError, conflict, field_error, invalid

from . import domain, numbers, pdf, quota

SOURCE = "certificates"
PURPOSES_DIRECTORY = "certificate-purposes"
# Why an organisation is looked up, as the registry records it.
# Why the registry is asked: codes of its lookup-purposes directory.
ADDRESSEE_LOOKUP = "certificate-addressee"
VERIFIER_ORGANIZATION_LOOKUP = "certificate-verifier-organisation"


def _person(principal: Principal) -> dict:
    """The caller as the rules know a person: names from the log-in, and whom they act for."""
    return {"fin": principal.fin, "surname": principal.surname, "name": principal.name,
            "patronymic": principal.patronymic, "acting_for": principal.acting_for}


def _unknown_certificate() -> ServiceError:
    # Also for someone else's certificate: whether a number exists is nobody else's business.
    return ServiceError(404, "unknown_certificate")


class CertificatesService:
    def __init__(self, *, repository, registry, settings, public_base_url: str,
                 sealer_loader: Callable[[], object], fonts: pdf.FontCache,
                 now: Callable[[], datetime] = utcnow):
        """`repository`: CertificatesRepository; `registry`: the kit's RegistryClient;
        `settings`: CertificatesSettings; `sealer_loader` makes the seal.Sealer, once, when first
        needed; `fonts`: pdf.FontCache; `now`: the clock."""
        self.repository = repository
        self.registry = registry
        self.settings = settings
        self.base = public_base_url.rstrip("/")
        self.fonts = fonts
        self.now = now
        self._sealer_loader = sealer_loader
        self._sealer = None
        self._sealer_lock = threading.Lock()
        self._quota: tuple[int, quota.LeasedQuota] | None = None

    # --- the seal (loaded once per process) -----------------------------------------------

    @property
    def sealer(self):
        if self._sealer is None:
            with self._sealer_lock:
                if self._sealer is None:
                    self._sealer = self._sealer_loader()
        return self._sealer

    def warm_up(self) -> None:
        """The seal made (or read) and the fonts cut down and registered now rather than on the
        first certificate."""
        _ = self.sealer
        self.fonts.new_document("")

    def seal_ca_pem(self) -> str:
        return self.sealer.ca_pem

    # --- links ----------------------------------------------------------------------------

    def verification_url(self, number: str) -> str:
        """Printed on the certificate and in its QR code: the portal's page that checks it (after
        log-in). API clients check a number at /api/certificates/verify/{number} or /verifications."""
        return f"{self.base}/certificates/verify/{number}"

    def holder_pdf_url(self, number: str) -> str:
        return f"{self.base}/api/certificates/{number}/pdf"

    def verifier_pdf_url(self, number: str) -> str:
        return f"{self.base}/api/certificates/verifications/{number}/pdf"

    def _holder_view(self, cert: dict, today) -> dict:
        return domain.holder_view(cert, today, pdf_url=self.holder_pdf_url(cert["number"]),
                                  verification_url=self.verification_url(cert["number"]))

    # --- the contract projection (events of the contracts service) ------------------------

    def contract_signed(self, notice_id: str, fields: dict) -> None:
        self.repository.project_signed(notice_id, fields)

    def contract_terminated(self, notice_id: str, fields: dict) -> int:
        """The contract ends: its still-valid certificates are revoked (reason
        contract_terminated), each with its event in the same write; safe to run again.
        Returns how many were revoked now."""
        self.repository.project_terminated(notice_id, fields)
        now = self.now()
        today = baku_date(now)
        revoked = 0
        for cert in self.repository.active_on_contract(notice_id):
            # An expired certificate is dead already: nobody to alert about it.
            if not domain.is_valid(cert, today) or (fields.get("employee_fin")
                                                    and cert["holder_fin"] != fields["employee_fin"]):
                continue
            if self._revoke(cert, domain.REASON_CONTRACT_TERMINATED, now) is not None:
                revoked += 1
        return revoked

    def _revoke(self, cert: dict, reason: str, now: datetime, holder_fin: str | None = None) -> dict | None:
        """The certificate revoked with its event, or None when it was no longer active."""
        event = new_event("certificates.certificate.revoked", domain.revoked_event_data(cert, reason, now),
                          source=SOURCE)
        return self.repository.revoke(cert["number"], reason=reason, revoked_at=now, event=event,
                                      holder_fin=holder_fin)

    # --- "Yeni arayış" --------------------------------------------------------------------

    def contracts_in_force(self, person: Principal, query: str | None, limit: int, offset: int
                           ) -> tuple[list[dict], int]:
        """A page of the person's contracts in force matching `query` (every field), and how many match."""
        today = baku_date(self.now())
        # Filtered and paged here: a person has few contracts, and the search folds Azerbaijani
        # letters and reads dates as people write them, which no database query does.
        found = [domain.contract_summary(c) for c in self.repository.contracts_of(person.fin)
                 if domain.contract_in_force(c, today) and domain.contract_matches(c, query)]
        return found[offset:offset + limit], len(found)

    def contacts(self, person: Principal) -> dict:
        found = {"mobile": [], "email": []}
        for doc in self.repository.contacts(person.fin):
            found.setdefault(doc["kind"], []).append(doc["value"])
        return {"mobiles": found["mobile"], "emails": found["email"]}

    def issue(self, person: Principal, request: dict) -> dict:
        now = self.now()
        today = baku_date(now)
        contract = self.repository.contract(request["contract_id"])
        if contract is None or contract.get("employee_fin") != person.fin:
            raise field_error("contract_id", "unknown_contract", 404)
        purposes = self.registry.directory(PURPOSES_DIRECTORY)
        addressee = None
        if request.get("destination") == domain.ADDRESSED and request.get("addressee_voen"):
            addressee = self.registry.organization(request["addressee_voen"], ADDRESSEE_LOOKUP, cached=True)
        errors = domain.validate_issue(request, contract, today, purposes, addressee)
        if errors:
            raise invalid(errors)

        holder = domain.holder_of(_person(person), contract)
        purpose = purposes[request["purpose"]]
        for _ in range(5):
            number = numbers.generate()
            cert = domain.new_certificate(number, holder, contract, request, purpose, addressee, now)
            sealed = self.sealer.seal(pdf.render(
                domain.pdf_rows(cert), number=number, verification_url=self.verification_url(number),
                issued_at=now, fonts=self.fonts))
            if self.repository.insert_pdf(number, sealed):
                break
            # The number was taken (one chance in 2^69): draw another.
        else:
            raise RuntimeError("no free certificate number")
        event = new_event("certificates.certificate.issued", domain.issued_event_data(cert), source=SOURCE)
        self.repository.insert_certificate(cert, event)
        for kind in ("mobile", "email"):
            if cert.get(kind):
                self.repository.remember_contact(person.fin, kind, cert[kind], now)

        # The contract may have been terminated while this one was being made, after the
        # termination had revoked what it found: this one goes the same way.
        latest = self.repository.contract(contract["_id"])
        if latest is not None and latest.get("status") == domain.TERMINATED:
            cert = (self._revoke(cert, domain.REASON_CONTRACT_TERMINATED, self.now())
                    or self.repository.certificate(number) or cert)
        return self._holder_view(cert, today)

    # --- "Arayışların tarixçəsi" ----------------------------------------------------------

    def history(self, person: Principal, limit: int, offset: int) -> tuple[list[dict], int]:
        today = baku_date(self.now())
        items, total = self.repository.history(person.fin, limit, offset)
        return [self._holder_view(c, today) for c in items], total

    def _own(self, person: Principal, number_text: str) -> dict:
        number = numbers.normalise(number_text)
        cert = self.repository.certificate(number) if number else None
        if cert is None or cert["holder_fin"] != person.fin:
            raise _unknown_certificate()
        return cert

    def certificate_of_holder(self, person: Principal, number_text: str) -> dict:
        return self._holder_view(self._own(person, number_text), baku_date(self.now()))

    def pdf_of_holder(self, person: Principal, number_text: str) -> tuple[str, bytes]:
        cert = self._own(person, number_text)
        return cert["number"], self._stored_pdf(cert["number"])

    def pdf_for_service(self, number_text: str) -> tuple[str, bytes]:
        """For the notifier, which attaches it to the holder's e-mail copy."""
        number = numbers.normalise(number_text)
        if number is None or self.repository.certificate(number) is None:
            raise _unknown_certificate()
        return number, self._stored_pdf(number)

    def _stored_pdf(self, number: str) -> bytes:
        data = self.repository.pdf(number)
        if data is None:
            raise _unknown_certificate()
        return data

    def revoke_by_holder(self, person: Principal, number_text: str) -> dict:
        cert = self._own(person, number_text)
        if cert["status"] == domain.REVOKED:
            raise conflict("already_revoked")
        now = self.now()
        revoked = self._revoke(cert, domain.REASON_HOLDER, now, holder_fin=person.fin)
        if revoked is None:  # revoked meanwhile (by the holder again, or by a termination)
            raise conflict("already_revoked")
        return self._holder_view(revoked, baku_date(now))

    # --- "Arayışların yoxlanılması" -------------------------------------------------------

    @property
    def verify_quota(self) -> quota.LeasedQuota:
        # Shares belong to the process that leased them: a forked process starts without any.
        held = self._quota
        if held is None or held[0] != os.getpid():
            held = self._quota = (os.getpid(), quota.LeasedQuota())
        return held[1]

    def _count_check(self, verifier_fin: str, now: datetime) -> None:
        limit = self.settings.verify_rate_per_minute
        window, retry_after = domain.rate_window(now, 60)
        key = f"verify:{verifier_fin}:{window}"
        expires_at = now + timedelta(seconds=retry_after + 60)
        if not self.verify_quota.allow(verifier_fin, window, limit,
                                       lambda hits: self.repository.take_hits(key, hits, limit, expires_at)):
            raise ServiceError(429, "verification_rate_limited", headers={"Retry-After": str(retry_after)})

    def _organization_of(self, voen: str | None) -> dict | None:
        if not voen:
            return None
        try:
            org = self.registry.organization(voen, VERIFIER_ORGANIZATION_LOOKUP, cached=True)
        except ServiceError:
            org = None
        # The check is recorded even when the registry cannot name the organisation right now.
        return {"voen": voen, "name": org.get("name") if org else None}

    def _check(self, verifier: Principal, number_text: str, now: datetime) -> tuple[str | None, dict | None]:
        """Count, look up (only a well-formed number with a right check symbol), record."""
        self._count_check(verifier.fin, now)
        number = numbers.normalise(number_text)
        cert = self.repository.certificate(number) if number else None
        valid = domain.is_valid(cert, baku_date(now))
        record = domain.verification_record(
            number=number or str(number_text).strip()[:numbers.MAX_INPUT], result="valid" if valid else "not_valid",
            verifier=_person(verifier), organization=self._organization_of(verifier.acting_for), cert=cert, at=now)
        # No `certificates.certificate.verified` event (optional in the spec): nothing consumes it,
        # the holder sees every check in "Mənim yoxlanılan arayışlarım", and on the busiest route
        # its outbox write and publish would cost about a fifth of each check (see docs/events.md).
        self.repository.insert_verification(record)
        return (number, cert) if valid else (None, None)

    def verify(self, verifier: Principal, number_text: str) -> dict:
        """The answer to a check: what a verifier may learn of a valid certificate, or nothing."""
        number, cert = self._check(verifier, number_text, self.now())
        if cert is None:
            return {"result": "not_valid"}
        return {"result": "valid", "certificate": domain.verifier_view(cert),
                "pdf_url": self.verifier_pdf_url(number)}

    def pdf_for_verifier(self, verifier: Principal, number_text: str) -> tuple[str, bytes]:
        """While the certificate is valid. A verifier who has not checked this number yet is
        checked now (counted against the rate limit and recorded), so downloads cannot be used
        to probe numbers unseen."""
        now = self.now()
        number = numbers.normalise(number_text)
        cert = self.repository.certificate(number) if number else None
        if cert is not None and domain.is_valid(cert, baku_date(now)) \
                and self.repository.has_valid_check(verifier.fin, number):
            return number, self._stored_pdf(number)
        number, cert = self._check(verifier, number_text, now)
        if cert is None:
            raise _unknown_certificate()
        return number, self._stored_pdf(number)

    def checked_by_others(self, person: Principal, limit: int, offset: int) -> tuple[list[dict], int]:
        """"Mənim yoxlanılan arayışlarım": the checks of the person's certificates."""
        items, total = self.repository.verifications("holder_fin", person.fin, limit, offset)
        return [domain.checked_by_view(r) for r in items], total

    def checked_by_me(self, person: Principal, limit: int, offset: int) -> tuple[list[dict], int]:
        """"Mənim yoxladığım arayışlar": the person's own checks."""
        items, total = self.repository.verifications("verifier_fin", person.fin, limit, offset)
        return [domain.checked_view(r) for r in items], total
