"""The header's account controls: the role chooser (citizen, head of company X, representative of
company Y) and log-out. No menu entry, no page and no texts of its own (the header's texts are the
layout's, in messages.py): both are forms the header posts."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("account", __name__, url_prefix="/account")

from . import routes  # noqa: E402,F401 - the forms' targets, registered on bp
