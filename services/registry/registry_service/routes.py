"""HTTP routes of the registry: translate requests, check who may see what, record look-ups."""
from __future__ import annotations

from flask import current_app, request
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from egov_kit.auth import current_principal, require_person
from egov_kit.errors import Problem
from egov_kit.validators import FIN_RE, VOEN_RE, normalize_fin

from . import store

blp = Blueprint("registry", __name__, url_prefix="/api/registry",
                description="Stand-in for the state population and tax registries")

DIRECTORIES = ("districts", "activity-types", "ownership-types", "legal-forms", "insurer-types",
               "certificate-purposes", "occupations", "termination-grounds")


def _db():
    return current_app.extensions["egov"].db


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


class OrganizationList(Schema):
    items = fields.List(fields.Nested(OrganizationOut))


class OrganizationQuery(Schema):
    q = fields.String(metadata={"description": "VÖEN prefix or part of the name"})
    head_fin = fields.String(metadata={"description": "services only"})


class Accessor(Schema):
    kind = fields.String()
    service = fields.String()
    fin = fields.String()
    name = fields.String()
    organization_voen = fields.String(allow_none=True)


class AccessOut(Schema):
    at = fields.DateTime()
    accessor = fields.Nested(Accessor)
    service = fields.String()
    purpose = fields.String(allow_none=True)


class AccessList(Schema):
    items = fields.List(fields.Nested(AccessOut))
    total = fields.Integer()


class PageQuery(Schema):
    limit = fields.Integer(load_default=50)
    offset = fields.Integer(load_default=0)


class DirectoryOut(Schema):
    name = fields.String()
    items = fields.List(fields.Dict())


def _fin_from_path(fin: str) -> str:
    fin = normalize_fin(fin)
    if not FIN_RE.match(fin):
        raise Problem(422, errors={"fin": ["invalid_fin"]})
    return fin


def _hide_head(org: dict, principal) -> dict:
    if principal.kind == "service" or principal.is_staff:
        return org
    return {k: v for k, v in org.items() if k != "head_fin"}


@blp.route("/persons/<fin>")
class Person(MethodView):
    @blp.response(200, PersonOut)
    @blp.doc(security=[{"bearer": []}])
    def get(self, fin):
        """A person from the population registry (services; staff; the person themself)."""
        principal = current_principal()
        fin = _fin_from_path(fin)
        if principal.kind == "person" and principal.fin != fin and not principal.is_staff:
            # Employers look people up through the e-services, which log the purpose.
            raise Problem(404)
        person = store.get_person(_db(), fin)
        if person is None:
            raise Problem(404, errors={"fin": ["unknown_person"]}, code="unknown_person")
        if principal.kind == "service":
            accessor = {"kind": "service", "service": principal.service}
            service = principal.service
        else:
            accessor = {"kind": "person", "fin": principal.fin, "name": principal.full_name,
                        "organization_voen": principal.acting_for}
            service = "registry"
        if principal.kind == "service" or principal.fin != fin:
            store.record_access(_db(), subject_fin=fin, accessor=accessor, service=service,
                                purpose=request.headers.get("X-Purpose"))
        return person


@blp.route("/organizations/<voen>")
class Organization(MethodView):
    @blp.response(200, OrganizationOut)
    @blp.doc(security=[{"bearer": []}])
    def get(self, voen):
        """An organisation from the tax registry."""
        principal = current_principal()
        voen = voen.strip()
        if not VOEN_RE.match(voen):
            raise Problem(422, errors={"voen": ["invalid_voen"]})
        org = store.get_organization(_db(), voen)
        if org is None:
            raise Problem(404, errors={"voen": ["unknown_organization"]}, code="unknown_organization")
        return _hide_head(org, principal)


@blp.route("/organizations")
class Organizations(MethodView):
    @blp.arguments(OrganizationQuery, location="query")
    @blp.response(200, OrganizationList)
    @blp.doc(security=[{"bearer": []}])
    def get(self, args):
        """Search organisations by VÖEN prefix or name (case- and Azerbaijani-letter-insensitive)."""
        principal = current_principal()
        if args.get("head_fin"):
            if principal.kind != "service":
                raise Problem(403)
            fin = _fin_from_path(args["head_fin"])
            return {"items": store.organizations_headed_by(_db(), fin)}
        q = args.get("q", "")
        if len(q.strip()) < 2:
            raise Problem(422, errors={"q": ["invalid_length"]})
        return {"items": [_hide_head(o, principal) for o in store.search_organizations(_db(), q)]}


@blp.route("/my-data-access")
class MyDataAccess(MethodView):
    @blp.arguments(PageQuery, location="query")
    @blp.response(200, AccessList)
    @blp.doc(security=[{"bearer": []}])
    def get(self, args):
        """Who looked up the caller's personal data, when, from which service and why."""
        principal = require_person()
        limit = max(1, min(args["limit"], 200))
        items, total = store.accesses_of(_db(), principal.fin, limit, max(0, args["offset"]))
        return {"items": items, "total": total}


@blp.route("/directories/<name>")
class Directory(MethodView):
    @blp.response(200, DirectoryOut)
    def get(self, name):
        """A directory (districts, activity types, …); public reference data."""
        items = store.directory(_db(), name) if name in DIRECTORIES else None
        if items is None:
            raise Problem(404)
        return {"name": name, "items": items}
