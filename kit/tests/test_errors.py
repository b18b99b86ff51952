"""Bad input gets a translated problem document naming the field; the service keeps serving."""
from __future__ import annotations

import pytest
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from egov_kit.app import create_service_app
from egov_kit.config import load_settings
from egov_kit.validators import Fin, Mobile, Voen


class PersonIn(Schema):
    fin = Fin(required=True)
    voen = Voen()
    phone = Mobile()
    age = fields.Integer()


@pytest.fixture
def client(monkeypatch):
    monkeypatch.setenv("REVOCATION_LISTENER", "false")
    app, api = create_service_app(load_settings("demo"), title="Demo", max_body=1024)
    blp = Blueprint("demo", __name__, url_prefix="/api/demo")

    @blp.route("/people")
    class People(MethodView):
        @blp.arguments(PersonIn)
        @blp.response(201)
        def post(self, data):
            return data

    @blp.route("/boom")
    class Boom(MethodView):
        def get(self):
            raise RuntimeError("secret internals /etc/passwd")

    api.register_blueprint(blp)
    app.testing = False
    return app.test_client()


def test_invalid_fin_is_named_in_azerbaijani_by_default(client):
    response = client.post("/api/demo/people", json={"fin": "12"})
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["status"] == 422 and body["title"] == "Məlumatlar yanlışdır"
    assert "FİN" in body["errors"]["fin"][0]


def test_english_when_asked(client):
    response = client.post("/api/demo/people", json={"fin": "12", "voen": "x", "phone": "+994121234567"},
                           headers={"Accept-Language": "en-GB,en;q=0.9,az;q=0.5"})
    body = response.get_json()
    assert body["title"] == "Validation failed"
    assert set(body["errors"]) == {"fin", "voen", "phone"}
    assert body["errors"]["voen"] == ["VOEN must be 10 digits."]


def test_missing_and_wrongly_typed_fields(client):
    body = client.post("/api/demo/people", json={"age": "old", "extra": 1}).get_json()
    assert body["errors"]["fin"] == ["Bu sahə mütləq doldurulmalıdır."]
    assert body["errors"]["age"] == ["Tam ədəd olmalıdır."]
    assert "extra" in body["errors"]


def test_lower_case_fin_is_normalised(client):
    response = client.post("/api/demo/people", json={"fin": "5zk3m1a"})
    assert response.status_code == 201
    assert response.get_json()["fin"] == "5ZK3M1A"


def test_malformed_json(client):
    response = client.post("/api/demo/people", data="{fin:", content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["code"] == "invalid_json"


def test_wrong_content_type(client):
    response = client.post("/api/demo/people", data="fin=5ZK3M1A", content_type="text/plain")
    assert response.status_code == 415
    assert response.mimetype == "application/problem+json"


def test_oversized_body(client):
    response = client.post("/api/demo/people", json={"fin": "5ZK3M1A", "pad": "x" * 5000})
    assert response.status_code == 413


def test_unknown_path_and_method(client):
    assert client.get("/api/demo/nothing").status_code == 404
    response = client.delete("/api/demo/people")
    assert response.status_code == 405 and response.mimetype == "application/problem+json"


def test_internal_error_reveals_nothing_and_service_keeps_serving(client):
    response = client.get("/api/demo/boom")
    assert response.status_code == 500
    assert b"passwd" not in response.data and b"Traceback" not in response.data
    assert client.post("/api/demo/people", json={"fin": "5ZK3M1A"}).status_code == 201


def test_request_id_is_kept_or_made(client):
    assert client.get("/healthz", headers={"X-Request-ID": "abc-123"}).headers["X-Request-ID"] == "abc-123"
    made = client.get("/healthz", headers={"X-Request-ID": "bad id with spaces"}).headers["X-Request-ID"]
    assert made and " " not in made


def test_openapi_document_comes_from_the_schemas(client):
    doc = client.get("/api/demo/openapi.json").get_json()
    assert "/api/demo/people" in doc["paths"]
    assert "fin" in doc["components"]["schemas"]["PersonIn"]["properties"]
