"""HTTP of /api/accidents, by feature: who may call each route, parsing, one call of the service,
and the answer's shape. No rules and no storage here. A GET writes nothing, but for polling a
signature, which is what may submit the report (api.md, "Signing")."""
from __future__ import annotations

from . import reports, signing, statistics

BLUEPRINTS = (reports.blp, signing.blp, statistics.blp)
