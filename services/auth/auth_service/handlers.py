"""Events in: company authorities learnt from the contracts service.

Idempotent and order-tolerant: one record per authority; a grant never clears `withdrawn`, so a
withdrawal that arrives before its grant is not undone when the grant comes later."""
from __future__ import annotations

from egov_kit.bus import EventHandlers, PermanentFailure

from .domain import Authority, parse_authority_event
from .service import AuthService


def _authority(event: dict, *, with_validity: bool) -> Authority:
    try:
        return parse_authority_event(event.get("data"), with_validity=with_validity)
    except ValueError as exc:
        raise PermanentFailure(str(exc)) from None


def make_handlers(service: AuthService) -> EventHandlers:
    handlers = EventHandlers()

    @handlers.on("contracts.authority.granted")
    def authority_granted(event: dict) -> None:
        service.authority_granted(_authority(event, with_validity=True))

    @handlers.on("contracts.authority.withdrawn")
    def authority_withdrawn(event: dict) -> None:
        service.authority_withdrawn(_authority(event, with_validity=False))

    return handlers
