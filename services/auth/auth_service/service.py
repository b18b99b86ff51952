"""The use cases of the auth service: log-in (Asan İmza, e-signature card), sessions and tokens,
company roles and the authorities behind them, service tokens, and signing for other services.
Orchestrates the domain rules, the repository, the registry, the keys, the Asan İmza provider and
the trust store, all passed in; knows nothing of HTTP.

Auth is the provider's relying party: it sends hashes of its own making, computes the
verification code itself, and believes a result only when the signature verifies over that hash
with the returned certificate, the certificate chains to a trusted CA, is valid now and names
the person. It never sees a PIN or a private key."""
from __future__ import annotations

import base64
import binascii
import logging
import secrets
from datetime import datetime, timedelta
from typing import Callable

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from egov_kit import pki
from egov_kit.auth import Principal, principal_from_claims
from egov_kit.bus import new_event
from egov_kit.clock import as_utc, baku_date, stamp, utcnow
from egov_kit.config import SERVICES
from egov_kit.errors import ServiceError, conflict, field_error, not_found, unauthenticated
from egov_kit.registry import RegistryClient

from . import cms
from . import domain as d
from .asan import RUNNING, AsanProvider, SessionState
from .asan import unavailable as asan_unavailable
from .keys import KeyRing
from .repository import AuthRepository, storable
from .settings import AuthSettings
from .trust import (SIGNS_DOCUMENTS, NotForSigning, TrustStore, hash_signature_algorithm, load_der, load_pem,
                    verify_hash_signature)

log = logging.getLogger("auth.service")

LOGIN_TEXT = "Əmək və Əhalinin Sosial Müdafiəsi Nazirliyinin elektron xidmətlərinə giriş"
REVOKED_EVENT = "auth.session.revoked"
# A poll that claimed starting a signing's next provider session has this long to do it.
SESSION_START_LEASE = 10
# A log-in limit's counter is kept this long after its window ends.
KEEP_COUNTERS = timedelta(minutes=1)


def _b64decode(value: str) -> bytes:
    return base64.b64decode(value.strip(), validate=True)


