"""Əmək müqaviləsi bildirişləri (the contracts manual): the head's authorities (himself first, then
representatives, fixed-term or indefinite, by scope; withdrawn), entering a notice (the employee's
data filled from the population registry by the service, the occupation and the termination
ground from the registry's directories), the register with search and "Bildirişi imzala" (Asan
İmza, PIN2 on the phone), termination, the signed PDF and ADoc, and the employee's own notices.

The pages are in routes/, by sub-feature (authorities, notices, signing)."""
from __future__ import annotations

from flask import Blueprint

from . import texts  # noqa: F401 - registers the feature's texts

bp = Blueprint("contracts", __name__, template_folder="templates", url_prefix="/contracts")
NAV = [{"endpoint": "contracts.index", "label": "nav_contracts", "order": 1, "when": "logged_in"}]

from . import routes  # noqa: E402,F401 - the pages, registered on bp
