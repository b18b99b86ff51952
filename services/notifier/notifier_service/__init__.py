"""Notifier service: alerts institutions about events addressed to them (signed webhooks and an
inbox they can poll) and e-mails copies to people (certificate PDF, accident report, insurer
decisions). Every notification goes out once per event and recipient, retried until delivered."""
from __future__ import annotations

from egov_kit.app import Kit, create_service_app
from egov_kit.bus import Publisher
from egov_kit.config import Settings
from egov_kit.service import Consumption, ServiceSpec

from . import messages  # noqa: F401  (its codes join the kit's catalogue)
from . import settings as notifier_settings
from .delivery import DeliveryWorker
from .handlers import make_handlers
from .repository import NotifierRepository
from .routes import blp
from .secretbox import SecretBox, new_dev_key
from .senders import SmtpSender, WebhookSender, resolve_host
from .service import NotifierService
from .settings import NotifierSettings
from .webhooks import WebhookDirectory


def create_app(config_overrides: dict | None = None):
    """`config_overrides` may hold kit settings (mongo_db, …) and notifier settings (webhook_allow_private, …).
    The API plans nothing and sends nothing: that is the consumer role's work."""
    kit_settings, own = notifier_settings.load(config_overrides)
    app, api = create_service_app(kit_settings, title="Notifier (webhooks, inboxes, e-mail copies)")
    kit = app.extensions["egov"]
    kit.service = build_service(kit, own)
    kit.service.repository.ensure_indexes()
    api.register_blueprint(blp)
    return app


def build_service(kit: Kit, settings: NotifierSettings, *, delivering: bool = False,
                  worker_name: str | None = None) -> NotifierService:
    """The notifier's use cases on the kit's database, registry and clients. `delivering`: with a
    delivery worker of its own (not started; named `worker_name`, else host:pid) that sends what
    the service plans — the consumer role's."""
    repository = NotifierRepository(lambda: kit.db)
    secrets = SecretBox(settings.webhook_secret_key, lambda: repository.dev_key(new_dev_key))
    webhooks = WebhookDirectory(repository)
    delivery = None
    if delivering:
        delivery = DeliveryWorker(
            repository, secrets,
            SmtpSender(kit.settings.smtp_host, kit.settings.smtp_port, settings.mail_from, settings.smtp_timeout),
            WebhookSender(settings.webhook_timeout, settings.webhook_allow_private,
                          pool_size=max(4, settings.sender_threads)),
            webhooks, threads=settings.sender_threads, poll_interval=settings.poll_interval, lease=settings.lease,
            retry_base=settings.retry_base, retry_max=settings.retry_max, name=worker_name)
    return NotifierService(
        repository=repository, secrets=secrets, settings=settings, resolve=resolve_host,
        publisher=lambda: Publisher(kit.settings.amqp_url, kit.settings.exchange, name="notifier-replay"),
        webhooks=webhooks, registry=kit.registry, documents=kit.client, delivery=delivery)


def build_consumer(settings: Settings, own: NotifierSettings | None = None) -> Consumption:
    """The consumer role: the handlers, and beside them the delivery worker sending what they plan."""
    service = build_service(Kit(settings), own or notifier_settings.own_settings(), delivering=True)
    service.repository.ensure_indexes()
    return Consumption(make_handlers(service), [service.delivery])


SERVICE = ServiceSpec(name="notifier", create_app=create_app, consumer=build_consumer)
