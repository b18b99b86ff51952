"""Sığortaedənin (hüquqi şəxs) onlayn uçota alınması: the manual's five sections as pages (the
insurer with its scanned documents, the activity types, the legal and the actual address, the head
found by FİN), "check your answers" and sending; the staff's review queue with each application's
documents and the decision; and the public look-up of an insurer's account number."""
from __future__ import annotations

from flask import Blueprint

from . import texts  # noqa: F401 - registers the texts

bp = Blueprint("insurers", __name__, template_folder="templates", url_prefix="/insurers")
# Public: the start page and the account-number look-up; the application asks for a company role,
# the review queue for staff.
NAV = [{"endpoint": "insurers.index", "label": "nav_insurers", "order": 4, "when": "always"}]

from . import routes  # noqa: E402,F401 - the pages, registered on bp
