"""HTTP routes of the notifier: webhooks and the inbox of the organisation the caller acts for, and
the operations staff's view of dead letters and deliveries."""
from __future__ import annotations

from flask.views import MethodView

from egov_kit.access import STAFF, ServiceBlueprint, caller, company, requires
from egov_kit.authority import caller_standing
from egov_kit.app import current_service
from egov_kit.paging import PageQuery, page, page_args

from . import schemas

# Acting for the organisation in its notifications: the head, or an authority covering them; the
# head alone confirms a webhook registered under an authority that ended.
NOTIFICATIONS = company("head", "authorised", scope="notifications")
HEAD_NOTIFICATIONS = company("head", scope="notifications")

blp = ServiceBlueprint("notifier", __name__, url_prefix="/api/notifier",
                       description="Webhooks and inboxes of institutions; dead letters and deliveries for staff")


@blp.route("/webhooks")
class Webhooks(MethodView):
    @requires(NOTIFICATIONS)
    @blp.arguments(schemas.WebhookIn)
    @blp.response(201, schemas.WebhookCreated)
    @blp.alt_response(409, description="the organisation has as many webhooks as it may, or this URL already")
    def post(self, body):
        """Register a webhook for the organisation the caller acts for; the secret is shown once. One
        registered under an authority (not by the head) is suspended when that authority is
        withdrawn or ends, until the head confirms it."""
        return current_service().register_webhook(caller(), body["url"], caller_standing())

    @requires(NOTIFICATIONS)
    @blp.arguments(PageQuery, location="query")
    @blp.response(200, schemas.WebhookPage)
    def get(self, query):
        """The organisation's webhooks (never their secrets), oldest first."""
        items, total = current_service().webhooks_of(caller(), **page_args(query))
        return page(items, total, query)


@blp.route("/webhooks/<webhook_id>")
class Webhook(MethodView):
    @requires(NOTIFICATIONS)
    @blp.response(204)
    def delete(self, webhook_id):
        """Remove a webhook; notifications still waiting for it are cancelled (the inbox keeps them)."""
        current_service().delete_webhook(caller(), webhook_id)


@blp.route("/webhooks/<webhook_id>/confirmation")
class WebhookConfirmation(MethodView):
    @requires(HEAD_NOTIFICATIONS)
    @blp.response(200, schemas.WebhookOut)
    def post(self, webhook_id):
        """The head confirms a webhook: it is held under the head from now on and, if it was
        suspended, resumed; the next event goes to it (what came meanwhile is in the inbox)."""
        return current_service().confirm_webhook(caller(), webhook_id)


@blp.route("/webhooks/<webhook_id>/secret")
class WebhookSecret(MethodView):
    @requires(NOTIFICATIONS)
    @blp.response(200, schemas.WebhookCreated)
    def post(self, webhook_id):
        """Replace the webhook's secret (rotation): the new one is shown only now and signs every
        notification sent from now on, retries too; the old one signs nothing more."""
        return current_service().replace_webhook_secret(caller(), webhook_id)


@blp.route("/webhooks/<webhook_id>/deliveries")
class WebhookDeliveries(MethodView):
    @requires(NOTIFICATIONS)
    @blp.arguments(PageQuery, location="query")
    @blp.response(200, schemas.WebhookDeliveryPage)
    def get(self, query, webhook_id):
        """The webhook's delivery log, newest first: each notification's state and every call
        made to the webhook (its HTTP status, error and time)."""
        items, total = current_service().webhook_deliveries(caller(), webhook_id, **page_args(query))
        return page(items, total, query)


@blp.route("/inbox")
class Inbox(MethodView):
    @requires(NOTIFICATIONS)
    @blp.arguments(PageQuery, location="query")
    @blp.response(200, schemas.InboxPage)
    def get(self, query):
        """Notifications addressed to the organisation the caller acts for, newest first."""
        items, total = current_service().inbox_of(caller(), **page_args(query))
        return page(items, total, query)


@blp.route("/inbox/<entry_id>")
class InboxEntry(MethodView):
    @requires(NOTIFICATIONS)
    @blp.response(200, schemas.InboxEntry)
    def get(self, entry_id):
        """One notification of the organisation's inbox."""
        return current_service().inbox_entry(caller(), entry_id)


@blp.route("/dead-letters")
class DeadLetters(MethodView):
    @requires(STAFF)
    @blp.arguments(schemas.DeadLetterQuery, location="query")
    @blp.response(200, schemas.DeadLetterPage)
    def get(self, query):
        """Events the notifier gave up on after its retries (newest first)."""
        items, total = current_service().dead_letters(query.get("state"), **page_args(query))
        return page(items, total, query)


@blp.route("/dead-letters/<dead_letter_id>/replay")
class DeadLetterReplay(MethodView):
    @requires(STAFF)
    @blp.response(202, schemas.DeadLetterOut)
    @blp.alt_response(409, description="replayed already")
    def post(self, dead_letter_id):
        """Send a dead letter back to the notifier's queue, once."""
        return current_service().replay_dead_letter(dead_letter_id)


@blp.route("/deliveries/<delivery_id>/retry")
class DeliveryRetry(MethodView):
    @requires(STAFF)
    @blp.response(202, schemas.DeliveryOut)
    @blp.alt_response(409, description="not given up on, nothing to send, or its webhook deleted")
    def post(self, delivery_id):
        """Try a delivery given up on (`failed`) again: sent at once, then retried with back-off
        like a new one (a webhook call signed with the webhook's secret of now)."""
        return current_service().retry_delivery(delivery_id)


@blp.route("/deliveries")
class Deliveries(MethodView):
    @requires(STAFF)
    @blp.arguments(schemas.DeliveryQuery, location="query")
    @blp.response(200, schemas.DeliveryPage)
    def get(self, query):
        """Deliveries by state, latest first; `state=failed` shows those given up on."""
        items, total = current_service().deliveries(query.get("state"), **page_args(query))
        return page(items, total, query)
