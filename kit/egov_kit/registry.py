"""The one client of the registry service (population and tax registries, directories), used by
every service that needs a person, an organisation or a directory.

Each personal look-up says why it is made (`purpose`, sent as `X-Purpose`): a code of the
registry's `lookup-purposes` directory, which the registry keeps in the person's data-access log
and shows them by its name. A code the registry does not know is the calling code's mistake: a
RuntimeError, not "try again". Directories, and organisations when asked, are kept for a
few minutes per process (or as long as the caller says); they change rarely. Anything but a
clear answer is ServiceError(503, "registry_unavailable"), which the caller's client sees as
"try again"."""
from __future__ import annotations

import logging
import threading
import time
from urllib.parse import quote

import requests

from .errors import unavailable
from .validators import is_fin, is_voen, normalize_fin

log = logging.getLogger("egov.registry")
PAGE = 200  # the largest page a list answers (egov_kit.paging.MAX_LIMIT)


class RegistryClient:
    def __init__(self, client, *, ttl: float = 300.0, unknown_ttl: float = 10.0):
        """`client`: the service's egov_kit.http.ServiceClient (service token, request id)."""
        self.client = client
        self.ttl = ttl
        self.unknown_ttl = unknown_ttl
        self._lock = threading.Lock()
        self._directories: dict[str, tuple[float, dict]] = {}
        self._organizations: dict[str, tuple[float, dict | None]] = {}

    def _get(self, path: str, purpose: str | None = None, **kwargs) -> dict | None:
        headers = {"X-Purpose": purpose} if purpose else {}
        try:
            response = self.client.get("registry", path, headers=headers, **kwargs)
        except requests.RequestException as exc:
            log.warning("registry unreachable: %s", type(exc).__name__)
            raise unavailable("registry_unavailable") from None
        if response.status_code == 404:
            return None
        if response.status_code == 422:
            try:
                refused = sorted((response.json().get("errors") or {}).keys())
            except (ValueError, AttributeError):
                refused = []
            log.error("registry refused the look-up", extra={"refused": refused})
            raise RuntimeError(f"the registry refused the look-up ({', '.join(refused) or 'no detail'}); "
                               f"purpose {purpose!r}")
        if response.status_code != 200:
            log.warning("registry answered %s", response.status_code)
            raise unavailable("registry_unavailable")
        try:
            return response.json()
        except ValueError:
            raise unavailable("registry_unavailable") from None

    # --- population registry ------------------------------------------------------------

    def person(self, fin: str, purpose: str) -> dict | None:
        """The person behind a FİN, or None when the registry has nobody by it. `purpose`: a code
        of the registry's lookup-purposes directory."""
        if not is_fin(fin):
            return None
        return self._get(f"/api/registry/persons/{quote(normalize_fin(fin))}", purpose)

    # --- tax registry -------------------------------------------------------------------

    def organization(self, voen: str, purpose: str | None = None, *, cached: bool = False,
                     max_age: float | None = None) -> dict | None:
        """The organisation behind a VÖEN (with its head's FİN), or None. `cached`: an answer up
        to a few minutes old will do; `max_age`: one up to that many seconds old (an unknown VÖEN
        is remembered only briefly either way: the organisation may just be registering)."""
        if not is_voen(voen):
            return None
        voen = voen.strip()
        if max_age is None and cached:
            max_age = self.ttl
        if max_age is not None:
            found = self._organizations.get(voen)
            if found and time.monotonic() - found[0] < (max_age if found[1] else min(max_age, self.unknown_ttl)):
                return found[1]
        org = self._get(f"/api/registry/organizations/{voen}", purpose)
        with self._lock:
            if len(self._organizations) > 5000:
                self._organizations.clear()
            self._organizations[voen] = (time.monotonic(), org)
        return org

    def head_fin(self, voen: str, *, max_age: float | None = None) -> str | None:
        """The FİN of the organisation's head (`max_age` as for organization)."""
        return (self.organization(voen, max_age=max_age) or {}).get("head_fin")

    def organizations_headed_by(self, fin: str, purpose: str) -> list[dict]:
        return self._all("/api/registry/organizations", purpose, {"head_fin": fin})

    def _all(self, path: str, purpose: str | None, params: dict | None = None) -> list[dict]:
        """Every item of a list answered in pages ({items, total, limit, offset})."""
        items: list[dict] = []
        while True:
            body = self._get(path, purpose, params={**(params or {}), "limit": PAGE, "offset": len(items)})
            if body is None:
                return items
            page = list(body.get("items") or [])
            items += page
            total = body.get("total")
            if not page or not isinstance(total, int) or len(items) >= total:
                return items

    # --- directories --------------------------------------------------------------------

    def directory(self, name: str) -> dict[str, dict]:
        """A directory's items by code (districts, activity-types, occupations, ...)."""
        found = self._directories.get(name)
        if found and found[0] > time.monotonic():
            return found[1]
        listed = self._all(f"/api/registry/directories/{name}", None)
        if not listed:
            log.warning("registry has no directory %s", name)
            raise unavailable("registry_unavailable")
        items = {item["code"]: item for item in listed}
        with self._lock:
            self._directories[name] = (time.monotonic() + self.ttl, items)
        return items
