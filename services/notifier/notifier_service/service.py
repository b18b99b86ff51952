"""The notifier's use cases: institutions manage their webhooks (suspended when the authority they
were registered under ends, until the head confirms them) and read their inbox; staff see
dead letters and deliveries and replay a dead letter; an event is turned into inbox entries and
deliveries (the consumer's side).

Every entry and delivery has an id made from the event id and the recipient, so handling the same
event again (a redelivery, a replay, a second replica) inserts nothing new and sends nothing twice.
Documents another service owns (PDFs) and e-mail addresses from the population registry are
fetched before the event is acknowledged: if they cannot be had now, the event is retried."""
from __future__ import annotations

import json
import logging
import uuid
from datetime import datetime, timedelta
from typing import Callable, Iterable

from bson import Binary

from egov_kit.auth import Principal
from egov_kit.authority import Standing
from egov_kit.bus import Publisher
from egov_kit.clock import baku_date, from_epoch_ms, utcnow
from egov_kit.errors import ServiceError, conflict, field_error, not_found
from egov_kit.http import ServiceClient
from egov_kit.registry import RegistryClient

from .delivery import DeliveryWorker
from .domain import (ACTIVE, AUTHORITY_WITHDRAWN, SUSPENDED, Addressees, EmailPlan, Plan, check_webhook_url,
                     delivery_id, inbox_id, is_email, mask_email, message_id, parse_withdrawal, registrant,
                     webhook_suspension)
from .repository import NotifierRepository
from .secretbox import SecretBox, new_webhook_secret
from .settings import NotifierSettings
from .templates import build_message, inbox_title, render
from .webhooks import WebhookDirectory

log = logging.getLogger("notifier.service")
REGISTRY_PURPOSE = "notice-signed-notification"  # a code of the registry's lookup-purposes directory


