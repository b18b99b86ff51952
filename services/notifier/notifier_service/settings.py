"""Settings of the notifier, from environment variables only (defaults make the local run work).
The SMTP server is the kit's (SMTP_HOST, SMTP_PORT), like the bus and the database."""
from __future__ import annotations

from dataclasses import dataclass

from egov_kit.config import Settings, apply_overrides, env, env_bool, load_settings, split_overrides


@dataclass
class NotifierSettings:
    labour_inspectorate_voen: str = "1400245611"  # LABOUR_INSPECTORATE_VOEN
    prosecutor_voen: str = "1500012341"           # PROSECUTOR_VOEN
    webhook_secret_key: str | None = None         # WEBHOOK_SECRET_KEY (Fernet key(s), comma-separated)
    webhook_allow_private: bool = False           # WEBHOOK_ALLOW_PRIVATE
    webhook_timeout: float = 5.0                  # WEBHOOK_TIMEOUT_SECONDS
    webhook_give_up_after: float = 24 * 3600.0    # WEBHOOK_RETRY_HOURS
    webhooks_per_organisation: int = 10           # WEBHOOKS_PER_ORGANISATION
    email_give_up_after: float = 72 * 3600.0      # EMAIL_RETRY_HOURS
    mail_from: str = '"Əmək və Əhalinin Sosial Müdafiəsi Nazirliyi" <no-reply@notifier.egov>'  # MAIL_FROM
    smtp_timeout: float = 20.0                    # SMTP_TIMEOUT_SECONDS
    retry_base: float = 1.0                       # DELIVERY_RETRY_BASE_MS
    retry_max: float = 600.0                      # DELIVERY_RETRY_MAX_MS
    poll_interval: float = 0.1                    # DELIVERY_POLL_INTERVAL_MS (at most 100 ms)
    sender_threads: int = 8                       # DELIVERY_THREADS
    lease: float = 120.0                          # DELIVERY_LEASE_SECONDS


def own_settings(overrides: dict | None = None) -> NotifierSettings:
    """The notifier's own settings; `overrides` by field name (an unknown name is an error)."""
    settings = NotifierSettings(
        labour_inspectorate_voen=env("LABOUR_INSPECTORATE_VOEN", NotifierSettings.labour_inspectorate_voen),
        prosecutor_voen=env("PROSECUTOR_VOEN", NotifierSettings.prosecutor_voen),
        webhook_secret_key=env("WEBHOOK_SECRET_KEY"),
        webhook_allow_private=env_bool("WEBHOOK_ALLOW_PRIVATE", False),
        webhook_timeout=float(env("WEBHOOK_TIMEOUT_SECONDS", "5")),
        webhook_give_up_after=float(env("WEBHOOK_RETRY_HOURS", "24")) * 3600,
        webhooks_per_organisation=int(env("WEBHOOKS_PER_ORGANISATION", "10")),
        email_give_up_after=float(env("EMAIL_RETRY_HOURS", "72")) * 3600,
        mail_from=env("MAIL_FROM", NotifierSettings.mail_from),
        smtp_timeout=float(env("SMTP_TIMEOUT_SECONDS", "20")),
        retry_base=int(env("DELIVERY_RETRY_BASE_MS", "1000")) / 1000,
        retry_max=int(env("DELIVERY_RETRY_MAX_MS", "600000")) / 1000,
        poll_interval=min(int(env("DELIVERY_POLL_INTERVAL_MS", "100")), 100) / 1000,
        sender_threads=int(env("DELIVERY_THREADS", "8")),
        lease=float(env("DELIVERY_LEASE_SECONDS", "120")),
    )
    return apply_overrides(settings, overrides or {})


def load(overrides: dict | None = None) -> tuple[Settings, NotifierSettings]:
    """(the kit's settings, the notifier's), each taking the overrides that name its fields."""
    kit_overrides, own_overrides = split_overrides(overrides)
    return load_settings("notifier", **kit_overrides), own_settings(own_overrides)
