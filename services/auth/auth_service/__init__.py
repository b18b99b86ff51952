"""Auth service: log-in with Asan İmza (simulated) or an e-signature card, company roles, tokens
(RS256, JWKS), logout propagated as events, service tokens, and signing for other services."""
from __future__ import annotations

import dataclasses
import logging

from egov_kit.app import create_service_app
from egov_kit.config import Settings, load_settings
from egov_kit.errors import problem_response
from egov_kit.service import ServiceSpec

from .handlers import handlers

log = logging.getLogger("auth")
_KIT_FIELDS = {f.name for f in dataclasses.fields(Settings)}


def create_app(config_overrides: dict | None = None):
    """`config_overrides` may hold kit settings (mongo_db, …) and auth settings (access_ttl, …)."""
    from . import messages  # noqa: F401  (its codes join the kit's catalogue on import)
    from .domain import AuthError
    from .flows import AuthFlows, LocalServiceTokens, utcnow
    from .keys import KeyRing
    from .registry import Registry
    from .repository import AuthRepository
    from .settings import load_auth_settings
    from .simulator import SimDirectory, SimulatorPki

    overrides = dict(config_overrides or {})
    settings = load_settings("auth", **{k: overrides.pop(k) for k in list(overrides) if k in _KIT_FIELDS})
    auth_settings = load_auth_settings(**overrides)
    app, api = create_service_app(settings, title="Auth (Asan İmza, e-signature card, tokens)")
    kit = app.extensions["egov"]

    repo = AuthRepository(lambda: kit.db)
    try:
        repo.ensure_indexes()
    except Exception:  # noqa: BLE001 - indexes only speed things up; start anyway
        log.warning("could not create indexes now")
    keys = KeyRing(repo, rotation_days=auth_settings.key_rotation_days,
                   static_private_pem=auth_settings.jwt_private_key,
                   previous_public_pem=auth_settings.jwt_previous_public_key)
    sims = SimDirectory.load(auth_settings.sim_identities_path) if auth_settings.asan_sim_enabled \
        else SimDirectory.empty()
    flows = AuthFlows(settings=auth_settings, service_secret=settings.service_client_secret, repo=repo,
                      keys=keys, registry=Registry(kit.client), sims=sims, test_pki=SimulatorPki(repo, utcnow))
    app.extensions["auth"] = flows
    # Our own calls to the registry carry tokens minted here, not fetched over HTTP from ourselves.
    kit.tokens = kit.client.tokens = LocalServiceTokens(flows)

    @app.errorhandler(AuthError)
    def _refused(exc: AuthError):
        errors = {exc.field: [exc.code]} if exc.field and exc.code else None
        return problem_response(exc.status, code=exc.code, errors=errors, headers=exc.headers, extra=exc.extra)

    from .routes import blp as auth_blp
    api.register_blueprint(auth_blp)
    if auth_settings.asan_sim_enabled:
        from .sim_routes import blp as sim_blp
        api.register_blueprint(sim_blp)
    return app


SERVICE = ServiceSpec(name="auth", create_app=create_app, outbox_collections=["sessions"], handlers=handlers)
