"""Signing documents through the auth service (`/api/auth/signatures`, with the calling service's
token), with the person's Asan İmza — they compare the code and confirm on the phone with PIN2 —
or with their e-signature card; either way auth hands back detached CMS signatures over the
digests it was given. Anything but a clear answer from auth is ServiceError(503).

    signing = SigningClient(kit.client)
    started = signing.start(fin=caller.fin, text="...", digests=[
        {"name": "report", "digest": digest_b64(content)},
        {"name": "pdf", "digest": b64(prepared.digest), "pades": True}])
    ...
    answer = signing.status(started["signing_id"])      # pending | confirmed | rejected | expired
    if answer["state"] == CONFIRMED:
        cms = cms_of(answer, "report")
        signer = signing.verify(cms, content, now=now)  # chains to auth's CA, names the FİN

With the card, the person's client signs one hash after another (`{digest, digest_algorithm,
step: "1/2"}`), each sent back through the service; the last confirms the signing:

    started = signing.start_card(fin=caller.fin, certificate=pem, text="...", digests=[...])
    # -> {signing_id, method: card, state: pending, digest, digest_algorithm: sha256, step: 1/2, steps: 2}
    answer = signing.card_response(started["signing_id"], signature_b64)   # the next hash, or confirmed
    state = outcome(answer)   # as status(): invalid when the card's signature did not verify

The states a document's signature goes through (api.md, "Signing"): auth's four, and three a
service ends it with itself: `refused` (the signer may no longer sign it), `cancelled` (the
document changed after signing started), `invalid` (what came back did not verify).

`SignatureIn` and `CardResponseIn` are what every service's signature routes take, and
`CardStepOut` what their answers carry while a card signature is awaited."""
from __future__ import annotations

import base64
import hashlib
import logging
from datetime import datetime

import binascii

import requests
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from . import i18n, pki
from .errors import ServiceError, unavailable

log = logging.getLogger("egov.signing")

PENDING, CONFIRMED, REJECTED, EXPIRED = "pending", "confirmed", "rejected", "expired"
REFUSED, CANCELLED, INVALID = "refused", "cancelled", "invalid"
STATES = (PENDING, CONFIRMED, REJECTED, EXPIRED, REFUSED, CANCELLED, INVALID)
ASAN, CARD = "asan", "card"
METHODS = (ASAN, CARD)
# Why auth rejected a signing whose signature came back but did not hold up.
SIGNATURE_INVALID = "signature_invalid"
CERTIFICATE_MAX = 16384  # characters of one PEM certificate (a card's is under 2 000)

i18n.register({
    "signing_start_refused": ("İmzalama başladıla bilmədi.", "Signing could not be started."),
    "signing_invalid": ("İmza yoxlamadan keçmədi.", "The signature did not verify."),
    # The e-signature card's certificate (log-in and signing) and its answers.
    "certificate_malformed": ("Sertifikat oxuna bilmir və ya şəxsi müəyyən etmir.",
                              "The certificate cannot be read or does not identify a person."),
    "certificate_expired": ("Sertifikatın etibarlılıq müddəti bitib və ya hələ başlamayıb.",
                            "The certificate has expired or is not yet valid."),
    "certificate_untrusted": ("Sertifikat etibarlı sertifikatlaşdırma mərkəzi tərəfindən verilməyib.",
                              "The certificate was not issued by a trusted certification authority."),
    "certificate_not_for_signing": ("Bu sertifikat sənədləri imzalamaq üçün nəzərdə tutulmayıb.",
                                    "This certificate is not meant for signing documents."),
    "certificate_of_another_person": ("Sertifikat imzalayan şəxsə deyil, başqa şəxsə məxsusdur.",
                                      "The certificate belongs to another person, not to the signer."),
    "certificate_refused": ("Kartın sertifikatı qəbul edilmədi.", "The card's certificate was refused."),
    "certificate_required": ("Elektron imza kartı ilə imzalamaq üçün kartın sertifikatı (PEM) göndərilməlidir.",
                             "Signing with the e-signature card needs the card's certificate (PEM)."),
    "certificate_only_with_card": ("Sertifikat yalnız kartla imzalamada (method: card) göndərilir.",
                                   "A certificate is sent only when signing with the card (method: card)."),
    "no_card_signature_awaited": ("Bu imzalama kartın imzasını gözləmir (bitib və ya Asan İmza ilədir).",
                                  "This signing awaits no card signature (it is over, or made with Asan İmza)."),
    "invalid_base64": ("Base64 formatında olmalıdır.", "Must be base64."),
})
# Refusals of a card's certificate auth names, passed on to the service's caller as they are.
_CERTIFICATE_REFUSALS = ("certificate_malformed", "certificate_expired", "certificate_untrusted",
                         "certificate_not_for_signing", "certificate_of_another_person")


