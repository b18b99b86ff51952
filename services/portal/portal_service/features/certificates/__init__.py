"""The certificates pages (its landing for now; the manual's flows are added here as blueprints' views,
with their templates in templates/certificates/)."""
from __future__ import annotations

from flask import Blueprint, render_template

from ...web import login_required

bp = Blueprint("certificates", __name__, template_folder="templates", url_prefix="/certificates")
NAV = [{"endpoint": "certificates.index", "label": "nav_certificates", "order": 2, "when": "logged_in"}]


@bp.get("")
@login_required
def index():
    return render_template("landing.html", feature="certificates")
