"""Turning an event into inbox entries and deliveries (the consumer's side of the notifier).

Every entry and delivery has an id made from the event id and the recipient, so handling the same
event again (a redelivery, a replay, a second replica) inserts nothing new and sends nothing twice.
Documents another service owns (PDFs) and e-mail addresses from the population registry are
fetched here, before acknowledging the event: if they cannot be had now, the event is retried."""
from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta, timezone
from typing import Callable

from bson import Binary

from .domain import (Addressees, EmailPlan, Plan, delivery_id, inbox_id, is_email, mask_email, message_id)
from .repository import NotifierRepository
from .templates import build_message, inbox_title, render
from .webhooks import WebhookDirectory

log = logging.getLogger("notifier.plan")
REGISTRY_PURPOSE = "notify employee of a registered employment contract notice"


class Unavailable(Exception):
    """Something the notification needs cannot be had right now; the event is retried later."""


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Notifier:
    def __init__(self, *, repo: NotifierRepository, client, config, worker=None,
                 webhooks: WebhookDirectory | None = None, clock: Callable[[], datetime] = utcnow):
        """`client` calls other services with a service token (egov_kit ServiceClient); `worker`
        (this process's DeliveryWorker, if any) takes the new deliveries and sends them at once."""
        self.repo = repo
        self.webhooks = webhooks or WebhookDirectory(repo)
        self.client = client
        self.config = config
        self.worker = worker
        self.clock = clock
        self.addressees = Addressees(config.labour_inspectorate_voen, config.prosecutor_voen)

    def deliver(self, event: dict, plan: Plan) -> None:
        # Institutions first: they are alerted even while a PDF for an e-mail cannot be fetched.
        if plan.organisations:
            self._alert_organisations(event, plan.organisations)
        for email in plan.emails:
            self._plan_email(event, email)

    def _store(self, notifications: list[dict], deliveries: list[dict]) -> None:
        if self.worker is not None:
            deliveries = self.worker.reserve(deliveries)
        inserted = set(self.repo.add_notifications(notifications + deliveries))
        if self.worker is not None:
            self.worker.hand_over([d for d in deliveries if d["_id"] in inserted])

    # --- institutions: inbox always, webhooks when they registered any ------------------------

    def _alert_organisations(self, event: dict, voens: tuple[str, ...]) -> None:
        now = self.clock()
        title_az, title_en = inbox_title(event["type"], event.get("data") or {})
        entries = [self.repo.inbox_entry(entry_id=inbox_id(event["id"], voen), event=event, voen=voen, now=now,
                                         title=title_az, title_en=title_en) for voen in voens]
        body = json.dumps(event, ensure_ascii=False, separators=(",", ":"))
        give_up_at = now + timedelta(seconds=self.config.webhook_give_up_after)
        deliveries = []
        for voen in voens:
            for hook in self.webhooks.for_voen(voen):
                deliveries.append(self.repo.new_delivery(
                    delivery_id=delivery_id(event["id"], "webhook", hook["_id"]), event=event, channel="webhook",
                    recipient=hook["_id"], now=now, give_up_at=give_up_at, voen=voen, webhook_id=hook["_id"],
                    url=hook["url"], secret_encrypted=hook["secret_encrypted"], body=body))
        self._store(entries, deliveries)

    # --- e-mail -------------------------------------------------------------------------------

    def _plan_email(self, event: dict, plan: EmailPlan) -> None:
        did = delivery_id(event["id"], "email", plan.role)
        if self.repo.delivery_exists(did):
            return  # planned when this event came before
        now = self.clock()
        give_up_at = now + timedelta(seconds=self.config.email_give_up_after)
        to = plan.to if plan.to is not None else self._registry_email(plan.fin)
        if not to:
            self._settled(event, did, plan.role, now, "skipped", "no e-mail address on record")
            return
        if not is_email(to):
            self._settled(event, did, plan.role, now, "failed", "invalid e-mail address")
            return
        to = to.strip()
        attachment = None
        if plan.attachment is not None:
            attachment = (plan.attachment.filename, self._fetch_document(plan.attachment.service,
                                                                         plan.attachment.path))
        raw = build_message(render(plan.template, event.get("data") or {}), to=to, mail_from=self.config.mail_from,
                            message_id=message_id(did), attachment=attachment, sent_at=now)
        self._store([], [self.repo.new_delivery(
            delivery_id=did, event=event, channel="email", recipient=plan.role, now=now, give_up_at=give_up_at,
            to=to, to_masked=mask_email(to), message=Binary(raw))])

    def _settled(self, event: dict, did: str, role: str, now: datetime, state: str, reason: str) -> None:
        # Kept so staff can see why nobody was e-mailed, and so a repeat of the event is recognised.
        log.info("nobody to e-mail", extra={"event_type": event["type"], "delivery_id": did, "reason": reason})
        self.repo.add_notifications([self.repo.new_delivery(
            delivery_id=did, event=event, channel="email", recipient=role, now=now, give_up_at=now, state=state,
            last_error=reason)])

    # --- other services -----------------------------------------------------------------------

    def _registry_email(self, fin: str) -> str | None:
        try:
            response = self.client.get("registry", f"/api/registry/persons/{fin}",
                                       headers={"X-Purpose": REGISTRY_PURPOSE}, timeout=5)
        except Exception as exc:  # noqa: BLE001 - network, or no service token from auth
            raise Unavailable(f"registry unreachable ({type(exc).__name__})") from None
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise Unavailable(f"registry answered {response.status_code}")
        return (response.json() or {}).get("email")

    def _fetch_document(self, service: str, path: str) -> bytes:
        try:
            response = self.client.get(service, path, timeout=20)
        except Exception as exc:  # noqa: BLE001
            raise Unavailable(f"{service} unreachable ({type(exc).__name__})") from None
        if response.status_code != 200:
            raise Unavailable(f"{service} answered {response.status_code} for the document")
        if not response.content.startswith(b"%PDF"):
            raise Unavailable(f"{service} sent something that is not a PDF")
        return response.content
