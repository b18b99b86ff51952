"""The events the notifier reacts to. Each handler plans who is told what (domain rules) and has the
service record inbox entries and deliveries; the delivery worker sends them. A malformed event is
dead-lettered at once; anything unavailable right now (registry, a PDF) makes the consumer retry
the event."""
from __future__ import annotations

from typing import Callable

from egov_kit.bus import EventHandlers, PermanentFailure
from egov_kit.errors import ServiceError

from . import domain
from .service import NotifierService


def make_handlers(service: NotifierService) -> EventHandlers:
    # Every inbox entry and delivery has an id made from the event id and its recipient and is only
    # ever inserted: handling an event again adds and sends nothing, so the kit keeps no claims for us.
    handlers = EventHandlers(self_deduplicating=True)

    def notify(event: dict, plan_of: Callable[[dict], domain.Plan]) -> None:
        try:
            service.notify(event, plan_of(event))
        except ServiceError as exc:
            if exc.status >= 500:
                raise  # unavailable for now: retried
            raise PermanentFailure(exc.detail or str(exc)) from None

    @handlers.on("certificates.certificate.revoked")
    def certificate_revoked(event: dict) -> None:
        """The addressee institution is alerted when the holder asked for it; the reason goes along."""
        notify(event, domain.plan_certificate_revoked)

    @handlers.on("certificates.certificate.issued")
    def certificate_issued(event: dict) -> None:
        """The holder gets the certificate PDF by e-mail when they asked for a copy."""
        notify(event, domain.plan_certificate_issued)

    @handlers.on("contracts.notice.signed")
    def notice_signed(event: dict) -> None:
        """The employee learns that a contract was registered in their name."""
        notify(event, domain.plan_notice_signed)

    @handlers.on("contracts.authority.withdrawn")
    def authority_withdrawn(event: dict) -> None:
        """Webhooks registered under that authority are suspended until the head confirms them."""
        try:
            service.authority_withdrawn(event)
        except ServiceError as exc:
            if exc.status >= 500:
                raise
            raise PermanentFailure(exc.detail or str(exc)) from None

    @handlers.on("accidents.report.submitted")
    def accident_submitted(event: dict) -> None:
        """The labour inspectorate (and the prosecutor when a victim died) is alerted; the informant
        gets a copy of the signed report."""
        notify(event, lambda e: domain.plan_accident_submitted(e, service.addressees))

    @handlers.on("insurers.application.submitted")
    def insurer_submitted(event: dict) -> None:
        notify(event, lambda e: domain.plan_insurer_application(e, "submitted"))

    @handlers.on("insurers.application.registered")
    def insurer_registered(event: dict) -> None:
        """The applicant gets the insurer's account number."""
        notify(event, lambda e: domain.plan_insurer_application(e, "registered"))

    @handlers.on("insurers.application.rejected")
    def insurer_rejected(event: dict) -> None:
        """The applicant gets the reason."""
        notify(event, lambda e: domain.plan_insurer_application(e, "rejected"))

    return handlers
