"""Insurers service: "Sığortaedənin (hüquqi şəxs) onlayn uçota alınması" — a company registers
itself as a social-insurance payer (the manual's sections, scanned documents), staff register it
with an account number or reject it, and anyone looks the account number up by VÖEN."""
from __future__ import annotations

from egov_kit.service import ServiceSpec

from .repository import OUTBOX_COLLECTIONS

# The parts are imported where they are used: the relay role imports this package for SERVICE
# alone and needs no Flask.


def build_service(kit, settings):
    """The use cases with their collaborators: the repository on the kit's database and the kit's
    registry client."""
    from .repository import InsurersRepository
    from .service import InsurersService

    return InsurersService(repository=InsurersRepository(lambda: kit.db), registry=kit.registry, settings=settings)


def create_app(config_overrides: dict | None = None):
    """`config_overrides` may hold kit settings (mongo_db, …) and this service's (max_document_bytes, …)."""
    from egov_kit.app import create_service_app
    from egov_kit.idempotency import IdempotencyKeys

    from . import messages  # noqa: F401 - registers the service's message codes
    from .routes import blp
    from .settings import load

    kit_settings, own = load(config_overrides)
    app, api = create_service_app(kit_settings, title="Insurers (Sığortaedənin onlayn uçota alınması)",
                                  max_body=own.max_body)
    kit = app.extensions["egov"]
    kit.service = build_service(kit, own)
    kit.service.repository.ensure_indexes()
    keys = IdempotencyKeys(lambda: kit.db)
    keys.ensure_indexes()
    keys.init_app(app)
    api.register_blueprint(blp)
    return app


SERVICE = ServiceSpec(name="insurers", create_app=create_app, outbox_collections=OUTBOX_COLLECTIONS)
