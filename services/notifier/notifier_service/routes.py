"""HTTP routes of the notifier: webhooks and the inbox of the organisation the caller acts for, and
the operations staff's view of dead letters and failed deliveries."""
from __future__ import annotations

import functools
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Callable

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from egov_kit.auth import require_company, require_staff
from egov_kit.bus import Publisher, replay_dead_letter
from egov_kit.errors import Problem

from .config import NotifierConfig
from .domain import check_webhook_url, clamp_page
from .repository import NotifierRepository
from .secretbox import SecretBox, new_webhook_secret
from .webhooks import SETTLES_AFTER

blp = Blueprint("notifier", __name__, url_prefix="/api/notifier",
                description="Webhooks and inboxes of institutions; dead letters and failed deliveries for staff")

DELIVERY_STATES = ("pending", "sending", "sent", "failed", "cancelled", "skipped")
DEAD_LETTER_STATES = ("dead", "replaying", "replayed")


@dataclass
class NotifierApi:
    repo: NotifierRepository
    secrets: SecretBox
    config: NotifierConfig
    resolve: Callable
    publisher: Callable[[], Publisher]


def _ctx() -> NotifierApi:
    return current_app.extensions["notifier"]


def _now() -> datetime:
    return datetime.now(timezone.utc)


# --- schemas ----------------------------------------------------------------------------------

class WebhookIn(Schema):
    url = fields.String(required=True, validate=validate.Length(min=1, max=2048),
                        metadata={"description": "http(s) URL of the institution's receiver"})


class WebhookOut(Schema):
    id = fields.String()
    url = fields.String()
    created_at = fields.DateTime()


class WebhookCreated(WebhookOut):
    secret = fields.String(metadata={"description": "HMAC-SHA256 key of X-Egov-Signature; shown only now"})


class WebhookList(Schema):
    items = fields.List(fields.Nested(WebhookOut))


class PageQuery(Schema):
    limit = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100, error="invalid"))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0, error="invalid"))


class InboxEntry(Schema):
    id = fields.String()
    event_id = fields.String()
    type = fields.String()
    received_at = fields.DateTime()
    title = fields.String(metadata={"description": "Azerbaijani"})
    title_en = fields.String()
    data = fields.Dict(metadata={"description": "the event's data"})


class InboxPage(Schema):
    items = fields.List(fields.Nested(InboxEntry))
    limit = fields.Integer()
    offset = fields.Integer()
    has_more = fields.Boolean()


class DeadLetterQuery(PageQuery):
    state = fields.String(validate=validate.OneOf(DEAD_LETTER_STATES))


class DeadLetterOut(Schema):
    id = fields.String()
    queue = fields.String()
    event_id = fields.String()
    event_type = fields.String(allow_none=True)
    reason = fields.String(allow_none=True)
    attempts = fields.Integer()
    state = fields.String()
    dead_at = fields.DateTime()
    replayed_at = fields.DateTime()


class DeadLetterList(Schema):
    items = fields.List(fields.Nested(DeadLetterOut))


class DeliveryQuery(PageQuery):
    state = fields.String(validate=validate.OneOf(DELIVERY_STATES))


class DeliveryOut(Schema):
    id = fields.String()
    event_id = fields.String()
    event_type = fields.String()
    channel = fields.String()
    recipient = fields.String(metadata={"description": "webhook id, or whom an e-mail was for (holder, …)"})
    voen = fields.String()
    to_masked = fields.String()
    state = fields.String()
    attempts = fields.Integer()
    last_error = fields.String()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    next_attempt_at = fields.DateTime()
    sent_at = fields.DateTime()


class DeliveryList(Schema):
    items = fields.List(fields.Nested(DeliveryOut))


