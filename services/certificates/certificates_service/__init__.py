"""Certificates service: "İş yerinə dair arayış" — employment reference certificates issued on the
employee's contracts in force, sealed by the ministry, verified by number, revoked by the holder or
when the contract is terminated."""
from __future__ import annotations

import logging

from egov_kit.service import Consumption, ServiceSpec

from .repository import OUTBOX_COLLECTIONS

log = logging.getLogger("certificates")
# The parts are imported where they are used: the relay role imports this package for SERVICE
# alone and needs neither Flask, nor the PDF and seal libraries.


def build_service(kit, settings):
    """The use cases with their collaborators: the repository on the kit's database, the kit's
    registry client, the seal (made or read when first needed) and the fonts."""
    from . import pdf
    from .repository import CertificatesRepository
    from .seal import load_sealer
    from .service import CertificatesService

    repository = CertificatesRepository(lambda: kit.db)
    return CertificatesService(repository=repository, registry=kit.registry, settings=settings,
                               public_base_url=kit.settings.public_base_url,
                               sealer_loader=lambda: load_sealer(settings, repository),
                               fonts=pdf.font_cache(settings.font_dir))


def create_app(config_overrides: dict | None = None):
    """`config_overrides` may hold kit settings (mongo_db, …) and this service's (verify_rate_per_minute, …)."""
    from egov_kit.app import create_service_app

    from . import messages  # noqa: F401 - registers the service's message codes
    from .routes import blp
    from .settings import load

    kit_settings, own = load(config_overrides)

    def seal_ready() -> dict:
        # Ready only with the seal at hand (no certificate can be issued without it).
        try:
            return {"seal": kit.service.sealer is not None}
        except Exception:  # noqa: BLE001 - readiness reports, never raises
            return {"seal": False}

    app, api = create_service_app(kit_settings, title="Certificates (İş yerinə dair arayış)", readiness=seal_ready)
    kit = app.extensions["egov"]
    kit.service = build_service(kit, own)
    kit.service.repository.ensure_indexes()
    try:
        kit.service.warm_up()
    except Exception:  # noqa: BLE001 - retried on first use
        log.warning("seal or fonts not ready at start")
    api.register_blueprint(blp)
    return app


def build_consumer(settings) -> Consumption:
    """The consumer role: the contract projection's handlers, bound to the service built from
    the settings (no request, so no Flask app)."""
    from egov_kit.app import Kit

    from .handlers import make_handlers
    from .settings import CertificatesSettings

    service = build_service(Kit(settings), CertificatesSettings.from_env())
    service.repository.ensure_indexes()
    return Consumption(make_handlers(service))


SERVICE = ServiceSpec(name="certificates", create_app=create_app, outbox_collections=OUTBOX_COLLECTIONS,
                      consumer=build_consumer)
