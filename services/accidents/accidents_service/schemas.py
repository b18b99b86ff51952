"""Request and response bodies (marshmallow, documented in the OpenAPI of /api/accidents)."""
from __future__ import annotations

import re

from marshmallow import Schema, ValidationError, fields, validate

from egov_kit import signing
from egov_kit.clock import BAKU
from egov_kit.paging import PageQuery, page_schema
from egov_kit.validators import Fin, Mobile

from . import domain
from .service import SIGNING_METHODS

# Field errors are raised as message codes (messages.py); the kit translates them.


class Text(fields.String):
    """Trimmed text that may not be blank; `multiline` keeps its line breaks."""

    def __init__(self, *, max_length: int = 200, multiline: bool = False, **kwargs):
        super().__init__(validate=validate.Length(max=max_length), **kwargs)
        self.multiline = multiline

    def _deserialize(self, value, attr, data, **kwargs):
        value = super()._deserialize(value, attr, data, **kwargs)
        lines = value.splitlines() if self.multiline else [value]
        value = "\n".join(" ".join(line.split()) for line in lines).strip()
        if not value:
            raise ValidationError("invalid_text")
        return value


class Code(fields.String):
    """A code of a directory (checked against it by the service); null clears an optional one."""

    def __init__(self, **kwargs):
        super().__init__(validate=validate.Length(min=1, max=20), **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        return super()._deserialize(value, attr, data, **kwargs).strip()


class BakuDateTime(fields.DateTime):
    """An instant, ISO 8601; without a zone it is Baku time (as people type it)."""

    def _deserialize(self, value, attr, data, **kwargs):
        moment = super()._deserialize(value, attr, data, **kwargs)
        return moment.replace(tzinfo=BAKU) if moment.tzinfo is None else moment


_LANDLINE_RE = re.compile(r"^\+?[0-9]{5,15}$")


class Landline(fields.String):
    """A landline number: digits, optionally after "+" (spaces, dashes and brackets are dropped)."""

    def _deserialize(self, value, attr, data, **kwargs):
        value = re.sub(r"[\s\-()]", "", super()._deserialize(value, attr, data, **kwargs))
        if not _LANDLINE_RE.match(value):
            raise ValidationError("invalid_landline")
        return value


def Email(**kwargs) -> fields.Email:
    return fields.Email(validate=validate.Length(max=254), **kwargs)


def DaysLost(**kwargs) -> fields.Integer:
    return fields.Integer(strict=True, validate=validate.Range(min=0, max=3650, error="invalid_days_lost"),
                          metadata={"description": "calendar days of work lost, when known (ESAW)"}, **kwargs)


def esaw(directory: str, **kwargs) -> Code:
    return Code(allow_none=True, metadata={"description": f"code in the registry's `{directory}` directory "
                                                          "(optional; required before signing a fatal accident)"},
                **kwargs)


# --- requests -----------------------------------------------------------------------------

class IncidentIn(Schema):
    occurred_at = BakuDateTime(required=True, metadata={
        "description": "date and time of the accident, ISO 8601 (without a zone: Baku time); not in the future"})
    district_code = Code(required=True, metadata={"description": "code in the registry's `districts` directory"})
    address = Text(required=True, max_length=domain.ADDRESS_MAX)
    description = Text(required=True, max_length=domain.DESCRIPTION_MAX, multiline=True,
                       metadata={"description": "what happened, briefly"})
    deviation = esaw("esaw-deviations")
    contact = esaw("esaw-contact-modes")
    material_agent = esaw("esaw-material-agents")


class IncidentPatch(IncidentIn):
    """Any of the incident's fields."""


class VictimIn(Schema):
    fin = Fin(required=True, metadata={"description": "looked up in the population registry"})
    outcome = fields.String(required=True, validate=validate.OneOf(domain.OUTCOMES),
                            metadata={"description": "injured (Xəsarət alıb) | died (Vəfat edib)"})
    injury = esaw("esaw-injury-types")
    body_part = esaw("esaw-body-parts")
    days_lost = DaysLost(allow_none=True)


class VictimPatch(Schema):
    outcome = fields.String(validate=validate.OneOf(domain.OUTCOMES))
    injury = esaw("esaw-injury-types")
    body_part = esaw("esaw-body-parts")
    days_lost = DaysLost(allow_none=True)


class InformantIn(Schema):
    landline = Landline(allow_none=True, load_default=None, metadata={"description": "optional"})
    mobile = Mobile(required=True)
    email = Email(required=True)


class InformantPatch(Schema):
    landline = Landline(allow_none=True)
    mobile = Mobile()
    email = Email()


class ReportIn(Schema):
    incident = fields.Nested(IncidentIn, required=True)
    victims = fields.List(fields.Nested(VictimIn), load_default=list,
                          metadata={"description": "may also be added one by one (POST /reports/{id}/victims)"})
    informant = fields.Nested(InformantIn, metadata={"description": "the logged-in person's contacts; the "
                                                                    "identity is theirs as their log-in "
                                                                    "established it from the population "
                                                                    "registry"})


class ReportPatch(Schema):
    incident = fields.Nested(IncidentPatch(partial=True))
    victims = fields.List(fields.Nested(VictimIn), metadata={"description": "the whole list, replacing it"})
    informant = fields.Nested(InformantPatch, metadata={"description": "the contacts given; the logged-in "
                                                                       "person becomes the informant"})


class ReportQuery(PageQuery):
    q = fields.String(validate=validate.Length(max=100), metadata={
        "description": "registration number (BH-2026-000123), or a victim's FİN or name (with or without "
                       "Azerbaijani letters; each word the beginning of a name)"})
    # An empty value (a cleared filter in a form) means any status.
    status = fields.String(validate=validate.OneOf((*domain.STATUSES, "")))
    date_from = fields.Date(data_key="from", metadata={"description": "incident on or after this day"})
    date_to = fields.Date(data_key="to", metadata={"description": "incident on or before this day"})
    late = fields.Boolean(metadata={"description": "true: a fatal accident reported (or still unreported) "
                                                   "more than 24 hours after it"})


class SignatureIn(signing.SignatureIn):
    """Asan İmza (`{}`), or the e-signature card with its certificate."""


class StatisticsQuery(Schema):
    year = fields.Integer(strict=False, validate=validate.Range(min=2000, max=2100),
                          metadata={"description": "year of the accidents (default: this year)"})
    district = fields.String(validate=validate.Length(min=1, max=20),
                             metadata={"description": "only this district (code of the `districts` directory)"})
    group_by = fields.String(load_default="month", validate=validate.OneOf(domain.GROUPINGS))


# --- responses ----------------------------------------------------------------------------

def Instant(*, metadata: dict | None = None, **kwargs) -> fields.String:
    """An instant as stored: ISO 8601 in UTC with its zone."""
    return fields.String(metadata={"format": "date-time", **(metadata or {})}, **kwargs)


class PersonRef(Schema):
    fin = fields.String()
    name = fields.String()


class SignerRef(PersonRef):
    method = fields.String(metadata={"enum": list(SIGNING_METHODS), "description": "signed with Asan İmza or the card"})


class ActivityOut(Schema):
    code = fields.String()
    name = fields.String()
    section = fields.String(allow_none=True, metadata={"description": "NACE section"})


class EmployerOut(Schema):
    voen = fields.String()
    name = fields.String()
    legal_address = fields.String()
    activity = fields.Nested(ActivityOut, allow_none=True)


class IncidentOut(Schema):
    occurred_at = Instant()
    date = fields.String(metadata={"description": "the day in Baku, dd.mm.yyyy"})
    time = fields.String(metadata={"description": "the time in Baku, HH:MM"})
    district_code = fields.String()
    district_name = fields.String()
    address = fields.String()
    description = fields.String()
    deviation = fields.String(allow_none=True)
    deviation_name = fields.String(allow_none=True)
    contact = fields.String(allow_none=True)
    contact_name = fields.String(allow_none=True)
    material_agent = fields.String(allow_none=True)
    material_agent_name = fields.String(allow_none=True)


class VictimOut(Schema):
    fin = fields.String()
    surname = fields.String()
    name = fields.String()
    patronymic = fields.String()
    birth_date = fields.String(allow_none=True)
    outcome = fields.String()
    outcome_label = fields.String()
    injury = fields.String(allow_none=True)
    injury_name = fields.String(allow_none=True)
    body_part = fields.String(allow_none=True)
    body_part_name = fields.String(allow_none=True)
    days_lost = fields.Integer(allow_none=True)


class PersonFound(Schema):
    fin = fields.String()
    surname = fields.String()
    name = fields.String()
    patronymic = fields.String()
    birth_date = fields.String(allow_none=True, metadata={"description": "YYYY-MM-DD"})


class InformantOut(Schema):
    fin = fields.String()
    surname = fields.String()
    name = fields.String()
    patronymic = fields.String()
    landline = fields.String(allow_none=True)
    mobile = fields.String(allow_none=True)
    email = fields.String(allow_none=True)


class SigningOut(signing.CardStepOut):
    state = fields.String(metadata={"description": "pending | confirmed | rejected | expired | refused | cancelled | invalid"})
    signing_id = fields.String()
    verification_code = fields.String(metadata={"description": "asan, while pending: the code the phone shows"})
    expires_at = fields.String(allow_none=True)
    status = fields.String(metadata={"description": "the report's status"})
    registration_number = fields.String(allow_none=True)
    submitted_at = Instant(allow_none=True)
    finished_at = Instant(allow_none=True)
    message = fields.String(allow_none=True,
                            metadata={"description": "what the portal shows about this state (Azerbaijani / English)"})


class SigningStarted(signing.CardStepOut):
    signing_id = fields.String()
    verification_code = fields.String(metadata={"description": "asan: the code the phone shows"})
    expires_at = fields.String(allow_none=True)
    state = fields.String()
    message = fields.String(allow_none=True)


class ReportOut(Schema):
    id = fields.String()
    status = fields.String(metadata={"description": "draft | submitted"})
    status_label = fields.String()
    registration_number = fields.String(allow_none=True, metadata={"description": "BH-<year>-<6 digits>, once submitted"})
    employer = fields.Nested(EmployerOut)
    incident = fields.Nested(IncidentOut)
    victims = fields.List(fields.Nested(VictimOut))
    any_died = fields.Boolean()
    informant = fields.Nested(InformantOut, allow_none=True)
    created_at = Instant()
    updated_at = Instant()
    created_by = fields.Nested(PersonRef)
    submitted_at = Instant(allow_none=True)
    signed_by = fields.Nested(SignerRef, allow_none=True)
    late = fields.Boolean(metadata={"description": "a fatal accident reported more than 24 hours after it (for a "
                                                   "draft: it would be, filed now)"})
    deadline_at = Instant(allow_none=True, metadata={"description": "a fatal accident: 24 hours after it"})
    filed_after_minutes = fields.Integer(allow_none=True, metadata={"description": "from the accident to the filing"})
    filed_after = fields.String(allow_none=True, metadata={"description": "the same in words (Azerbaijani)"})
    missing = fields.Dict(keys=fields.String(), values=fields.List(fields.String()), metadata={
        "description": "a draft: what keeps it from being signed, by field (empty when it can be signed)"})
    signature = fields.Nested(SigningOut, allow_none=True, metadata={"description": "the latest signing attempt"})
    check_url = fields.String(allow_none=True)


ReportPage = page_schema(ReportOut)


class CheckOut(Schema):
    report_id = fields.String()
    registration_number = fields.String()
    status = fields.String()
    submitted_at = Instant()
    employer_name = fields.String()


class StatisticsItem(Schema):
    code = fields.String()
    name_az = fields.String()
    name_en = fields.String()
    count = fields.Integer(allow_none=True, metadata={"description": "null: withheld (under 5, or to keep another withheld)"})
    suppressed = fields.Boolean()


class StatisticsOut(Schema):
    year = fields.Integer()
    district = fields.String(allow_none=True)
    group_by = fields.String()
    unit = fields.String(metadata={"description": "victims: ESAW counts each person injured or killed"})
    min_cell = fields.Integer()
    total = fields.Integer(allow_none=True)
    items = fields.List(fields.Nested(StatisticsItem))