def requires(check: Callable):
    """Checks who is calling before the body or query is even read."""
    def decorate(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            check()
            return view(*args, **kwargs)
        return wrapper
    return decorate


def _with_id(doc: dict) -> dict:
    doc = dict(doc)
    doc["id"] = doc.pop("_id")
    return doc


# --- webhooks ---------------------------------------------------------------------------------

def _settle_change(ctx: NotifierApi) -> None:
    """Answer only once every consumer sees the change (see webhooks.WebhookDirectory): from the
    answer on, each event goes to the new webhook, and none to a deleted one."""
    ctx.repo.bump_webhooks_version()
    time.sleep(SETTLES_AFTER)


@blp.route("/webhooks")
class Webhooks(MethodView):
    @requires(require_company)
    @blp.arguments(WebhookIn)
    @blp.response(201, WebhookCreated)
    def post(self, body):
        """Register a webhook for the organisation the caller acts for; the secret is shown once."""
        principal = require_company()
        ctx = _ctx()
        url = body["url"].strip()
        refusal = check_webhook_url(url, ctx.resolve, ctx.config.webhook_allow_private)
        if refusal:
            raise Problem(422, errors={"url": [refusal]})
        if ctx.repo.count_webhooks(principal.acting_for) >= ctx.config.webhooks_per_organisation:
            raise Problem(409, code="webhook_limit")
        secret = new_webhook_secret()
        doc = {"_id": uuid.uuid4().hex, "voen": principal.acting_for, "url": url,
               "secret_encrypted": ctx.secrets.encrypt(secret), "created_at": _now(),
               "created_by": principal.full_name}
        if not ctx.repo.add_webhook(doc):
            raise Problem(409, errors={"url": ["webhook_exists"]}, code="webhook_exists")
        _settle_change(ctx)
        return {"id": doc["_id"], "url": url, "secret": secret, "created_at": doc["created_at"]}

    @blp.response(200, WebhookList)
    def get(self):
        """The organisation's webhooks (never their secrets)."""
        principal = require_company()
        return {"items": [_with_id(d) for d in _ctx().repo.list_webhooks(principal.acting_for)]}


@blp.route("/webhooks/<webhook_id>")
class Webhook(MethodView):
    @blp.response(204)
    def delete(self, webhook_id):
        """Remove a webhook; notifications still waiting for it are cancelled (the inbox keeps them)."""
        principal = require_company()
        ctx = _ctx()
        if not ctx.repo.delete_webhook(principal.acting_for, webhook_id):
            raise Problem(404)
        _settle_change(ctx)
        ctx.repo.cancel_deliveries_to(webhook_id, _now())
        return None


# --- inbox ------------------------------------------------------------------------------------

@blp.route("/inbox")
class Inbox(MethodView):
    @requires(require_company)
    @blp.arguments(PageQuery, location="query")
    @blp.response(200, InboxPage)
    def get(self, query):
        """Notifications addressed to the organisation the caller acts for, newest first."""
        principal = require_company()
        limit, offset = clamp_page(query["limit"], query["offset"])
        docs = _ctx().repo.inbox_page(principal.acting_for, limit + 1, offset)
        return {"items": [_with_id(d) for d in docs[:limit]], "limit": limit, "offset": offset,
                "has_more": len(docs) > limit}


# --- operations staff -------------------------------------------------------------------------

@blp.route("/dead-letters")
class DeadLetters(MethodView):
    @requires(require_staff)
    @blp.arguments(DeadLetterQuery, location="query")
    @blp.response(200, DeadLetterList)
    def get(self, query):
        """Events the notifier gave up on after its retries (newest first)."""
        require_staff()
        limit, offset = clamp_page(query["limit"], query["offset"])
        return {"items": [_with_id(d) for d in _ctx().repo.list_dead_letters(query.get("state"), limit, offset)]}


@blp.route("/dead-letters/<dead_letter_id>/replay")
class DeadLetterReplay(MethodView):
    @blp.response(202, DeadLetterOut)
    def post(self, dead_letter_id):
        """Send a dead letter back to the notifier's queue, once."""
        require_staff()
        ctx = _ctx()
        if ctx.repo.dead_letter(dead_letter_id) is None:
            raise Problem(404)
        publisher = ctx.publisher()
        try:
            replayed = replay_dead_letter(ctx.repo.db, publisher, dead_letter_id)
        finally:
            publisher.close()
        if not replayed:
            raise Problem(409, code="dead_letter_not_dead")
        return _with_id(ctx.repo.dead_letter(dead_letter_id))


@blp.route("/deliveries")
class Deliveries(MethodView):
    @requires(require_staff)
    @blp.arguments(DeliveryQuery, location="query")
    @blp.response(200, DeliveryList)
    def get(self, query):
        """Deliveries by state, latest first; `state=failed` shows those given up on."""
        require_staff()
        limit, offset = clamp_page(query["limit"], query["offset"])
        return {"items": [_with_id(d) for d in _ctx().repo.list_deliveries(query.get("state"), limit, offset)]}
