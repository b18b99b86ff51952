"""What the security tests share: operations read from the OpenAPI documents, the kinds of caller
(personas) with their tokens, and a small world of objects that exist and belong to company A, so
a test can fill any operation's path with something real (the fixtures are in conftest.py).

Company A is one of İlqar Məmmədov's companies: he heads it and acts for it; Aygün Şükürova is its
representative (an authority granted by him); Nərmin Həsənova is its employee (a signed notice)
and holds a certificate issued on that contract. Company B is Gülnarə Əliyeva's logistics company:
its head acting for it is "the head of another company"."""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field

import requests

from devtools.client import ApiSession
from devtools.pytest_plugin import eventually

COMPANY_A = "1701100231"    # Şəki İpək Tekstil, headed by İlqar Məmmədov
COMPANY_B = "1701100451"    # Çinarlı Logistika, headed by Gülnarə Əliyeva
CONTRACTS = "/api/contracts"
CERTIFICATES = "/api/certificates"
# Operations that end the caller's session: called with a session of their own, never a shared one.
ENDS_THE_SESSION = {("post", "/api/auth/logout")}
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


# --- the documents ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Operation:
    service: str
    method: str
    path: str
    doc: dict = field(repr=False, compare=False, hash=False)

    @property
    def label(self) -> str:
        return f"{self.method.upper()} {self.path}"

    @property
    def caller(self):
        """The declared caller (x-egov-caller): a name, or {"any_of": [names]}; None if missing."""
        return self.doc.get("x-egov-caller")

    @property
    def path_parameters(self) -> list[str]:
        return [part[1:-1] for part in self.path.split("/") if part.startswith("{") and part.endswith("}")]

    @property
    def takes_json(self) -> bool:
        return "application/json" in (self.doc.get("requestBody") or {}).get("content", {})


def operations_of(document: dict, service: str) -> list[Operation]:
    return [Operation(service, method, path, op) for path, item in document["paths"].items()
            for method, op in item.items() if method in HTTP_METHODS]


# --- who calls ---------------------------------------------------------------------------------

@dataclass
class Persona:
    """A kind of caller. `scopes` is the representative's authority scopes (None: not limited)."""
    name: str
    kind: str                         # anonymous | person | service
    sim: dict | None = None
    acting_for: str | None = None
    company_role: str | None = None   # head | authorised
    staff: bool = False
    service: str | None = None        # the client a service token is issued to
    scopes: frozenset | None = None
    session: ApiSession | None = field(default=None, repr=False)


class ServiceTokens:
    """Real service tokens from auth (POST /api/auth/service-tokens), by client and audience."""

    def __init__(self, gateway_url: str, secret: str):
        self.gateway_url = gateway_url
        self.secret = secret
        self._tokens: dict[tuple[str, str], str] = {}

    def token(self, client: str, audience: str) -> str:
        key = (client, audience)
        if key not in self._tokens:
            response = requests.post(f"{self.gateway_url}/api/auth/service-tokens", timeout=10, json={
                "client_id": client, "client_secret": self.secret, "audience": audience})
            assert response.status_code == 200, response.text
            self._tokens[key] = response.json()["access_token"]
        return self._tokens[key]


def act_for_when_allowed(session: ApiSession, voen: str) -> ApiSession:
    """Auth learns of a new authority from the bus: the company role is there once it has."""
    def attempt():
        response = session.post("/api/auth/role", json={"voen": voen})
        return response.json()["access_token"] if response.status_code == 200 else None
    session.token = eventually(attempt, timeout=15, message=f"the role for {voen}")
    return session


SIMS = {
    "citizen": "no job 2", "employee": "employee 3", "head": "head of 3 companies",
    "other_head": "head of 1 company (logistics)", "representative": "employee / representative 1",
    "staff": "operations staff", "stand_in": "employee 4",
    "contracts_only": "employee / representative 2",
}


def login(suite, persona: Persona) -> ApiSession:
    """A new session of `persona` (a person), acting as it does."""
    session = ApiSession(suite.gateway_url).login(persona.sim)
    if persona.acting_for:
        act_for_when_allowed(session, persona.acting_for)
    return session


@dataclass
class World:
    personas: dict[str, Persona]
    notice_id: str            # company A's signed notice of the employee
    authority_id: str         # an authority in company A the matrix may withdraw
    webhook_id: str           # company A's webhook
    certificate_number: str   # the employee's certificate on the contract with company A
    employee_fin: str
    report_id: str            # company A's accident report draft, the employee its victim
    application_id: str       # company A's insurer application draft
    document_id: str          # a scan uploaded to it

    def path_values(self) -> dict[str, tuple[str, bool]]:
        """Path parameter name → (a value that exists, whether it is company A's object)."""
        citizen = self.personas["citizen"].sim
        return {
            "notice_id": (self.notice_id, True), "authority_id": (self.authority_id, True),
            "webhook_id": (self.webhook_id, True), "report_id": (self.report_id, True),
            "app_id": (self.application_id, True), "doc_id": (self.document_id, True),
            "number": (self.certificate_number, False), "fin": (self.employee_fin, False),
            "voen": (COMPANY_A, False), "name": ("districts", False),
            # Objects nobody can have made: every admitted caller gets 404 for them.
            "session_id": (uuid.uuid4().hex, False), "signing_id": (uuid.uuid4().hex, False),
            "dead_letter_id": (uuid.uuid4().hex, False), "request_id": (uuid.uuid4().hex, False),
            "entry_id": (uuid.uuid4().hex, False), "delivery_id": (uuid.uuid4().hex, False),
            "phone": (citizen["phone"], False),
        }


def token_of(persona: Persona, service: str, tokens: ServiceTokens) -> str | None:
    """What `persona` sends to `service`: its session's token, a service token addressed to it,
    or nothing."""
    if persona.kind == "person":
        return persona.session.token
    if persona.kind == "service":
        return tokens.token(persona.service, service)
    return None


def is_problem(response: requests.Response) -> bool:
    return response.headers.get("Content-Type", "").split(";")[0].strip() == "application/problem+json"
