"""What every feature of ContractsService shares: its collaborators and clock, and who may act for
a company and see which notice."""
from __future__ import annotations

from datetime import date, datetime
from typing import Callable

from egov_kit.auth import Principal
from egov_kit.authority import HEAD_MAX_AGE, refused
from egov_kit.clock import baku_date, stamp, utcnow
from egov_kit.errors import forbidden, not_found
from egov_kit.registry import RegistryClient
from egov_kit.signing import SigningClient

from .. import domain
from ..repository import ContractsRepository

SOURCE = "contracts"
# Who heads a company is the tax registry's to say, and it says so rarely: an answer HEAD_MAX_AGE
# seconds old will do, here as in every service's own check (egov_kit.authority). Authorities are
# this service's own data and are never taken from anything kept: a withdrawal counts at once.


class UseCaseBase:
    def __init__(self, repository: ContractsRepository, registry: RegistryClient, signing: SigningClient, *,
                 public_base_url: str, pdf_font_dir: str, now: Callable[[], datetime] = utcnow):
        self.repository = repository
        self.registry = registry
        self.signing = signing
        self.public_base_url = public_base_url.rstrip("/")
        self.pdf_font_dir = pdf_font_dir
        self.now = now

    def _stamp(self) -> str:
        return stamp(self.now())

    def _today(self) -> date:
        """Powers of attorney run by the Baku calendar day."""
        return baku_date(self.now())

    @staticmethod
    def _person(caller: Principal) -> dict:
        """How a person acting is recorded (who granted, entered, signed ...)."""
        return {"fin": caller.fin, "name": caller.full_name or caller.fin}

    def check_url(self, notice_id: str) -> str:
        """The public check behind the signed PDF's QR code."""
        return f"{self.public_base_url}/api/contracts/notices/{notice_id}/check"

    # --- who may act ----------------------------------------------------------------------

    @staticmethod
    def _company(caller: Principal) -> str:
        if not caller.acting_for:
            raise forbidden("not_your_company")
        return caller.acting_for

    def is_head(self, voen: str, fin: str) -> bool:
        return self.registry.head_fin(voen, max_age=HEAD_MAX_AGE) == fin

    def require_head(self, caller: Principal) -> str:
        """Only the head named in the tax registry grants or withdraws authorities."""
        voen = self._company(caller)
        if not self.is_head(voen, caller.fin):
            raise forbidden("not_head")
        return voen

    def authority_in_force(self, voen: str, fin: str) -> dict | None:
        """The person's authority for the company that is in force now, if any (one at most)."""
        today = self._today()
        return next((a for a in self.repository.authorities_of_person(voen, fin)
                     if domain.authority_in_force(a, today)), None)

    def authority_check(self, voen: str, fin: str) -> dict:
        """Where a person stands for the company at this moment: its head (tax registry, as it said
        at most HEAD_MAX_AGE seconds ago) and the authority they hold in force, with its scopes
        (GET /authority-checks, and every company route's check through egov_kit.authority)."""
        return domain.authority_check_answer(voen, fin, self.is_head(voen, fin), self.authority_in_force(voen, fin))

    def require_company_rights(self, caller: Principal, *, entering: bool = False) -> str:
        """The company the caller acts for, if they may work with its notices now: an authority in
        force covering `contracts`, or the head. `entering`: entering, editing, terminating or
        signing notices, for which the head needs his own authority first (manual 2.7)."""
        voen = self._company(caller)
        authority = self.authority_in_force(voen, caller.fin)
        if authority is not None and domain.CONTRACTS in domain.authority_scopes(authority):
            return voen  # no need to ask the tax registry
        code = domain.company_refusal(head=self.is_head(voen, caller.fin), authority=authority, entering=entering)
        if code:
            raise refused(code, domain.CONTRACTS)
        return voen

    def may_finish_signing(self, voen: str, fin: str, attempt: dict, memo: dict | None = None) -> bool:
        """The signer may still sign by the right the signature was started under: the very
        authority then in force, or, for the head, his being the head with an authority of his own
        in force. An authority that expired or was withdrawn meanwhile ends the signature, and one
        granted anew afterwards does not bring it back (but for the head, whose right is his own).

        `memo` keeps look-ups for the length of one request (a page of notices checks many attempts)."""
        memo = {} if memo is None else memo
        today = self._today()
        key = ("authorities", voen, fin)
        if key not in memo:
            memo[key] = self.repository.authorities_of_person(voen, fin)
        in_force = [a for a in memo[key] if domain.authority_in_force(a, today)
                    and domain.CONTRACTS in domain.authority_scopes(a)]
        if not in_force:
            return False  # neither a holder nor a head who granted himself the authority
        authority_id = attempt.get("authority_id")
        if authority_id is None:  # started before the authority was recorded with it
            return True
        if any(a["_id"] == authority_id for a in in_force):
            return True
        key = ("head", voen)
        if key not in memo:
            memo[key] = self.registry.head_fin(voen, max_age=HEAD_MAX_AGE)
        return memo[key] == fin

    # --- which notice they may see --------------------------------------------------------

    def _company_notice(self, caller: Principal, notice_id: str, *, entering: bool = False) -> dict:
        """A notice of the company the caller acts for, with rights (another company's is a 404);
        `entering` as in require_company_rights."""
        voen = self.require_company_rights(caller, entering=entering)
        notice = self.repository.get_notice(notice_id)
        if notice is None or notice["employer_voen"] != voen:
            raise not_found()
        return notice

    def _readable_notice(self, caller: Principal, notice_id: str) -> dict:
        """The employer's (acting for the company, with rights), or the employee's own once signed."""
        notice = self.repository.get_notice(notice_id)
        if notice is None:
            raise not_found()
        if notice["employee_fin"] == caller.fin and notice["status"] != domain.UNSIGNED:
            return notice
        if caller.acting_for and caller.acting_for == notice["employer_voen"]:
            self.require_company_rights(caller)
            return notice
        raise not_found()
