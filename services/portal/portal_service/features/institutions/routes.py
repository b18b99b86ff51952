"""The organisation's inbox and webhooks."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from werkzeug.routing import BuildError

from ...api import ApiProblem
from ...forms import FormErrors, from_problem
from ...messages import t
from ...web import call, login_required
from . import bp
from .shared import HELPERS, PAGE_SIZE, offset_arg, organisation, refusals_as_pages, segment

NOTIFIER = "/api/notifier"
WEBHOOK_FIELDS = ["url"]


@bp.context_processor
def _helpers():
    return HELPERS


def _needs_organisation():
    """The page asking to choose an organisation role, when the person acts as a citizen."""
    return render_template("institutions/choose.html")


# --- the inbox ------------------------------------------------------------------------------

@bp.get("/institutions")
@login_required
@refusals_as_pages
def index():
    org = organisation()
    if org is None:
        return _needs_organisation()
    offset = offset_arg()
    page = call("GET", f"{NOTIFIER}/inbox", params={"limit": PAGE_SIZE, "offset": offset})
    return render_template("institutions/inbox.html", org=org, page=page, offset=offset, size=PAGE_SIZE)


@bp.get("/institutions/inbox/<entry_id>")
@login_required
@refusals_as_pages
def entry(entry_id):
    org = organisation()
    if org is None:
        return _needs_organisation()
    found = call("GET", f"{NOTIFIER}/inbox/{segment(entry_id)}")
    return render_template("institutions/entry.html", org=org, entry=found, data=found.get("data") or {},
                           verify_url=_verification_page(found))


def _verification_page(entry: dict) -> str | None:
    """Where a revoked certificate is checked by its number: the certificates pages' check, the page
    its printed link opens (when the portal has it)."""
    number = (entry.get("data") or {}).get("number")
    if entry.get("type") != "certificates.certificate.revoked" or not number:
        return None
    try:
        return url_for("certificates.verify_link", number=number)
    except BuildError:
        return None


# --- webhooks -------------------------------------------------------------------------------

def _webhooks() -> dict:
    return call("GET", f"{NOTIFIER}/webhooks", params={"limit": 200})


def _webhook(webhook_id: str) -> dict:
    """One of the organisation's webhooks (the API lists them; an organisation has a few)."""
    for hook in _webhooks().get("items") or []:
        if hook.get("id") == webhook_id:
            return hook
    abort(404)


@bp.get("/institutions/webhooks")
@login_required
@refusals_as_pages
def webhooks():
    org = organisation()
    if org is None:
        return _needs_organisation()
    return render_template("institutions/webhooks.html", org=org, hooks=_webhooks().get("items") or [])


@bp.route("/institutions/webhooks/new", methods=["GET", "POST"])
@login_required
@refusals_as_pages
def new_webhook():
    org = organisation()
    if org is None:
        return _needs_organisation()
    errors, url = FormErrors(), ""
    if request.method == "POST":
        url = (request.form.get("url") or "").strip()
        if not url:
            errors.add("url", t("inst_url_required"))
        else:
            try:
                created = call("POST", f"{NOTIFIER}/webhooks", json={"url": url})
            except ApiProblem as problem:
                if problem.status == 403:
                    raise
                errors = from_problem(problem, WEBHOOK_FIELDS)
            else:
                # Said in this answer and kept nowhere: the secret is shown once.
                return render_template("institutions/secret.html", org=org, hook=created,
                                       heading=t("inst_registered"))
    status = 422 if errors else 200
    return render_template("institutions/new.html", org=org, errors=errors, url=url, fields=WEBHOOK_FIELDS), status


@bp.get("/institutions/webhooks/<webhook_id>")
@login_required
@refusals_as_pages
def webhook(webhook_id):
    org = organisation()
    if org is None:
        return _needs_organisation()
    hook = _webhook(webhook_id)
    offset = offset_arg()
    log = call("GET", f"{NOTIFIER}/webhooks/{segment(webhook_id)}/deliveries", params={"limit": PAGE_SIZE, "offset": offset})
    return render_template("institutions/webhook.html", org=org, hook=hook, log=log, offset=offset, size=PAGE_SIZE,
                           is_head=org.get("role") == "head")


@bp.route("/institutions/webhooks/<webhook_id>/secret", methods=["GET", "POST"])
@login_required
@refusals_as_pages
def replace_secret(webhook_id):
    org = organisation()
    if org is None:
        return _needs_organisation()
    if request.method == "POST":
        replaced = call("POST", f"{NOTIFIER}/webhooks/{segment(webhook_id)}/secret")
        return render_template("institutions/secret.html", org=org, hook=replaced, heading=t("inst_replaced"))
    return render_template("institutions/confirm.html", org=org, hook=_webhook(webhook_id),
                           title=t("inst_replace_title"), text=t("inst_replace_text"),
                           action=url_for("institutions.replace_secret", webhook_id=webhook_id),
                           submit=t("inst_replace_submit"), warning=False)


@bp.route("/institutions/webhooks/<webhook_id>/delete", methods=["GET", "POST"])
@login_required
@refusals_as_pages
def delete_webhook(webhook_id):
    org = organisation()
    if org is None:
        return _needs_organisation()
    if request.method == "POST":
        call("DELETE", f"{NOTIFIER}/webhooks/{segment(webhook_id)}")
        flash(t("inst_deleted"), "success")
        return redirect(url_for("institutions.webhooks"))
    return render_template("institutions/confirm.html", org=org, hook=_webhook(webhook_id),
                           title=t("inst_delete_title"), text=t("inst_delete_text"),
                           action=url_for("institutions.delete_webhook", webhook_id=webhook_id),
                           submit=t("inst_delete_submit"), warning=True)


@bp.post("/institutions/webhooks/<webhook_id>/confirmation")
@login_required
@refusals_as_pages
def confirm_webhook(webhook_id):
    if organisation() is None:
        return _needs_organisation()
    call("POST", f"{NOTIFIER}/webhooks/{segment(webhook_id)}/confirmation")
    flash(t("inst_confirmed"), "success")
    return redirect(url_for("institutions.webhook", webhook_id=webhook_id))
