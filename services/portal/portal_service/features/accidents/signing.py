"""Whether the accidents service signs with the e-signature card as well as Asan İmza: its OpenAPI
document names the card's step (`/signature/card-response`) once it does. Asked now and then, not
per page: the answer changes only when the service is upgraded."""
from __future__ import annotations

import threading
import time

from ...api import ApiProblem, ApiUnavailable
from ...web import call

CARD_STEP = "/api/accidents/reports/{report_id}/signature/card-response"
ASK_EVERY_SECONDS = 300
_known: dict[str, tuple[float, bool]] = {}
_lock = threading.Lock()


def card_signing_offered() -> bool:
    now = time.monotonic()
    found = _known.get("card")
    if found and found[0] > now:
        return found[1]
    try:
        document = call("GET", "/api/accidents/openapi.json", auth=False)
        offered = CARD_STEP in (document.get("paths") or {})
    except (ApiProblem, ApiUnavailable, AttributeError):
        offered = False
    with _lock:
        _known["card"] = (now + ASK_EVERY_SECONDS, offered)
    return offered
