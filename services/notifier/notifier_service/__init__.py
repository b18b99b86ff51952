"""Notifier service: alerts institutions about events addressed to them (signed webhooks and an
inbox they can poll) and e-mails copies to people (certificate PDF, accident report, insurer
decisions). Every notification goes out once per event and recipient, retried until delivered."""
from __future__ import annotations

import dataclasses
import logging

from egov_kit.app import create_service_app
from egov_kit.bus import Publisher
from egov_kit.config import Settings, load_settings
from egov_kit.service import ServiceSpec

from .handlers import handlers as event_handlers

log = logging.getLogger("notifier")
_KIT_FIELDS = {f.name for f in dataclasses.fields(Settings)}


def create_app(config_overrides: dict | None = None):
    """`config_overrides` may hold kit settings (mongo_db, …) and notifier settings (webhook_allow_private, …)."""
    from . import messages  # noqa: F401  (its codes join the kit's catalogue on import)
    from .config import load_notifier_config
    from .repository import NotifierRepository
    from .routes import NotifierApi, blp
    from .secretbox import SecretBox, new_dev_key
    from .senders import resolve_host

    overrides = dict(config_overrides or {})
    settings = load_settings("notifier", **{k: overrides.pop(k) for k in list(overrides) if k in _KIT_FIELDS})
    config = load_notifier_config(settings.smtp_host, settings.smtp_port, **overrides)
    app, api = create_service_app(settings, title="Notifier (webhooks, inboxes, e-mail copies)")
    kit = app.extensions["egov"]
    repo = NotifierRepository(lambda: kit.db)
    try:
        repo.ensure_indexes()
    except Exception:  # noqa: BLE001 - indexes only speed things up; start anyway
        log.warning("could not create indexes now")
    app.extensions["notifier"] = NotifierApi(
        repo=repo, secrets=SecretBox(config.webhook_secret_key, lambda: repo.dev_key(new_dev_key)), config=config,
        resolve=resolve_host,
        publisher=lambda: Publisher(settings.amqp_url, settings.exchange, name="notifier-replay"))
    api.register_blueprint(blp)
    return app


def _delivery_worker():
    from .runtime import DeliveryService
    return DeliveryService()


# The consumer role runs the delivery worker beside the event consumer: what the handlers plan,
# it sends.
SERVICE = ServiceSpec(name="notifier", create_app=create_app, handlers=event_handlers, workers=[_delivery_worker])
