"""The contracts pages, by sub-feature: the head's authorities, the notices, and signing them. Here
the e-service's start page, and what every contracts and certificates template may use (manat,
dates as the form shows them, the one-time messages)."""
from __future__ import annotations

from flask import render_template

from ....web import login_required
from .. import bp
from ..formats import form_day, format_manat
from ..shared import acting_company, told
from . import authorities, notices, signing  # noqa: F401 - their pages, registered on bp


@bp.app_template_filter("manat")
def _manat(value) -> str:
    return format_manat(value)


@bp.app_context_processor
def _shared():
    return {"told": told, "form_day": form_day}


@bp.get("")
@login_required
def index():
    return render_template("contracts/index.html", company=acting_company())
