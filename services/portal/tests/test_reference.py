"""The API reference page's content, drawn from an OpenAPI document without a server: what a
developer reads for each operation and schema."""
from __future__ import annotations

from portal_service.features.developers.reference import build, callers, constraints, split_summary, type_parts

DOCUMENT = {
    "openapi": "3.0.3",
    "info": {"title": "Widgets", "version": "1.0"},
    "tags": [{"name": "widgets", "description": "Widgets of a company"}, {"name": "unused"}],
    "paths": {
        "/api/widgets/{widget_id}": {
            "parameters": [{"in": "path", "name": "widget_id", "required": True, "schema": {"type": "string"}}],
            "get": {
                "tags": ["widgets"], "summary": "One widget. Another company's is a 404.",
                "security": [{"bearer": []}], "x-egov-caller": "company:head|authorised",
                "x-egov-scope": "widgets",
                "parameters": [{"in": "query", "name": "fields", "description": "what to return",
                                "schema": {"type": "string", "enum": ["short", "full"], "default": "short"}}],
                "responses": {"200": {"description": "OK", "content": {"application/json": {
                                  "schema": {"$ref": "#/components/schemas/WidgetOut"}}}},
                              "404": {"$ref": "#/components/responses/NOT_FOUND"}},
            },
            "delete": {"tags": ["widgets"], "summary": "Remove it", "x-egov-caller": "company:head",
                       "security": [{"bearer": []}], "responses": {"204": {"description": "No Content"}}},
        },
        "/api/widgets": {
            "post": {
                "tags": ["widgets"], "summary": "Make a widget", "x-egov-caller": "company:head",
                "security": [{"bearer": []}],
                "requestBody": {"required": True, "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/WidgetIn"}}}},
                "responses": {"201": {"description": "Created", "headers": {"Location": {"schema": {"type": "string"}}},
                                      "content": {"application/json": {"schema": {"type": "array", "items": {
                                          "$ref": "#/components/schemas/WidgetOut"}}}}}},
            },
        },
        "/healthz": {"get": {"summary": "Alive", "responses": {"200": {"description": "OK"}}}},
    },
    "components": {
        "responses": {"NOT_FOUND": {"description": "no such thing here", "content": {
            "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}},
        "schemas": {
            "Problem": {"type": "object", "properties": {"title": {"type": "string"}}},
            "WidgetIn": {"type": "object", "required": ["name"], "properties": {
                "name": {"type": "string", "minLength": 1, "maxLength": 200, "description": "what it is called"},
                "size": {"type": "object", "properties": {"width": {"type": "integer", "minimum": 1}}},
                "parts": {"type": "array", "items": {"type": "object", "properties": {"code": {"type": "string"}}}},
            }},
            "WidgetOut": {"allOf": [{"$ref": "#/components/schemas/WidgetIn"}, {"type": "object", "properties": {
                "id": {"type": "string", "readOnly": True},
                "owner": {"anyOf": [{"type": "object", "nullable": True}, {"$ref": "#/components/schemas/Owner"}]},
                "made_at": {"type": "string", "format": "date-time", "nullable": True},
            }}]},
            "Owner": {"type": "object", "properties": {"voen": {"type": "string", "pattern": "^[0-9]{10}$"}}},
            "Colour": {"type": "string", "enum": ["red", "green", None]},
        },
    },
}


def _operations(ref):
    return {(op["method"], op["path"]): op for group in ref["groups"] for op in group["operations"]}


def test_every_operation_is_shown_under_its_tag_and_untagged_ones_under_default():
    ref = build(DOCUMENT)
    assert ref["operation_count"] == 4
    assert [g["name"] for g in ref["groups"]] == ["widgets", "default"]  # a tag without operations is left out
    assert ref["groups"][0]["description"] == "Widgets of a company"
    assert [(o["method"], o["path"]) for o in ref["groups"][0]["operations"]] == [
        ("GET", "/api/widgets/{widget_id}"), ("DELETE", "/api/widgets/{widget_id}"), ("POST", "/api/widgets")]


def test_an_operation_says_who_may_call_it_and_takes_its_path_items_parameters():
    op = _operations(build(DOCUMENT))[("GET", "/api/widgets/{widget_id}")]
    assert (op["heading"], op["summary_more"]) == ("One widget", "Another company's is a 404.")
    assert op["callers"] == [{"code": "company:head|authorised", "kind": "company_acting", "services": ""}]
    assert op["scope"] == "widgets" and op["needs_token"]
    assert [(p["name"], p["in"], p["required"]) for p in op["parameters"]] == [
        ("widget_id", "path", True), ("fields", "query", False)]
    assert op["parameters"][1]["constraints"] == ["one of: short, full", "default short"]
    assert op["responses"][0]["content"] == [{"media_type": "application/json", "type": [{"ref": "WidgetOut"}]}]
    assert op["common_responses"] == [{"status": "404", "name": "NOT_FOUND", "anchor": "response-NOT_FOUND"}]
    assert op["id"] == "op-get-api-widgets-widget-id"
    public = _operations(build(DOCUMENT))[("GET", "/healthz")]
    assert not public["needs_token"] and public["callers"][0]["kind"] == "public"


def test_a_body_and_its_answers_name_their_schemas_and_headers():
    op = _operations(build(DOCUMENT))[("POST", "/api/widgets")]
    assert op["body"] == {"required": True, "content": [{"media_type": "application/json", "type": [{"ref": "WidgetIn"}]}]}
    created = op["responses"][0]
    assert created["status"] == "201" and created["headers"] == ["Location"]
    assert created["content"][0]["type"] == [{"text": "array of "}, {"ref": "WidgetOut"}]


def test_a_schema_shows_its_fields_with_nested_objects_and_the_parts_it_is_made_of():
    schemas = {s["name"]: s for s in build(DOCUMENT)["schemas"]}
    rows = {r["name"]: r for r in schemas["WidgetOut"]["fields"]}
    assert list(rows) == ["name", "size", "size.width", "parts", "parts[].code", "id", "owner", "made_at"]
    assert rows["name"]["required"] and rows["name"]["constraints"] == ["1–200 characters"]
    assert rows["name"]["description"] == "what it is called"
    assert rows["size.width"]["depth"] == 1 and rows["size.width"]["constraints"] == ["at least 1"]
    assert rows["owner"]["type"] == [{"ref": "Owner"}] and rows["owner"]["nullable"]
    assert rows["made_at"]["type"] == [{"text": "string (date-time)"}] and rows["made_at"]["nullable"]
    assert rows["id"]["constraints"] == ["read-only"]
    # A schema that is no object is said as its type.
    assert schemas["Colour"]["fields"] == [] and schemas["Colour"]["constraints"] == ["one of: red, green"]


def test_callers_are_said_by_kind():
    assert [c["kind"] for c in callers({"any_of": ["staff", "service:notifier|contracts", "service:*"]})] == [
        "staff", "service", "any_service"]
    assert callers("service:notifier|contracts")[0]["services"] == "notifier, contracts"


def test_small_pieces():
    assert split_summary("Remove it") == ("Remove it", "")
    assert split_summary("Line one\n  continues. Then more.") == ("Line one continues", "Then more.")
    long = "Replace the webhook's secret (rotation): the new one is shown only now and signs every notification"
    assert split_summary(long + ". Then.") == ("Replace the webhook's secret (rotation)",
                                               "the new one is shown only now and signs every notification. Then.")
    assert type_parts({"type": "object", "additionalProperties": {"type": "integer"}}) == [
        {"text": "map of "}, {"text": "integer"}]
    assert type_parts({}) == [{"text": "any"}]
    assert constraints({"maxLength": 10}) == ["at most 10 characters"]
    assert constraints({"minItems": 1, "maxItems": 5}) == ["items: 1–5"]
