"""docs/api-additions.md tells institutions and client developers which routes the services serve
beyond the public contract, and who may call them: each row is checked against the running
services' OpenAPI documents, so the page cannot drift from what is served."""
from __future__ import annotations

import re
from pathlib import Path

DOC = Path(__file__).resolve().parents[2] / "docs" / "api-additions.md"
# | `METHOD /api/<service>/path` | `caller` ... | why |
ROW = re.compile(r"^\| `(GET|POST|PUT|PATCH|DELETE) (/api/([a-z-]+)/[^`]*)` \| `((?:[^`\\]|\\.)+)`", re.M)


def rows() -> list[tuple[str, str, str, str]]:
    return [(method, path, service, caller.replace("\\|", "|"))
            for method, path, service, caller in ROW.findall(DOC.read_text(encoding="utf-8"))]


def test_every_route_the_page_names_is_served_for_the_caller_it_names(openapi_documents):
    listed = rows()
    assert len(listed) >= 20, "the table could not be read"
    wrong = []
    for method, path, service, caller in listed:
        operation = openapi_documents[service]["paths"].get(path, {}).get(method.lower())
        if operation is None:
            wrong.append(f"{method} {path}: not served")
        elif operation.get("x-egov-caller") != caller:
            wrong.append(f"{method} {path}: caller {operation.get('x-egov-caller')!r}, the page says {caller!r}")
    assert wrong == []
