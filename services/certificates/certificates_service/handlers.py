"""The contract projection: contract notices in force, learnt from the contracts service's events.

Idempotent and order-tolerant: the signing event sets the notice's data and sets the status only
when the notice is new, so a termination that overtook its signing event is never undone; a
termination revokes the certificates built on the contract (each with its event)."""
from __future__ import annotations

import threading

from egov_kit.bus import EventHandlers, PermanentFailure
from egov_kit.config import load_settings
from egov_kit.mongo import database

from . import domain
from .repository import Repository
from .workflows import revoke_for_terminated_contract

handlers = EventHandlers()
_repo: Repository | None = None
_lock = threading.Lock()


def repository() -> Repository:
    global _repo
    if _repo is None:
        with _lock:
            if _repo is None:
                settings = load_settings("certificates")
                repo = Repository(lambda: database(settings.mongo_uri, settings.mongo_db))
                repo.ensure_indexes()
                _repo = repo
    return _repo


def _data(event: dict) -> dict:
    data = event.get("data")
    if not isinstance(data, dict):
        raise PermanentFailure("event without data")
    return data


@handlers.on("contracts.notice.signed")
def contract_signed(event: dict) -> None:
    data = _data(event)
    try:
        fields = domain.signed_contract(data)
    except ValueError as exc:
        raise PermanentFailure(str(exc)) from exc
    repository().project_signed(str(data["notice_id"]), fields)


@handlers.on("contracts.notice.terminated")
def contract_terminated(event: dict) -> None:
    data = _data(event)
    try:
        fields = domain.terminated_contract(data)
    except ValueError as exc:
        raise PermanentFailure(str(exc)) from exc
    repo = repository()
    notice_id = str(data["notice_id"])
    repo.project_terminated(notice_id, fields)
    revoke_for_terminated_contract(repo, notice_id, fields.get("employee_fin"), domain.utcnow())
