"""HTTP routes of /api/auth: who may call, parse, call the service, shape the answer.

Auth issues the tokens, so it verifies them itself, with its own keys and its own sessions
(`AuthService.authenticate`: a logout stops a token here at once), not through the kit's JWKS
fetch; AUTH_PERSON and AUTH_SERVICE are the kit's PERSON and service() made that way. Log-in,
refresh and service tokens are PUBLIC as far as a bearer token goes: what they are sent (a
phone's confirmation, a card's signature, a refresh token, a client secret) is the credential."""
from __future__ import annotations

from flask import Response, request
from flask.views import MethodView

from egov_kit.access import PERSON, PUBLIC, ServiceBlueprint, caller, requires, service
from egov_kit.app import current_service
from egov_kit.auth import Principal, bearer_token
from egov_kit.errors import ServiceError, forbidden

from . import schemas as s
from .domain import SERVICE_AUDIENCE

blp = ServiceBlueprint("auth", __name__, url_prefix="/api/auth",
                       description="Log-in (Asan İmza, e-signature card), company roles, tokens, signing")


def _own_token() -> Principal:
    """The principal of one of auth's own tokens, a person's or a service's (a valid token of the
    wrong kind is then refused with 403, as everywhere in the suite, not 401)."""
    token = bearer_token()
    try:
        return current_service().authenticate(token)
    except ServiceError as refused:
        if refused.status != 401 or not token:
            raise
        try:
            return current_service().authenticate(token, audience=SERVICE_AUDIENCE)
        except ServiceError:
            raise refused from None


def _person() -> Principal:
    principal = _own_token()
    if principal.kind != "person":
        raise forbidden("person_required")
    return principal


def _service() -> Principal:
    principal = _own_token()
    if principal.kind != "service" or not principal.service:
        raise forbidden("service_required")
    return principal


# Declared (and documented) as the kit's callers, checked by auth itself.
AUTH_PERSON = PERSON.checked_by(_person)
AUTH_SERVICE = service().checked_by(_service)


def _client() -> str | None:
    """The address a log-in came from, for its limits: what the gateway sends as X-Real-IP (its
    own view of the client, replacing whatever the client wrote), else the connection's peer
    (a call straight to the service, as in the tests)."""
    return request.headers.get("X-Real-IP") or request.remote_addr


LIMITED = "too many log-in attempts (by this number, user ID, card or client): wait Retry-After seconds"


@blp.after_request
def _not_cached(response):
    # Tokens, codes and session ids must not linger in a browser or proxy cache.
    response.headers.setdefault("Cache-Control", "no-store")
    return response


@blp.route("/asan/sessions")
class AsanSessions(MethodView):
    @requires(PUBLIC)
    @blp.arguments(s.AsanStartIn)
    @blp.response(201, s.AsanStartOut)
    @blp.alt_response(429, description=LIMITED)
    def post(self, body):
        """Start an Asan İmza log-in: the same verification code appears on the person's phone."""
        return current_service().start_asan_login(body["phone"], body["user_id"], _client())


@blp.route("/asan/sessions/<session_id>")
class AsanSession(MethodView):
    @requires(PUBLIC)
    @blp.response(200, s.AsanPollOut)
    def get(self, session_id):
        """State of a log-in; the first poll after confirmation collects the token (once)."""
        return current_service().poll_asan_login(session_id)


@blp.route("/card/challenge")
class CardChallenge(MethodView):
    @requires(PUBLIC)
    @blp.response(200, s.ChallengeOut)
    @blp.alt_response(429, description=LIMITED)
    def get(self):
        """A single-use nonce for the e-signature card to sign."""
        return current_service().card_challenge(_client())


@blp.route("/card/sessions")
class CardSessions(MethodView):
    @requires(PUBLIC)
    @blp.arguments(s.CardLoginIn)
    @blp.response(200, s.TokenOut)
    @blp.alt_response(401, description="the nonce, the certificate or the signature is not accepted")
    @blp.alt_response(429, description=LIMITED)
    def post(self, body):
        """Log in with the card's certificate and its signature over the nonce."""
        return current_service().card_login(body["certificate"], body["nonce"], body["signature"], _client())


@blp.route("/me")
class Me(MethodView):
    @requires(AUTH_PERSON)
    @blp.response(200, s.MeOut)
    def get(self):
        """The logged-in person, the companies they may act for, and whom they act for now."""
        return current_service().me(caller())


