"""Idempotency-Key against the real Mongo-speaking server: the first answer kept and returned for a
repeat, a different request under the same key refused, nothing kept for a failure, two identical
requests at the same moment answered once, keys forgotten after 24 hours, and a claim whose
process died taken over under the same operation id."""
from __future__ import annotations

import threading
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from flask.views import MethodView
from marshmallow import Schema, fields

from egov_kit.access import PUBLIC, ServiceBlueprint, requires
from egov_kit.app import create_service_app
from egov_kit.config import Settings
from egov_kit.errors import ServiceError
from egov_kit.idempotency import COLLECTION, Claim, IdempotencyKeys, Replay, idempotent, operation_id

# Now, not a fixed day: the server's TTL monitor removes claims whose expiry has really passed.
T0 = datetime.now(timezone.utc)


class Clock:
    def __init__(self, at: datetime = T0):
        self.at = at

    def __call__(self) -> datetime:
        return self.at


class ThingIn(Schema):
    name = fields.String(required=True)


class ThingOut(Schema):
    id = fields.String()
    name = fields.String()
    operation = fields.String(allow_none=True)


class Recorder:
    """What the view did: one entry per run; `fail` makes the next run refuse."""

    def __init__(self):
        self.runs: list[str] = []
        self.fail = False
        self.hold: threading.Event | None = None
        self.lock = threading.Lock()


@pytest.fixture
def app_and_keys(fresh_db, mongo_uri, monkeypatch):
    monkeypatch.setenv("REVOCATION_LISTENER", "false")
    app, api = create_service_app(Settings(service="kit-test", mongo_uri=mongo_uri, mongo_db=fresh_db.name),
                                  title="idempotency test")
    keys = IdempotencyKeys(fresh_db, wait_seconds=10, poll_seconds=0.01)
    keys.ensure_indexes()
    keys.init_app(app)
    recorder = Recorder()
    blp = ServiceBlueprint("things", __name__, url_prefix="/things")

    @blp.route("")
    class Things(MethodView):
        @requires(PUBLIC)
        @blp.arguments(ThingIn)
        @blp.response(201, ThingOut)
        @idempotent
        def post(self, body):
            if recorder.hold is not None:
                recorder.hold.wait(10)
            with recorder.lock:
                recorder.runs.append(body["name"])
            if recorder.fail:
                recorder.fail = False
                raise ServiceError(503, "upstream_unavailable")
            return {"id": uuid.uuid4().hex, "name": body["name"], "operation": operation_id()}

    api.register_blueprint(blp)
    return app, keys, recorder


def post(app, name: str, key: str | None, path: str = "/things"):
    headers = {"Idempotency-Key": key} if key is not None else {}
    return app.test_client().post(path, json={"name": name}, headers=headers)


def test_a_repeat_gets_the_first_answer_and_runs_nothing(app_and_keys):
    app, _keys, recorder = app_and_keys
    first = post(app, "a", "key-1")
    assert first.status_code == 201 and "Idempotent-Replayed" not in first.headers
    again = post(app, "a", "key-1")
    assert again.status_code == 201 and again.json == first.json
    assert again.headers["Idempotent-Replayed"] == "true"
    assert recorder.runs == ["a"]
    assert first.json["operation"]  # the use case was told the operation the key stands for
    # Without a key every request runs; another key is another request.
    assert post(app, "a", None).json["id"] != post(app, "a", None).json["id"]
    assert post(app, "a", "key-2").json["id"] != first.json["id"]
    assert recorder.runs == ["a", "a", "a", "a"]


def test_the_same_key_for_another_request_is_refused(app_and_keys):
    app, _keys, recorder = app_and_keys
    assert post(app, "a", "key-1").status_code == 201
    other = post(app, "b", "key-1")
    assert other.status_code == 422 and other.headers["Content-Type"] == "application/problem+json"
    assert "Idempotency-Key" in other.json["errors"]
    assert recorder.runs == ["a"]
    for bad in ("", "ə" * 3, "x" * 256):
        response = app.test_client().post("/things", json={"name": "a"}, headers={"Idempotency-Key": bad})
        assert response.status_code == 422 and "Idempotency-Key" in response.json["errors"], bad


