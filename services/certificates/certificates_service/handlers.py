"""Events in: the contract projection, learnt from the contracts service's events.

Idempotent and order-tolerant: the signing event sets the notice's data and sets the status only
when the notice is new, so a termination that overtook its signing event is never undone; a
termination revokes the certificates built on the contract (each with its event)."""
from __future__ import annotations

from egov_kit.bus import EventHandlers, PermanentFailure

from . import domain
from .service import CertificatesService


def _data(event: dict) -> dict:
    data = event.get("data")
    if not isinstance(data, dict):
        raise PermanentFailure("event without data")
    return data


def make_handlers(service: CertificatesService) -> EventHandlers:
    handlers = EventHandlers()

    @handlers.on("contracts.notice.signed")
    def contract_signed(event: dict) -> None:
        data = _data(event)
        try:
            fields = domain.signed_contract(data)
        except ValueError as exc:
            raise PermanentFailure(str(exc)) from exc
        service.contract_signed(str(data["notice_id"]), fields)

    @handlers.on("contracts.notice.terminated")
    def contract_terminated(event: dict) -> None:
        data = _data(event)
        try:
            fields = domain.terminated_contract(data)
        except ValueError as exc:
            raise PermanentFailure(str(exc)) from exc
        service.contract_terminated(str(data["notice_id"]), fields)

    return handlers