def digest_b64(data: bytes) -> str:
    """SHA-256 of `data`, base64: how auth takes a digest to sign."""
    return base64.b64encode(hashlib.sha256(data).digest()).decode("ascii")


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def cms_of(answer: dict, name: str) -> bytes:
    """The CMS signature named `name` in a confirmed answer; KeyError/ValueError when it is not
    there or not base64 (what came back is then invalid)."""
    by_name = {s.get("name"): s for s in answer.get("signatures") or [] if isinstance(s, dict)}
    return base64.b64decode(by_name[name]["cms"], validate=True)


def signed_with(method: str | None) -> str:
    """How a signed document says it was signed, in Azerbaijani: "Məlumat {signed_with(m)}
    imzalanmışdır." — with Asan İmza, or with the e-signature card."""
    return "elektron imza kartı ilə" if method == CARD else "\"Asan İmza\" vasitəsilə elektron"


def outcome(answer: dict) -> str | None:
    """The state of a signing as a document's signature takes it from auth's answer: auth's own,
    but `invalid` for one it rejected because the signature that came back did not hold up."""
    state = answer.get("state")
    if state == REJECTED and answer.get("reason") == SIGNATURE_INVALID:
        return INVALID
    return state


def card_step(answer: dict) -> dict:
    """What the card is to sign now, from auth's answer (empty unless a card signature is awaited)."""
    if answer.get("method") != CARD or answer.get("state") != PENDING or not answer.get("digest"):
        return {}
    return {key: answer.get(key) for key in ("digest", "digest_algorithm", "step", "steps")}


def awaiting(attempt: dict) -> dict:
    """What a pending signature of a document (as a service keeps it: its method, and the code or
    the card's step) waits for: the code the phone shows, or the hash the card is to sign."""
    if attempt.get("method") == CARD:
        return {key: attempt.get(key) for key in ("digest", "digest_algorithm", "step", "steps")}
    return {"verification_code": attempt.get("verification_code")}


def _json(response: requests.Response) -> dict:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


class SigningClient:
    def __init__(self, client):
        """`client`: the service's egov_kit.http.ServiceClient."""
        self.client = client
        self._ca_pem: str | None = None

    def _call(self, method: str, path: str, **kwargs) -> requests.Response:
        try:
            return self.client.request("auth", method, path, **kwargs)
        except requests.RequestException as exc:
            log.warning("auth unreachable: %s", type(exc).__name__)
            raise unavailable() from None

    def start(self, *, fin: str, text: str, digests: list[dict]) -> dict:
        """Ask the person to sign `digests` ([{name, digest (base64 SHA-256), pades}]):
        {signing_id, verification_code, expires_at}. A request auth refuses (no Asan İmza for
        this FİN, a request already waiting, ...) is the caller's ServiceError(409 or 422,
        signing_start_refused) with auth's own words as its detail."""
        response = self._call("POST", "/api/auth/signatures", json={"fin": fin, "text": text, "digests": digests})
        if response.status_code in (200, 201):
            return _json(response)
        if 400 <= response.status_code < 500 and response.status_code not in (401, 403):
            raise ServiceError(409 if response.status_code == 409 else 422, "signing_start_refused",
                               detail=_json(response).get("detail"))
        log.warning("auth signatures answered %s", response.status_code)
        raise unavailable()

    def start_card(self, *, fin: str, certificate: str, text: str, digests: list[dict]) -> dict:
        """Have the person sign `digests` with their e-signature card, whose certificate (PEM) is
        `certificate`: {signing_id, method: card, state: pending, expires_at, digest,
        digest_algorithm, step, steps} — the first hash for the card to sign. A certificate auth
        refuses is the caller's 422 (403 for another person's) naming `certificate`."""
        response = self._call("POST", "/api/auth/signatures", json={
            "method": CARD, "fin": fin, "certificate": certificate, "text": text, "digests": digests})
        if response.status_code in (200, 201):
            return _json(response)
        problem = _json(response)
        if response.status_code in (403, 422) and "certificate" in (problem.get("errors") or {}):
            code = problem.get("code") if problem.get("code") in _CERTIFICATE_REFUSALS else "certificate_refused"
            raise ServiceError(response.status_code, code, {"certificate": [code]})
        if 400 <= response.status_code < 500 and response.status_code not in (401, 403):
            raise ServiceError(409 if response.status_code == 409 else 422, "signing_start_refused",
                               detail=problem.get("detail"))
        log.warning("auth signatures answered %s", response.status_code)
        raise unavailable()

    def card_response(self, signing_id: str, signature: str) -> dict:
        """The card's signature (base64) over the hash handed out last: auth's answer, as status()
        gives it — the next hash while pending, the signatures once confirmed, rejected with
        reason signature_invalid when it did not verify. 409 no_card_signature_awaited when auth
        awaits none for it (over, or an Asan İmza signing)."""
        response = self._call("POST", f"/api/auth/signatures/{signing_id}/card-response",
                              json={"signature": signature})
        if response.status_code == 200:
            return _json(response)
        if response.status_code == 404:
            return {"state": EXPIRED}  # auth no longer knows it (cleaned up after expiry)
        if response.status_code == 409:
            raise ServiceError(409, "no_card_signature_awaited")
        if response.status_code == 422:
            raise ServiceError(422, "invalid", {"signature": ["invalid_base64"]})
        log.warning("auth card response answered %s", response.status_code)
        raise unavailable()

    def status(self, signing_id: str) -> dict:
        """{state: pending|confirmed|rejected|expired} and, once confirmed, the signatures."""
        response = self._call("GET", f"/api/auth/signatures/{signing_id}")
        if response.status_code == 404:
            # Auth no longer knows it (cleaned up after expiry): it can never be confirmed now.
            return {"state": EXPIRED}
        if response.status_code != 200:
            log.warning("auth signature status answered %s", response.status_code)
            raise unavailable()
        return _json(response)

    def ca_pem(self, refresh: bool = False) -> str:
        """The CA the signers' certificates chain to (fetched once per process)."""
        if self._ca_pem is None or refresh:
            response = self._call("GET", "/api/auth/ca.pem")
            if response.status_code != 200 or "BEGIN CERTIFICATE" not in response.text:
                log.warning("auth CA certificate answered %s", response.status_code)
                raise unavailable()
            self._ca_pem = response.text
        return self._ca_pem

    def verify(self, cms: bytes, content: bytes, *, now: datetime) -> pki.SignerInfo:
        """The detached CMS over `content`, checked against auth's CA: who signed (FİN). Raises
        pki.SignatureInvalid."""
        try:
            return pki.verify_detached_cms(cms, content, [self.ca_pem()], now=now)
        except pki.SignatureInvalid:
            # The test CA may have been re-created since it was fetched: look once more.
            return pki.verify_detached_cms(cms, content, [self.ca_pem(refresh=True)], now=now)


