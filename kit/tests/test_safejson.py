"""JSON the services cannot take is refused at the door with a 400 problem, never a 500."""
from __future__ import annotations

import pytest
from flask.views import MethodView
from marshmallow import Schema, fields

from egov_kit.access import PUBLIC, ServiceBlueprint, requires
from egov_kit.app import create_service_app
from egov_kit.config import load_settings


class NoteIn(Schema):
    text = fields.String(required=True)
    count = fields.Integer()
    extra = fields.Raw()


@pytest.fixture
def client(monkeypatch):
    monkeypatch.setenv("REVOCATION_LISTENER", "false")
    app, api = create_service_app(load_settings("demo"), title="Demo")
    blp = ServiceBlueprint("demo", __name__, url_prefix="/api/demo")

    @blp.route("/notes")
    class Notes(MethodView):
        @requires(PUBLIC)
        @blp.arguments(NoteIn)
        @blp.response(201)
        def post(self, body):
            return {"text": body["text"], "count": body.get("count")}

    api.register_blueprint(blp)
    app.testing = False
    return app.test_client()


def post_raw(client, raw: str):
    return client.post("/api/demo/notes", data=raw.encode("utf-8", "surrogatepass"),
                       headers={"Content-Type": "application/json"})


@pytest.mark.parametrize("raw,code", [
    ('{"text": "' + "\\ud800" + '"}', "invalid_json_text"),
    ('{"text": "a", "extra": {"\\udfff": 1}}', "invalid_json_text"),
    ('{"text": "a", "extra": ' + "[" * 50_000 + "]" * 50_000 + "}", "json_too_deep"),
    ('{"text": "a", "extra": ' + "[" * 40 + "]" * 40 + "}", "json_too_deep"),
    ('{"text": "a", "count": ' + "9" * 5000 + "}", "json_number_too_large"),
    ('{"text": "a", "count": 1e999}', "json_number_too_large"),
    ('{"text": "a", "count": NaN}', "invalid_json"),
    ('{"text": "a"', "invalid_json"),
])
def test_refused_with_a_problem(client, raw, code):
    response = post_raw(client, raw)
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["code"] == code


def test_ordinary_json_with_azerbaijani_letters_passes(client):
    response = post_raw(client, '{"text": "Şükürova Aygün — ə ğ ı İ ö ü ç ş 😀", "count": 123456789012345678}')
    assert response.status_code == 201
    assert response.get_json() == {"text": "Şükürova Aygün — ə ğ ı İ ö ü ç ş 😀", "count": 123456789012345678}
