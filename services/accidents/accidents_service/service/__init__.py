"""The use cases of the accidents service: one class, put together from its features.

    AccidentsService(repository, registry, signing, public_base_url=..., pdf_font_dir=..., now=...)

- reports.py     drafts opened, filled (employer, incident, victims, informant), changed, listed,
                 searched, previewed and deleted; the public check behind the QR code;
- signing.py     sending is signing: the signature started, finalised (the report submitted) or
                 ended, and the signed PDF and ADoc;
- statistics.py  the open aggregate counts;
- common.py      the collaborators, the clock, who sees which report, the registry look-ups.

Nothing here knows Flask: the caller is the token's Principal, refusals are ServiceErrors."""
from __future__ import annotations

from .reports import ReportUseCases
from .signing import SIGNING_METHODS, SigningUseCases
from .statistics import StatisticsUseCases


class AccidentsService(ReportUseCases, SigningUseCases, StatisticsUseCases):
    """Built once per process (see build_service) and shared by every request."""


__all__ = ["AccidentsService", "SIGNING_METHODS"]
