"""İstehsalatda baş verən bədbəxt hadisə barədə aidiyyəti dövlət strukturuna məlumatların verilməsi:
the manual's sections as pages — the employer (from the tax registry), the incident, the victims
one by one with the FİN search, the informant, the ESAW coding, "check your answers" with the
preview, sending by signing (Asan İmza, or the e-signature card when the service offers it), the
notice downloaded, the history with its search, and the public statistics."""
from __future__ import annotations

from flask import Blueprint

from . import texts  # noqa: F401 - registers the texts

bp = Blueprint("accidents", __name__, template_folder="templates", url_prefix="/accidents")
# Public: the service's start page and its open statistics; the rest asks for a company role.
NAV = [{"endpoint": "accidents.index", "label": "nav_accidents", "order": 3, "when": "always"}]

from . import routes  # noqa: E402,F401 - the pages, registered on bp
