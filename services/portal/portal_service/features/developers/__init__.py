"""For institutions' developers (public pages): the integration guide — registering a webhook, what
a notification looks like, checking `X-Egov-Signature` (short examples in six languages, kept in
examples/ and shown as they are, the Python, Node and Java ones run against the notifier's own
signatures by the tests), stale timestamps, duplicates, retries — and the API reference of every
service, drawn on the server from its OpenAPI document (reference.py), as an ordinary page: every
operation, parameter, body, answer and schema, readable without JavaScript and light on a phone.

The same document can also be read in Redoc (npm `redoc`, pinned in
services/portal/vendor/package.json, vendored as its standalone bundle under static/redoc/): an
interactive view with search, one link away. Its bundle is about a megabyte, so only that view
loads it, gzip-compressed (about a third of that) when the browser accepts it."""
from __future__ import annotations

from flask import Blueprint

from . import texts  # noqa: F401 - registers the feature's texts

bp = Blueprint("developers", __name__, template_folder="templates", url_prefix="/developers")
NAV = [{"endpoint": "developers.index", "label": "nav_developers", "order": 8, "when": "always"}]

from . import routes  # noqa: E402,F401 - the pages, registered on bp