class AuthService:
    def __init__(self, *, settings: AuthSettings, service_secret: str, repo: AuthRepository, keys: KeyRing,
                 registry: RegistryClient, provider: AsanProvider | None, trust: TrustStore,
                 now: Callable[[], datetime] = utcnow):
        """`service_secret`: what services prove themselves with for a service token; `provider`:
        the Asan İmza provider (None where none is configured: Asan İmza is then unavailable);
        `trust`: the CAs whose certificates may log in and sign."""
        self.settings = settings
        self.service_secret = service_secret
        self.repo = repo
        self.keys = keys
        self.registry = registry
        self.provider = provider
        self.trust = trust
        self.now = now

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
        roles = d.roles_for(fin, staff_fins=self.settings.staff_fins)
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
    def _provider(self) -> AsanProvider:
        if self.provider is None:
            raise asan_unavailable()  # no ASAN_PROVIDER_URL: this deployment has no Asan İmza
        return self.provider

    def start_asan_login(self, phone: str, user_id: str, client: str | None = None) -> dict:
        """Ask the provider to have the person sign a fresh random hash with PIN1. Any number and
        user ID start a request: whether the pair exists is the provider's to say, at the end,
        and a pair that does not is one answer whichever half was wrong. Each start counts against
        the limits of its number, its user ID and its `client` (the address it came from; None:
        not counted), whether the pair exists or not."""
        provider = self._provider()
        now = self.clock()
        client = d.client_key(client)
        self._count_attempt(now, (d.PHONE, phone, self.settings.login_per_phone),
                            (d.USER_ID, user_id, self.settings.login_per_user_id),
                            (d.CLIENT, client, self.settings.login_per_client))
        tag = d.client_tag(client)
        for _attempt in range(3):
            claim = self.repo.get_start(phone)
            previous = self.repo.get_request(claim["session_id"]) if claim else None
            if d.restart_reusable(previous, user_id=user_id, client=tag, now=now,
                                  window=self.settings.asan_restart_window):
                return _started(previous)
            request = d.new_login(phone=phone, user_id=user_id, challenge=d.new_challenge(), now=now,
                                  ttl=self.settings.asan_request_ttl, client=tag)
            self.repo.insert_request(request)
            if self.repo.claim_start(phone, claim["session_id"] if claim else None, request["_id"], now):
                try:
                    provider_session = provider.authenticate(phone, user_id, request["hash"], LOGIN_TEXT)
                except ServiceError:
                    self.repo.finish(request["_id"], d.REJECTED, now, {"reason": d.PROVIDER_ERROR})
                    raise
                self.repo.set_provider_session(request["_id"], provider_session)
                return _started(request)
            # Another start for this phone won the race: drop ours and look at theirs.
            self.repo.delete_request(request["_id"])
        raise conflict("try_again")

    def poll_asan_login(self, session_id: str) -> dict:
        request = self.repo.get_request(session_id)
        if request is None or request.get("kind") != d.LOGIN:
            raise not_found()
        now = self.clock()
        request = self._settle_login(request, now)
        state = d.effective_state(request, now)
        if state == d.EXPIRED and request["state"] == d.PENDING:
            self.repo.mark_expired(session_id, now)
        body = {"state": state, "expires_at": request["expires_at"]}
        if state in (d.REJECTED, d.EXPIRED):
            body["reason"] = request.get("reason") or d.TIMED_OUT
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

    def _settle_login(self, request: dict, now: datetime) -> dict:
        """Ask the provider about a pending log-in; an end result is written down (once)."""
        if (request["state"] != d.PENDING or not request.get("provider_session")
                or d.effective_state(request, now) != d.PENDING):
            return request
        answer = self._provider().session(request["provider_session"])
        if answer.state == RUNNING:
            return request
        state, reason = d.outcome(answer.result)
        changes = {"reason": reason}
        holder = None
        if state == d.CONFIRMED:
            try:
                holder = self._believed(request["hash"], answer, now)
            except pki.PkiError as refused:
                log.warning("Asan İmza log-in result refused", extra={"why": str(refused)})
                state, changes = d.REJECTED, {"reason": d.SIGNATURE_INVALID}
            else:
                changes = {"fin": holder.fin}
        finished = self.repo.finish(request["_id"], state, now, changes)
        if finished is not None and holder is not None:
            # Where this person's signatures will be asked for: the number they proved they hold.
            self.repo.remember_signer(holder.fin, request["phone"], request["user_id"], now)
        return finished or self.repo.get_request(request["_id"]) or request

    def _believed(self, hash_value: bytes, answer: SessionState, now: datetime):
        """The holder of a result the provider calls OK, if it holds up: the signature verifies
        over `hash_value` with the returned certificate, which chains to a trusted CA, is valid
        now and names a person. pki.PkiError otherwise."""
        cert = load_der(answer.cert_der)
        verify_hash_signature(cert, bytes(hash_value), answer.signature, answer.algorithm)
        return self.trust.holder(cert, now)

    # --- log-in limits ------------------------------------------------------------------------
    def _count_attempt(self, now: datetime, *subjects: tuple[str, str | None, int]) -> None:
        """Count one log-in attempt against each (subject, value, limit) in the current window,
        in the database every auth process shares (a subject without a value, or a limit of 0, is
        not counted). Past any limit: 429 with the wait until the window ends — one answer
        whichever limit it was, and whatever the attempt named."""
        window, wait = d.login_window(now, self.settings.login_window)
        purge_at = now + timedelta(seconds=wait) + KEEP_COUNTERS
        over = [subject for subject, value, limit in subjects
                if value is not None and limit > 0
                and not self.repo.count_attempt(d.attempt_key(subject, value, window), limit, purge_at)]
        if over:
            log.warning("log-in limit reached", extra={"limits": over})
            raise ServiceError(429, "too_many_login_attempts", headers={"Retry-After": str(wait)})

    # --- e-signature card ---------------------------------------------------------------------
    def card_challenge(self, client: str | None = None) -> dict:
        """A nonce for the card to sign; each counts against its `client`'s log-in limit."""
        self._count_attempt(self.clock(), (d.CLIENT, d.client_key(client), self.settings.login_per_client))
        nonce = base64.b64encode(secrets.token_bytes(32)).decode()
        expires = self.repo.add_nonce(nonce, self.clock(), self.settings.card_nonce_ttl)
        return {"nonce": nonce, "expires_at": expires}

    def ca_certificate(self) -> str:
        """PEM of the CAs whose certificates sign here (those of AUTH_TRUSTED_CA_FILE)."""
        certificates = self.trust.certificates()
        if not certificates:
            raise not_found()
        return "".join(certificates)

    def card_login(self, certificate: str, nonce: str, signature: str, client: str | None = None) -> dict:
        """Each attempt counts against its `client`'s log-in limit; one whose card proved itself
        (a trusted certificate's key signed our nonce) counts against the holder's too, before
        the registry is asked about them and a session opens. (Counted before that proof, a
        certificate anyone may copy from a signed document would lock its holder out.)"""
        self._count_attempt(self.clock(), (d.CLIENT, d.client_key(client), self.settings.login_per_client))
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
            holder = pki.verify_card_response(certificate, nonce_bytes, signature_bytes, self.trust.certificates(),
                                              now=now)
        except pki.CertificateExpired:
            raise field_error("certificate", "certificate_expired", 401) from None
        except pki.CertificateUntrusted:
            raise field_error("certificate", "certificate_untrusted", 401) from None
        except pki.SignatureMismatch:
            raise field_error("signature", "signature_mismatch", 401) from None
        except pki.PkiError:
            raise field_error("certificate", "certificate_malformed") from None
        self._count_attempt(now, (d.CARD, holder.fin, self.settings.login_per_card))
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
        """Have the person sign each digest with PIN2. Auth builds every CMS itself: the signed
        attributes now, the provider signing the hash of each in a session of its own, one after
        another (the phone shows "1/2", "2/2"), the CMS assembled from each raw signature."""
        provider = self._provider()
        signer = self.repo.signer(fin)
        if signer is None:
            raise field_error("fin", "no_asan_login")  # we know no number to send the request to
        cert_der = provider.certificate(signer["phone"], signer["user_id"])
        if cert_der is None:
            raise field_error("fin", "no_asan_login")  # the number has no Asan İmza any more
        now = self.clock()
        try:
            holder = self.trust.holder(load_der(cert_der), now)
            if holder.fin != fin:
                raise pki.CertificateUntrusted("the certificate names another person")
        except pki.PkiError as refused:
            log.warning("Asan İmza signing certificate refused", extra={"why": str(refused)})
            raise field_error("fin", "asan_certificate_refused") from None
        steps = _signing_steps(cert_der, digests, now)
        provider_session = provider.sign(signer["phone"], signer["user_id"], steps[0]["hash"],
                                         d.step_text(text, 0, len(steps)))
        request = d.new_signing(caller=caller, fin=fin, phone=signer["phone"], user_id=signer["user_id"], text=text,
                                steps=steps, certificate=cert_der, ca_certificate=holder.issuer_pem,
                                signer=_signer_of(holder), provider_session=provider_session, now=now,
                                ttl=self.settings.asan_request_ttl)
        self.repo.insert_request(request)
        return {"signing_id": request["_id"], "method": d.ASAN, "state": d.PENDING,
                "verification_code": request["verification_code"], "expires_at": request["expires_at"]}

    def start_card_signing(self, caller: str, fin: str, certificate: str, text: str, digests: list[dict]) -> dict:
        """Have the person sign each digest with their e-signature card. The card's certificate
        must chain to a trusted CA, be valid now, be meant for signing documents (nonRepudiation)
        and name `fin`, the person signing; auth builds the signed attributes of each digest with
        it and hands out the hash of the first ("1/2") for the card to sign (card_response)."""
        now = self.clock()
        try:
            cert = load_pem(certificate)
            holder = self.trust.holder(cert, now, usage=SIGNS_DOCUMENTS)
            hash_signature_algorithm(cert)
        except pki.CertificateExpired:
            raise field_error("certificate", "certificate_expired") from None
        except NotForSigning:
            raise field_error("certificate", "certificate_not_for_signing") from None
        except pki.CertificateUntrusted:
            raise field_error("certificate", "certificate_untrusted") from None
        except pki.PkiError:
            raise field_error("certificate", "certificate_malformed") from None
        if holder.fin != fin:
            raise field_error("certificate", "certificate_of_another_person", 403)
        cert_der = cert.public_bytes(Encoding.DER)
        steps = _signing_steps(cert_der, digests, now)
        request = d.new_signing(caller=caller, fin=fin, text=text, steps=steps, certificate=cert_der,
                                ca_certificate=holder.issuer_pem, signer=_signer_of(holder), now=now,
                                ttl=self.settings.asan_request_ttl, method=d.CARD)
        self.repo.insert_request(request)
        return {"signing_id": request["_id"], "method": d.CARD, "state": d.PENDING,
                "expires_at": request["expires_at"], **_card_step(request)}

    def card_response(self, caller: str, signing_id: str, signature: str) -> dict:
        """The card's signature over the hash handed out for the current step: it must verify
        with the card's key, and the CMS assembled from it must hold up — otherwise the signing
        ends rejected (`signature_invalid`) and nothing is signed. Then the next step's hash, or,
        after the last, the signing confirmed. The signature accepted last, sent again (its answer
        was lost on the way), gets the answer of now. 409 when the signing awaits no card
        signature (an Asan İmza signing, or one that is over)."""
        request = self.repo.signing_for(signing_id, caller)
        if request is None:
            raise not_found()
        if request.get("method") != d.CARD:
            raise conflict("no_card_signature_awaited")
        try:
            raw = _b64decode(signature)
        except (binascii.Error, ValueError):
            raise field_error("signature", "invalid_base64") from None
        now = self.clock()
        state, step = d.effective_state(request, now), request["step"]
        accepted_last = step - 1 if state == d.PENDING else step if state == d.CONFIRMED else -1
        if accepted_last >= 0 and _signs(request, accepted_last, raw):
            return self._signing_answer(request, now)
        if state != d.PENDING:
            if request["state"] == d.PENDING:
                self.repo.mark_expired(signing_id, now)
            raise conflict("no_card_signature_awaited")
        current = request["digests"][step]
        try:
            cert = load_der(request["certificate"])
            verify_hash_signature(cert, bytes(current["hash"]), raw, hash_signature_algorithm(cert))
            if self.trust.holder(cert, now, usage=SIGNS_DOCUMENTS).fin != request["fin"]:
                raise pki.CertificateUntrusted("the certificate names another person")
            signed = {"name": current["name"],
                      "cms": cms.assemble(cert_der=request["certificate"], ca_der=_der(request["ca_certificate"]),
                                          attributes_der=current["attributes"], signature=raw,
                                          digest=current["digest"])}
        except (pki.PkiError, cms.CmsInvalid) as refused:
            log.warning("card signature refused", extra={"why": str(refused)})
            ended = self.repo.finish(signing_id, d.REJECTED, now, {"reason": d.SIGNATURE_INVALID}, step=step)
            return self._signing_answer(ended or self._reloaded(request), now)
        # The request as this write left it; read again only when another request moved it first.
        moved = self._record_step(request, step, signed, now)
        return self._signing_answer(moved or self._reloaded(request), now)

    def _record_step(self, request: dict, step: int, signed: dict, now: datetime) -> dict | None:
        """Keep the CMS of `step`: the signing is confirmed after the last, or moves on to the next
        (None when another request moved it meanwhile)."""
        if step + 1 == len(request["digests"]):
            return self.repo.finish(request["_id"], d.CONFIRMED, now,
                                    {"signed_at": stamp(now), "signatures": [*request["signatures"], signed]},
                                    step=step)
        code = request["digests"][step + 1]["code"] if request.get("method", d.ASAN) == d.ASAN else None
        return self.repo.next_signing_step(request["_id"], step, [*request["signatures"], signed], code, now)

    def signing(self, caller: str, signing_id: str) -> dict:
        request = self.repo.signing_for(signing_id, caller)
        if request is None:
            raise not_found()
        now = self.clock()
        request = self._advance_signing(request, now)
        return self._signing_answer(request, now)

    def _signing_answer(self, request: dict, now: datetime) -> dict:
        """The state of a signing (a lapsed one written down as expired) and what comes with it:
        the code the phone shows or the hash the card is to sign while pending, the reason once
        rejected or expired, the CMS signatures once confirmed."""
        state = d.effective_state(request, now)
        if state == d.EXPIRED and request["state"] == d.PENDING:
            self.repo.mark_expired(request["_id"], now)
        method = request.get("method", d.ASAN)
        body = {"signing_id": request["_id"], "method": method, "state": state, "expires_at": request["expires_at"]}
        if method == d.ASAN:
            body["verification_code"] = request["verification_code"]
        elif state == d.PENDING:
            body.update(_card_step(request))
        if state in (d.REJECTED, d.EXPIRED):
            body["reason"] = request.get("reason") or d.TIMED_OUT
        if state == d.CONFIRMED:
            body.update(signed_at=request["signed_at"], signer=request["signer"],
                        signatures=[{"name": s["name"], "cms": base64.b64encode(s["cms"]).decode()}
                                    for s in request["signatures"]],
                        ca_certificate=request["ca_certificate"])
        return body

    def _reloaded(self, request: dict) -> dict:
        return self.repo.signing_for(request["_id"], request["caller"]) or request

    def _advance_signing(self, request: dict, now: datetime) -> dict:
        """Ask the provider about the current session: a signature that holds up becomes a CMS and
        the next session starts; any other end ends the signing."""
        if request["state"] != d.PENDING or d.effective_state(request, now) != d.PENDING:
            return request
        if request.get("method", d.ASAN) != d.ASAN:
            return request  # a card signing moves on only with the card's signatures
        if request.get("provider_session") is None:
            return self._start_step(request, now, claimed=False)
        answer = self._provider().session(request["provider_session"])
        if answer.state == RUNNING:
            return request
        step = request["step"]
        state, reason = d.outcome(answer.result)
        if state != d.CONFIRMED:
            return (self.repo.finish(request["_id"], state, now, {"reason": reason}, step=step)
                    or self._reloaded(request))
        current = request["digests"][step]
        try:
            if bytes(answer.cert_der) != bytes(request["certificate"]):
                raise pki.CertificateUntrusted("not the certificate the signature was prepared for")
            holder = self._believed(current["hash"], answer, now)
            if holder.fin != request["fin"]:
                raise pki.CertificateUntrusted("the certificate names another person")
            signature = cms.assemble(cert_der=request["certificate"], ca_der=_der(request["ca_certificate"]),
                                     attributes_der=current["attributes"], signature=answer.signature,
                                     digest=current["digest"])
        except (pki.PkiError, cms.CmsInvalid) as refused:
            log.warning("Asan İmza signature refused", extra={"why": str(refused)})
            return (self.repo.finish(request["_id"], d.REJECTED, now, {"reason": d.SIGNATURE_INVALID}, step=step)
                    or self._reloaded(request))
        moved = self._record_step(request, step, {"name": current["name"], "cms": signature}, now)
        if moved is None:
            return self._reloaded(request)  # confirmed or moved on by another poll
        if moved["state"] != d.PENDING:
            return moved  # confirmed: that was the last step
        return self._start_step(moved, now, claimed=True)

    def _start_step(self, request: dict, now: datetime, *, claimed: bool) -> dict:
        """Start the provider session of the current step, if this poll holds (or may take) the claim."""
        step = request["step"]
        if not claimed:
            if not d.session_start_due(request, now, SESSION_START_LEASE):
                return request
            if not self.repo.claim_session_start(request["_id"], step, request.get("starting_at"), now):
                return self._reloaded(request)
        current = request["digests"][step]
        try:
            provider_session = self._provider().sign(request["phone"], request["user_id"], current["hash"],
                                                     d.step_text(request["text"], step, len(request["digests"])))
        except ServiceError:
            return request  # the provider did not answer: a poll after the lease tries again
        return self.repo.set_signing_session(request["_id"], step, provider_session) or self._reloaded(request)


