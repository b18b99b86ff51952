"""The institutions pages (its landing for now; the manual's flows are added here as blueprints' views,
with their templates in templates/institutions/)."""
from __future__ import annotations

from flask import Blueprint, render_template

from ...web import login_required

bp = Blueprint("institutions", __name__, template_folder="templates", url_prefix="/institutions")
NAV = [{"endpoint": "institutions.index", "label": "nav_institutions", "order": 7, "when": "logged_in"}]


@bp.get("")
@login_required
def index():
    return render_template("landing.html", feature="institutions")
