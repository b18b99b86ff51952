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
        self._purposes: dict[str, dict] = {}

    def purposes(self) -> dict[str, dict]:
        """The lookup-purposes directory by code (seeded reference data: read once)."""
        if not self._purposes:
            self._purposes = self.repository.directory_by_code(domain.PURPOSES_DIRECTORY)
        return self._purposes

    def person(self, caller: Principal, fin: str, purpose: str | None = None) -> dict:
        """A person's record for a service, staff or the person themself (anyone else: 404, as
        if there were nobody by that FİN); a look-up by anyone but the person is logged, with its
        purpose (a code of the lookup-purposes directory, required then)."""
        if not domain.may_see_person(caller, fin):
            raise not_found()
        entry = domain.access_entry(caller, fin, purpose, self.now())
        domain.check_purpose(purpose, self.purposes(), required=entry is not None)
        person = self.repository.person(fin)
        if person is None:
            raise field_error("fin", "unknown_person", 404)
        if entry is not None:
            self.repository.record_access(entry)
        return person

    def organization(self, caller: Principal, voen: str, purpose: str | None = None) -> dict:
        domain.check_purpose(purpose, self.purposes(), required=False)
        org = self.repository.organization(voen)
        if org is None:
            raise field_error("voen", "unknown_organization", 404)
        return domain.organization_as_seen_by(org, caller)

    def search_organizations(self, caller: Principal, text: str | None, purpose: str | None = None, *,
                             limit: int, offset: int) -> tuple[list[dict], int]:
        """By VÖEN prefix or part of the name (case and Azerbaijani letters aside)."""
        domain.check_purpose(purpose, self.purposes(), required=False)
        kind, term = domain.organization_search(text)
        find = self.repository.organizations_by_voen_prefix if kind == "voen" else self.repository.organizations_by_name
        items, total = find(term, limit=limit, offset=offset)
        return [domain.organization_as_seen_by(org, caller) for org in items], total

    def organizations_headed_by(self, caller: Principal, fin: str, purpose: str | None = None, *,
                                limit: int, offset: int) -> tuple[list[dict], int]:
        """For the suite's services (auth works out company roles with it)."""
        if caller.kind != "service":
            raise forbidden("service_required")
        domain.check_purpose(purpose, self.purposes(), required=False)
        return self.repository.organizations_headed_by(fin, limit=limit, offset=offset)

    def my_data_access(self, caller: Principal, *, lang: str = "az", limit: int,
                       offset: int) -> tuple[list[dict], int]:
        """Who looked up the caller's record, when, from which service and why (the purpose by its
        name in `lang`); newest first."""
        items, total = self.repository.accesses_of(caller.fin, limit=limit, offset=offset)
        purposes = self.purposes()
        return [{**item, "purpose": domain.purpose_as_shown(item["purpose"], purposes, lang)}
                for item in items], total

    def directory(self, name: str, *, limit: int, offset: int) -> tuple[list[dict], int]:
        """A page of a directory (public reference data); only a known name is looked for."""
        found = self.repository.directory(name, limit=limit, offset=offset) if name in DIRECTORY_NAMES else None
        if found is None:
            raise not_found()
        return found
