"""The authorisation matrix, generated from the OpenAPI documents: every operation of every running
service × every kind of caller, through the gateway. What each cell expects comes from the
operation's declared caller (`x-egov-caller`, written by the kit's `@requires`), so an operation
added tomorrow is covered by default:

- anonymous → 401 on anything not public;
- a caller of a kind the declaration does not admit → 403;
- an admitted caller is never turned away for lack of a role (no 401/403; it may get 404, 409 or
  422 for the object or the input). Path parameters are filled with objects that exist and belong
  to company A (a signed notice, an authority, a webhook, an accident report draft, an insurer
  application with a scan), so the head of another company, admitted by kind, must get 404 on
  company A's objects — or, where the input is refused first (the matrix sends `{}` as a body, no
  file as an upload), exactly the answer an object that does not exist gets: nothing tells company
  A's objects apart.

An operation whose path parameters the world cannot fill still gets its anonymous and wrong-kind
cells; its admitted cells are listed in a warning.

Scopes: a company operation that needs one declares it (`x-egov-scope`: contracts, accidents,
insurers, notifications); a representative whose authority does not cover it is refused (403) like a
caller of the wrong kind — the matrix has one representative with every scope and one with contract
notices only."""
from __future__ import annotations

import warnings
from dataclasses import dataclass

import pytest
import requests

from devtools.suite import available_services

from security_support import ENDS_THE_SESSION, Operation, Persona, is_problem, login, operations_of, token_of

PERSONAS = ["anonymous", "citizen", "employee", "head", "other_head", "representative",
            "representative:contracts", "staff", "service:notifier", "service:contracts"]
PLACEHOLDER = "x"   # fills a path parameter the world knows nothing of (the caller check comes first)


def scope_admits(op: Operation, persona: Persona) -> bool:
    """A representative acts only within the scopes of their authority (a head has them all)."""
    needed = op.doc.get("x-egov-scope")
    return needed is None or persona.company_role != "authorised" or persona.scopes is None \
        or needed in persona.scopes


def admits(declaration, persona: Persona, op: Operation) -> bool:
    """Whether a caller of this kind passes the declared caller check."""
    if isinstance(declaration, dict):
        return any(admits(alternative, persona, op) for alternative in declaration["any_of"])
    if declaration == "public":
        return True
    if persona.kind == "anonymous":
        return False
    if declaration == "logged-in":
        return True
    if declaration.startswith("service:"):
        names = declaration.split(":", 1)[1]
        return persona.kind == "service" and (names == "*" or persona.service in names.split("|"))
    if persona.kind != "person":
        return False
    if declaration == "person":
        return True
    if declaration == "staff":
        return persona.staff
    if declaration.startswith("company:"):
        roles = declaration.split(":", 1)[1].split("|")
        return bool(persona.acting_for) and persona.company_role in roles and scope_admits(op, persona)
    raise AssertionError(f"{op.label}: unknown caller declaration {declaration!r}")


@dataclass
class Cell:
    op: Operation
    persona: Persona
    expected: str       # "401", "403", "404" or "admitted"
    path: str | None    # None: the world cannot fill it


def expectation(op: Operation, persona: Persona, path_values: dict) -> Cell:
    declaration = op.caller
    filled, company_object = op.path, False
    for name in op.path_parameters:
        value = path_values.get(name)
        if value is None:
            filled = None
            break
        filled = filled.replace(f"{{{name}}}", value[0])
        company_object = company_object or value[1]
    if persona.kind == "anonymous" and declaration != "public":
        return Cell(op, persona, "401", filled or _placeholder(op))
    if not admits(declaration, persona, op):
        return Cell(op, persona, "403", filled or _placeholder(op))
    if declaration != "public" and company_object and persona.acting_for and persona.acting_for != \
            path_values["voen"][0]:
        return Cell(op, persona, "404", filled)
    return Cell(op, persona, "admitted", filled)


def _placeholder(op: Operation) -> str:
    path = op.path
    for name in op.path_parameters:
        path = path.replace(f"{{{name}}}", PLACEHOLDER)
    return path


def send(cell: Cell, suite, tokens, path: str | None = None) -> requests.Response:
    persona, op = cell.persona, cell.op
    token = token_of(persona, op.service, tokens)
    if (op.method, op.path) in ENDS_THE_SESSION and persona.kind == "person":
        token = login(suite, persona).token  # a session of its own to end
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    body = {} if op.takes_json else None
    return requests.request(op.method.upper(), f"{suite.gateway_url}{path or cell.path}", headers=headers,
                            json=body, timeout=30)


def answer(response: requests.Response) -> tuple:
    return response.status_code, response.json().get("code") if is_problem(response) else None


def verdict(cell: Cell, response: requests.Response) -> str | None:
    """What is wrong with the answer, or None."""
    status = response.status_code
    if status >= 500:
        return f"server error {status}"
    if status >= 400 and not is_problem(response):
        return f"{status} is not a problem document"
    if cell.expected == "admitted":
        return f"turned away with {status}" if status in (401, 403) else None
    return None if str(status) == cell.expected else f"expected {cell.expected}, got {status}"


INPUT_REFUSALS = (400, 413, 415, 422)   # the request itself is refused: no object looked at yet
PHASE_TWO_ORDER = {"get": 0, "head": 0, "post": 1, "put": 1, "patch": 1, "delete": 2}


@pytest.mark.parametrize("service", available_services())
def test_every_operation_for_every_kind_of_caller(service, suite, openapi_documents, world, service_tokens):
    document = openapi_documents[service]
    path_values = {name: value for name, value in world.path_values().items()}
    cells = [expectation(op, world.personas[name], path_values)
             for op in operations_of(document, service) for name in PERSONAS]
    undeclared = sorted({c.op.label for c in cells if c.op.caller is None})
    assert undeclared == [], f"operations without x-egov-caller: {undeclared}"
    unfilled = sorted({f"{c.op.label} × {c.persona.name}" for c in cells if c.path is None})
    # Refusals first (nothing changes), then the admitted callers: reads, then writes, deletions last.
    refusals = [c for c in cells if c.expected != "admitted"]
    admitted = sorted((c for c in cells if c.expected == "admitted" and c.path is not None),
                      key=lambda c: PHASE_TWO_ORDER.get(c.op.method, 1))
    wrong = []
    for cell in refusals + admitted:
        response = send(cell, suite, service_tokens)
        problem = verdict(cell, response)
        if problem and cell.expected == "404" and response.status_code in INPUT_REFUSALS:
            # Refused for the input before the object was looked at: as for an object that does not exist?
            elsewhere = send(cell, suite, service_tokens, path=_placeholder(cell.op))
            problem = None if answer(elsewhere) == answer(response) else \
                f"422 differs from the answer for a missing object {answer(elsewhere)}"
        if problem:
            code = response.json().get("code", "") if is_problem(response) else ""
            wrong.append(f"{cell.op.label} × {cell.persona.name}: {problem} {code}".rstrip())
    assert wrong == [], "\n".join(wrong)
    assert refusals and admitted, "a matrix without refusals or admissions tests nothing"
    if unfilled:
        warnings.warn(f"{service}: admitted cells not run (unknown path parameters): {unfilled}")
