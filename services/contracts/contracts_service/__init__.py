"""Contracts service: employment contract notices (entered, signed with Asan İmza or the e-signature
card, terminated), the authorities to act for a company (by scope, checked live by every service),
and employees' access to their own notices."""
from __future__ import annotations

from typing import TYPE_CHECKING

from egov_kit.service import ServiceSpec

from .repository import OUTBOX_COLLECTIONS

if TYPE_CHECKING:
    from egov_kit.app import Kit

    from .service import ContractsService
    from .settings import ContractsSettings

# The API's modules (PDF rendering and signing among them) are imported when the app is made:
# the relay role needs no more than the outbox collections.


def build_service(kit: Kit, settings: ContractsSettings) -> ContractsService:
    """The use cases with their collaborators, once per app."""
    from egov_kit.signing import SigningClient

    from .repository import ContractsRepository
    from .service import ContractsService

    return ContractsService(ContractsRepository(lambda: kit.db), kit.registry, SigningClient(kit.client),
                            public_base_url=kit.settings.public_base_url, pdf_font_dir=settings.pdf_font_dir)


def create_app(config_overrides: dict | None = None):
    """`config_overrides` may name kit settings (mongo_db, ...) and this service's (pdf_font_dir)."""
    from egov_kit.app import create_service_app
    from egov_kit.authority import LocalAuthority
    from egov_kit.idempotency import IdempotencyKeys

    from . import messages  # noqa: F401  (registers the service's message codes)
    from . import settings
    from .routes import BLUEPRINTS

    kit_settings, own = settings.load(config_overrides)
    app, api = create_service_app(kit_settings, title="Contracts (employment contract notices)")
    kit = app.extensions["egov"]
    kit.service = build_service(kit, own)
    # Company routes here check authorities against this service's own data, not over HTTP.
    kit.authority = LocalAuthority(kit.service.authority_check)
    kit.service.repository.ensure_indexes()
    keys = IdempotencyKeys(lambda: kit.db)  # repeated signature starts (Idempotency-Key)
    keys.ensure_indexes()
    keys.init_app(app)
    for blueprint in BLUEPRINTS:
        api.register_blueprint(blueprint)
    return app


SERVICE = ServiceSpec(name="contracts", create_app=create_app, outbox_collections=OUTBOX_COLLECTIONS)
