"""The events the notifier reacts to. Each handler plans who is told what (domain rules) and records
inbox entries and deliveries; the delivery worker sends them. A malformed event is dead-lettered at
once; anything unavailable right now (registry, a PDF) makes the consumer retry the event."""
from __future__ import annotations

import functools

from egov_kit.bus import EventHandlers, PermanentFailure

from . import domain, runtime
from .notifications import Notifier

# Every inbox entry and delivery has an id made from the event id and its recipient and is only
# ever inserted: handling an event again adds and sends nothing, so the kit keeps no claims for us.
handlers = EventHandlers(self_deduplicating=True)


def _run(event: dict, notifier: Notifier | None, plan) -> None:
    notifier = notifier or runtime.default().notifier
    try:
        notifier.deliver(event, plan(event, notifier))
    except domain.MalformedEvent as exc:
        raise PermanentFailure(str(exc)) from None


@handlers.on("certificates.certificate.revoked")
def certificate_revoked(event: dict, notifier: Notifier | None = None) -> None:
    """The addressee institution is alerted when the holder asked for it; the reason goes along."""
    _run(event, notifier, lambda e, _n: domain.plan_certificate_revoked(e))


@handlers.on("certificates.certificate.issued")
def certificate_issued(event: dict, notifier: Notifier | None = None) -> None:
    """The holder gets the certificate PDF by e-mail when they asked for a copy."""
    _run(event, notifier, lambda e, _n: domain.plan_certificate_issued(e))


@handlers.on("contracts.notice.signed")
def notice_signed(event: dict, notifier: Notifier | None = None) -> None:
    """The employee learns that a contract was registered in their name."""
    _run(event, notifier, lambda e, _n: domain.plan_notice_signed(e))


@handlers.on("accidents.report.submitted")
def accident_submitted(event: dict, notifier: Notifier | None = None) -> None:
    """The labour inspectorate (and the prosecutor when a victim died) is alerted; the informant
    gets a copy of the signed report."""
    _run(event, notifier, lambda e, n: domain.plan_accident_submitted(e, n.addressees))


@handlers.on("insurers.application.submitted")
def insurer_submitted(event: dict, notifier: Notifier | None = None) -> None:
    _run(event, notifier, lambda e, _n: domain.plan_insurer_application(e, "submitted"))


@handlers.on("insurers.application.registered")
def insurer_registered(event: dict, notifier: Notifier | None = None) -> None:
    """The applicant gets the insurer's account number."""
    _run(event, notifier, lambda e, _n: domain.plan_insurer_application(e, "registered"))


@handlers.on("insurers.application.rejected")
def insurer_rejected(event: dict, notifier: Notifier | None = None) -> None:
    """The applicant gets the reason."""
    _run(event, notifier, lambda e, _n: domain.plan_insurer_application(e, "rejected"))


def bound_to(notifier: Notifier) -> dict:
    """The same handlers working for another notifier (its own database, SMTP, timings)."""
    return {event_type: functools.partial(handler, notifier=notifier)
            for event_type, handler in handlers.by_type.items()}
