"""Log-in: Asan İmza (mobile number and user ID → the verification code → confirmed on the phone
with PIN1) and the e-signature card (the test card file and its PIN, signed in the browser).

The Asan İmza session id, which collects the token, stays in the signed session cookie; the
browser's script asks the portal (not auth) how the log-in stands, and without a script the
waiting page refreshes itself."""
from __future__ import annotations

from flask import Blueprint

from . import texts  # noqa: F401 - registers the texts

bp = Blueprint("login", __name__, template_folder="templates", url_prefix="/login")

from . import routes  # noqa: E402,F401 - the pages, registered on bp
