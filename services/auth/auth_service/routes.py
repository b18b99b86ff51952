"""HTTP routes of /api/auth: translate requests and answers, nothing more (flows.py does the work)."""
from __future__ import annotations

from flask import Response, current_app
from flask.views import MethodView
from flask_smorest import Blueprint

from egov_kit.auth import Principal, bearer_token

from .domain import AuthError
from .flows import AuthFlows
from . import schemas as s

blp = Blueprint("auth", __name__, url_prefix="/api/auth",
                description="Log-in (Asan İmza, e-signature card), company roles, tokens, signing")
BEARER = [{"bearer": []}]


def flows() -> AuthFlows:
    return current_app.extensions["auth"]


def person() -> Principal:
    return flows().authenticate(bearer_token())


def calling_service() -> str:
    principal = flows().authenticate(bearer_token(), audience="svc:auth")
    if principal.kind != "service" or not principal.service:
        raise AuthError(403)
    return principal.service



@blp.after_request
def _not_cached(response):
    # Tokens, codes and session ids must not linger in a browser or proxy cache.
    response.headers.setdefault("Cache-Control", "no-store")
    return response

@blp.route("/asan/sessions")
class AsanSessions(MethodView):
    @blp.arguments(s.AsanStartIn)
    @blp.response(201, s.AsanStartOut)
    def post(self, body):
        """Start an Asan İmza log-in: the same verification code appears on the person's phone."""
        return flows().start_asan_login(body["phone"], body["user_id"])


@blp.route("/asan/sessions/<session_id>")
class AsanSession(MethodView):
    @blp.response(200, s.AsanPollOut)
    def get(self, session_id):
        """State of a log-in; the first poll after confirmation collects the token (once)."""
        return flows().poll_asan_login(session_id)


@blp.route("/card/challenge")
class CardChallenge(MethodView):
    @blp.response(200, s.ChallengeOut)
    def get(self):
        """A single-use nonce for the e-signature card to sign."""
        return flows().card_challenge()


@blp.route("/card/sessions")
class CardSessions(MethodView):
    @blp.arguments(s.CardLoginIn)
    @blp.response(200, s.TokenOut)
    def post(self, body):
        """Log in with the card's certificate and its signature over the nonce."""
        return flows().card_login(body["certificate"], body["nonce"], body["signature"])


@blp.route("/me")
class Me(MethodView):
    @blp.response(200, s.MeOut)
    @blp.doc(security=BEARER)
    def get(self):
        """The logged-in person, the companies they may act for, and whom they act for now."""
        return flows().me(person())


@blp.route("/role")
class Role(MethodView):
    @blp.arguments(s.RoleIn)
    @blp.response(200, s.TokenOut)
    @blp.doc(security=BEARER)
    def post(self, body):
        """Act for a company (head or authorised representative) or, with null, as oneself."""
        return flows().switch_role(person(), body["voen"])


@blp.route("/refresh")
class Refresh(MethodView):
    @blp.arguments(s.RefreshIn)
    @blp.response(200, s.TokenOut)
    def post(self, body):
        """A new access token for the same session while it lasts; the refresh token is replaced."""
        return flows().refresh(body["refresh_token"])


@blp.route("/logout")
class Logout(MethodView):
    @blp.response(204)
    @blp.doc(security=BEARER)
    def post(self):
        """End the session: its tokens stop working here at once and in every service moments later."""
        flows().logout(person())


@blp.route("/revoked-sessions")
class RevokedSessions(MethodView):
    @blp.response(200, s.RevokedSessionsOut)
    def get(self):
        """Logged-out sessions whose tokens have not expired yet (services load them at start)."""
        return flows().revoked_sessions()


@blp.route("/jwks.json")
class Jwks(MethodView):
    @blp.response(200, s.JwksOut)
    def get(self):
        """Public keys that verify the tokens (current and previous)."""
        return flows().keys.jwks(), 200, {"Cache-Control": "public, max-age=60"}


@blp.route("/ca.pem")
class CaCertificate(MethodView):
    @blp.doc(responses={"200": {"description": "PEM certificate of the test CA",
                                "content": {"application/x-pem-file": {}}}})
    def get(self):
        """The test certification authority's certificate, to verify signatures made here."""
        return Response(flows().pki.ca_certificate(), mimetype="application/x-pem-file")


@blp.route("/service-tokens")
class ServiceTokens(MethodView):
    @blp.arguments(s.ServiceTokenIn)
    @blp.response(200, s.ServiceTokenOut)
    def post(self, body):
        """A token for one service to call another (audience svc:<service>)."""
        return flows().service_token(body["client_id"], body["client_secret"], body["audience"])


@blp.route("/signatures")
class Signatures(MethodView):
    @blp.arguments(s.SigningIn)
    @blp.response(201, s.SigningStartOut)
    @blp.doc(security=BEARER)
    def post(self, body):
        """Services only: ask a person to sign digests with Asan İmza (confirmed with PIN2)."""
        return flows().start_signing(calling_service(), body["fin"], body["text"], body["digests"])


@blp.route("/signatures/<signing_id>")
class Signature(MethodView):
    @blp.response(200, s.SigningOut)
    @blp.doc(security=BEARER)
    def get(self, signing_id):
        """Services only, the one that asked: state and, once confirmed, the CMS signatures."""
        return flows().signing(calling_service(), signing_id)
