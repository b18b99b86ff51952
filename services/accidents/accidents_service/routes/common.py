"""What the routes share: who reports for a company, and how a report is shown."""
from __future__ import annotations

from egov_kit.access import company
from egov_kit.clock import BAKU, parse_instant
from egov_kit.i18n import text
from egov_kit.pdfdoc import az_duration
from egov_kit.signing import awaiting

from .. import domain
from ..messages import signing_message

# The head, or a person whose authority in force covers accident reports, acting for the company
# (checked on every request: the head against the tax registry's answer up to 30 s old, anyone
# else with contracts; egov_kit.authority).
REPORTER = company("head", "authorised", scope="accidents")


def attempt_view(attempt: dict | None) -> dict | None:
    if not attempt:
        return None
    view = {"state": attempt.get("state"), "signing_id": attempt.get("signing_id"), "method": attempt.get("method"),
            "message": signing_message(attempt.get("state"), attempt.get("method")),
            "finished_at": attempt.get("finished_at")}
    if attempt.get("state") == "pending":
        view["expires_at"] = attempt.get("expires_at")
        view.update(awaiting(attempt))
    return view


def report_view(report: dict, check_url: str | None = None) -> dict:
    """The report as answered (api.md, "a report as answered"), with its labels and deadlines."""
    incident = report["incident"]
    occurred = parse_instant(incident["occurred_at"]).astimezone(BAKU)
    timing = report.get("timing") or {}
    submitted = report["status"] == domain.SUBMITTED
    missing = {} if submitted else {field: [text(code) for code in codes]
                                    for field, codes in domain.submission_problems(report).items()}
    return {
        "id": report["_id"], "status": report["status"], "status_label": domain.label("status", report["status"]),
        "registration_number": report.get("registration_number"),
        "employer": report["employer"],
        "incident": {**incident, "date": occurred.strftime("%d.%m.%Y"), "time": occurred.strftime("%H:%M")},
        "victims": [{**v, "outcome_label": domain.label("outcome", v.get("outcome"))} for v in report.get("victims") or []],
        "any_died": domain.any_died(report),
        "informant": report.get("informant"),
        "created_at": report["created_at"], "updated_at": report.get("updated_at"),
        "created_by": {"name": report["created_by"]["name"]},
        "submitted_at": report.get("submitted_at"),
        "signed_by": {"name": report["signed_by"]["name"], "method": report["signed_by"].get("method", "asan")}
        if report.get("signed_by") else None,
        "late": bool(timing.get("late")), "deadline_at": timing.get("deadline_at"),
        "filed_after_minutes": timing.get("filed_after_minutes"),
        "filed_after": None if timing.get("filed_after_minutes") is None else az_duration(timing["filed_after_minutes"]),
        "missing": missing,
        "signature": attempt_view(report.get("signing")),
        "check_url": check_url if submitted else None,
    }
