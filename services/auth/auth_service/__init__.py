"""Auth service: log-in with Asan İmza (simulated) or an e-signature card, company roles, tokens
(RS256, JWKS), logout propagated as events, service tokens, and signing for other services."""
from __future__ import annotations

from egov_kit.app import Kit, create_service_app
from egov_kit.config import Settings
from egov_kit.service import Consumption, ServiceSpec

from . import messages  # noqa: F401  (its codes join the kit's catalogue on import)
from . import routes, sim_routes
from .handlers import make_handlers
from .keys import KeyRing, LocalServiceTokens
from .repository import AuthRepository
from .service import AuthService
from .settings import AuthSettings, load, own_settings
from .simulator import SimDirectory, SimulatorPki


def create_app(config_overrides: dict | None = None):
    """`config_overrides` may hold kit settings (mongo_db, …) and auth settings (access_ttl, …)."""
    settings, own = load(config_overrides)
    app, api = create_service_app(settings, title="Auth (Asan İmza, e-signature card, tokens)")
    kit = app.extensions["egov"]
    kit.service = build_service(kit, own)
    kit.service.repo.ensure_indexes()
    api.register_blueprint(routes.blp)
    if own.asan_sim_enabled:
        api.register_blueprint(sim_routes.blp)
    return app


def build_service(kit: Kit, settings: AuthSettings) -> AuthService:
    repo = AuthRepository(lambda: kit.db)
    keys = KeyRing(repo, rotation_days=settings.key_rotation_days, static_private_pem=settings.jwt_private_key,
                   previous_public_pem=settings.jwt_previous_public_key)
    # Auth's own calls (to the registry) carry tokens it signs itself, not ones fetched over HTTP
    # from itself; the kit's client, and so kit.registry, use them.
    kit.tokens = kit.client.tokens = LocalServiceTokens(keys, settings.service_token_ttl)
    sims = SimDirectory.load(settings.sim_identities_path) if settings.asan_sim_enabled else SimDirectory.empty()
    return AuthService(settings=settings, service_secret=kit.settings.service_client_secret, repo=repo, keys=keys,
                       registry=kit.registry, sims=sims, test_pki=SimulatorPki(repo))


def build_consumer(settings: Settings) -> Consumption:
    """The consumer role: the same service, built from the settings, handling authority events."""
    return Consumption(make_handlers(build_service(Kit(settings), own_settings())))


SERVICE = ServiceSpec(name="auth", create_app=create_app, outbox_collections=["sessions"], consumer=build_consumer)
