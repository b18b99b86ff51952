"""An OpenAPI 3 document as the reference page shows it: operations grouped by tag, each with its
parameters, request body, answers and who may call it, and every named schema as a table of its
fields. Pure: a document in, plain dicts and lists out (the template draws them, the tests read
them); nothing here knows Flask or HTTP.

Why on the server: the whole reference is an ordinary page — readable without JavaScript, found by
the browser's search, light on a phone — instead of a megabyte of script drawing it in the browser.
"""
from __future__ import annotations

import re
from typing import Any

METHODS = ("get", "post", "put", "patch", "delete")
SCHEMA_REF = "#/components/schemas/"
RESPONSE_REF = "#/components/responses/"
# Properties of nested objects are shown as `parent.child` down to this depth.
MAX_DEPTH = 3


def anchor(*parts: str) -> str:
    """An id usable in a URL fragment: `op-get-api-notifier-webhooks-webhook-id`."""
    return "-".join(p for p in (re.sub(r"[^a-z0-9]+", "-", part.lower()).strip("-") for part in parts) if p)


def schema_anchor(name: str) -> str:
    return "schema-" + re.sub(r"[^A-Za-z0-9_-]+", "-", name)


def response_anchor(name: str) -> str:
    return "response-" + re.sub(r"[^A-Za-z0-9_-]+", "-", name)


def _ref_name(ref: str, prefix: str) -> str | None:
    return ref[len(prefix):] if isinstance(ref, str) and ref.startswith(prefix) else None


def _one_line(text: str | None) -> str:
    return " ".join((text or "").split())


HEADING_LENGTH = 90


def split_summary(summary: str | None) -> tuple[str, str]:
    """(heading, the rest): a summary's first sentence is the operation's heading; a long one is
    cut at its first colon or semicolon, so that a heading stays a heading."""
    text = _one_line(summary)
    first, dot, rest = text.partition(". ")
    first = first if dot else text.rstrip(".")
    if len(first) > HEADING_LENGTH:
        cuts = [i for i in (first.find(": "), first.find("; ")) if 0 < i < HEADING_LENGTH]
        if cuts:
            cut = min(cuts)
            rest = (first[cut + 2:] + (". " + rest if rest else ("." if not dot else ""))).strip()
            first = first[:cut]
    return first, rest


# --- types ------------------------------------------------------------------------------------

def type_parts(schema: dict | None) -> list[dict]:
    """A schema's type as pieces of text and links: [{"text": "array of "}, {"ref": "WebhookOut"}]."""
    if not isinstance(schema, dict) or not schema:
        return [{"text": "any"}]
    name = _ref_name(schema.get("$ref"), SCHEMA_REF)
    if name:
        return [{"ref": name}]
    for combinator, joiner in (("anyOf", " or "), ("oneOf", " or "), ("allOf", " and ")):
        options = schema.get(combinator)
        if isinstance(options, list) and options:
            # marshmallow's Nested(allow_none=True) is written `anyOf: [{type: object, nullable}, $ref]`:
            # the ref is what matters, and it may be null (said apart).
            named = [o for o in options if not _is_bare_nullable_object(o)]
            parts: list[dict] = []
            for i, option in enumerate(named or options):
                if i:
                    parts.append({"text": joiner})
                parts.extend(type_parts(option))
            return parts
    kind = schema.get("type")
    if kind == "array":
        return [{"text": "array of "}, *type_parts(schema.get("items"))]
    if kind == "object" and isinstance(schema.get("additionalProperties"), dict) and not schema.get("properties"):
        return [{"text": "map of "}, *type_parts(schema["additionalProperties"])]
    text = kind or "any"
    if schema.get("format"):
        text += f" ({schema['format']})"
    return [{"text": text}]


def _is_bare_nullable_object(schema: Any) -> bool:
    return isinstance(schema, dict) and schema.get("type") == "object" and schema.get("nullable") \
        and not schema.get("properties") and "$ref" not in schema


def is_nullable(schema: dict | None) -> bool:
    if not isinstance(schema, dict):
        return False
    if schema.get("nullable"):
        return True
    return any(_is_bare_nullable_object(o) for o in schema.get("anyOf") or [])


