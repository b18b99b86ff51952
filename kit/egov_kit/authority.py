"""What a person may do for a company at this moment: the head (tax registry), or the holder of an
authority in force granted by the head in the contracts service, for some scopes.

Every company route declares its scope (`egov_kit.access.company(scope=...)`). After the token
says the caller acts for a company, the route's check asks, on every request, the contracts
service (`GET /api/contracts/authority-checks?voen=&fin=`, with this service's token) where the
person stands now: no authority is kept beyond the request, so a withdrawal or an expiry takes
effect on the very next request everywhere. Contracts itself answers from its own data
(`LocalAuthority`); who heads the company it takes from the tax registry, whose answer it keeps
for half a minute (HEAD_MAX_AGE).

On a route the head may use, the service first asks the tax registry itself, with the same
half-minute answer: the head is let in on that alone (he acts under any scope and needs no
authority), without a call to contracts. Anyone else, or when the registry cannot say, is asked
of contracts as above.

    kit.authority.standing(voen, fin) -> Standing     # AuthorityClient or LocalAuthority

Refusals: 403 `no_authority` (neither the head nor holding an authority in force), 403
`scope_missing` (an authority in force, but not for this scope), 403 `not_head` (a head-only
route); 503 `authority_check_unavailable` when contracts cannot say (never let through)."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Callable

import requests

from . import i18n
from .errors import ServiceError, forbidden, unavailable
from .validators import is_fin, is_voen

log = logging.getLogger("egov.authority")

# What the head may choose for an authority (omitted: all of them).
SCOPES = ("contracts", "accidents", "insurers", "notifications")
CHECK_PATH = "/api/contracts/authority-checks"
# How old an answer of the tax registry on who heads a company may be: the same in every service's
# check and in contracts' own.
HEAD_MAX_AGE = 30.0

i18n.register({
    "no_authority": ("Bu təşkilat adından çıxış etmək üçün qüvvədə olan səlahiyyətiniz yoxdur "
                     "(səlahiyyət verilməyib, müddəti bitib və ya geri alınıb).",
                     "You hold no authority in force for this organisation (none was granted, or it "
                     "expired or was withdrawn)."),
    "scope_missing": ("Səlahiyyətiniz bu xidməti əhatə etmir: rəhbər sizə \"{scope}\" üzrə səlahiyyət verməyib.",
                      "Your authority does not cover this service: the head has not granted you \"{scope}\"."),
    "not_head": ("Bu əməliyyatı yalnız təşkilatın rəhbəri edə bilər.", "Only the organisation's head may do this."),
    "authority_check_unavailable": ("Səlahiyyət hazırda yoxlanıla bilmir, bir az sonra yenidən cəhd edin.",
                                    "The authority cannot be checked right now; please try again shortly."),
})


@dataclass(frozen=True)
class Standing:
    """Where a person stands for a company now: the head, and/or the holder of the authority in
    force (its id, scopes and last day; None, (), None when there is none)."""
    voen: str
    fin: str
    head: bool
    scopes: tuple[str, ...] = ()
    authority_id: str | None = None
    valid_until: str | None = None

    @classmethod
    def from_answer(cls, answer: dict) -> "Standing":
        """From the check's answer; ValueError when it is not one."""
        if not isinstance(answer, dict) or not isinstance(answer.get("head"), bool):
            raise ValueError("not an authority check")
        scopes = answer.get("scopes") or []
        authority_id = answer.get("authority_id")
        valid_until = answer.get("valid_until")
        if not isinstance(scopes, list) or not all(isinstance(s, str) for s in scopes) \
                or not isinstance(authority_id, (str, type(None))) or not isinstance(valid_until, (str, type(None))):
            raise ValueError("not an authority check")
        return cls(voen=str(answer.get("voen")), fin=str(answer.get("fin")), head=answer["head"],
                   scopes=tuple(s for s in SCOPES if s in scopes) if authority_id else (),
                   authority_id=authority_id or None, valid_until=valid_until if authority_id else None)

    def as_answer(self) -> dict:
        return {"voen": self.voen, "fin": self.fin, "head": self.head, "scopes": list(self.scopes),
                "authority_id": self.authority_id, "valid_until": self.valid_until}

    def refusal(self, roles: tuple[str, ...], scope: str | None) -> str | None:
        """Why the person may not act in one of `roles` (head, authorised) under `scope` (None: any
        authority in force will do), or None when they may. The head acts under any scope."""
        if "head" in roles and self.head:
            return None
        if "authorised" in roles and self.authority_id:
            return None if scope is None or scope in self.scopes else "scope_missing"
        return "not_head" if "authorised" not in roles else "no_authority"


