"""Certificates service: "İş yerinə dair arayış" — employment reference certificates issued on the
employee's contracts in force, sealed by the ministry, verified by number, revoked by the holder or
when the contract is terminated."""
from __future__ import annotations

import dataclasses
import logging

from egov_kit.app import create_service_app
from egov_kit.config import Settings, load_settings
from egov_kit.errors import problem_response
from egov_kit.service import ServiceSpec

from .handlers import handlers
from .repository import OUTBOX_COLLECTIONS

log = logging.getLogger("certificates")
_KIT_FIELDS = {f.name for f in dataclasses.fields(Settings)}


def create_app(config_overrides: dict | None = None):
    """`config_overrides` may hold kit settings (mongo_db, …) and this service's (verify_rate_per_minute, …)."""
    from flask import request

    from egov_kit.i18n import pick_language

    from . import messages
    from .domain import CertificateError
    from .registry import Registry
    from .repository import Repository
    from .routes import blp
    from .seal import load_sealer
    from .settings import load_certificate_settings
    from .workflows import CertificateDesk

    overrides = dict(config_overrides or {})
    settings = load_settings("certificates", **{k: overrides.pop(k) for k in list(overrides) if k in _KIT_FIELDS})
    own = load_certificate_settings(**overrides)
    holder: dict = {}

    def seal_ready() -> dict:
        # Ready only with the seal at hand (no certificate can be issued without it).
        try:
            return {"seal": holder["desk"].sealer is not None}
        except Exception:  # noqa: BLE001 - readiness reports, never raises
            return {"seal": False}

    app, api = create_service_app(settings, title="Certificates (İş yerinə dair arayış)", readiness=seal_ready)
    kit = app.extensions["egov"]
    repo = Repository(lambda: kit.db)
    try:
        repo.ensure_indexes()
    except Exception:  # noqa: BLE001 - indexes only speed things up; start anyway
        log.warning("could not create indexes now")
    desk = CertificateDesk(repo=repo, registry=Registry(kit.client), settings=own,
                           public_base_url=settings.public_base_url,
                           sealer_loader=lambda: load_sealer(own, repo))
    app.extensions["certificates"] = holder["desk"] = desk
    try:
        # Made (or read) at start rather than on the first certificate; retried on first use.
        desk.sealer  # noqa: B018
        desk.fonts.paths_for("")
    except Exception:  # noqa: BLE001
        log.warning("seal or fonts not ready at start")

    @app.errorhandler(CertificateError)
    def _refused(exc: CertificateError):
        lang = pick_language(request.headers.get("Accept-Language"))
        errors = {field: [messages.text(code, lang) for code in codes] for field, codes in exc.errors.items()}
        detail = messages.text(exc.code, lang) if exc.code else None
        return problem_response(exc.status, detail=detail, errors=errors or None, code=exc.code,
                                headers=exc.headers)

    api.register_blueprint(blp)
    return app


SERVICE = ServiceSpec(name="certificates", create_app=create_app, outbox_collections=OUTBOX_COLLECTIONS,
                      handlers=handlers)
