"""Who may call what, over HTTP: every route declares its caller, and the declaration is checked
before the body is read."""
from __future__ import annotations

import requests

from egov_kit.access import undeclared_views


def test_every_route_declares_its_caller(monkeypatch, mongo_uri, fresh_db):
    monkeypatch.setenv("REVOCATION_LISTENER", "false")
    from auth_service import create_app
    app = create_app({"mongo_uri": mongo_uri, "mongo_db": fresh_db.name})
    assert undeclared_views(app) == []


def test_role_checks_the_caller_before_the_body(auth_url):
    # A stranger learns nothing of the fields: 401, not 422 with the field list.
    response = requests.post(f"{auth_url}/api/auth/role", json={"voen": "12345"})
    assert response.status_code == 401
    assert "errors" not in response.json()


def test_signatures_check_the_caller_before_the_body(auth_url):
    response = requests.post(f"{auth_url}/api/auth/signatures", json={})
    assert response.status_code == 401
    assert "errors" not in response.json()
