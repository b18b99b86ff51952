"""The insurers pages (its landing for now; the manual's flows are added here as blueprints' views,
with their templates in templates/insurers/)."""
from __future__ import annotations

from flask import Blueprint, render_template

from ...web import login_required

bp = Blueprint("insurers", __name__, template_folder="templates", url_prefix="/insurers")
NAV = [{"endpoint": "insurers.index", "label": "nav_insurers", "order": 4, "when": "logged_in"}]


@bp.get("")
@login_required
def index():
    return render_template("landing.html", feature="insurers")
