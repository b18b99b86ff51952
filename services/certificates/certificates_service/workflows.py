"""What the certificates service does, step by step: the domain rules applied to stored data,
registry look-ups, the PDF and its seal. No Flask here; routes translate HTTP to these calls."""
from __future__ import annotations

import os
import threading
from datetime import datetime, timedelta

from egov_kit.bus import new_event

from . import domain, numbers, pdf, quota
from .domain import CertificateError
from .registry import RegistryUnavailable

SOURCE = "certificates"


def revoke_for_terminated_contract(repo, notice_id: str, employee_fin: str | None, now: datetime) -> int:
    """Revoke the still-valid certificates built on a terminated contract (reason
    contract_terminated), each with its event in the same write; safe to run again."""
    today = domain.baku_date(now)
    revoked = 0
    for cert in repo.active_on_contract(notice_id):
        # An expired certificate is dead already: nobody to alert about it.
        if not domain.is_valid(cert, today) or (employee_fin and cert["holder_fin"] != employee_fin):
            continue
        event = new_event("certificates.certificate.revoked",
                          domain.revoked_event_data(cert, domain.REASON_CONTRACT_TERMINATED, now), source=SOURCE)
        if repo.revoke(cert["number"], reason=domain.REASON_CONTRACT_TERMINATED, revoked_at=now, event=event):
            revoked += 1
    return revoked


