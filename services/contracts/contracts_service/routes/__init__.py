"""HTTP of /api/contracts, by feature: who may call each route, parsing, one call of the
service, and the answer's shape. No rules and no storage here. A GET writes nothing, but for
polling a signature, which is what may finalise it (api.md, "Signing")."""
from __future__ import annotations

from . import authorities, notices, signing

BLUEPRINTS = (authorities.blp, notices.blp, signing.blp)
