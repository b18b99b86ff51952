"""Registry service: the seeded stand-in for the state population and tax registries."""
from __future__ import annotations

from egov_kit.app import create_service_app
from egov_kit.config import load_settings
from egov_kit.service import ServiceSpec


def create_app(config_overrides: dict | None = None):
    settings = load_settings("registry", **(config_overrides or {}))
    app, api = create_service_app(settings, title="Registry (population and tax registries)")
    from . import store
    from .routes import blp
    api.register_blueprint(blp)
    store.ensure_seeded(app.extensions["egov"].db)
    return app


SERVICE = ServiceSpec(name="registry", create_app=create_app)
