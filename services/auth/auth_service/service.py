"""The use cases of the auth service: log-in (Asan İmza, e-signature card), sessions and tokens,
company roles and the authorities behind them, service tokens, signing for other services and the
phone side of the simulator. Orchestrates the domain rules, the repository, the registry and the
keys, all passed in; knows nothing of HTTP."""
from __future__ import annotations

import base64
import binascii
import logging
import secrets
from datetime import datetime
from pathlib import Path
from typing import Callable

from egov_kit import pki
from egov_kit.auth import Principal, principal_from_claims
from egov_kit.bus import new_event
from egov_kit.clock import as_utc, baku_date, stamp, utcnow
from egov_kit.config import SERVICES
from egov_kit.errors import ServiceError, conflict, field_error, not_found, unauthenticated
from egov_kit.registry import RegistryClient

from . import domain as d
from .keys import KeyRing
from .repository import AuthRepository, storable
from .settings import AuthSettings
from .simulator import SimDirectory, SimIdentity, SimulatorPki

log = logging.getLogger("auth.service")

LOGIN_TEXT = "Əmək və Əhalinin Sosial Müdafiəsi Nazirliyinin elektron xidmətlərinə giriş"
REVOKED_EVENT = "auth.session.revoked"


def _b64decode(value: str) -> bytes:
    return base64.b64decode(value.strip(), validate=True)


