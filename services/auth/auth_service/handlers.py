"""Company authorities learnt from the contracts service's events.

Idempotent and order-tolerant: one record per authority; a grant never clears `withdrawn`, so a
withdrawal that arrives before its grant is not undone when the grant comes later."""
from __future__ import annotations

from datetime import datetime, timezone

from egov_kit.bus import EventHandlers, PermanentFailure
from egov_kit.config import load_settings
from egov_kit.mongo import database

from .domain import parse_authority_event
from .repository import AuthRepository

handlers = EventHandlers()
_repo: AuthRepository | None = None


def repository() -> AuthRepository:
    # The consumer runs in its own process with the service's settings.
    global _repo
    if _repo is None:
        settings = load_settings("auth")
        _repo = AuthRepository(lambda: database(settings.mongo_uri, settings.mongo_db))
    return _repo


def _authority(event: dict, *, with_validity: bool):
    try:
        return parse_authority_event(event.get("data"), with_validity=with_validity)
    except ValueError as exc:
        raise PermanentFailure(str(exc)) from None


@handlers.on("contracts.authority.granted")
def authority_granted(event: dict) -> None:
    a = _authority(event, with_validity=True)
    repository().record_grant(a.authority_id, a.voen, a.fin, a.valid_until, datetime.now(timezone.utc))


@handlers.on("contracts.authority.withdrawn")
def authority_withdrawn(event: dict) -> None:
    a = _authority(event, with_validity=False)
    repository().record_withdrawal(a.authority_id, a.voen, a.fin, datetime.now(timezone.utc))
