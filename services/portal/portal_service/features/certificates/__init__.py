"""İş yerinə dair arayış (the certificates manual): "Yeni arayış" from a contract in force (with
search), the manual's form (type, valid-until, mobile and e-mail offered from those used before,
a copy by e-mail, purpose from the directory, general or addressed with the organisation picker),
the issued certificate, "Arayışların tarixçəsi" with download and deactivation, "Arayışların
yoxlanılması" (also the page the certificate's QR code opens) and both verification histories."""
from __future__ import annotations

from flask import Blueprint

from . import texts  # noqa: F401 - registers the feature's texts

bp = Blueprint("certificates", __name__, template_folder="templates", url_prefix="/certificates")
NAV = [{"endpoint": "certificates.index", "label": "nav_certificates", "order": 2, "when": "logged_in"}]

from . import routes  # noqa: E402,F401 - the pages, registered on bp
