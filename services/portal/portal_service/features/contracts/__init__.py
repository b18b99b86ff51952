"""The contracts pages (its landing for now; the manual's flows are added here as blueprints' views,
with their templates in templates/contracts/)."""
from __future__ import annotations

from flask import Blueprint, render_template

from ...web import login_required

bp = Blueprint("contracts", __name__, template_folder="templates", url_prefix="/contracts")
NAV = [{"endpoint": "contracts.index", "label": "nav_contracts", "order": 1, "when": "logged_in"}]


@bp.get("")
@login_required
def index():
    return render_template("landing.html", feature="contracts")
