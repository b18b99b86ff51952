"""Request and response bodies of the auth service (OpenAPI from these)."""
from __future__ import annotations

import base64
import binascii

from marshmallow import Schema, ValidationError, fields, validate

from egov_kit.config import SERVICES
from egov_kit.signing import CardResponseIn, SignatureIn  # noqa: F401  (CardResponseIn: the routes')
from egov_kit.validators import AsanUserId, Fin, Mobile, Voen


class Sha256Digest(fields.String):
    """Base64 of a SHA-256 value; loads as the 32 raw bytes."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str):
            raise ValidationError("invalid_digest")
        try:
            raw = base64.b64decode(value.strip(), validate=True)
        except (binascii.Error, ValueError):
            raise ValidationError("invalid_digest") from None
        if len(raw) != 32:
            raise ValidationError("invalid_digest")
        return raw


# --- log-in ------------------------------------------------------------------------------

class AsanStartIn(Schema):
    phone = Mobile(required=True, metadata={"example": "+994501112233"})
    user_id = AsanUserId(required=True, metadata={"example": "482913"})


class AsanStartOut(Schema):
    session_id = fields.String(metadata={"description": "keep it secret: it collects the token"})
    verification_code = fields.String(metadata={"description": "4 digits; the phone shows the same"})
    expires_at = fields.DateTime()


class TokenOut(Schema):
    access_token = fields.String()
    token_type = fields.String()
    expires_in = fields.Integer(metadata={"description": "seconds"})
    refresh_token = fields.String(metadata={"description": "for POST /api/auth/refresh; replaced on each use"})
    session_expires_at = fields.DateTime(metadata={"description": "the session ends then, refresh or not"})
    acting_for = fields.String(allow_none=True)
    company_role = fields.String(allow_none=True)


REASONS = ["not_asan_client", "user_cancelled", "signature_invalid", "provider_error", "timeout"]


class AsanPollOut(TokenOut):
    state = fields.String(metadata={"enum": ["pending", "confirmed", "rejected", "expired"]})
    reason = fields.String(metadata={"enum": REASONS, "description": "why it was rejected or expired"})
    expires_at = fields.DateTime()


class ChallengeOut(Schema):
    nonce = fields.String(metadata={"description": "base64; the card signs the decoded bytes (SHA-256)"})
    expires_at = fields.DateTime()


class CardLoginIn(Schema):
    certificate = fields.String(required=True, metadata={"description": "PEM"})
    nonce = fields.String(required=True)
    signature = fields.String(required=True, metadata={"description": "base64"})


class RefreshIn(Schema):
    refresh_token = fields.String(required=True)


class RoleIn(Schema):
    voen = Voen(required=True, allow_none=True, metadata={"description": "null: act as oneself"})


class CompanyOut(Schema):
    voen = fields.String()
    name = fields.String(allow_none=True)
    role = fields.String(metadata={"enum": ["head", "authorised"]})


class MeOut(Schema):
    fin = fields.String()
    name = fields.String(allow_none=True)
    surname = fields.String(allow_none=True)
    patronymic = fields.String(allow_none=True)
    companies = fields.List(fields.Nested(CompanyOut))
    acting_for = fields.String(allow_none=True)
    company_role = fields.String(allow_none=True)
    roles = fields.List(fields.String())


class JwksOut(Schema):
    keys = fields.List(fields.Dict())


class RevokedSessionOut(Schema):
    session_id = fields.String()
    until = fields.Integer(metadata={"description": "epoch seconds; its tokens are dead by then anyway"})


class RevokedSessionsOut(Schema):
    sessions = fields.List(fields.Nested(RevokedSessionOut))


# --- service tokens ----------------------------------------------------------------------

class ServiceTokenIn(Schema):
    client_id = fields.String(required=True)
    client_secret = fields.String(required=True, load_only=True)
    audience = fields.String(required=True, validate=validate.OneOf(SERVICES))


class ServiceTokenOut(Schema):
    access_token = fields.String()
    token_type = fields.String()
    expires_in = fields.Integer()


# --- signing -----------------------------------------------------------------------------

class DigestIn(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    digest = Sha256Digest(required=True, metadata={"description": "base64 SHA-256 of the content"})
    pades = fields.Boolean(load_default=False, metadata={"description": "a PDF's /ByteRange digest"})


class SigningIn(SignatureIn):
    """The method and, for the card, its certificate (as every signing service takes them), and
    what is to be signed by whom."""
    fin = Fin(required=True)
    text = fields.String(required=True, validate=validate.Length(min=1, max=1000),
                         metadata={"description": "shown on the signer's phone"})
    digests = fields.List(fields.Nested(DigestIn), required=True, validate=validate.Length(min=1, max=20))


STEP = {"description": "which of the signing's signatures the card is to make now, e.g. 1/2", "example": "1/2"}
CARD_DIGEST = {"description": "base64 of the SHA-256 hash the card signs as it is (not hashed again): that of "
                              "the signed attributes of one CMS signature"}


class SigningStartOut(Schema):
    signing_id = fields.String()
    method = fields.String(metadata={"enum": ["asan", "card"]})
    state = fields.String(metadata={"enum": ["pending"]})
    verification_code = fields.String(metadata={"description": "asan: 4 digits; the phone shows the same"})
    expires_at = fields.DateTime()
    digest = fields.String(metadata=CARD_DIGEST)
    digest_algorithm = fields.String(metadata={"enum": ["sha256"]})
    step = fields.String(metadata=STEP)
    steps = fields.Integer(metadata={"description": "how many signatures the card makes in all"})


class SignerOut(Schema):
    fin = fields.String()
    name = fields.String()
    surname = fields.String()
    certificate = fields.String(metadata={"description": "PEM"})


class SignatureOut(Schema):
    name = fields.String()
    cms = fields.String(metadata={"description": "base64 DER, detached CMS SignedData"})


class SigningOut(Schema):
    signing_id = fields.String()
    method = fields.String(metadata={"enum": ["asan", "card"]})
    state = fields.String(metadata={"enum": ["pending", "confirmed", "rejected", "expired"]})
    reason = fields.String(metadata={"enum": REASONS, "description": "why it was rejected or expired"})
    verification_code = fields.String(metadata={"description": "asan: the code of the signature the phone shows now"})
    digest = fields.String(metadata={**CARD_DIGEST, "description": f"card, while pending: {CARD_DIGEST['description']}"})
    digest_algorithm = fields.String(metadata={"enum": ["sha256"]})
    step = fields.String(metadata=STEP)
    steps = fields.Integer()
    expires_at = fields.DateTime()
    signed_at = fields.DateTime()
    signer = fields.Nested(SignerOut)
    signatures = fields.List(fields.Nested(SignatureOut))
    ca_certificate = fields.String(metadata={"description": "PEM of the CA that issued the signer's certificate"})