# --- what every service's signature routes take and answer --------------------------------------

class SignatureIn(Schema):
    """`POST <document>/signature`: `{}` or `{method: "asan"}` signs with Asan İmza; `{method:
    "card", certificate: PEM}` with the e-signature card."""
    method = fields.String(load_default=ASAN, validate=validate.OneOf(METHODS), metadata={
        "description": "asan: Asan İmza, confirmed on the phone with PIN2; card: the e-signature card "
                       "(`certificate`), each hash it is handed signed and sent to card-response"})
    certificate = fields.String(validate=validate.Length(min=1, max=CERTIFICATE_MAX), metadata={
        "description": "with method card: the card's signing certificate (PEM), issued by a trusted "
                       "certification centre to the person signing"})

    @validates_schema
    def _certificate_with_card(self, data, **kwargs):
        if data.get("method") == CARD and not data.get("certificate"):
            raise ValidationError("certificate_required", field_name="certificate")
        if data.get("method") != CARD and data.get("certificate"):
            raise ValidationError("certificate_only_with_card", field_name="certificate")


class Base64Signature(fields.String):
    """A signature as base64 text; loads as the same text once it decodes to bytes."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            if not base64.b64decode(text.strip(), validate=True):
                raise ValueError("empty")
        except (binascii.Error, ValueError):
            raise ValidationError("invalid_base64") from None
        return text.strip()


class CardResponseIn(Schema):
    """`POST <document>/signature/card-response`."""
    signature = Base64Signature(required=True, validate=validate.Length(min=1, max=2048), metadata={
        "description": "base64 of the card's signature over `digest` as it is (not hashed again): RSA "
                       "PKCS#1 v1.5 over the SHA-256 DigestInfo, or ECDSA"})


class CardStepOut(Schema):
    """What a signature's answers carry while a card signature is awaited (a service's schemas of
    those answers derive from it)."""
    method = fields.String(metadata={"enum": list(METHODS)})
    digest = fields.String(metadata={
        "description": "card: base64 of the SHA-256 hash to sign now, as it is (not hashed again)"})
    digest_algorithm = fields.String(metadata={"enum": ["sha256"]})
    step = fields.String(metadata={"description": "card: which signature this is, of how many (1/2)",
                                    "example": "1/2"})
    steps = fields.Integer(metadata={"description": "card: how many signatures in all"})
