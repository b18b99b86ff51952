"""HTTP of the open aggregate data."""
from __future__ import annotations

from flask.views import MethodView

from egov_kit.access import PUBLIC, ServiceBlueprint, requires
from egov_kit.app import current_service

from .. import schemas

blp = ServiceBlueprint("statistics", __name__, url_prefix="/api/accidents",
                       description="Open data: workplace accidents counted")


@blp.route("/statistics")
class Statistics(MethodView):
    @requires(PUBLIC)
    @blp.arguments(schemas.StatisticsQuery, location="query")
    @blp.response(200, schemas.StatisticsOut)
    def get(self, query):
        """Victims of the year's submitted reports by month, district, employer's activity (NACE
        section), outcome or ESAW group; any count under 5 withheld."""
        return current_service().statistics(year=query.get("year"), district=query.get("district"),
                                            group_by=query["group_by"])