def _signing_steps(cert_der: bytes, digests: list[dict], now: datetime) -> list[dict]:
    """One step per digest: its signed attributes (naming the signer's certificate), the hash of
    them that is to be signed, and that hash's verification code."""
    steps = []
    for item in digests:
        attributes = cms.signed_attributes(cert_der=cert_der, digest=bytes(item["digest"]),
                                           pades=bool(item.get("pades")), signing_time=now)
        to_sign = cms.to_be_signed(attributes)
        steps.append({"name": item["name"], "digest": bytes(item["digest"]), "pades": bool(item.get("pades")),
                      "attributes": attributes, "hash": to_sign, "code": d.verification_code(to_sign)})
    return steps


def _signer_of(holder) -> dict:
    return {"fin": holder.fin, "name": holder.given_name, "surname": holder.surname,
            "certificate": holder.certificate_pem}


def _signs(request: dict, step: int, signature: bytes) -> bool:
    """Whether `signature` is the card's over the hash of `step` (one accepted already)."""
    try:
        cert = load_der(request["certificate"])
        verify_hash_signature(cert, bytes(request["digests"][step]["hash"]), signature, hash_signature_algorithm(cert))
    except pki.PkiError:
        return False
    return True


def _card_step(request: dict) -> dict:
    """What the card is to sign now: the current step's hash (a SHA-256 value, signed as it is,
    not hashed again), and which of how many signatures it is."""
    step, steps = request["step"], len(request["digests"])
    return {"digest": base64.b64encode(bytes(request["digests"][step]["hash"])).decode("ascii"),
            "digest_algorithm": cms.DIGEST_ALGORITHM, "step": d.step_label(step, steps), "steps": steps}


def _started(request: dict) -> dict:
    return {"session_id": request["_id"], "verification_code": request["verification_code"],
            "expires_at": request["expires_at"]}


def _der(pem: str) -> bytes:
    return x509.load_pem_x509_certificate(pem.encode("ascii")).public_bytes(Encoding.DER)
