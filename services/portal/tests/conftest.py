"""The portal's own tests: its helpers without a server, and its app with nothing behind it (the
flows against the real suite are in tests/portal/, in a browser)."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


@pytest.fixture
def app(monkeypatch):
    from devtools.suite import free_port
    from portal_service import create_app
    # Nothing listens at this gateway: every call to the API fails as a service that is down would.
    monkeypatch.setenv("GATEWAY_URL", f"http://127.0.0.1:{free_port()}")
    return create_app({"secret": "test-only-portal-key"})


@pytest.fixture
def client(app):
    return app.test_client()
