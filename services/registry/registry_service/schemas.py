"""What goes in and out of the registry over HTTP."""
from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate

from egov_kit.errors import invalid
from egov_kit.paging import PageQuery, page_schema
from egov_kit.validators import Fin, Voen


def path_fin(raw: str) -> str:
    return _path_value(Fin(), "fin", raw)


def path_voen(raw: str) -> str:
    return _path_value(Voen(), "voen", raw)


def _path_value(field: fields.Field, name: str, raw: str) -> str:
    """A path segment read with the kit's field type (normalised), or 422 naming it. Not through
    @blp.arguments(location="path"): the kit's error handler would name the field "path.fin"."""
    try:
        return field.deserialize(raw)
    except ValidationError as exc:
        raise invalid({name: exc.messages}) from None


class LookupHeaders(Schema):
    purpose = fields.String(data_key="X-Purpose", load_default=None,
                            validate=validate.Regexp(r"^[a-z0-9][a-z0-9-]{0,63}$"), metadata={
        "description": "why the look-up is made: a code of the lookup-purposes directory "
                       "(GET /api/registry/directories/lookup-purposes); required when looking up someone "
                       "else's record, and shown to that person by its name in their data-access log"})


class IdDocument(Schema):
    series = fields.String()
    number = fields.String()


class Address(Schema):
    district_code = fields.String()
    text = fields.String()


class PersonOut(Schema):
    fin = fields.String()
    surname = fields.String()
    name = fields.String()
    patronymic = fields.String()
    birth_date = fields.String()
    gender = fields.String()
    id_document = fields.Nested(IdDocument)
    address = fields.Nested(Address)
    email = fields.String()
    mobile = fields.String()


class OrganizationOut(Schema):
    voen = fields.String()
    name = fields.String()
    short_name = fields.String()
    head_fin = fields.String(metadata={"description": "only for services and staff"})
    legal_address = fields.Nested(Address)
    activity_types = fields.List(fields.String())
    ownership_type = fields.String()
    legal_form = fields.String()
    email = fields.String()


OrganizationPage = page_schema(OrganizationOut)


class OrganizationQuery(PageQuery):
    q = fields.String(metadata={"description": "VÖEN prefix or part of the name (at least 2 characters)"})
    head_fin = Fin(metadata={"description": "the organisations this person heads (services only)"})


class Accessor(Schema):
    kind = fields.String(metadata={"description": "service | person"})
    service = fields.String()
    fin = fields.String()
    name = fields.String()
    organization_voen = fields.String(allow_none=True)


class PurposeOut(Schema):
    code = fields.String(metadata={"description": "a code of the lookup-purposes directory"})
    name = fields.String(metadata={"description": "its name, in Azerbaijani or English (Accept-Language)"})


class AccessOut(Schema):
    at = fields.DateTime()
    accessor = fields.Nested(Accessor)
    service = fields.String()
    purpose = fields.Nested(PurposeOut, allow_none=True)


AccessPage = page_schema(AccessOut)


class DirectoryItemOut(Schema):
    """The fields directory items carry; each directory uses some of them."""
    code = fields.String()
    name_az = fields.String()
    name_en = fields.String()
    short_az = fields.String(metadata={"description": "districts"})
    kind = fields.String(metadata={"description": "districts: city, district or city_district"})
    parent = fields.String(metadata={"description": "districts: the code of the city a city district belongs to"})
    autonomous_republic = fields.String(metadata={"description": "districts of Nakhchivan"})
    section = fields.String(metadata={"description": "activity-types: the NACE section"})
    abbreviation = fields.String(metadata={"description": "legal-forms"})
    article = fields.String(metadata={"description": "termination-grounds: the Labour Code article"})


class DirectoryPage(page_schema(DirectoryItemOut)):
    name = fields.String()
