"""The developers pages (its landing for now; the manual's flows are added here as blueprints' views,
with their templates in templates/developers/)."""
from __future__ import annotations

from flask import Blueprint, render_template


bp = Blueprint("developers", __name__, template_folder="templates", url_prefix="/developers")
NAV = [{"endpoint": "developers.index", "label": "nav_developers", "order": 8, "when": "always"}]


@bp.get("")
def index():
    return render_template("landing.html", feature="developers")
