"""Request and response bodies (marshmallow), which are also the OpenAPI document. Labels are the
manual's."""
from __future__ import annotations

from marshmallow import Schema, fields, pre_load, validate

from egov_kit.paging import PageQuery, page_schema
from egov_kit.validators import Fin, Voen

from .domain import DECISIONS, LABELS, STATUSES

PHONE = r"^\+?[0-9][0-9 ()\-]{5,22}$"


def _doc(name: str, extra: str = "") -> dict:
    az, en = LABELS[name]
    return {"description": f"{az} — {en}{'; ' + extra if extra else ''}"}


class AddressIn(Schema):
    district_code = fields.String(allow_none=True, validate=validate.Length(min=1, max=20),
                                  metadata={"description": "Rayon/Şəhər: a code of the registry's districts directory"})
    text = fields.String(allow_none=True, validate=validate.Length(min=1, max=500),
                         metadata={"description": "the rest of the address"})


class ActualAddressIn(AddressIn):
    same_as_legal = fields.Boolean(load_default=False, metadata={
        "description": "the actual address is the legal address (then neither district_code nor text)"})


class ApplicationIn(Schema):
    """Any of the sections; in a draft every field may be missing, and null clears one."""
    insurer_type = fields.String(allow_none=True, validate=validate.Length(min=1, max=20),
                                 metadata=_doc("insurer_type", "code of the insurer-types directory"))
    full_name = fields.String(allow_none=True, validate=validate.Length(min=1, max=300), metadata=_doc("full_name"))
    short_name = fields.String(allow_none=True, validate=validate.Length(min=1, max=150),
                               metadata=_doc("short_name"))
    registration_certificate_number = fields.String(allow_none=True, validate=validate.Length(min=1, max=50),
                                                    metadata=_doc("registration_certificate_number"))
    registration_date = fields.Date(allow_none=True, metadata=_doc("registration_date"))
    voen = Voen(allow_none=True, metadata=_doc("voen", "always the VÖEN of the organisation the caller acts for"))
    voen_issued_on = fields.Date(allow_none=True, metadata=_doc("voen_issued_on"))
    parent_voen = Voen(allow_none=True, metadata=_doc("parent_voen", "optional; must be in the tax registry"))
    subordinate_to_voen = Voen(allow_none=True,
                               metadata=_doc("subordinate_to_voen", "optional; must be in the tax registry"))
    main_activity = fields.String(allow_none=True, validate=validate.Length(min=1, max=20), metadata=_doc(
        "main_activity", "code of the activity-types directory, registered with the tax authority for this VÖEN"))
    auxiliary_activities = fields.List(
        fields.String(validate=validate.Length(min=1, max=20)), allow_none=True, validate=validate.Length(max=30),
        metadata=_doc("auxiliary_activities", "codes as for the main one"))
    ownership_type = fields.String(allow_none=True, validate=validate.Length(min=1, max=20),
                                   metadata=_doc("ownership_type", "code of the ownership-types directory"))
    legal_form = fields.String(allow_none=True, validate=validate.Length(min=1, max=20),
                               metadata=_doc("legal_form", "code of the legal-forms directory"))
    legal_address = fields.Nested(AddressIn, allow_none=True, metadata={"description": "Hüquqi ünvan — legal address"})
    actual_address = fields.Nested(ActualAddressIn, allow_none=True,
                                   metadata={"description": "Faktiki ünvan — actual address"})
    head_fin = Fin(allow_none=True, metadata=_doc(
        "head_fin", "the head as the tax registry names him; his data are filled from the population registry"))
    contact_email = fields.Email(allow_none=True, validate=validate.Length(max=254), metadata=_doc(
        "contact_email", "where the applicant is told of the application's progress"))
    contact_phone = fields.String(allow_none=True, validate=validate.Regexp(PHONE, error="invalid_contact_phone"),
                                  metadata=_doc("contact_phone"))

    @pre_load
    def _blank_is_null(self, data, **_kwargs):
        # Forms send "" for a field left empty: cleared.
        if isinstance(data, dict):
            data = {key: (None if isinstance(value, str) and not value.strip() else value)
                    for key, value in data.items()}
        return data


