"""The registry's use cases: look-ups of people and organisations (each look-up of a person by
someone else recorded with its purpose), organisation search, the person's data-access log,
directories."""
from __future__ import annotations

from datetime import datetime
from typing import Callable

from egov_kit.auth import Principal
from egov_kit.clock import utcnow
from egov_kit.errors import field_error, forbidden, not_found

from . import domain
from .repository import RegistryRepository
from .seed_data import DIRECTORY_NAMES


class RegistryService:
    def __init__(self, repository: RegistryRepository, *, now: Callable[[], datetime] = utcnow):
        self.repository = repository
        self.now = now

    def person(self, caller: Principal, fin: str, purpose: str | None = None) -> dict:
        """A person's record for a service, staff or the person themself (anyone else: 404, as
        if there were nobody by that FİN); a look-up by anyone but the person is logged."""
        if not domain.may_see_person(caller, fin):
            raise not_found()
        person = self.repository.person(fin)
        if person is None:
            raise field_error("fin", "unknown_person", 404)
        entry = domain.access_entry(caller, fin, purpose, self.now())
        if entry is not None:
            self.repository.record_access(entry)
        return person

    def organization(self, caller: Principal, voen: str) -> dict:
        org = self.repository.organization(voen)
        if org is None:
            raise field_error("voen", "unknown_organization", 404)
        return domain.organization_as_seen_by(org, caller)

    def search_organizations(self, caller: Principal, text: str | None, *,
                             limit: int, offset: int) -> tuple[list[dict], int]:
        """By VÖEN prefix or part of the name (case and Azerbaijani letters aside)."""
        kind, term = domain.organization_search(text)
        find = self.repository.organizations_by_voen_prefix if kind == "voen" else self.repository.organizations_by_name
        items, total = find(term, limit=limit, offset=offset)
        return [domain.organization_as_seen_by(org, caller) for org in items], total

    def organizations_headed_by(self, caller: Principal, fin: str, *,
                                limit: int, offset: int) -> tuple[list[dict], int]:
        """For the suite's services (auth works out company roles with it)."""
        if caller.kind != "service":
            raise forbidden("service_required")
        return self.repository.organizations_headed_by(fin, limit=limit, offset=offset)

    def my_data_access(self, caller: Principal, *, limit: int, offset: int) -> tuple[list[dict], int]:
        """Who looked up the caller's record, when, from which service and why; newest first."""
        return self.repository.accesses_of(caller.fin, limit=limit, offset=offset)

    def directory(self, name: str, *, limit: int, offset: int) -> tuple[list[dict], int]:
        """A page of a directory (public reference data); only a known name is looked for."""
        found = self.repository.directory(name, limit=limit, offset=offset) if name in DIRECTORY_NAMES else None
        if found is None:
            raise not_found()
        return found
