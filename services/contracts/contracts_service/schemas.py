"""Request and response bodies (marshmallow, documented in the OpenAPI of /api/contracts)."""
from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate

from egov_kit import signing
from egov_kit.authority import SCOPES
from egov_kit.errors import ServiceError
from egov_kit.paging import PageQuery, page_schema
from egov_kit.validators import Fin, Voen

from . import domain


# Field errors are raised as message codes (messages.py); the kit translates them.

class Text(fields.String):
    """Trimmed text that may not be blank."""

    def __init__(self, *, max_length: int = 200, **kwargs):
        super().__init__(validate=validate.Length(max=max_length), **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        value = super()._deserialize(value, attr, data, **kwargs)
        value = " ".join(value.split())
        if not value:
            raise ValidationError("invalid_text")
        return value


class Salary(fields.Field):
    """Monthly salary in manat, as a decimal string or a number → integer qəpik."""

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            return domain.parse_salary(value)
        except ValueError as exc:
            raise ValidationError(str(exc)) from None

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else domain.format_salary(value)


# --- requests -----------------------------------------------------------------------------

class Scopes(fields.List):
    """The company functions an authority covers: a non-empty subset of SCOPES, answered in their
    order; any fault is one field error on the list."""

    def __init__(self, **kwargs):
        super().__init__(fields.String(validate=validate.OneOf(SCOPES)), **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, list):
            raise ValidationError("invalid_list")
        if not all(isinstance(item, str) for item in value):
            raise ValidationError("scope_unknown")
        try:
            return list(domain.normalise_scopes(value))
        except ServiceError as exc:
            raise ValidationError(exc.errors["scopes"][0]) from None


class AuthorityIn(Schema):
    fin = Fin(required=True, metadata={"description": "FİN of the authorised person (the head names himself first)"})
    valid_until = fields.Date(required=True, allow_none=True,
                              metadata={"description": "last day of a fixed-term power of attorney; null = indefinite"})
    scopes = Scopes(load_default=None, metadata={
        "description": "what the authority covers: contracts (these notices), accidents, insurers, "
                       "notifications (the notifier's webhooks and inbox); omitted = all four",
        "minItems": 1})


class AuthorityCheckQuery(Schema):
    voen = Voen(required=True)
    fin = Fin(required=True)


class AuthorityCheckOut(Schema):
    voen = fields.String(required=True)
    fin = fields.String(required=True)
    head = fields.Boolean(required=True, metadata={"description": "the head of the company in the tax registry, now"})
    scopes = fields.List(fields.String(validate=validate.OneOf(SCOPES)), required=True,
                         metadata={"description": "what the authority in force covers (empty: none in force)"})
    authority_id = fields.String(required=True, allow_none=True,
                                 metadata={"description": "the authority in force (null: none)"})
    valid_until = fields.String(required=True, allow_none=True,
                                metadata={"description": "its last day (null: indefinite, or none in force)"})


class NoticeIn(Schema):
    employee_fin = Fin(required=True)
    position = Text(required=True, max_length=200)
    occupation_code = Text(required=True, max_length=20,
                           metadata={"description": "code in the occupations directory of the registry"})
    workplace = Text(required=True, max_length=300, metadata={"description": "workplace / structural unit"})
    contract_number = Text(required=True, max_length=50)
    contract_date = fields.Date(required=True)
    start_date = fields.Date(required=True)
    contract_type = fields.String(required=True, validate=validate.OneOf(domain.CONTRACT_TYPES))
    end_date = fields.Date(allow_none=True, load_default=None,
                           metadata={"description": "required for fixed_term (after start_date); null for indefinite"})
    salary = Salary(required=True, metadata={"description": "monthly, AZN: \"1250.00\" or a number; at most 2 decimals"})
    working_time = fields.String(required=True, validate=validate.OneOf(domain.WORKING_TIMES))


class NoticePatch(NoticeIn):
    """Any subset of the notice's fields (only while it is unsigned)."""

    end_date = fields.Date(allow_none=True)


class NoticeQuery(PageQuery):
    # An empty value (a cleared filter in a form) means any status.
    status = fields.String(validate=validate.OneOf((*domain.STATUSES, "")))
    q = fields.String(validate=validate.Length(max=100),
                      metadata={"description": "employee name or FİN, contract number, position or its "
                                               "classifier name, workplace, employer name or VÖEN"})


class TerminationIn(Schema):
    date = fields.Date(required=True, metadata={"description": "termination date (not before the start date)"})
    ground = Text(required=True, max_length=20,
                  metadata={"description": "code in the termination-grounds directory, e.g. 69 or 68.2.ç"})


# --- responses ----------------------------------------------------------------------------

def Instant(**kwargs) -> fields.String:
    """An instant as stored: ISO 8601 in UTC with its zone ("2026-11-23T19:00:00.000000+00:00")."""
    return fields.String(metadata={"format": "date-time"}, **kwargs)


class PersonRef(Schema):
    fin = fields.String()
    name = fields.String()


class SignerRef(PersonRef):
    method = fields.String(metadata={"enum": list(signing.METHODS), "description": "signed with Asan İmza or the card"})


class AuthorityOut(Schema):
    id = fields.String()
    voen = fields.String()
    fin = fields.String()
    surname = fields.String()
    name = fields.String()
    patronymic = fields.String()
    full_name = fields.String()
    valid_until = fields.String(allow_none=True)
    scopes = fields.List(fields.String(validate=validate.OneOf(SCOPES)))
    kind = fields.String(metadata={"description": "fixed_term | indefinite"})
    status = fields.String(metadata={"description": "active | expired | withdrawn"})
    granted_at = Instant()
    granted_by = fields.Nested(PersonRef)
    withdrawn_at = Instant(allow_none=True)


AuthorityPage = page_schema(AuthorityOut)


class IdDocument(Schema):
    series = fields.String()
    number = fields.String()


class EmployeeOut(Schema):
    fin = fields.String()
    surname = fields.String()
    name = fields.String()
    patronymic = fields.String()
    full_name = fields.String()
    birth_date = fields.String(allow_none=True)
    id_document = fields.Nested(IdDocument)
    address = fields.String()


class EmployerOut(Schema):
    voen = fields.String()
    name = fields.String()
    legal_address = fields.String()


class SignatureIn(signing.SignatureIn):
    """Asan İmza (`{}`), or the e-signature card with its certificate."""


class SigningOut(signing.CardStepOut):
    state = fields.String(metadata={"description": "pending | confirmed | rejected | expired | refused | cancelled | invalid"})
    signing_id = fields.String()
    verification_code = fields.String(metadata={"description": "asan, while pending: the code the phone shows"})
    expires_at = fields.String(allow_none=True)
    status = fields.String(metadata={"description": "the notice's status"})
    signed_at = Instant(allow_none=True)
    terminated_at = Instant(allow_none=True)
    finished_at = Instant(allow_none=True)  # when the attempt ended
    message = fields.String(allow_none=True,
                            metadata={"description": "what the portal shows about this state (Azerbaijani / English)"})


class TerminationOut(Schema):
    date = fields.String()
    ground = fields.String()
    ground_name = fields.String()
    registered_at = Instant()
    signed_at = Instant(allow_none=True)
    signature = fields.Nested(SigningOut, allow_none=True)


class NoticeOut(Schema):
    id = fields.String()
    status = fields.String(metadata={"description": "unsigned | signed | terminated"})
    status_label = fields.String()
    contract_type_label = fields.String(metadata={"description": "Müddətsiz / Müddətli"})
    working_time_label = fields.String(metadata={"description": "Tam iş vaxtı / Natamam iş vaxtı"})
    employer = fields.Nested(EmployerOut)
    employee = fields.Nested(EmployeeOut)
    employee_fin = fields.String()
    position = fields.String()
    occupation_code = fields.String()
    occupation_name = fields.String()
    workplace = fields.String()
    contract_number = fields.String()
    contract_date = fields.String()
    start_date = fields.String()
    contract_type = fields.String()
    end_date = fields.String(allow_none=True)
    salary = fields.String(metadata={"description": "monthly, AZN, e.g. \"1250.00\""})
    working_time = fields.String()
    created_at = Instant()
    updated_at = Instant()
    created_by = fields.Nested(PersonRef)
    signed_at = Instant(allow_none=True)
    signed_by = fields.Nested(SignerRef, allow_none=True)
    signature = fields.Nested(SigningOut, allow_none=True, metadata={"description": "the latest signing attempt"})
    termination = fields.Nested(TerminationOut, allow_none=True)
    terminated_at = Instant(allow_none=True)
    check_url = fields.String()


NoticePage = page_schema(NoticeOut)


class SigningStarted(signing.CardStepOut):
    signing_id = fields.String()
    verification_code = fields.String(metadata={"description": "asan: the code the phone shows"})
    expires_at = fields.String(allow_none=True)
    state = fields.String()
    message = fields.String(allow_none=True)


class CheckOut(Schema):
    notice_id = fields.String()
    status = fields.String()
    status_label = fields.String()
    signed_at = Instant(allow_none=True)
    terminated_at = Instant(allow_none=True)
    employer_name = fields.String()