class NotifierService:
    def __init__(self, *, repository: NotifierRepository, secrets: SecretBox, settings: NotifierSettings,
                 resolve: Callable[[str], Iterable[str]], publisher: Callable[[], Publisher],
                 webhooks: WebhookDirectory, registry: RegistryClient, documents: ServiceClient,
                 delivery: DeliveryWorker | None = None, clock: Callable[[], datetime] = utcnow):
        """`resolve` gives a host name's addresses (webhook URLs must point to public ones);
        `publisher()` makes a publisher for a replay (closed after it); `documents` fetches PDFs
        from the services that own them; `delivery` (the consumer's delivery worker, None in the
        API) takes the deliveries planned here and sends them at once."""
        self.repository = repository
        self.secrets = secrets
        self.settings = settings
        self.resolve = resolve
        self.publisher = publisher
        self.webhooks = webhooks
        self.registry = registry
        self.documents = documents
        self.delivery = delivery
        self.clock = clock
        self.addressees = Addressees(settings.labour_inspectorate_voen, settings.prosecutor_voen)

    # --- an organisation's webhooks -----------------------------------------------------------

    def register_webhook(self, caller: Principal, url: str, standing: Standing) -> dict:
        """A webhook for the organisation the caller acts for: {id, url, secret, created_at, state,
        ...}; the secret is shown only now and kept encrypted. Every event published after this
        returns goes to it (see webhooks.WebhookDirectory). `standing`: where the caller stands for
        the organisation (egov_kit.authority): a webhook registered under an authority, not by the
        head, is suspended once that authority is withdrawn or ends, until the head confirms it."""
        url = url.strip()
        refusal = check_webhook_url(url, self.resolve, self.settings.webhook_allow_private)
        if refusal:
            raise field_error("url", refusal)
        voen = caller.acting_for
        if self.repository.count_webhooks(voen) >= self.settings.webhooks_per_organisation:
            raise conflict("webhook_limit")
        secret = new_webhook_secret()
        held = registrant(standing)
        doc = {"_id": uuid.uuid4().hex, "voen": voen, "url": url, "secret_encrypted": self.secrets.encrypt(secret),
               "created_at": self.clock(), "created_by": caller.full_name,
               "registered_by": {"name": caller.full_name, "role": held["role"]},
               "authority_id": held["authority_id"], "authority_valid_until": held["authority_valid_until"],
               "suspended": False, "suspension_reason": None, "suspended_ms": None}
        if not self.repository.add_webhook(doc):
            raise conflict("webhook_exists", field="url")
        if held["authority_id"] and self.repository.authority_was_withdrawn(held["authority_id"]):
            # Withdrawn between the check of this request and the write: suspended like the others.
            self.repository.suspend_webhooks_under(held["authority_id"], self.clock(), AUTHORITY_WITHDRAWN)
        self.repository.bump_webhooks_version()
        shown = self.repository.get_webhook(voen, doc["_id"]) or {}
        return {**self._webhook_view(shown), "secret": secret}

    def webhooks_of(self, caller: Principal, limit: int, offset: int) -> tuple[list[dict], int]:
        """The webhooks of the organisation the caller acts for (never their secrets), each active or
        suspended."""
        items, total = self.repository.webhooks_page(caller.acting_for, limit, offset)
        return [self._webhook_view(item) for item in items], total

    def confirm_webhook(self, caller: Principal, webhook_id: str) -> dict:
        """The head confirms a webhook of the organisation: held under the head's own right from
        now on (never suspended by an authority ending), and resumed if it was suspended; the next
        event goes to it. What was not sent while it was suspended is not sent now (the inbox has
        it). Another organisation's webhook is a 404. The caller is the head (the route's check)."""
        confirmed = self.repository.confirm_webhook(
            caller.acting_for, webhook_id, {"name": caller.full_name, "role": "head"}, self.clock())
        if confirmed is None:
            raise not_found()
        self.repository.bump_webhooks_version()
        return self._webhook_view(confirmed)

    def replace_webhook_secret(self, caller: Principal, webhook_id: str) -> dict:
        """A new secret for one of the organisation's webhooks, shown only now: every notification
        sent from now on is signed with it (a retry too), the old one signs nothing more. Another
        organisation's webhook is a 404."""
        secret = new_webhook_secret()
        replaced = self.repository.replace_webhook_secret(caller.acting_for, webhook_id,
                                                          self.secrets.encrypt(secret), self.clock())
        if replaced is None:
            raise not_found()
        self.repository.bump_webhooks_version()  # the planners' cached secrets are stale
        return {**self._webhook_view(replaced), "secret": secret}

    def webhook_deliveries(self, caller: Principal, webhook_id: str, limit: int,
                           offset: int) -> tuple[list[dict], int]:
        """The delivery log of one of the organisation's webhooks, newest first, with each
        attempt's outcome. Another organisation's webhook is a 404."""
        if self.repository.get_webhook(caller.acting_for, webhook_id) is None:
            raise not_found()
        return self.repository.webhook_deliveries_page(caller.acting_for, webhook_id, limit, offset)

    def _webhook_view(self, hook: dict) -> dict:
        suspension = webhook_suspension(hook, baku_date(self.clock()))
        return {"id": hook.get("id"), "url": hook.get("url"), "created_at": hook.get("created_at"),
                "state": SUSPENDED if suspension else ACTIVE, "suspension_reason": suspension,
                "suspended_at": from_epoch_ms(hook.get("suspended_ms")) if suspension == AUTHORITY_WITHDRAWN else None,
                "registered_by": hook.get("registered_by") or None,
                "authority_valid_until": hook.get("authority_valid_until")}

    def delete_webhook(self, caller: Principal, webhook_id: str) -> None:
        """Another organisation's webhook is a 404. Once this returns, no event goes to it; what
        still waits for it is cancelled (the inbox keeps it)."""
        if not self.repository.delete_webhook(caller.acting_for, webhook_id):
            raise not_found()
        self.repository.bump_webhooks_version()
        self.repository.cancel_deliveries_to(webhook_id, self.clock())

    def authority_withdrawn(self, event: dict) -> None:
        """contracts.authority.withdrawn: the webhooks registered under that authority are
        suspended; nothing more goes to them (what waits is skipped; the inbox has everything)
        until the head confirms them. Idempotent."""
        authority_id, voen = parse_withdrawal(event)
        now = self.clock()
        self.repository.record_withdrawn_authority(authority_id, voen, now)
        suspended = self.repository.suspend_webhooks_under(authority_id, now, AUTHORITY_WITHDRAWN)
        if not suspended:
            return
        self.repository.bump_webhooks_version()
        self.webhooks.refresh()  # this process's planner and sender see it at once
        for webhook_id in suspended:
            self.repository.skip_deliveries_to(webhook_id, now)
        log.info("webhooks suspended: authority withdrawn", extra={"count": len(suspended)})

    # --- an organisation's inbox --------------------------------------------------------------

    def inbox_of(self, caller: Principal, limit: int, offset: int) -> tuple[list[dict], int]:
        """Notifications addressed to the organisation the caller acts for, newest first."""
        return self.repository.inbox_page(caller.acting_for, limit, offset)

    def inbox_entry(self, caller: Principal, entry_id: str) -> dict:
        """One notification of the organisation's inbox; another organisation's is a 404."""
        entry = self.repository.inbox_entry_of(caller.acting_for, entry_id)
        if entry is None:
            raise not_found()
        return entry

    # --- operations staff ---------------------------------------------------------------------

    def dead_letters(self, state: str | None, limit: int, offset: int) -> tuple[list[dict], int]:
        """Events the notifier gave up on after its retries, newest first."""
        return self.repository.dead_letters_page(state, limit, offset)

    def replay_dead_letter(self, dead_letter_id: str) -> dict:
        """Sends a dead letter back to the notifier's queue, once (again: 409)."""
        if self.repository.dead_letter(dead_letter_id) is None:
            raise not_found()
        publisher = self.publisher()
        try:
            replayed = self.repository.replay_dead_letter(dead_letter_id, publisher)
        finally:
            publisher.close()
        if not replayed:
            raise conflict("dead_letter_not_dead")
        return self.repository.dead_letter(dead_letter_id)

    def retry_delivery(self, delivery_id: str) -> dict:
        """A delivery given up on (`failed`) is tried again at once and then retried as a new one
        would be; 409 when it is not failed, holds nothing to send, or its webhook is gone."""
        found = self.repository.delivery_summary(delivery_id)
        if found is None:
            raise not_found()
        if found["state"] != "failed" or not found["sendable"]:
            raise conflict("delivery_not_failed")
        if found["channel"] == "webhook" and self.repository.webhook_for_sending(found["webhook_id"]) is None:
            raise conflict("delivery_webhook_deleted")
        now = self.clock()
        window = self.settings.webhook_give_up_after if found["channel"] == "webhook" \
            else self.settings.email_give_up_after
        retried = self.repository.retry_failed_delivery(delivery_id, now, now + timedelta(seconds=window))
        if retried is None:
            raise conflict("delivery_not_failed")  # another retry came first
        return retried

    def deliveries(self, state: str | None, limit: int, offset: int) -> tuple[list[dict], int]:
        """Deliveries by state, latest change first (`failed`: those given up on)."""
        return self.repository.deliveries_page(state, limit, offset)

    # --- an event: who is told what -----------------------------------------------------------

    def notify(self, event: dict, plan: Plan) -> None:
        """Records the inbox entries and deliveries `plan` calls for (domain.plan_*), once per
        event and recipient; the delivery worker sends them."""
        # Institutions first: they are alerted even while a PDF for an e-mail cannot be fetched.
        if plan.organisations:
            self._alert_organisations(event, plan.organisations)
        for email in plan.emails:
            self._plan_email(event, email)

    def _store(self, notifications: list[dict], deliveries: list[dict]) -> None:
        if self.delivery is not None:
            deliveries = self.delivery.reserve(deliveries)
        inserted = set(self.repository.add_notifications(notifications + deliveries))
        if self.delivery is not None:
            self.delivery.hand_over([d for d in deliveries if d["_id"] in inserted])

    def _alert_organisations(self, event: dict, voens: tuple[str, ...]) -> None:
        """Inbox always; webhooks when the organisation registered any.

        Planned from the cached webhooks, and written with a check that they did not change since
        (repository.add_plan: the same round trip). That check comes after the event was received,
        hence after any change answered before the event was published; if it fails, the cache is
        refreshed and the event planned again: what is missing is inserted, and what was just
        inserted for a webhook that is gone is taken back before anything is sent."""
        now = self.clock()
        title_az, title_en = inbox_title(event["type"], event.get("data") or {})
        entries = [self.repository.inbox_entry(entry_id=inbox_id(event["id"], voen), event=event, voen=voen,
                                               now=now, title=title_az, title_en=title_en) for voen in voens]
        body = json.dumps(event, ensure_ascii=False, separators=(",", ":"))
        give_up_at = now + timedelta(seconds=self.settings.webhook_give_up_after)

        def planned() -> list[dict]:
            deliveries = []
            today = baku_date(now)
            for voen in voens:
                for hook in self.webhooks.for_voen(voen, today):  # not the suspended ones
                    deliveries.append(self.repository.new_delivery(
                        delivery_id=delivery_id(event["id"], "webhook", hook["_id"]), event=event,
                        channel="webhook", recipient=hook["_id"], now=now, give_up_at=give_up_at, voen=voen,
                        webhook_id=hook["_id"], url=hook["url"], secret_encrypted=hook["secret_encrypted"],
                        authority_valid_until=hook.get("authority_valid_until"), body=body))
            return self.delivery.reserve(deliveries) if self.delivery is not None else deliveries

        generation, version = self.webhooks.current()
        deliveries = planned()
        inserted, unchanged = self.repository.add_plan(entries + deliveries, version)
        kept = [d for d in deliveries if d["_id"] in inserted]
        if not unchanged:
            generation, _version = self.webhooks.refresh()
            written = {d["_id"] for d in deliveries}
            deliveries = planned()
            wanted = {d["_id"] for d in deliveries}
            self.repository.forget_planned([d["_id"] for d in kept if d["_id"] not in wanted])
            # Sent with the webhook's secret as read now: one replaced since the cache was built
            # signs this event (retries look the secret up again: see delivery.DeliveryWorker).
            fresh = {d["_id"]: d.get("secret_encrypted") for d in deliveries}
            kept = [{**d, "secret_encrypted": fresh[d["_id"]]} if d.get("channel") == "webhook" else d
                    for d in kept if d["_id"] in wanted]
            # Planned from webhooks read after the event came: right for it whatever changes next.
            missing = [d for d in deliveries if d["_id"] not in written]
            if missing:
                inserted, _unchanged = self.repository.add_plan(missing)
                kept += [d for d in missing if d["_id"] in inserted]
        if self.delivery is not None:
            self.delivery.hand_over(kept, generation)

    def _plan_email(self, event: dict, plan: EmailPlan) -> None:
        did = delivery_id(event["id"], "email", plan.role)
        if self.repository.delivery_exists(did):
            return  # planned when this event came before
        now = self.clock()
        give_up_at = now + timedelta(seconds=self.settings.email_give_up_after)
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
        raw = build_message(render(plan.template, event.get("data") or {}), to=to,
                            mail_from=self.settings.mail_from, message_id=message_id(did), attachment=attachment,
                            sent_at=now)
        self._store([], [self.repository.new_delivery(
            delivery_id=did, event=event, channel="email", recipient=plan.role, now=now, give_up_at=give_up_at,
            to=to, to_masked=mask_email(to), message=Binary(raw))])

    def _settled(self, event: dict, did: str, role: str, now: datetime, state: str, reason: str) -> None:
        # Kept so staff can see why nobody was e-mailed, and so a repeat of the event is recognised.
        log.info("nobody to e-mail", extra={"event_type": event["type"], "delivery_id": did, "reason": reason})
        self.repository.add_notifications([self.repository.new_delivery(
            delivery_id=did, event=event, channel="email", recipient=role, now=now, give_up_at=now, state=state,
            last_error=reason)])

    def _registry_email(self, fin: str) -> str | None:
        """The person's address in the population registry (None: nobody, or no address);
        ServiceError 503 while the registry cannot answer, so the event is retried."""
        person = self.registry.person(fin, REGISTRY_PURPOSE)
        return (person or {}).get("email")

    def _fetch_document(self, service: str, path: str) -> bytes:
        """A PDF from the service that owns it; ServiceError 503 (the event is retried) otherwise."""
        try:
            response = self.documents.get(service, path, timeout=20)
        except Exception as exc:  # noqa: BLE001 - network, or no service token from auth
            raise _unavailable(f"{service} unreachable ({type(exc).__name__})") from None
        if response.status_code != 200:
            raise _unavailable(f"{service} answered {response.status_code} for the document")
        if not response.content.startswith(b"%PDF"):
            raise _unavailable(f"{service} sent something that is not a PDF")
        return response.content


def _unavailable(why: str) -> ServiceError:
    # The text, not a code, is what staff read as the dead letter's reason if it never comes.
    return ServiceError(503, detail=why)
