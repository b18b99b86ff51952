"""The accidents pages (its landing for now; the manual's flows are added here as blueprints' views,
with their templates in templates/accidents/)."""
from __future__ import annotations

from flask import Blueprint, render_template

from ...web import login_required

bp = Blueprint("accidents", __name__, template_folder="templates", url_prefix="/accidents")
NAV = [{"endpoint": "accidents.index", "label": "nav_accidents", "order": 3, "when": "logged_in"}]


@bp.get("")
@login_required
def index():
    return render_template("landing.html", feature="accidents")