def constraints(schema: dict | None) -> list[str]:
    """What the schema allows, in the API's own terms: `≤ 200 characters`, `one of: a, b`."""
    if not isinstance(schema, dict):
        return []
    said: list[str] = []
    enum = [value for value in schema.get("enum") or [] if value is not None]
    if enum:
        said.append("one of: " + ", ".join(str(value) for value in enum))
    lengths = (schema.get("minLength"), schema.get("maxLength"))
    if lengths[0] is not None and lengths[1] is not None:
        said.append(f"{lengths[0]}–{lengths[1]} characters")
    elif lengths[1] is not None:
        said.append(f"at most {lengths[1]} characters")
    elif lengths[0] == 1:
        said.append("not empty")
    elif lengths[0] is not None:
        said.append(f"at least {lengths[0]} characters")
    bounds = (schema.get("minimum"), schema.get("maximum"))
    if bounds[0] is not None and bounds[1] is not None:
        said.append(f"{bounds[0]}–{bounds[1]}")
    elif bounds[0] is not None:
        said.append(f"at least {bounds[0]}")
    elif bounds[1] is not None:
        said.append(f"at most {bounds[1]}")
    items = (schema.get("minItems"), schema.get("maxItems"))
    if items[0] is not None or items[1] is not None:
        said.append("items: " + (f"{items[0] or 0}–{items[1]}" if items[1] is not None else f"at least {items[0]}"))
    if schema.get("pattern"):
        said.append(f"pattern {schema['pattern']}")
    if "default" in schema and schema["default"] is not None:
        said.append(f"default {schema['default']}")
    if schema.get("example") is not None:
        said.append(f"example {schema['example']}")
    if schema.get("readOnly"):
        said.append("read-only")
    if schema.get("writeOnly"):
        said.append("write-only")
    return said


# --- who may call ------------------------------------------------------------------------------

# x-egov-caller (the kit's openapi.py): the kinds of caller, each said in words on the page.
CALLER_KINDS = {"public": "public", "logged-in": "logged_in", "person": "person", "staff": "staff",
                "company:head": "company_head", "company:head|authorised": "company_acting"}


def callers(declared) -> list[dict]:
    """x-egov-caller as [{"code": "company:head", "kind": "company_head", "services": ""}]."""
    if isinstance(declared, dict):
        codes = [c for c in declared.get("any_of") or [] if isinstance(c, str)]
    else:
        codes = [declared or "public"]
    said = []
    for code in codes:
        if code.startswith("service:"):
            names = code.partition(":")[2]
            said.append({"code": code, "kind": "service" if names != "*" else "any_service",
                         "services": ", ".join(names.split("|"))})
        else:
            said.append({"code": code, "kind": CALLER_KINDS.get(code, "other"), "services": ""})
    return said


# --- schemas ----------------------------------------------------------------------------------

def _merged(schema: dict, schemas: dict) -> dict:
    """allOf flattened into one object schema (properties and required of every part)."""
    if "allOf" not in schema:
        return schema
    merged: dict = {"type": "object", "properties": {}, "required": []}
    for part in schema["allOf"]:
        name = _ref_name(part.get("$ref"), SCHEMA_REF) if isinstance(part, dict) else None
        part = _merged(schemas.get(name, {}), schemas) if name else _merged(part, schemas)
        merged["properties"].update(part.get("properties") or {})
        merged["required"] += list(part.get("required") or [])
    for key, value in schema.items():
        if key not in ("allOf", "properties", "required"):
            merged.setdefault(key, value)
    return merged


def fields(schema: dict, schemas: dict, prefix: str = "", depth: int = 0) -> list[dict]:
    """An object schema's properties as rows; inline nested objects as `parent.child` rows."""
    schema = _merged(schema, schemas)
    required = set(schema.get("required") or [])
    rows: list[dict] = []
    for name, prop in (schema.get("properties") or {}).items():
        prop = prop if isinstance(prop, dict) else {}
        rows.append({"name": prefix + name, "depth": depth, "required": name in required,
                     "type": type_parts(prop), "nullable": is_nullable(prop),
                     "description": _one_line(prop.get("description")), "constraints": constraints(prop)})
        inline = prop.get("items") if prop.get("type") == "array" else prop
        if isinstance(inline, dict) and inline.get("properties") and depth + 1 < MAX_DEPTH:
            suffix = "[]." if prop.get("type") == "array" else "."
            rows.extend(fields(inline, schemas, prefix + name + suffix, depth + 1))
    return rows


def schema_view(name: str, schema: dict, schemas: dict) -> dict:
    merged = _merged(schema, schemas)
    is_object = bool(merged.get("properties")) or merged.get("type") == "object"
    return {"name": name, "anchor": schema_anchor(name), "description": _one_line(merged.get("description")),
            "fields": fields(merged, schemas) if is_object else [],
            "type": None if is_object else type_parts(merged), "constraints": [] if is_object else constraints(merged)}