@blp.route("/role")
class Role(MethodView):
    @requires(AUTH_PERSON)
    @blp.arguments(s.RoleIn)
    @blp.response(200, s.TokenOut)
    def post(self, body):
        """Act for a company (head or authorised representative) or, with null, as oneself."""
        return current_service().switch_role(caller(), body["voen"])


@blp.route("/refresh")
class Refresh(MethodView):
    @requires(PUBLIC)
    @blp.arguments(s.RefreshIn)
    @blp.response(200, s.TokenOut)
    @blp.alt_response(401, description="the refresh token is unknown, used already or its session has ended")
    def post(self, body):
        """A new access token for the same session while it lasts; the refresh token is replaced."""
        return current_service().refresh(body["refresh_token"])


@blp.route("/logout")
class Logout(MethodView):
    @requires(AUTH_PERSON)
    @blp.response(204)
    def post(self):
        """End the session: its tokens stop working here at once and in every service moments later."""
        current_service().logout(caller())


@blp.route("/revoked-sessions")
class RevokedSessions(MethodView):
    @requires(AUTH_SERVICE)
    @blp.response(200, s.RevokedSessionsOut)
    def get(self):
        """Logged-out sessions whose tokens have not expired yet (the suite's services load them at
        start, with their service token; nobody else needs to know who logged out when)."""
        return current_service().revoked_sessions()


@blp.route("/jwks.json")
class Jwks(MethodView):
    @requires(PUBLIC)
    @blp.response(200, s.JwksOut)
    def get(self):
        """Public keys that verify the tokens (current and previous)."""
        return current_service().jwks(), 200, {"Cache-Control": "public, max-age=60"}


@blp.route("/ca.pem")
class CaCertificate(MethodView):
    @requires(PUBLIC)
    @blp.doc(responses={"200": {"description": "PEM certificates of the trusted CAs (AUTH_TRUSTED_CA_FILE)",
                                "content": {"application/x-pem-file": {}}}})
    def get(self):
        """The certification authorities whose certificates log in and sign here, to verify the
        signatures made through auth."""
        return Response(current_service().ca_certificate(), mimetype="application/x-pem-file")


@blp.route("/service-tokens")
class ServiceTokens(MethodView):
    @requires(PUBLIC)
    @blp.arguments(s.ServiceTokenIn)
    @blp.response(200, s.ServiceTokenOut)
    @blp.alt_response(401, description="unknown client or wrong secret")
    def post(self, body):
        """A token for one service to call another (audience svc:<service>)."""
        return current_service().service_token(body["client_id"], body["client_secret"], body["audience"])


@blp.route("/signatures")
class Signatures(MethodView):
    @requires(AUTH_SERVICE)
    @blp.arguments(s.SigningIn)
    @blp.response(201, s.SigningStartOut)
    def post(self, body):
        """Services only: ask a person to sign digests, with Asan İmza (confirmed with PIN2) or with
        the e-signature card (`method: card`, the card's certificate: the answer holds the first
        hash for the card to sign). A card certificate that is not trusted, valid and meant for
        signing is a 422 naming `certificate`; another person's, a 403."""
        if body["method"] == "card":
            return current_service().start_card_signing(caller().service, body["fin"], body["certificate"],
                                                        body["text"], body["digests"])
        return current_service().start_signing(caller().service, body["fin"], body["text"], body["digests"])


@blp.route("/signatures/<signing_id>")
class Signature(MethodView):
    @requires(AUTH_SERVICE)
    @blp.response(200, s.SigningOut)
    def get(self, signing_id):
        """Services only, the one that asked: state and, once confirmed, the CMS signatures."""
        return current_service().signing(caller().service, signing_id)


@blp.route("/signatures/<signing_id>/card-response")
class CardResponse(MethodView):
    @requires(AUTH_SERVICE)
    @blp.arguments(s.CardResponseIn)
    @blp.response(200, s.SigningOut)
    @blp.alt_response(409, description="the signing awaits no card signature (made with Asan İmza, or over)")
    def post(self, body, signing_id):
        """Services only, the one that asked: the card's signature over the hash handed out. One
        that does not verify ends the signing (rejected, signature_invalid); otherwise the next
        hash, or the signing confirmed with its CMS signatures."""
        return current_service().card_response(caller().service, signing_id, body["signature"])
