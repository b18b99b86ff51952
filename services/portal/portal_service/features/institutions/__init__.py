"""Institutions: an addressee organisation's inbox (the notifications addressed to it, each opened
with what it is about) and its webhooks (register one and see its secret once, replace the secret,
the head's confirmation of a webhook whose authority ended, each webhook's delivery log); and, for
operations staff, the notifier's dead letters and failed deliveries, each sent again.

The organisation is the one the person acts for (the role chooser in the header); the notifier
lets in its head and whoever holds an authority covering notifications, and says why not to
anyone else, which the pages show as it is."""
from __future__ import annotations

from flask import Blueprint

from . import texts  # noqa: F401 - registers the texts

bp = Blueprint("institutions", __name__, template_folder="templates")
NAV = [{"endpoint": "institutions.index", "label": "nav_institutions", "order": 7, "when": "logged_in"},
       {"endpoint": "institutions.dead_letters", "label": "nav_operations", "order": 9, "when": "staff"}]

from . import operations, routes  # noqa: E402,F401 - the pages, on bp
