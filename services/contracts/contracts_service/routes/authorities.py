"""HTTP of the authorities: the company's head grants, lists and withdraws them."""
from __future__ import annotations

from flask.views import MethodView

from egov_kit.access import HEAD, ServiceBlueprint, caller, requires
from egov_kit.app import current_service
from egov_kit.paging import PageQuery, page

from .. import schemas

blp = ServiceBlueprint("authorities", __name__, url_prefix="/api/contracts",
                       description="Authorities to enter and sign employment contract notices")


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
        """Grant the authority to enter and sign notices: fixed-term (valid_until) or indefinite (null)."""
        return current_service().grant_authority(caller(), body["fin"], body["valid_until"])


@blp.route("/authorities/<authority_id>")
class AuthorityItem(MethodView):
    @requires(HEAD)
    @blp.response(200, schemas.AuthorityOut)
    @blp.alt_response(409, description="withdrawn already")
    def delete(self, authority_id):
        """Withdraw an authority; it stops working at once (signatures pending under it end) and
        the record is kept."""
        return current_service().withdraw_authority(caller(), authority_id)