# --- operations -------------------------------------------------------------------------------

def _content(content: dict | None) -> list[dict]:
    return [{"media_type": media_type, "type": type_parts((body or {}).get("schema"))}
            for media_type, body in (content or {}).items()]


def _parameters(path_item: dict, operation: dict) -> list[dict]:
    merged: dict[tuple, dict] = {}
    for parameter in (path_item.get("parameters") or []) + (operation.get("parameters") or []):
        if isinstance(parameter, dict) and "name" in parameter:
            merged[(parameter["name"], parameter.get("in"))] = parameter
    order = {"path": 0, "query": 1, "header": 2, "cookie": 3}
    return [{"name": p["name"], "in": p.get("in", ""), "required": bool(p.get("required")),
             "type": type_parts(p.get("schema")), "description": _one_line(p.get("description")),
             "constraints": constraints(p.get("schema"))}
            for p in sorted(merged.values(), key=lambda p: order.get(p.get("in"), 9))]


def _responses(operation: dict) -> tuple[list[dict], list[dict]]:
    """(the operation's own answers, the common ones it refers to by name), by status code."""
    own, common = [], []
    for status, answer in sorted((operation.get("responses") or {}).items()):
        shared = _ref_name((answer or {}).get("$ref"), RESPONSE_REF)
        if shared:
            common.append({"status": status, "name": shared, "anchor": response_anchor(shared)})
        else:
            own.append({"status": status, "description": _one_line(answer.get("description")),
                        "content": _content(answer.get("content")),
                        "headers": sorted((answer.get("headers") or {}).keys())})
    return own, common


def operation_view(path: str, method: str, path_item: dict, operation: dict) -> dict:
    heading, more = split_summary(operation.get("summary"))
    body = operation.get("requestBody") or {}
    own, common = _responses(operation)
    return {
        "id": anchor("op", method, path), "method": method.upper(), "path": path,
        "heading": heading or f"{method.upper()} {path}", "summary_more": more,
        "description": (operation.get("description") or "").strip(),
        "deprecated": bool(operation.get("deprecated")),
        "needs_token": bool(operation.get("security")),
        "callers": callers(operation.get("x-egov-caller")), "scope": operation.get("x-egov-scope"),
        "parameters": _parameters(path_item, operation),
        "body": {"required": bool(body.get("required")), "content": _content(body.get("content"))} if body else None,
        "responses": own, "common_responses": common,
    }


def build(document: dict) -> dict:
    """The whole page's content from an OpenAPI 3 document."""
    components = document.get("components") or {}
    schemas = components.get("schemas") or {}
    declared = [t for t in document.get("tags") or [] if isinstance(t, dict) and t.get("name")]
    groups: dict[str, dict] = {t["name"]: {"name": t["name"], "description": _one_line(t.get("description")),
                                           "operations": []} for t in declared}
    for path, item in (document.get("paths") or {}).items():
        for method in METHODS:
            operation = item.get(method)
            if not isinstance(operation, dict):
                continue
            tag = (operation.get("tags") or ["default"])[0]
            group = groups.setdefault(tag, {"name": tag, "description": "", "operations": []})
            group["operations"].append(operation_view(path, method, item, operation))
    for group in groups.values():
        group["anchor"] = anchor("tag", group["name"])
    info = document.get("info") or {}
    return {
        "title": info.get("title") or "", "version": info.get("version") or "",
        "openapi": document.get("openapi") or "",
        "description": (info.get("description") or "").strip(),
        "groups": [g for g in groups.values() if g["operations"]],
        "operation_count": sum(len(g["operations"]) for g in groups.values()),
        "responses": [{"name": name, "anchor": response_anchor(name), "description": _one_line(r.get("description")),
                       "content": _content(r.get("content")), "headers": sorted((r.get("headers") or {}).keys())}
                      for name, r in sorted((components.get("responses") or {}).items())],
        "schemas": [schema_view(name, schema, schemas) for name, schema in sorted(schemas.items())],
        "security": [{"name": name, "type": s.get("type", ""), "scheme": s.get("scheme", ""),
                      "format": s.get("bearerFormat", ""), "description": _one_line(s.get("description"))}
                     for name, s in (components.get("securitySchemes") or {}).items()],
    }
