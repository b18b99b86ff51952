"""The home page."""
from __future__ import annotations

from flask import render_template

from . import bp

SERVICES = ["contracts", "certificates", "accidents", "insurers"]


@bp.get("/")
def index():
    return render_template("home/index.html", services=SERVICES)
