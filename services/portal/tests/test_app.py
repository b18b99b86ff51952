"""The portal's app on its own: what every answer carries, the forms' CSRF check, the language
switch, versioned static files, and a service that does not answer said as a page (never a 500)."""
from __future__ import annotations

import re

from portal_service.web import safe_next


def test_pages_carry_the_security_headers_and_are_not_cached(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Request-ID"]


def test_static_files_are_versioned_and_cached_for_a_year(client):
    html = client.get("/").get_data(as_text=True)
    css = re.search(r'href="(/assets/[0-9a-f]{12}/portal\.css)"', html).group(1)
    response = client.get(css)
    assert response.status_code == 200 and response.mimetype == "text/css"
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    # An old or made-up version is not served as the current file.
    assert client.get("/assets/000000000000/portal.css").status_code == 404
    assert client.get("/assets/" + css.split("/")[2] + "/../__init__.py").status_code == 404


def test_a_form_without_its_token_is_refused_with_a_page(client):
    response = client.post("/login/asan", data={"phone": "+994501112233", "user_id": "482913"})
    assert response.status_code == 400
    assert "Formanın vaxtı bitib" in response.get_data(as_text=True)


def test_the_language_switch_sets_html_lang_and_is_remembered(client):
    english = client.get("/login?lang=en")
    assert '<html lang="en">' in english.get_data(as_text=True)
    assert "lang=en" in english.headers["Set-Cookie"]
    assert '<html lang="en">' in client.get("/").get_data(as_text=True)
    assert '<html lang="az">' in client.get("/?lang=az").get_data(as_text=True)


def test_a_service_that_does_not_answer_is_a_page_not_a_500(client):
    page = client.get("/login/asan").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = client.post("/login/asan", data={"csrf_token": token, "phone": "+994501112233",
                                                "user_id": "482913"})
    assert response.status_code == 503
    assert "Xidmət müvəqqəti əlçatan deyil" in response.get_data(as_text=True)


def test_pages_behind_log_in_send_the_person_to_log_in_and_back(client):
    response = client.get("/my-data?offset=20")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/my-data?offset%3D20&why=login"


def test_log_in_sends_the_person_only_to_a_page_of_the_portal():
    assert safe_next("/my-data?offset=20") == "/my-data?offset=20"
    for elsewhere in ("https://evil.example/", "//evil.example", "/\\evil.example", "javascript:alert(1)", ""):
        assert safe_next(elsewhere) == "/"


def test_an_unknown_page_is_a_404_page_in_the_persons_language(client):
    response = client.get("/no-such-page?lang=en")
    assert response.status_code == 404 and "Page not found" in response.get_data(as_text=True)
