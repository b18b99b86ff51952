"""Registry service: the seeded stand-in for the state population and tax registries."""
from __future__ import annotations

from egov_kit.app import create_service_app
from egov_kit.service import ServiceSpec

from . import messages  # noqa: F401  (its codes join the kit's catalogue on import)
from . import settings
from .repository import RegistryRepository
from .routes import blp
from .service import RegistryService


def build_service(kit, own_settings: settings.RegistrySettings) -> RegistryService:
    """The registry's use cases on the kit's database (it has no settings of its own yet)."""
    return RegistryService(RegistryRepository(lambda: kit.db))


def create_app(config_overrides: dict | None = None):
    """`config_overrides`: kit settings (mongo_db, …) and the registry's own, by name."""
    kit_settings, own_settings = settings.load(config_overrides)
    app, api = create_service_app(kit_settings, title="Registry (population and tax registries)")
    kit = app.extensions["egov"]
    kit.service = build_service(kit, own_settings)
    kit.service.repository.ensure_indexes()
    kit.service.repository.ensure_seeded()
    api.register_blueprint(blp)
    return app


SERVICE = ServiceSpec(name="registry", create_app=create_app)
