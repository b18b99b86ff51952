"""Wiring of the consumer side: one Notifier and one delivery worker per process, from settings."""
from __future__ import annotations

import atexit
import logging
import os
import threading
from dataclasses import dataclass

from egov_kit.app import Kit
from egov_kit.config import Settings, load_settings

from .config import NotifierConfig, load_notifier_config
from .delivery import DeliveryWorker
from .notifications import Notifier
from .repository import NotifierRepository
from .secretbox import SecretBox, new_dev_key
from .senders import SmtpSender, WebhookSender
from .webhooks import WebhookDirectory

log = logging.getLogger("notifier")


@dataclass
class Runtime:
    settings: Settings
    config: NotifierConfig
    repo: NotifierRepository
    notifier: Notifier
    worker: DeliveryWorker


def build(settings: Settings | None = None, config: NotifierConfig | None = None, *,
          db=None, client=None, worker_name: str | None = None) -> Runtime:
    """A notifier with its own delivery worker (not started). Tests build extra ones with their
    own database, SMTP port or retry timings; the consumer role builds the default one."""
    settings = settings or load_settings("notifier")
    config = config or load_notifier_config(settings.smtp_host, settings.smtp_port)
    kit = Kit(settings)
    repo = NotifierRepository((lambda: db) if db is not None else (lambda: kit.db))
    try:
        repo.ensure_indexes()
    except Exception:  # noqa: BLE001 - indexes only speed things up; start anyway
        log.warning("could not create indexes now")
    secrets = SecretBox(config.webhook_secret_key, lambda: repo.dev_key(new_dev_key))
    webhooks = WebhookDirectory(repo)
    worker = DeliveryWorker(
        repo, secrets,
        SmtpSender(config.smtp_host, config.smtp_port, config.mail_from, config.smtp_timeout),
        WebhookSender(config.webhook_timeout, config.webhook_allow_private, pool_size=max(4, config.sender_threads)),
        threads=config.sender_threads, poll_interval=config.poll_interval, lease=config.lease,
        retry_base=config.retry_base, retry_max=config.retry_max, name=worker_name, on_tick=webhooks.refresh)
    notifier = Notifier(repo=repo, client=client or kit.client, config=config, worker=worker, webhooks=webhooks)
    return Runtime(settings, config, repo, notifier, worker)


_default: Runtime | None = None
_default_pid: int | None = None
_lock = threading.Lock()


def default() -> Runtime:
    """This process's notifier, its delivery worker running."""
    global _default, _default_pid
    if _default is None or _default_pid != os.getpid():
        with _lock:
            if _default is None or _default_pid != os.getpid():
                _default = build()
                _default_pid = os.getpid()
                atexit.register(_default.worker.close)
    _default.worker.start()
    return _default


class DeliveryService:
    """The consumer role's delivery worker (egov_kit ServiceSpec.workers): this process's default
    worker, started with the consumer and closed after it (outcomes written, unsent work given back)."""

    def __init__(self):
        self.stopping = threading.Event()

    def run_forever(self) -> None:
        rt = None
        while rt is None and not self.stopping.is_set():
            try:
                rt = default()
            except Exception:  # noqa: BLE001 - the first event handled tries too; keep trying
                log.exception("delivery worker could not start yet")
                self.stopping.wait(1.0)
        self.stopping.wait()
        if rt is not None:
            rt.worker.close()

    def stop(self) -> None:
        self.stopping.set()
