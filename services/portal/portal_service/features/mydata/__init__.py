"""My data: who looked up my personal data (the registry's access log), when, from which service
and why."""
from __future__ import annotations

from flask import Blueprint, render_template, request

from ...messages import register
from ...web import call, login_required

bp = Blueprint("mydata", __name__, template_folder="templates", url_prefix="/my-data")
NAV = [{"endpoint": "mydata.index", "label": "nav_mydata", "order": 6, "when": "logged_in"}]
PAGE_SIZE = 20

register({
    "mydata_title": ("Məlumatlarım", "My data"),
    "mydata_intro": ("Fərdi məlumatlarınıza dövlət reyestrindən kim, nə vaxt, hansı xidmətdə və hansı məqsədlə baxıb.",
                     "Who looked up your personal data in the state registry, when, in which service and why."),
    "mydata_empty": ("Fərdi məlumatlarınıza hələ heç kim baxmayıb.", "Nobody has looked up your personal data yet."),
    "mydata_caption": ("Fərdi məlumatlarıma baxışlar", "Look-ups of my personal data"),
    "mydata_when": ("Tarix", "Date"),
    "mydata_who": ("Kim baxıb", "Looked up by"),
    "mydata_service": ("Xidmət", "Service"),
    "mydata_purpose": ("Məqsəd", "Purpose"),
    "mydata_by_service": ("Sistem (avtomatik)", "The system (automatic)"),
    "mydata_total": ("Cəmi: {total}", "Total: {total}"),
    "page_previous": ("Əvvəlki səhifə", "Previous page"),
    "page_next": ("Növbəti səhifə", "Next page"),
    "pagination": ("Səhifələr", "Pages"),
})


@bp.get("")
@login_required
def index():
    try:
        offset = max(0, int(request.args.get("offset", 0)))
    except ValueError:
        offset = 0
    page = call("GET", "/api/registry/my-data-access", params={"limit": PAGE_SIZE, "offset": offset})
    return render_template("mydata/index.html", page=page, offset=offset, size=PAGE_SIZE)
