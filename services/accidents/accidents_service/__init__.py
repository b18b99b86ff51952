"""Accidents service: reporting a workplace accident to the competent state bodies (İstehsalatda
baş verən bədbəxt hadisə barədə aidiyyəti dövlət strukturuna məlumatların verilməsi) — drafts
filled from the registries, sent by signing with Asan İmza or the e-signature card, the company's
history, open data."""
from __future__ import annotations

from typing import TYPE_CHECKING

from egov_kit.service import ServiceSpec

from .repository import OUTBOX_COLLECTIONS

if TYPE_CHECKING:
    from egov_kit.app import Kit

    from .service import AccidentsService
    from .settings import AccidentsSettings

# The API's modules (PDF rendering and signing among them) are imported when the app is made:
# the relay role needs no more than the outbox collections.


def build_service(kit: Kit, settings: AccidentsSettings) -> AccidentsService:
    """The use cases with their collaborators, once per app."""
    from egov_kit.signing import SigningClient

    from .repository import AccidentsRepository
    from .service import AccidentsService

    return AccidentsService(AccidentsRepository(lambda: kit.db), kit.registry, SigningClient(kit.client),
                            public_base_url=kit.settings.public_base_url, pdf_font_dir=settings.pdf_font_dir)


def create_app(config_overrides: dict | None = None):
    """`config_overrides` may name kit settings (mongo_db, ...) and this service's (pdf_font_dir, ...)."""
    from egov_kit.app import create_service_app
    from egov_kit.idempotency import IdempotencyKeys

    from . import messages  # noqa: F401  (registers the service's message codes)
    from . import settings
    from .routes import BLUEPRINTS

    kit_settings, own = settings.load(config_overrides)
    app, api = create_service_app(kit_settings, title="Accidents (workplace accident reports)")
    kit = app.extensions["egov"]
    kit.service = build_service(kit, own)
    kit.service.repository.ensure_indexes()
    keys = IdempotencyKeys(lambda: kit.db, wait_seconds=own.idempotency_wait_seconds)
    keys.ensure_indexes()
    keys.init_app(app)
    for blueprint in BLUEPRINTS:
        api.register_blueprint(blueprint)
    return app


SERVICE = ServiceSpec(name="accidents", create_app=create_app, outbox_collections=OUTBOX_COLLECTIONS)
