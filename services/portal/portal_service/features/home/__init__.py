"""The home page: what the portal offers, and after log-in the e-services of the manuals."""
from __future__ import annotations

from flask import Blueprint

from . import texts  # noqa: F401 - registers the texts

bp = Blueprint("home", __name__, template_folder="templates")
NAV = [{"endpoint": "home.index", "label": "home", "order": 0}]

from . import routes  # noqa: E402,F401 - the pages, registered on bp