class AuthService:
    def __init__(self, *, settings: AuthSettings, service_secret: str, repo: AuthRepository, keys: KeyRing,
                 registry: RegistryClient, sims: SimDirectory, test_pki: SimulatorPki,
                 now: Callable[[], datetime] = utcnow):
        """`service_secret`: what services prove themselves with for a service token; `sims`: the
        simulator's SIM cards (empty where the simulator is off); `test_pki`: the test CA."""
        self.settings = settings
        self.service_secret = service_secret
        self.repo = repo
        self.keys = keys
        self.registry = registry
        self.sims = sims
        self.pki = test_pki
        self.now = now
        self.extra_trusted_cas = _read_bundle(settings.card_trusted_ca_file)

    def clock(self) -> datetime:
        """Now, as precise as it is stored (so an instant answered now reads back the same later)."""
        return storable(self.now())

    # --- tokens and sessions ------------------------------------------------------------------
    def authenticate(self, token: str | None, audience: str = d.PERSON_AUDIENCE) -> Principal:
        """Verify one of our own tokens; a person's session must still be alive (logout is immediate here)."""
        if not token:
            raise unauthenticated()
        claims = self.keys.decode(token, audience=audience, issuer=d.ISSUER, leeway=d.TOKEN_LEEWAY)
        if (claims.get("typ") == "service") != (audience != d.PERSON_AUDIENCE):
            raise unauthenticated("invalid_token")  # a person's token where a service's is due, or the reverse
        if claims.get("typ") != "service":
            sid = claims.get("sid")
            if not sid or not d.session_alive(self.repo.get_session(sid), self.clock()):
                raise unauthenticated("session_ended")
        return principal_from_claims(claims)

    def _tokens(self, session: dict, refresh_token: str | None = None) -> dict:
        now = self.clock()
        claims = d.person_claims(session, now, self.settings.access_ttl)
        out = {"access_token": self.keys.encode(claims), "token_type": "Bearer",
               "expires_in": claims["exp"] - d.utc_epoch(now),
               "session_expires_at": as_utc(session["expires_at"]),
               "acting_for": session.get("acting_for"), "company_role": session.get("company_role")}
        if refresh_token:
            out["refresh_token"] = refresh_token
        return out

    def _person(self, fin: str, field: str | None = None) -> dict:
        person = self.registry.person(fin, purpose="login")
        if person is None:
            raise ServiceError(403, "unknown_person", {field: ["unknown_person"]} if field else None)
        return person

    def _open_session(self, fin: str, person: dict, method: str) -> tuple[dict, str]:
        identity = self.sims.by_fin.get(fin) if self.settings.asan_sim_enabled else None
        roles = d.roles_for(fin, staff_fins=self.settings.staff_fins, sim_staff=bool(identity and identity.staff))
        return d.new_session(fin=fin, person=person, roles=roles, method=method, now=self.clock(),
                             max_seconds=self.settings.session_max)

    def refresh(self, refresh_token: str) -> dict:
        parts = d.split_refresh_token(refresh_token)
        if parts is None:
            raise unauthenticated("invalid_refresh_token")
        session_id, old_hash = parts
        now = self.clock()
        session = self.repo.get_session(session_id)
        if not d.session_alive(session, now) or session.get("refresh_hash") != old_hash:
            raise unauthenticated("invalid_refresh_token")
        role = session.get("company_role")
        if session.get("acting_for"):
            # Checked before the refresh token is spent: a registry hiccup must not cost the session.
            # The role may have gone meanwhile (authority withdrawn, head replaced).
            role = self._role_in(session["fin"], session["acting_for"])
        token, new_hash = d.new_refresh_token(session_id)
        session = self.repo.rotate_refresh(session_id, old_hash, new_hash, now)
        if session is None:
            raise unauthenticated("invalid_refresh_token")  # another refresh spent it a moment ago
        if role != session.get("company_role"):
            session = self.repo.set_acting_for(session_id, session["acting_for"] if role else None, role) or session
        return self._tokens(session, token)

    def logout(self, principal: Principal) -> None:
        session = self.repo.get_session(principal.session_id)
        if session is None:
            raise unauthenticated("session_ended")
        now = self.clock()
        until = d.revoked_until(session, now, self.settings.access_ttl)
        event = new_event(REVOKED_EVENT, {"session_id": session["_id"], "until": until}, source="auth")
        if not self.repo.revoke_session(session["_id"], now, until, event):
            raise unauthenticated("session_ended")

    def revoked_sessions(self) -> dict:
        return {"sessions": self.repo.revoked_sessions(d.utc_epoch(self.clock()))}

    def jwks(self) -> dict:
        return self.keys.jwks()

    # --- Asan İmza log-in -------------------------------------------------------------------
    def _require_provider(self) -> None:
        # Only the simulator is wired in; the real provider replaces it by configuration.
        if not self.settings.asan_sim_enabled:
            raise ServiceError(503, "asan_unavailable")

    def start_asan_login(self, phone: str, user_id: str) -> dict:
        self._require_provider()
        identity = self.sims.by_phone.get(phone)
        if identity is None:
            raise field_error("phone", "unknown_asan_user")
        if not d.pin_matches(user_id, identity.user_id):
            raise field_error("user_id", "unknown_asan_user")
        now = self.clock()
        for _attempt in range(3):
            claim = self.repo.get_start(phone)
            previous = self.repo.get_request(claim["session_id"]) if claim else None
            if d.restart_reusable(previous, user_id=user_id, now=now, window=self.settings.asan_restart_window):
                return _started(previous)
            request = d.new_request(d.LOGIN, phone=phone, fin=identity.fin, now=now,
                                    ttl=self.settings.asan_request_ttl, text=LOGIN_TEXT, user_id=user_id)
            self.repo.insert_request(request)
            if self.repo.claim_start(phone, claim["session_id"] if claim else None, request["_id"], now):
                return _started(request)
            # Another start for this phone won the race: drop ours and look at theirs.
            self.repo.delete_request(request["_id"])
        raise conflict("try_again")

    def poll_asan_login(self, session_id: str) -> dict:
        request = self.repo.get_request(session_id)
        if request is None or request.get("kind") != d.LOGIN:
            raise not_found()
        now = self.clock()
        state = d.effective_state(request, now)
        if state == d.EXPIRED and request["state"] == d.PENDING:
            self.repo.mark_expired(session_id, now)
        body = {"state": state, "expires_at": request["expires_at"]}
        if state != d.CONFIRMED:
            return body
        if request.get("redeemed_at") is not None:
            raise conflict("asan_session_used", "session_id")
        if not d.redeemable(request, now, self.settings.asan_request_ttl):
            raise field_error("session_id", "asan_session_gone", 410)
        # Registry first: if it is down the poll can simply be repeated.
        person = self._person(request["fin"])
        session, refresh_token = self._open_session(request["fin"], person, "asan")
        self.repo.insert_session(session)
        if not self.repo.redeem(session_id, now, session["_id"]):
            # Another poll collected it a moment earlier; ours never issued a token.
            self.repo.delete_session(session["_id"])
            raise conflict("asan_session_used", "session_id")
        return {**body, **self._tokens(session, refresh_token)}

    # --- e-signature card ---------------------------------------------------------------------
    def card_challenge(self) -> dict:
        nonce = base64.b64encode(secrets.token_bytes(32)).decode()
        expires = self.repo.add_nonce(nonce, self.clock(), self.settings.card_nonce_ttl)
        return {"nonce": nonce, "expires_at": expires}

    def ca_certificate(self) -> str:
        """PEM of the test CA, which issues the simulator's cards and signs for other services."""
        return self.pki.ca_certificate()

    def trusted_cas(self) -> list:
        # The test CA is trusted only where the simulator runs (test and demo set-ups).
        return ([self.pki.ca()] if self.settings.asan_sim_enabled else []) + self.extra_trusted_cas

    def card_login(self, certificate: str, nonce: str, signature: str) -> dict:
        try:
            signature_bytes = _b64decode(signature)
        except (binascii.Error, ValueError):
            raise field_error("signature", "invalid_base64") from None
        try:
            nonce_bytes = _b64decode(nonce)
        except (binascii.Error, ValueError):
            raise field_error("nonce", "nonce_invalid", 401) from None
        now = self.clock()
        # Used up whatever follows: a failed answer cannot be retried with the same challenge.
        if not self.repo.use_nonce(nonce.strip(), now):
            raise field_error("nonce", "nonce_invalid", 401)
        try:
            holder = pki.verify_card_response(certificate, nonce_bytes, signature_bytes, self.trusted_cas(), now=now)
        except pki.CertificateExpired:
            raise field_error("certificate", "certificate_expired", 401) from None
        except pki.CertificateUntrusted:
            raise field_error("certificate", "certificate_untrusted", 401) from None
        except pki.SignatureMismatch:
            raise field_error("signature", "signature_mismatch", 401) from None
        except pki.PkiError:
            raise field_error("certificate", "certificate_malformed") from None
        person = self._person(holder.fin, "certificate")
        session, refresh_token = self._open_session(holder.fin, person, "card")
        self.repo.insert_session(session)
        return self._tokens(session, refresh_token)

    # --- the person and company roles ---------------------------------------------------------
    def _role_in(self, fin: str, voen: str) -> str | None:
        org = self.registry.organization(voen, purpose="company-roles")
        if org is None:
            return None
        return d.company_role(fin, voen, head_fin=org.get("head_fin"), authorities=self.repo.authorities_of(fin),
                              today=baku_date(self.clock()))

    def companies_of(self, fin: str) -> list[dict]:
        headed = self.registry.organizations_headed_by(fin, purpose="company-roles")
        authorities = self.repo.authorities_of(fin)
        today = baku_date(self.clock())
        head_voens = {o["voen"] for o in headed}
        names = {}
        for record in authorities:
            voen = record.get("voen")
            if voen not in head_voens and voen not in names and d.authority_in_force(record, today):
                org = self.registry.organization(voen, purpose="company-roles")
                names[voen] = org.get("name") if org else None
        return d.companies(fin, headed=headed, authorities=authorities, today=today, names=names)

    def me(self, principal: Principal) -> dict:
        return {"fin": principal.fin, "name": principal.name, "surname": principal.surname,
                "patronymic": principal.patronymic, "companies": self.companies_of(principal.fin),
                "acting_for": principal.acting_for, "company_role": principal.company_role,
                "roles": principal.roles}

    def switch_role(self, principal: Principal, voen: str | None) -> dict:
        role = None
        if voen is not None:
            role = self._role_in(principal.fin, voen)
            if role is None:
                raise field_error("voen", "not_your_company", 403)
        session = self.repo.set_acting_for(principal.session_id, voen, role)
        if session is None:
            raise unauthenticated("session_ended")
        return self._tokens(session)

    # --- authorities, learnt from the contracts service's events ------------------------------
    def authority_granted(self, authority: d.Authority) -> None:
        self.repo.record_grant(authority.authority_id, authority.voen, authority.fin, authority.valid_until,
                               self.clock())

    def authority_withdrawn(self, authority: d.Authority) -> None:
        self.repo.record_withdrawal(authority.authority_id, authority.voen, authority.fin, self.clock())

    # --- service tokens -----------------------------------------------------------------------
    def service_token(self, client_id: str, client_secret: str, audience: str) -> dict:
        if not d.service_client_ok(client_id, client_secret, clients=SERVICES, expected_secret=self.service_secret):
            log.warning("service token refused", extra={"client": client_id if client_id in SERVICES else "?"})
            raise ServiceError(401, "invalid_client")
        now = self.clock()
        claims = d.service_claims(client_id, audience, now, self.settings.service_token_ttl)
        return {"access_token": self.keys.encode(claims), "token_type": "Bearer",
                "expires_in": claims["exp"] - d.utc_epoch(now)}

    # --- signing for other services -----------------------------------------------------------
    def start_signing(self, caller: str, fin: str, text: str, digests: list[dict]) -> dict:
        self._require_provider()
        identity = self.sims.by_fin.get(fin)
        if identity is None:
            raise field_error("fin", "no_asan_sim")
        request = d.new_request(d.SIGN, phone=identity.phone, fin=fin, now=self.clock(),
                                ttl=self.settings.asan_request_ttl, text=text, caller=caller,
                                digests=[{"name": x["name"], "digest": x["digest"], "pades": bool(x.get("pades"))}
                                         for x in digests])
        self.repo.insert_request(request)
        return {"signing_id": request["_id"], "verification_code": request["verification_code"],
                "expires_at": request["expires_at"]}

    def signing(self, caller: str, signing_id: str) -> dict:
        request = self.repo.signing_for(signing_id, caller)
        if request is None:
            raise not_found()
        now = self.clock()
        state = d.effective_state(request, now)
        if state == d.EXPIRED and request["state"] == d.PENDING:
            self.repo.mark_expired(signing_id, now)
        body = {"signing_id": signing_id, "state": state, "expires_at": request["expires_at"],
                "verification_code": request["verification_code"]}
        if state == d.CONFIRMED:
            body.update(signed_at=request["signed_at"], signer=request["signer"],
                        signatures=[{"name": s["name"], "cms": base64.b64encode(s["cms"]).decode()}
                                    for s in request["signatures"]],
                        ca_certificate=self.pki.ca_certificate())
        return body

    def _sign(self, request: dict, identity: SimIdentity, now: datetime) -> dict:
        card, ca = self.pki.card(identity), self.pki.ca()
        signatures = [{"name": x["name"],
                       "cms": pki.sign_digest_cms(card, bytes(x["digest"]), ca=ca, pades=bool(x["pades"]),
                                                  signing_time=now)}
                      for x in request["digests"]]
        signer = {"fin": identity.fin, "name": identity.name, "surname": identity.surname,
                  "certificate": card.cert_pem}
        return {"signatures": signatures, "signer": signer, "signed_at": stamp(now)}

    # --- the simulated phone ------------------------------------------------------------------
    def _sim_identity(self, phone: str) -> SimIdentity:
        identity = self.sims.by_phone.get(d.normalize_phone(phone))
        if identity is None:
            raise not_found()
        return identity

    def phone_requests(self, phone: str) -> list[dict]:
        identity = self._sim_identity(phone)
        return [{"request_id": r["request_id"], "verification_code": r["verification_code"], "kind": r["kind"],
                 "text": r["text"], "expires_at": r["expires_at"]}
                for r in self.repo.pending_on_phone(identity.phone, self.clock())]

    def answer_request(self, phone: str, phone_request_id: str, pin: str) -> dict:
        identity = self._sim_identity(phone)
        request = self.repo.get_request_on_phone(identity.phone, phone_request_id)
        if request is None:
            raise not_found()
        now = self.clock()
        state = d.effective_state(request, now)
        if state != d.PENDING:
            if state == d.EXPIRED and request["state"] == d.PENDING:
                self.repo.mark_expired(request["_id"], now)
            raise ServiceError(409, "request_not_pending", extra={"state": state})
        if not d.pin_matches(pin, d.expected_pin(request["kind"], identity.pin1, identity.pin2)):
            counted = self.repo.count_wrong_pin(request["_id"], now)
            if counted is None:
                raise conflict("request_not_pending")
            failures = counted["pin_failures"]
            if d.state_after_wrong_pin(failures) == d.REJECTED:
                self.repo.reject(request["_id"], now)
                raise ServiceError(403, "pin_attempts_exhausted", {"pin": ["pin_attempts_exhausted"]},
                                   extra={"state": d.REJECTED, "attempts_left": 0})
            raise ServiceError(403, "invalid_pin", {"pin": ["invalid_pin"]},
                               extra={"state": d.PENDING, "attempts_left": d.PIN_ATTEMPTS - failures})
        extra = self._sign(request, identity, now) if request["kind"] == d.SIGN else None
        if self.repo.confirm(request["_id"], now, d.PIN_ATTEMPTS, extra) is None:
            raise conflict("request_not_pending")
        return {"request_id": phone_request_id, "kind": request["kind"], "state": d.CONFIRMED}

    def sim_identities(self) -> list[dict]:
        out = []
        today = baku_date(self.clock())
        for identity in self.sims.identities:
            try:
                voens = [o["voen"] for o in self.registry.organizations_headed_by(identity.fin, purpose="asan-sim")]
            except ServiceError:
                voens = []  # the list is still useful without the registry
            voens += [a["voen"] for a in self.repo.authorities_of(identity.fin)
                      if d.authority_in_force(a, today) and a["voen"] not in voens]
            out.append({"phone": identity.phone, "user_id": identity.user_id, "pin1": identity.pin1,
                        "pin2": identity.pin2, "fin": identity.fin, "name": identity.name,
                        "surname": identity.surname, "label": identity.label, "staff": identity.staff,
                        "companies": voens})
        return out

    def sim_card(self, fin: str) -> dict:
        identity = self.sims.by_fin.get(fin.strip().upper())
        if identity is None:
            raise not_found()
        card = self.pki.card(identity)
        return {"fin": identity.fin, "certificate": card.cert_pem, "private_key": card.key_pem,
                "ca_certificate": self.pki.ca_certificate()}


def _started(request: dict) -> dict:
    return {"session_id": request["_id"], "verification_code": request["verification_code"],
            "expires_at": request["expires_at"]}


def _read_bundle(path: str | None) -> list[str]:
    """Certificates of the certification centres whose cards may log in (production)."""
    if not path:
        return []
    text = Path(path).read_text(encoding="ascii")
    end = "-----END CERTIFICATE-----"
    return [part.strip() + "\n" + end + "\n" for part in text.split(end) if "-----BEGIN CERTIFICATE-----" in part]
