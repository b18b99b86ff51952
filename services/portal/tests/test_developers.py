"""The developers' pages on their own: the vendored Redoc is the version pinned, sent compressed to
browsers that take it and under its digest only, the guide's examples are the files the tests run,
and the institutions' pages pass only well-formed ids on to the API."""
from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import pytest
from werkzeug.exceptions import NotFound

from portal_service.features.developers.routes import EXAMPLES, EXAMPLES_DIR, REDOC_LOGO
from portal_service.features.institutions.shared import segment
from portal_service.web import STATIC_DIR

PORTAL = Path(__file__).resolve().parents[1]


def test_the_vendored_redoc_is_the_version_pinned():
    pinned = json.loads((PORTAL / "vendor" / "package.json").read_text())["dependencies"]["redoc"]
    locked = json.loads((PORTAL / "vendor" / "package-lock.json").read_text())["packages"]["node_modules/redoc"]
    assert locked["version"] == pinned
    banner = (STATIC_DIR / "redoc" / "redoc.standalone.js.LICENSE.txt").read_text()
    assert f'Version: "{pinned}"' in banner
    assert REDOC_LOGO[0] in (STATIC_DIR / "redoc" / "redoc.standalone.js").read_bytes()


def _bundle_path(client) -> str:
    html = client.get("/developers/reference/contracts/redoc").get_data(as_text=True)
    return re.search(r'src="([^"]+/redoc\.standalone\.js)"', html).group(1)


def test_redoc_is_sent_compressed_when_the_browser_takes_it_and_never_from_elsewhere(client):
    path = _bundle_path(client)
    packed = client.get(path, headers={"Accept-Encoding": "gzip, deflate, br"})
    assert packed.status_code == 200 and packed.headers["Content-Encoding"] == "gzip"
    assert packed.headers["Vary"] == "Accept-Encoding"
    assert packed.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    plain = client.get(path)
    assert "Content-Encoding" not in plain.headers and gzip.decompress(packed.data) == plain.data
    assert b"cdn.redoc.ly" not in plain.data
    again = client.get(path, headers={"Accept-Encoding": "gzip", "If-None-Match": packed.headers["ETag"]})
    assert again.status_code == 304
    assert client.get(re.sub(r"/assets/[0-9a-f]+/", "/assets/000000000000/", path)).status_code == 404


def test_only_the_redoc_view_relaxes_the_style_policy(client):
    assert "'unsafe-inline'" in client.get("/developers/reference/auth/redoc").headers["Content-Security-Policy"]
    for path in ("/developers", "/developers/reference"):
        response = client.get(path)
        assert response.status_code == 200
        assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"]
        assert "redoc" not in response.get_data(as_text=True)
    assert client.get("/developers/reference/portal").status_code == 404
    assert client.get("/developers/reference/portal/redoc").status_code == 404


def test_a_reference_whose_document_cannot_be_fetched_is_a_page_that_says_so(client):
    # Nothing listens behind this app: the service's document is unavailable, not a crash.
    response = client.get("/developers/reference/contracts")
    assert response.status_code == 503 and response.mimetype == "text/html"
    assert "Traceback" not in response.get_data(as_text=True)
    assert client.get("/developers/reference?service=notifier").headers["Location"].endswith(
        "/developers/reference/notifier")


def test_the_guide_shows_each_example_file_as_it_is(client):
    html = client.get("/developers").get_data(as_text=True)
    for _key, _language, name in EXAMPLES:
        first_line = (EXAMPLES_DIR / name).read_text(encoding="utf-8").splitlines()[0]
        assert first_line.replace('"', "&#34;").replace("<", "&lt;") in html, name


@pytest.mark.parametrize("value", ["", ".", "..", "a/b", "a?b=1", "a#b", "x" * 201, "ə"])
def test_ids_from_the_address_that_are_no_ids_are_not_passed_on(value):
    with pytest.raises(NotFound):
        segment(value)


def test_an_inbox_entry_id_passes_whole():
    assert segment("0a1b2c:9900072351") == "0a1b2c%3A9900072351"
