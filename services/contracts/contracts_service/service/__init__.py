"""The use cases of the contracts service: one class, put together from its features.

    ContractsService(repository, registry, signing, public_base_url=..., pdf_font_dir=..., now=...)

- authorities.py  the head grants, lists and withdraws authorities to enter and sign notices;
- notices.py      notices entered, edited, listed, checked, and their termination entered;
- signing.py      signatures started, finalised or ended, and the signed PDF and ADoc;
- common.py       the collaborators, the clock, and who may act for a company and see a notice.

Nothing here knows Flask: the caller is the token's Principal, refusals are ServiceErrors."""
from __future__ import annotations

from .authorities import AuthorityUseCases
from .notices import NoticeUseCases
from .signing import SigningUseCases


class ContractsService(AuthorityUseCases, NoticeUseCases, SigningUseCases):
    """Built once per process (see build_service) and shared by every request."""


__all__ = ["ContractsService"]