def test_a_failed_request_keeps_nothing_and_may_be_repeated(app_and_keys, fresh_db):
    app, _keys, recorder = app_and_keys
    recorder.fail = True
    assert post(app, "a", "key-1").status_code == 503
    assert fresh_db[COLLECTION].count_documents({}) == 0
    retried = post(app, "a", "key-1")
    assert retried.status_code == 201 and recorder.runs == ["a", "a"]


def test_two_identical_requests_at_the_same_moment_are_answered_once(app_and_keys):
    app, keys, recorder = app_and_keys
    recorder.hold = threading.Event()
    waiting = threading.Event()
    begin = keys.begin
    calls = []

    def counting_begin(*args):
        calls.append(args)
        if len(calls) == 2:
            waiting.set()  # the second request is at the claim: let the first one finish
        return begin(*args)

    keys.begin = counting_begin
    answers = []

    def send():
        answers.append(post(app, "a", "same-moment"))

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    assert waiting.wait(10)
    recorder.hold.set()
    for thread in threads:
        thread.join(15)
    assert [a.status_code for a in answers] == [201, 201]
    assert answers[0].json == answers[1].json and recorder.runs == ["a"]
    assert sorted(a.headers.get("Idempotent-Replayed", "") for a in answers) == ["", "true"]


def test_keys_are_per_caller_and_forgotten_after_24_hours(fresh_db):
    clock = Clock()
    keys = IdempotencyKeys(fresh_db, now=clock)
    assert keys.ensure_indexes()
    [ttl] = [i for i in fresh_db[COLLECTION].index_information().values() if "expireAfterSeconds" in i]
    assert ttl["key"] == [("expires_at", 1)] and ttl["expireAfterSeconds"] == 0

    mine = keys.begin("person:A:", "k", "fp")
    assert isinstance(mine, Claim)
    keys.complete(mine, {"id": "1"}, None)
    theirs = keys.begin("person:B:", "k", "fp")
    assert isinstance(theirs, Claim)  # another caller's key of the same name is another key
    clock.at = T0 + timedelta(hours=23)
    assert keys.begin("person:A:", "k", "fp") == Replay({"id": "1"}, None)
    # The TTL index removes it where the server has TTL indexes; found before that, it counts as gone.
    clock.at = T0 + timedelta(hours=24, minutes=1)
    fresh = keys.begin("person:A:", "k", "another request now")
    assert isinstance(fresh, Claim) and fresh.operation_id != mine.operation_id


def test_a_claim_left_by_a_dead_process_is_taken_over_under_the_same_operation(fresh_db):
    clock = Clock()
    keys = IdempotencyKeys(fresh_db, now=clock, lease_seconds=60, wait_seconds=0)
    lost = keys.begin("person:A:", "k", "fp")  # the process dies before it answers
    with pytest.raises(ServiceError) as raised:
        keys.begin("person:A:", "k", "fp")
    assert raised.value.status == 409 and raised.value.headers["Retry-After"] == "1"
    clock.at = T0 + timedelta(seconds=61)
    taken = keys.begin("person:A:", "k", "fp")
    assert isinstance(taken, Claim) and taken.operation_id == lost.operation_id and taken.attempt != lost.attempt
    keys.complete(lost, {"late": True})  # the lost attempt's answer no longer counts
    keys.complete(taken, {"id": "2"}, 201)
    assert keys.begin("person:A:", "k", "fp") == Replay({"id": "2"}, 201)


def test_the_header_is_in_the_openapi_document(app_and_keys):
    app, _keys, _recorder = app_and_keys
    spec = app.test_client().get("/api/kit-test/openapi.json").json
    parameters = spec["paths"]["/things"]["post"]["parameters"]
    assert any(p["name"] == "Idempotency-Key" and p["in"] == "header" for p in parameters)
