"""The registry's log of look-ups of the person's data, a page at a time."""
from __future__ import annotations

from flask import render_template, request

from ...web import call, login_required
from . import bp

PAGE_SIZE = 20


@bp.get("")
@login_required
def index():
    try:
        offset = max(0, int(request.args.get("offset", 0)))
    except ValueError:
        offset = 0
    page = call("GET", "/api/registry/my-data-access", params={"limit": PAGE_SIZE, "offset": offset})
    return render_template("mydata/index.html", page=page, offset=offset, size=PAGE_SIZE)
