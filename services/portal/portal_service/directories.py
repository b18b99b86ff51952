"""The registry's directories (districts, activity types, ESAW groups, ...) as a page's pickers.

Public reference data that changes rarely: each directory is asked of the API once and kept for a
few minutes in the process, so a form does not cost a round trip per picker."""
from __future__ import annotations

import threading
import time

from .messages import language
from .web import call

KEEP_SECONDS = 600
PAGE = 200
_kept: dict[str, tuple[float, list[dict]]] = {}
_lock = threading.Lock()


def items(name: str) -> list[dict]:
    """Every entry of the directory `name` ({code, name_az, name_en, ...}), in the registry's order."""
    now = time.monotonic()
    found = _kept.get(name)
    if found and found[0] > now:
        return found[1]
    entries: list[dict] = []
    while True:
        page = call("GET", f"/api/registry/directories/{name}", auth=False,
                    params={"limit": PAGE, "offset": len(entries)})
        entries.extend(page.get("items") or [])
        if not page.get("items") or len(entries) >= int(page.get("total") or 0):
            break
    with _lock:
        _kept[name] = (now + KEEP_SECONDS, entries)
    return entries


def entry_name(entry: dict) -> str:
    """An entry's name in the page's language (Azerbaijani when there is no English)."""
    if language() == "en" and entry.get("name_en"):
        return entry["name_en"]
    return entry.get("name_az") or entry.get("name_en") or entry.get("code", "")


def options(name: str, *, sort: bool = False, with_code: bool = False) -> list[dict]:
    """[{value, text}] for a <select>; `sort` by name (long lists such as districts), `with_code`
    shows the code first (activity types and legal forms are known by their codes)."""
    shown = [{"value": e["code"], "text": f"{e['code']} — {entry_name(e)}" if with_code else entry_name(e)}
             for e in items(name)]
    return sorted(shown, key=lambda o: o["text"].casefold()) if sort else shown


def names(name: str) -> dict[str, str]:
    """{code: name} in the page's language."""
    return {e["code"]: entry_name(e) for e in items(name)}