def refused(code: str, scope: str | None) -> ServiceError:
    """The 403 of `Standing.refusal`, naming the scope that is missing."""
    if code == "scope_missing":
        return ServiceError(403, code, detail=i18n.text(code).format(scope=scope))
    return forbidden(code)


class AuthorityClient:
    """Asks the contracts service (the kit's ServiceClient: service token, request id); with a
    `registry` (the kit's RegistryClient), the tax registry first whether the person is the head,
    when that will do."""

    def __init__(self, client, *, registry=None, timeout: float = 5.0):
        self.client = client
        self.registry = registry
        self.timeout = timeout

    def standing(self, voen: str, fin: str, *, head_will_do: bool = False) -> Standing:
        """Where the person stands. `head_will_do`: the caller needs only to know whether the person
        may act as the head; the head's standing may then come from the registry alone (no
        authority looked up: head, no scopes)."""
        if not (is_voen(voen) and is_fin(fin)):
            return Standing(voen=str(voen), fin=str(fin), head=False)
        if head_will_do and self._is_head(voen, fin):
            return Standing(voen=voen, fin=fin, head=True)
        try:
            response = self.client.get("contracts", CHECK_PATH, params={"voen": voen, "fin": fin},
                                       timeout=self.timeout)
        except requests.RequestException as exc:
            log.warning("authority check unreachable: %s", type(exc).__name__)
            raise unavailable("authority_check_unavailable") from None
        if response.status_code != 200:
            log.warning("authority check answered %s", response.status_code)
            raise unavailable("authority_check_unavailable")
        try:
            return Standing.from_answer(response.json())
        except ValueError:
            log.warning("authority check answered something else")
            raise unavailable("authority_check_unavailable") from None


    def _is_head(self, voen: str, fin: str) -> bool:
        """The registry names the person as the head (False when it cannot say: contracts is asked)."""
        if self.registry is None:
            return False
        try:
            return self.registry.head_fin(voen, max_age=HEAD_MAX_AGE) == fin
        except ServiceError:
            return False


class LocalAuthority:
    """The same answer from inside the contracts service: `check(voen, fin)` gives the dict the
    endpoint answers."""

    def __init__(self, check: Callable[[str, str], dict]):
        self.check = check

    def standing(self, voen: str, fin: str, *, head_will_do: bool = False) -> Standing:
        return Standing.from_answer(self.check(voen, fin))


def current_standing(voen: str, fin: str, *, head_will_do: bool = False) -> Standing:
    """Where the person stands for the company, asked once per request (kept on `g` for the
    request only: the view may need the authority it was let in under). `head_will_do`: as for
    AuthorityClient.standing."""
    from flask import current_app, g

    memo = g.setdefault("_egov_standing", {})
    # A standing learnt only to know whether the person is the head does not answer more than that.
    for key in ((voen, fin, False), (voen, fin, True))[:2 if head_will_do else 1]:
        if key in memo:
            return memo[key]
    standing = current_app.extensions["egov"].authority.standing(voen, fin, head_will_do=head_will_do)
    memo[(voen, fin, head_will_do)] = standing
    return standing


def require(principal, roles: tuple[str, ...], scope: str | None) -> Standing:
    """The company caller's live check (see module doc); returns the standing it let in."""
    standing = current_standing(principal.acting_for, principal.fin, head_will_do="head" in roles)
    code = standing.refusal(roles, scope)
    if code:
        raise refused(code, scope)
    return standing


def caller_standing() -> Standing | None:
    """The standing the route's company check let in (None on other routes)."""
    from flask import g

    from .access import caller
    principal = caller()
    memo = g.get("_egov_standing") or {}
    if principal is None or not principal.acting_for:
        return None
    return memo.get((principal.acting_for, principal.fin, False)) or memo.get((principal.acting_for, principal.fin, True))