class PersonOut(Schema):
    fin = fields.String(allow_none=True)
    name = fields.String(allow_none=True)


class HeadOut(Schema):
    fin = fields.String()
    surname = fields.String(allow_none=True)
    name = fields.String(allow_none=True)
    patronymic = fields.String(allow_none=True)


class AddressOut(Schema):
    district_code = fields.String(allow_none=True)
    text = fields.String(allow_none=True)
    same_as_legal = fields.Boolean()


class DocumentOut(Schema):
    id = fields.String()
    filename = fields.String()
    content_type = fields.String(metadata={"description": "application/pdf, image/jpeg or image/png, by content"})
    size = fields.Integer(metadata={"description": "bytes"})
    sha256 = fields.String()
    uploaded_at = fields.String(metadata={"description": "ISO 8601 instant"})


class ApplicationOut(Schema):
    id = fields.String()
    status = fields.String(metadata={"description": " | ".join(STATUSES)})
    voen = fields.String()
    insurer_type = fields.String(allow_none=True)
    full_name = fields.String(allow_none=True)
    short_name = fields.String(allow_none=True)
    registration_certificate_number = fields.String(allow_none=True)
    registration_date = fields.String(allow_none=True, metadata={"description": "YYYY-MM-DD"})
    voen_issued_on = fields.String(allow_none=True, metadata={"description": "YYYY-MM-DD"})
    parent_voen = fields.String(allow_none=True)
    subordinate_to_voen = fields.String(allow_none=True)
    main_activity = fields.String(allow_none=True)
    auxiliary_activities = fields.List(fields.String())
    ownership_type = fields.String(allow_none=True)
    legal_form = fields.String(allow_none=True)
    legal_address = fields.Nested(AddressOut, allow_none=True)
    actual_address = fields.Nested(AddressOut, allow_none=True)
    head_fin = fields.String(allow_none=True)
    head = fields.Nested(HeadOut, allow_none=True, metadata={"description": "filled from the population registry"})
    contact_email = fields.String(allow_none=True)
    contact_phone = fields.String(allow_none=True)
    documents = fields.List(fields.Nested(DocumentOut))
    missing = fields.List(fields.String(), metadata={
        "description": "what a draft still lacks before it can be sent (field names, `documents`)"})
    account_number = fields.String(allow_none=True, metadata={"description": "Uçot nömrəsi, once registered"})
    reason = fields.String(allow_none=True, metadata={"description": "why it was rejected"})
    created_at = fields.String()
    updated_at = fields.String()
    submitted_at = fields.String(allow_none=True)
    submitted_by = fields.Nested(PersonOut, allow_none=True)
    decided_at = fields.String(allow_none=True)
    decided_by = fields.Nested(PersonOut, allow_none=True, metadata={"description": "staff only"})


class SummaryOut(Schema):
    id = fields.String()
    status = fields.String()
    voen = fields.String()
    full_name = fields.String(allow_none=True)
    documents_count = fields.Integer()
    account_number = fields.String(allow_none=True)
    created_at = fields.String()
    submitted_at = fields.String(allow_none=True)
    decided_at = fields.String(allow_none=True)


SummaryPage = page_schema(SummaryOut, name="ApplicationPage")


class ApplicationsQuery(PageQuery):
    status = fields.String(validate=validate.OneOf(STATUSES), metadata={
        "description": "submitted: the queue, oldest first"})


class DecisionIn(Schema):
    decision = fields.String(required=True, validate=validate.OneOf(DECISIONS))
    reason = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=2000),
                           metadata={"description": "required to reject; not given to register"})


class LookupOut(Schema):
    voen = fields.String()
    name = fields.String(allow_none=True)
    account_number = fields.String()


class DocumentUpload(Schema):
    file = fields.Raw(required=True, metadata={"type": "string", "format": "binary",
                                               "description": "PDF, JPEG or PNG (checked by content)"})
