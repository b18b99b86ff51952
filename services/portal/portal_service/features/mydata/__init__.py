"""My data: who looked up my personal data (the registry's access log), when, from which service
and why."""
from __future__ import annotations

from flask import Blueprint

from . import texts  # noqa: F401 - registers the texts

bp = Blueprint("mydata", __name__, template_folder="templates", url_prefix="/my-data")
NAV = [{"endpoint": "mydata.index", "label": "nav_mydata", "order": 6, "when": "logged_in"}]

from . import routes  # noqa: E402,F401 - the pages, registered on bp
