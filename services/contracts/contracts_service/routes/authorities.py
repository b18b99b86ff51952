"""HTTP of the authorities: the company's head grants (with scopes), lists and withdraws them; the
suite's services ask where a person stands for a company (the live check behind every company
route, egov_kit.authority)."""
from __future__ import annotations

from flask.views import MethodView

from egov_kit.access import HEAD, ServiceBlueprint, caller, requires, service
from egov_kit.app import current_service
from egov_kit.paging import PageQuery, page

from .. import schemas

blp = ServiceBlueprint("authorities", __name__, url_prefix="/api/contracts",
                       description="Authorities to act for a company, by scope; the live check of them")


@blp.route("/authorities")
class Authorities(MethodView):
    @requires(HEAD)
    @blp.arguments(PageQuery, location="query")
    @blp.response(200, schemas.AuthorityPage)
    def get(self, query):
        """Persons authorised to conclude employment contracts, the latest granted first."""
        items, total = current_service().list_authorities(caller(), limit=query["limit"], offset=query["offset"])
        return page(items, total, query)

    @requires(HEAD)
    @blp.arguments(schemas.AuthorityIn)
    @blp.response(201, schemas.AuthorityOut)
    @blp.alt_response(409, description="this person holds an authority in force already")
    def post(self, body):
        """Grant an authority to act for the company: fixed-term (valid_until) or indefinite (null), for
        the scopes chosen (omitted: all). The head grants himself one first (to enter notices himself)."""
        return current_service().grant_authority(caller(), body["fin"], body["valid_until"], body["scopes"])


@blp.route("/authorities/<authority_id>")
class AuthorityItem(MethodView):
    @requires(HEAD)
    @blp.response(200, schemas.AuthorityOut)
    @blp.alt_response(409, description="withdrawn already")
    def delete(self, authority_id):
        """Withdraw an authority; it stops working at once (signatures pending under it end) and
        the record is kept."""
        return current_service().withdraw_authority(caller(), authority_id)


@blp.route("/authority-checks")
class AuthorityChecks(MethodView):
    @requires(service())
    @blp.arguments(schemas.AuthorityCheckQuery, location="query")
    @blp.response(200, schemas.AuthorityCheckOut)
    def get(self, query):
        """For the suite's services only: where a person stands for a company at this moment — its
        head (tax registry, as it said at most 30 s ago) and the authority they hold in force with
        its scopes. Every company route of every service asks this on each request
        (egov_kit.authority)."""
        return current_service().authority_check(query["voen"], query["fin"])
