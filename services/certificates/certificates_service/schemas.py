"""Request and response bodies (marshmallow), which are also the OpenAPI document."""
from __future__ import annotations

from marshmallow import Schema, fields, pre_load, validate

from egov_kit.paging import PageQuery, page_schema
from egov_kit.validators import Mobile, Voen

from .domain import ADDRESSED, EMPLOYMENT, GENERAL, WITH_SALARY


class IssueIn(Schema):
    contract_id = fields.String(required=True, validate=validate.Length(min=1, max=100),
                                metadata={"description": "a contract from GET /contracts"})
    type = fields.String(required=True, validate=validate.OneOf([EMPLOYMENT, WITH_SALARY]),
                         metadata={"description": "İş yerindən arayış / Əmək haqqı göstərilməklə iş yerindən arayış"})
    valid_until = fields.Date(required=True, metadata={"description": "Son etibarlılıq tarixi"})
    mobile = Mobile(allow_none=True, load_default=None, blank=True)
    email = fields.Email(required=True, validate=validate.Length(max=254),
                         metadata={"description": "Elektron poçt ünvanı: required (manual 2.5.4); remembered for next time"})
    email_copy = fields.Boolean(load_default=False,
                                metadata={"description": "Arayışın nüsxəsi e-mailimə göndərilsin"})
    purpose = fields.String(required=True, validate=validate.Length(min=1, max=20),
                            metadata={"description": "code from the certificate-purposes directory"})
    destination = fields.String(load_default=GENERAL, validate=validate.OneOf([GENERAL, ADDRESSED]),
                                metadata={"description": "Ümumi / Ünvanlı"})
    addressee_voen = Voen(allow_none=True, load_default=None, blank=True)
    notify_addressee_on_revoke = fields.Boolean(
        load_default=False, metadata={"description": "Qüvvədən düşmə qarşı tərəfə ötürülsün (addressed only)"})

    @pre_load
    def _blank_is_absent(self, data, **_kwargs):
        # Forms send "" for a field left empty (mobile and addressee_voen read it as none
        # themselves); the e-mail, which the form requires, is then named as missing.
        if isinstance(data, dict) and (data.get("email") is None or
                                       (isinstance(data.get("email"), str) and not data["email"].strip())):
            data = {k: v for k, v in data.items() if k != "email"}
        return data


class VerifyIn(Schema):
    number = fields.String(required=True, validate=validate.Length(min=1, max=200),
                           metadata={"description": "Arayışın nömrəsi, e.g. AR-7K3M9-QXD2H-FBT4C"})


class ContractsQuery(PageQuery):
    q = fields.String(load_default=None, validate=validate.Length(max=200),
                      metadata={"description": "text looked for in every field (also the workplace, the "
                                               "contract type as named in Azerbaijani, dates as dd.mm.yyyy)"})


class ContractOut(Schema):
    contract_id = fields.String()
    employer_voen = fields.String()
    employer_name = fields.String()
    position = fields.String()
    start_date = fields.String()
    end_date = fields.String(allow_none=True)
    contract_number = fields.String()
    contract_type = fields.String()


class ContactsOut(Schema):
    mobiles = fields.List(fields.String())
    emails = fields.List(fields.String())


class Organization(Schema):
    voen = fields.String()
    name = fields.String(allow_none=True)


class Purpose(Schema):
    code = fields.String()
    name = fields.String(allow_none=True)


class Holder(Schema):
    fin = fields.String()
    surname = fields.String(allow_none=True)
    name = fields.String(allow_none=True)
    patronymic = fields.String(allow_none=True)
    full_name = fields.String(allow_none=True)


class PersonName(Schema):
    surname = fields.String(allow_none=True)
    name = fields.String(allow_none=True)
    patronymic = fields.String(allow_none=True)


class CertificateOut(Schema):
    number = fields.String()
    status = fields.String(metadata={"description": "active | revoked | expired"})
    status_name = fields.String(metadata={"description": "Aktiv / Deaktiv edilib / Müddəti bitib"})
    type = fields.String()
    type_name = fields.String()
    holder = fields.Nested(Holder)
    contract_id = fields.String()
    contract_number = fields.String(allow_none=True)
    employer_voen = fields.String(allow_none=True)
    employer_name = fields.String(allow_none=True)
    position = fields.String(allow_none=True)
    start_date = fields.String(allow_none=True)
    salary = fields.String(metadata={"description": "only for employment_with_salary"})
    purpose = fields.Nested(Purpose)
    destination = fields.String()
    destination_name = fields.String(metadata={"description": "Ümumi / Ünvanlı"})
    addressee = fields.Nested(Organization, allow_none=True)
    notify_addressee_on_revoke = fields.Boolean()
    valid_until = fields.String()
    issued_at = fields.String()
    revoked_at = fields.String(allow_none=True)
    revocation_reason = fields.String(allow_none=True)
    mobile = fields.String(allow_none=True)
    email = fields.String(allow_none=True)
    email_copy = fields.Boolean()
    pdf_url = fields.String()
    verification_url = fields.String()


class VerifiedCertificate(Schema):
    number = fields.String()
    type = fields.String()
    type_name = fields.String()
    holder_name = fields.String()
    holder = fields.Nested(PersonName)
    employer_voen = fields.String(allow_none=True)
    employer_name = fields.String(allow_none=True)
    position = fields.String(allow_none=True)
    start_date = fields.String(allow_none=True)
    salary = fields.String(metadata={"description": "only for employment_with_salary"})
    purpose = fields.Nested(Purpose)
    destination = fields.String()
    addressee = fields.Nested(Organization, allow_none=True)
    valid_until = fields.String()
    issued_at = fields.String()


class VerifyOut(Schema):
    result = fields.String(metadata={"description": "valid | not_valid"})
    certificate = fields.Nested(VerifiedCertificate)
    pdf_url = fields.String()


class Verifier(Schema):
    surname = fields.String(allow_none=True)
    name = fields.String(allow_none=True)
    patronymic = fields.String(allow_none=True)
    fin = fields.String()


class CheckedByOut(Schema):
    number = fields.String()
    verified_at = fields.String()
    result = fields.String()
    verifier = fields.Nested(Verifier)
    organization = fields.Nested(Organization, allow_none=True)


class CheckedOut(Schema):
    number = fields.String()
    verified_at = fields.String()
    result = fields.String()
    holder = fields.Nested(PersonName, allow_none=True)


# The lists: {items, total, limit, offset}.
ContractPage = page_schema(ContractOut)
CertificatePage = page_schema(CertificateOut)
CheckedByPage = page_schema(CheckedByOut)
CheckedPage = page_schema(CheckedOut)
