"""HTTP routes of the registry: who may call, parse, call the RegistryService, shape."""
from __future__ import annotations

from flask.views import MethodView

from egov_kit.access import ANYONE_LOGGED_IN, PERSON, PUBLIC, ServiceBlueprint, caller, requires
from egov_kit.app import current_service
from egov_kit.i18n import request_language
from egov_kit.openapi import path_parameter
from egov_kit.paging import PageQuery, page, page_args
from egov_kit.validators import Fin, Voen

from . import schemas

blp = ServiceBlueprint("registry", __name__, url_prefix="/api/registry",
                       description="Stand-in for the state population and tax registries")


@blp.route("/persons/<fin>", parameters=[path_parameter("fin", Fin())])
class Person(MethodView):
    @requires(ANYONE_LOGGED_IN)
    @blp.arguments(schemas.LookupHeaders, location="headers", as_kwargs=True)
    @blp.response(200, schemas.PersonOut)
    def get(self, fin, purpose):
        """A person from the population registry (services; staff; the person themself).
        A look-up by anyone but the person is shown to them in their data-access log."""
        return current_service().person(caller(), schemas.path_fin(fin), purpose)


@blp.route("/organizations/<voen>", parameters=[path_parameter("voen", Voen())])
class Organization(MethodView):
    @requires(ANYONE_LOGGED_IN)
    @blp.arguments(schemas.LookupHeaders, location="headers", as_kwargs=True)
    @blp.response(200, schemas.OrganizationOut)
    @blp.alt_response(422, description="the VÖEN in the path is not 10 digits, or the purpose is unknown")
    def get(self, voen, purpose):
        """An organisation from the tax registry (who heads it: for services and staff)."""
        return current_service().organization(caller(), schemas.path_voen(voen), purpose)


@blp.route("/organizations")
class Organizations(MethodView):
    @requires(ANYONE_LOGGED_IN)
    @blp.arguments(schemas.OrganizationQuery, location="query")
    @blp.arguments(schemas.LookupHeaders, location="headers", as_kwargs=True)
    @blp.response(200, schemas.OrganizationPage)
    @blp.alt_response(403, description="`head_fin` is for the suite's services only")
    def get(self, query, purpose):
        """Search by VÖEN prefix or name (case- and Azerbaijani-letter-insensitive), or, for
        services, the organisations a person heads (`head_fin`)."""
        if query.get("head_fin"):
            items, total = current_service().organizations_headed_by(caller(), query["head_fin"], purpose,
                                                                     **page_args(query))
        else:
            items, total = current_service().search_organizations(caller(), query.get("q"), purpose,
                                                                  **page_args(query))
        return page(items, total, query)


@blp.route("/my-data-access")
class MyDataAccess(MethodView):
    @requires(PERSON)
    @blp.arguments(PageQuery, location="query")
    @blp.response(200, schemas.AccessPage)
    def get(self, query):
        """Who looked up the caller's personal data, when, from which service and why (the purpose
        by its name, in the language of Accept-Language)."""
        items, total = current_service().my_data_access(caller(), lang=request_language(), **page_args(query))
        return page(items, total, query)


@blp.route("/directories/<name>")
class Directory(MethodView):
    @requires(PUBLIC)
    @blp.arguments(PageQuery, location="query")
    @blp.response(200, schemas.DirectoryPage)
    def get(self, query, name):
        """A directory (districts, activity types, …); public reference data."""
        items, total = current_service().directory(name, **page_args(query))
        return {"name": name, **page(items, total, query)}