class CertificateDesk:
    def __init__(self, *, repo, registry, settings, public_base_url: str, sealer_loader, clock=domain.utcnow):
        self.repo = repo
        self.registry = registry
        self.settings = settings
        self.base = public_base_url.rstrip("/")
        self.clock = clock
        self.fonts = pdf.font_cache(settings.font_dir)
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

    # --- links ----------------------------------------------------------------------------

    def verification_url(self, number: str) -> str:
        return f"{self.base}/api/certificates/verify/{number}"

    def holder_pdf_url(self, number: str) -> str:
        return f"{self.base}/api/certificates/{number}/pdf"

    def verifier_pdf_url(self, number: str) -> str:
        return f"{self.base}/api/certificates/verifications/{number}/pdf"

    def _holder_view(self, cert: dict, today) -> dict:
        return domain.holder_view(cert, today, pdf_url=self.holder_pdf_url(cert["number"]),
                                  verification_url=self.verification_url(cert["number"]))

    # --- "Yeni arayış" --------------------------------------------------------------------

    def contracts_in_force(self, fin: str, query: str | None = None) -> list[dict]:
        today = domain.baku_date(self.clock())
        return [domain.contract_summary(c) for c in self.repo.contracts_of(fin)
                if domain.contract_in_force(c, today) and domain.contract_matches(c, query)]

    def contacts(self, fin: str) -> dict:
        found = {"mobile": [], "email": []}
        for doc in self.repo.contacts(fin):
            found.setdefault(doc["kind"], []).append(doc["value"])
        return {"mobiles": found["mobile"], "emails": found["email"]}

    def issue(self, person: dict, request: dict) -> dict:
        now = self.clock()
        today = domain.baku_date(now)
        contract = self.repo.contract(request["contract_id"])
        if contract is None or contract.get("employee_fin") != person["fin"]:
            raise CertificateError(404, code="unknown_contract", errors={"contract_id": ["unknown_contract"]})
        try:
            purposes = self.registry.purposes()
            addressee = None
            if request.get("destination") == domain.ADDRESSED and request.get("addressee_voen"):
                addressee = self.registry.organization(request["addressee_voen"])
        except RegistryUnavailable:
            raise CertificateError(503, code="registry_unavailable")
        errors = domain.validate_issue(request, contract, today, purposes, addressee)
        if errors:
            raise domain.invalid(errors)

        holder = domain.holder_of(person, contract)
        purpose = purposes[request["purpose"]]
        for _ in range(5):
            number = numbers.generate()
            cert = domain.new_certificate(number, holder, contract, request, purpose, addressee, now)
            sealed = self.sealer.seal(pdf.render(
                domain.pdf_rows(cert), number=number, verification_url=self.verification_url(number),
                issued_at=now, fonts=self.fonts))
            if self.repo.insert_pdf(number, sealed):
                break
            # The number was taken (one chance in 2^69): draw another.
        else:
            raise RuntimeError("no free certificate number")
        event = new_event("certificates.certificate.issued", domain.issued_event_data(cert), source=SOURCE)
        self.repo.insert_certificate(cert, event)
        for kind in ("mobile", "email"):
            if cert.get(kind):
                self.repo.remember_contact(person["fin"], kind, cert[kind], now)

        # The contract may have been terminated while this one was being made.
        latest = self.repo.contract(contract["_id"])
        if latest is not None and latest.get("status") == domain.TERMINATED:
            revoke_for_terminated_contract(self.repo, contract["_id"], person["fin"], self.clock())
            cert = self.repo.certificate(number) or cert
        return self._holder_view(cert, today)

    # --- "Arayışların tarixçəsi" ----------------------------------------------------------

    def history(self, fin: str, limit: int, offset: int) -> dict:
        today = domain.baku_date(self.clock())
        items, more = self.repo.history(fin, limit, offset)
        return {"items": [self._holder_view(c, today) for c in items], "has_more": more}

    def _own(self, number_text: str, fin: str) -> dict:
        number = numbers.normalise(number_text)
        cert = self.repo.certificate(number) if number else None
        if cert is None or cert["holder_fin"] != fin:
            raise CertificateError(404, code="unknown_certificate")
        return cert

    def certificate_of_holder(self, number_text: str, fin: str) -> dict:
        return self._holder_view(self._own(number_text, fin), domain.baku_date(self.clock()))

    def pdf_of_holder(self, number_text: str, fin: str) -> tuple[str, bytes]:
        cert = self._own(number_text, fin)
        return cert["number"], self._stored_pdf(cert["number"])

    def pdf_for_service(self, number_text: str) -> tuple[str, bytes]:
        number = numbers.normalise(number_text)
        if number is None or self.repo.certificate(number) is None:
            raise CertificateError(404, code="unknown_certificate")
        return number, self._stored_pdf(number)

    def _stored_pdf(self, number: str) -> bytes:
        data = self.repo.pdf(number)
        if data is None:
            raise CertificateError(404, code="unknown_certificate")
        return data

    def revoke_by_holder(self, number_text: str, fin: str) -> dict:
        cert = self._own(number_text, fin)
        if cert["status"] == domain.REVOKED:
            raise CertificateError(409, code="already_revoked")
        now = self.clock()
        event = new_event("certificates.certificate.revoked",
                          domain.revoked_event_data(cert, domain.REASON_HOLDER, now), source=SOURCE)
        if not self.repo.revoke(cert["number"], reason=domain.REASON_HOLDER, revoked_at=now, event=event,
                                holder_fin=fin):
            raise CertificateError(409, code="already_revoked")
        return self._holder_view(self.repo.certificate(cert["number"]), domain.baku_date(now))

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
                                       lambda hits: self.repo.take_hits(key, hits, limit, expires_at)):
            raise CertificateError(429, code="verification_rate_limited",
                                   headers={"Retry-After": str(retry_after)})

    def _organization_of(self, voen: str | None) -> dict | None:
        if not voen:
            return None
        try:
            org = self.registry.organization(voen)
        except RegistryUnavailable:
            org = None
        # The check is recorded even when the registry cannot name the organisation right now.
        return {"voen": voen, "name": org.get("name") if org else None}

    def _check(self, verifier: dict, number_text: str, now: datetime) -> tuple[str | None, dict | None]:
        """Count, look up (only a well-formed number with a right check symbol), record."""
        self._count_check(verifier["fin"], now)
        number = numbers.normalise(number_text)
        cert = self.repo.certificate(number) if number else None
        valid = domain.is_valid(cert, domain.baku_date(now))
        organization = self._organization_of(verifier.get("acting_for"))
        record = domain.verification_record(
            number=number or str(number_text).strip()[:numbers.MAX_INPUT], result="valid" if valid else "not_valid",
            verifier=verifier, organization=organization, cert=cert, at=now)
        # No `certificates.certificate.verified` event (optional in the spec): nothing consumes it,
        # the holder sees every check in "Mənim yoxlanılan arayışlarım", and on the busiest route
        # its outbox write and publish would cost about a fifth of each check (see docs/events.md).
        self.repo.insert_verification(record)
        return (number, cert) if valid else (None, None)

    def verify(self, verifier: dict, number_text: str) -> dict:
        number, cert = self._check(verifier, number_text, self.clock())
        if cert is None:
            return {"result": "not_valid"}
        return {"result": "valid", "certificate": domain.verifier_view(cert),
                "pdf_url": self.verifier_pdf_url(number)}

    def pdf_for_verifier(self, verifier: dict, number_text: str) -> tuple[str, bytes]:
        """While the certificate is valid. A verifier who has not checked this number yet is
        checked now (counted against the rate limit and recorded), so downloads cannot be used
        to probe numbers unseen."""
        now = self.clock()
        number = numbers.normalise(number_text)
        cert = self.repo.certificate(number) if number else None
        if cert is not None and domain.is_valid(cert, domain.baku_date(now)) \
                and self.repo.has_valid_check(verifier["fin"], number):
            return number, self._stored_pdf(number)
        number, cert = self._check(verifier, number_text, now)
        if cert is None:
            raise CertificateError(404, code="unknown_certificate")
        return number, self._stored_pdf(number)

    def checked_by_others(self, fin: str, limit: int, offset: int) -> dict:
        items, more = self.repo.verifications("holder_fin", fin, limit, offset)
        return {"items": [domain.checked_by_view(r) for r in items], "has_more": more}

    def checked_by_me(self, fin: str, limit: int, offset: int) -> dict:
        items, more = self.repo.verifications("verifier_fin", fin, limit, offset)
        return {"items": [domain.checked_view(r) for r in items], "has_more": more}
