"""Auth service: log-in with Asan İmza (as a relying party of the provider, over HTTP) or an
e-signature card, company roles, tokens (RS256, JWKS), logout propagated as events, service
tokens, and signing for other services."""
from __future__ import annotations

from egov_kit.app import Kit, create_service_app
from egov_kit.config import Settings
from egov_kit.service import Consumption, ServiceSpec

from . import messages  # noqa: F401  (its codes join the kit's catalogue on import)
from . import routes
from .asan import AsanProvider
from .handlers import make_handlers
from .keys import KeyRing, LocalServiceTokens
from .repository import AuthRepository
from .service import AuthService
from .settings import AuthSettings, load, own_settings
from .trust import TrustStore


def create_app(config_overrides: dict | None = None):
    """`config_overrides` may hold kit settings (mongo_db, …) and auth settings (access_ttl, …)."""
    settings, own = load(config_overrides)
    app, api = create_service_app(settings, title="Auth (Asan İmza, e-signature card, tokens)")
    kit = app.extensions["egov"]
    kit.service = build_service(kit, own)
    kit.service.repo.ensure_indexes()
    api.register_blueprint(routes.blp)
    return app


def build_service(kit: Kit, settings: AuthSettings) -> AuthService:
    repo = AuthRepository(lambda: kit.db)
    keys = KeyRing(repo, rotation_days=settings.key_rotation_days, static_private_pem=settings.jwt_private_key,
                   previous_public_pem=settings.jwt_previous_public_key)
    # Auth's own calls (to the registry) carry tokens it signs itself, not ones fetched over HTTP
    # from itself; the kit's client, and so kit.registry, use them.
    kit.tokens = kit.client.tokens = LocalServiceTokens(keys, settings.service_token_ttl)
    provider = (AsanProvider(settings.asan_provider_url, settings.asan_rp_uuid, settings.asan_rp_name,
                             timeout=settings.asan_timeout)
                if settings.asan_provider_url else None)
    return AuthService(settings=settings, service_secret=kit.settings.service_client_secret, repo=repo, keys=keys,
                       registry=kit.registry, provider=provider, trust=TrustStore(settings.trusted_ca_file))


def build_consumer(settings: Settings) -> Consumption:
    """The consumer role: the same service, built from the settings, handling authority events."""
    return Consumption(make_handlers(build_service(Kit(settings), own_settings())))


SERVICE = ServiceSpec(name="auth", create_app=create_app, outbox_collections=["sessions"], consumer=build_consumer)
