"""What goes in and out of the notifier over HTTP."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from egov_kit.paging import PageQuery, page_schema

DELIVERY_STATES = ("pending", "sending", "sent", "failed", "cancelled", "skipped")
DEAD_LETTER_STATES = ("dead", "replaying", "replayed")


class WebhookIn(Schema):
    url = fields.String(required=True, validate=validate.Length(min=1, max=2048),
                        metadata={"description": "http(s) URL of the institution's receiver"})


class Registrant(Schema):
    name = fields.String(allow_none=True)
    role = fields.String(validate=validate.OneOf(("head", "authorised")),
                         metadata={"description": "head: held under the head's own right; authorised: under an "
                                                  "authority, suspended when it ends"})


class WebhookOut(Schema):
    id = fields.String()
    url = fields.String()
    created_at = fields.DateTime()
    state = fields.String(validate=validate.OneOf(("active", "suspended")), metadata={
        "description": "suspended: the authority it was registered under was withdrawn or ended; nothing is sent "
                       "to it (the inbox still gets everything) until the head confirms it"})
    suspension_reason = fields.String(allow_none=True, validate=validate.OneOf(("authority_withdrawn",
                                                                                 "authority_expired")))
    suspended_at = fields.DateTime(allow_none=True)
    registered_by = fields.Nested(Registrant, allow_none=True)
    authority_valid_until = fields.String(allow_none=True, metadata={
        "description": "last day of the authority it is held under (null: indefinite, or the head's own)"})


class WebhookCreated(WebhookOut):
    secret = fields.String(metadata={"description": "HMAC-SHA256 key of X-Egov-Signature; shown only now"})


class InboxEntry(Schema):
    id = fields.String()
    event_id = fields.String()
    type = fields.String()
    received_at = fields.DateTime()
    title = fields.String(metadata={"description": "Azerbaijani"})
    title_en = fields.String()
    data = fields.Dict(metadata={"description": "the event's data"})


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
    dead_at = fields.DateTime(allow_none=True)
    replayed_at = fields.DateTime(allow_none=True, metadata={"description": "null until replayed"})


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
    last_error = fields.String(allow_none=True)
    created_at = fields.DateTime(allow_none=True)
    updated_at = fields.DateTime(allow_none=True)
    next_attempt_at = fields.DateTime(allow_none=True, metadata={"description": "null once nothing is left to try"})
    sent_at = fields.DateTime(allow_none=True, metadata={"description": "null until sent"})


class AttemptOut(Schema):
    attempt = fields.Integer(metadata={"description": "1 for the first call, then each retry"})
    at = fields.DateTime(allow_none=True)
    outcome = fields.String(metadata={"description": "sent; retry (5xx, 408, 425, 429, no answer: tried again "
                                                     "later); failed (any other answer: not retried)"})
    state = fields.String(metadata={"description": "the delivery's state after this attempt"})
    status = fields.Integer(allow_none=True, metadata={"description": "the receiver's HTTP status (null: no answer)"})
    error = fields.String(allow_none=True)
    ms = fields.Float(metadata={"description": "how long the call took, in milliseconds"})


class WebhookDeliveryOut(Schema):
    id = fields.String()
    event_id = fields.String(metadata={"description": "sent as X-Egov-Event-Id"})
    event_type = fields.String()
    state = fields.String(validate=validate.OneOf(DELIVERY_STATES))
    attempts = fields.Integer()
    last_error = fields.String(allow_none=True)
    created_at = fields.DateTime(allow_none=True)
    updated_at = fields.DateTime(allow_none=True)
    next_attempt_at = fields.DateTime(allow_none=True, metadata={"description": "null once nothing is left to try"})
    sent_at = fields.DateTime(allow_none=True, metadata={"description": "null until sent"})
    attempt_log = fields.List(fields.Nested(AttemptOut), metadata={"description": "each call, first first"})


WebhookPage = page_schema(WebhookOut)
WebhookDeliveryPage = page_schema(WebhookDeliveryOut)
InboxPage = page_schema(InboxEntry, name="InboxPage")
DeadLetterPage = page_schema(DeadLetterOut)
DeliveryPage = page_schema(DeliveryOut)
