"""Authorities to enter and sign notices for a company: granted and withdrawn by its head."""
from __future__ import annotations

import uuid
from datetime import date

from egov_kit.auth import Principal
from egov_kit.bus import new_event
from egov_kit.errors import conflict, field_error, not_found

from .. import domain
from .common import SOURCE, UseCaseBase

# Shown in the citizen's data tracker; HTTP headers carry Latin-1 only, hence plain ASCII.
AUTHORITY_PURPOSE = "authority-grant"  # a code of the registry's lookup-purposes directory


class AuthorityUseCases(UseCaseBase):
    """Part of ContractsService; withdrawing hands the signatures it ends to SigningUseCases."""

    def authority_view(self, authority: dict) -> dict:
        return {
            "id": authority["_id"], "voen": authority["voen"], "fin": authority["fin"],
            "surname": authority.get("surname"), "name": authority.get("name"),
            "patronymic": authority.get("patronymic"), "full_name": domain.full_name(authority),
            "valid_until": authority.get("valid_until"),
            "scopes": list(domain.authority_scopes(authority)),
            "kind": "indefinite" if authority.get("valid_until") is None else "fixed_term",
            "status": domain.authority_status(authority, self._today()),
            "granted_at": authority["granted_at"], "granted_by": authority["granted_by"],
            "withdrawn_at": authority.get("withdrawn_at"),
        }

    def grant_authority(self, caller: Principal, fin: str, valid_until: date | None,
                        scopes: list[str] | tuple[str, ...] | None = None) -> dict:
        """The head grants `fin` (himself first, manual 2.7) the authority to act for the company
        in `scopes` (None: all of them) until `valid_until` (None: indefinitely). One authority in
        force per person: to change its scopes or term, withdraw it and grant anew."""
        voen = self.require_head(caller)
        today = self._today()
        domain.check_valid_until(valid_until, today)
        scopes = domain.normalise_scopes(scopes)
        person = self.registry.person(fin, AUTHORITY_PURPOSE)
        if person is None:
            raise field_error("fin", "unknown_person")
        if any(domain.authority_in_force(a, today) for a in self.repository.authorities_of_person(voen, fin)):
            raise conflict("authority_exists", "fin")
        authority = {
            "_id": uuid.uuid4().hex, "voen": voen, "fin": fin,
            "surname": person.get("surname", ""), "name": person.get("name", ""),
            "patronymic": person.get("patronymic", ""),
            "valid_until": valid_until.isoformat() if valid_until else None, "scopes": list(scopes),
            "status": domain.ACTIVE, "granted_at": self._stamp(), "granted_by": self._person(caller),
        }
        event = new_event("contracts.authority.granted", domain.authority_granted_data(authority), source=SOURCE)
        self.repository.insert_authority(authority, event)
        return self.authority_view(authority)

    def list_authorities(self, caller: Principal, *, limit: int, offset: int) -> tuple[list[dict], int]:
        """A page of the company's authorities, the latest granted first (withdrawn ones too)."""
        voen = self.require_head(caller)
        authorities, total = self.repository.authorities_of(voen, limit=limit, offset=offset)
        return [self.authority_view(a) for a in authorities], total

    def withdraw_authority(self, caller: Principal, authority_id: str) -> dict:
        voen = self.require_head(caller)
        current = self.repository.get_authority(authority_id, voen)
        if current is None:
            raise not_found()
        event = new_event("contracts.authority.withdrawn", domain.authority_withdrawn_data(current), source=SOURCE)
        changes = {"status": domain.WITHDRAWN, "withdrawn_at": self._stamp(), "withdrawn_by": self._person(caller)}
        withdrawn = self.repository.withdraw_authority(authority_id, voen, changes, event)
        if withdrawn is None:
            raise conflict("authority_withdrawn")
        # Signatures started under it can never complete now: they end at once (refused), so
        # nobody is shown a signature "pending" that is already dead. Should this stop half-way,
        # readers are still shown them as refused, and their next poll stores it.
        self.end_signatures_started_under(voen, authority_id)  # SigningUseCases
        return self.authority_view(withdrawn)
