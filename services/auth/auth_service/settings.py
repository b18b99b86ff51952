"""Settings of the auth service, from environment variables only (defaults make the local run work)."""
from __future__ import annotations

from dataclasses import dataclass, field

from egov_kit.config import MissingSecret, Settings, apply_overrides, env, load_settings, split_overrides

DEFAULT_RP_NAME = "ƏƏSMN elektron xidmətləri"


@dataclass
class AuthSettings:
    access_ttl: int = 900                 # AUTH_ACCESS_TTL_SECONDS
    session_max: int = 8 * 3600           # AUTH_SESSION_MAX_SECONDS
    key_rotation_days: float = 30.0       # AUTH_KEY_ROTATION_DAYS
    jwt_private_key: str | None = None    # AUTH_JWT_PRIVATE_KEY (PEM; production)
    jwt_previous_public_key: str | None = None  # AUTH_JWT_PREVIOUS_PUBLIC_KEY (PEM; kept in JWKS)
    service_token_ttl: int = 900          # AUTH_SERVICE_TOKEN_TTL_SECONDS
    card_nonce_ttl: int = 120             # AUTH_CARD_NONCE_TTL_SECONDS
    trusted_ca_file: str | None = None    # AUTH_TRUSTED_CA_FILE (PEM bundle): Asan İmza and card issuers
    asan_provider_url: str | None = None  # ASAN_PROVIDER_URL: the provider's relying-party API
    asan_rp_uuid: str | None = None       # ASAN_RP_UUID (secret; required with a provider URL)
    asan_rp_name: str = DEFAULT_RP_NAME   # ASAN_RP_NAME
    asan_timeout: float = 10.0            # ASAN_PROVIDER_TIMEOUT_SECONDS: one HTTP call to the provider
    asan_request_ttl: int = 120           # ASAN_REQUEST_TTL_SECONDS
    asan_restart_window: int = 5          # ASAN_RESTART_WINDOW_SECONDS
    # Log-in limits: attempts counted in fixed windows shared by every auth process (0 = no limit).
    login_window: int = 600               # AUTH_LOGIN_WINDOW_SECONDS
    # `make test` logs its most used demo person in 35 times, and makes 185 attempts from 127.0.0.1,
    # in about five minutes: the defaults leave room for that, and for a busy office behind one address.
    login_per_phone: int = 60             # AUTH_LOGIN_LIMIT_PER_PHONE: Asan İmza starts per phone number
    login_per_user_id: int = 60           # AUTH_LOGIN_LIMIT_PER_USER_ID: Asan İmza starts per user ID
    login_per_card: int = 20              # AUTH_LOGIN_LIMIT_PER_CARD: card log-ins per card holder (FİN)
    login_per_client: int = 600           # AUTH_LOGIN_LIMIT_PER_CLIENT: starts, challenges, card log-ins
    staff_fins: frozenset = field(default_factory=frozenset)  # STAFF_FINS (comma-separated)


def _int(name: str, default: int) -> int:
    return int(env(name, str(default)))


def _pem(value: str | None) -> str | None:
    # Secrets stores often hand a PEM over on one line, a literal \n for each line break.
    return value.replace("\\n", "\n") if value else value


def own_settings(overrides: dict | None = None) -> AuthSettings:
    """The auth service's own settings; `overrides` by name (an unknown name is an error)."""
    staff = env("STAFF_FINS", "") or ""
    settings = AuthSettings(
        access_ttl=_int("AUTH_ACCESS_TTL_SECONDS", 900),
        session_max=_int("AUTH_SESSION_MAX_SECONDS", 8 * 3600),
        key_rotation_days=float(env("AUTH_KEY_ROTATION_DAYS", "30")),
        jwt_private_key=_pem(env("AUTH_JWT_PRIVATE_KEY")),
        jwt_previous_public_key=_pem(env("AUTH_JWT_PREVIOUS_PUBLIC_KEY")),
        service_token_ttl=_int("AUTH_SERVICE_TOKEN_TTL_SECONDS", 900),
        card_nonce_ttl=_int("AUTH_CARD_NONCE_TTL_SECONDS", 120),
        trusted_ca_file=env("AUTH_TRUSTED_CA_FILE"),
        asan_provider_url=env("ASAN_PROVIDER_URL"),
        asan_rp_uuid=env("ASAN_RP_UUID"),
        asan_rp_name=env("ASAN_RP_NAME", DEFAULT_RP_NAME),
        asan_timeout=float(env("ASAN_PROVIDER_TIMEOUT_SECONDS", "10")),
        asan_request_ttl=_int("ASAN_REQUEST_TTL_SECONDS", 120),
        asan_restart_window=_int("ASAN_RESTART_WINDOW_SECONDS", 5),
        login_window=_int("AUTH_LOGIN_WINDOW_SECONDS", 600),
        login_per_phone=_int("AUTH_LOGIN_LIMIT_PER_PHONE", 60),
        login_per_user_id=_int("AUTH_LOGIN_LIMIT_PER_USER_ID", 60),
        login_per_card=_int("AUTH_LOGIN_LIMIT_PER_CARD", 20),
        login_per_client=_int("AUTH_LOGIN_LIMIT_PER_CLIENT", 600),
        staff_fins=frozenset(f.strip().upper() for f in staff.split(",") if f.strip()),
    )
    settings = apply_overrides(settings, overrides or {})
    if settings.asan_provider_url and not settings.asan_rp_uuid:
        raise MissingSecret("ASAN_RP_UUID")
    if settings.login_window < 1 or min(settings.login_per_phone, settings.login_per_user_id,
                                        settings.login_per_card, settings.login_per_client) < 0:
        raise ValueError("AUTH_LOGIN_WINDOW_SECONDS must be at least 1 and the AUTH_LOGIN_LIMIT_* not negative")
    return settings


def load(overrides: dict | None = None) -> tuple[Settings, AuthSettings]:
    """(the kit's settings, auth's own); `overrides` may hold names of either, side by side."""
    kit_overrides, own_overrides = split_overrides(overrides)
    return load_settings("auth", **kit_overrides), own_settings(own_overrides)
