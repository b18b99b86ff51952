"""No personal identifier or secret in any log the suite writes.

After a realistic session through the gateway — people log in with Asan İmza, a head grants
himself the authority, enters a contract notice and signs it with PIN2, the employee issues a
certificate with an e-mail copy, another company verifies it and registers a webhook, the holder
revokes the certificate (the webhook is called, the e-mail sent), someone logs out — every file
in every `logs` folder of this test session (each service's roles, the gateway's access and error
logs, the Mongo-speaking server, the mail sink; also what earlier tests of the session left
there) is searched for every FİN and phone number of the simulator's identities and for the
certificate numbers, session and signing ids, e-mail addresses, webhook secret and tokens used.

And the Mongo-speaking server itself, which would log query filters: run as the suite runs it,
it logs its start-up and nothing of the queries, while an error at start-up stays visible."""
from __future__ import annotations

import re
import subprocess
import sys
import threading
import uuid
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote

import pytest
from pymongo import MongoClient

from devtools.client import ApiSession, sim_identities, sim_identity
from devtools.pytest_plugin import eventually
from devtools.suite import ROOT, Suite, free_port

EMPLOYER = "1701100121"     # Xəzər Ulduzu İnşaat, headed by İlqar Məmmədov
VERIFIER = "1701100451"     # Çinarlı Logistika, headed by Gülnarə Əliyeva
BAKU = timezone(timedelta(hours=4))


def day(offset: int = 0) -> str:
    return (datetime.now(BAKU).date() + timedelta(days=offset)).isoformat()


# --- what is searched for, and where ------------------------------------------------------------

class Identifiers:
    """What must appear in no log: exact values, FİNs (any case, as a whole token) and phone
    numbers (the nine national digits, with or without +994 / 0 in front)."""

    def __init__(self):
        self.fins: set[str] = set()
        self.phones: set[str] = set()
        self.values: dict[str, str] = {}   # value -> what it is

    def fin(self, value: str) -> None:
        self.fins.add(value.upper())

    def phone(self, value: str) -> None:
        self.phones.add(re.sub(r"\D", "", value)[-9:])

    def value(self, value: str | None, what: str) -> None:
        if value:
            self.values[value] = what

    def patterns(self) -> list[tuple[str, re.Pattern]]:
        found = [(f"FİN {f}", re.compile(rf"(?<![0-9A-Za-z]){f}(?![0-9A-Za-z])", re.I)) for f in sorted(self.fins)]
        found += [(f"phone {p}", re.compile(rf"(?<!\d){p}(?!\d)")) for p in sorted(self.phones)]
        for value, what in sorted(self.values.items()):
            forms = {re.escape(value), re.escape(quote(value, safe=""))}
            found.append((what, re.compile("|".join(sorted(forms)), re.I if "@" in value else 0)))
        return found


def log_files(root: Path) -> list[Path]:
    return sorted({f for folder in root.rglob("logs") if folder.is_dir() for f in folder.rglob("*") if f.is_file()})


def hits(files: list[Path], identifiers: Identifiers) -> list[str]:
    patterns = identifiers.patterns()
    found = []
    for path in files:
        for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
            for what, pattern in patterns:
                if pattern.search(line):
                    found.append(f"{path}:{number}: {what}: {line[:300]}")
    return found


# --- the Mongo-speaking server --------------------------------------------------------------

def test_nx27017_logs_its_start_up_and_none_of_the_queries(tmp_path):
    fin, phone = "7QX2LPA", "+994557654321"
    var = tmp_path / "var"
    mongo = Suite(var_dir=var, mongo_port=free_port(), mongo_uri=None, quiet=True)
    mongo.var_dir.mkdir(parents=True)
    mongo.start_mongo()
    try:
        with MongoClient(mongo.mongo_uri) as client:
            db = client["t_logs"]
            db.people.insert_one({"fin": fin, "mobile": phone, "search": "hesenova"})
            assert db.people.find_one({"fin": fin})["mobile"] == phone
            # A filter the server's query engine cannot run in SQL: nx-27017 0.8.1 warns with it.
            matched = list(db.people.aggregate([{"$match": {"fin": fin, "search": {"$regex": "hes"}}}]))
            assert len(matched) == 1
            assert db.people.count_documents({"mobile": {"$regex": phone[-7:]}}) == 1
            db.command("collStats", "people")
    finally:
        mongo.stop()
    files = log_files(var)
    assert [f.name for f in files] == ["mongo.log"]   # no log file of its own
    text = files[0].read_text(encoding="utf-8")
    assert "Listening on 127.0.0.1:" in text
    assert fin not in text and phone[-9:] not in text and "hesenova" not in text and "$regex" not in text


def test_nx27017_start_up_errors_stay_visible(tmp_path):
    taken = socket_taken()
    try:
        run = subprocess.run([sys.executable, "-m", "devtools.nx27017", "--data-dir", str(tmp_path / "data"),
                              "--host", "127.0.0.1", "-p", str(taken.getsockname()[1]),
                              "--pid-file", str(tmp_path / "mongo.pid")],
                             cwd=ROOT, capture_output=True, text=True, timeout=60)
    finally:
        taken.close()
    assert run.returncode != 0
    assert "address already in use" in run.stderr.lower()


def socket_taken():
    import socket
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    return sock


# --- a realistic session --------------------------------------------------------------------

class Person:
    """A simulator identity logged in through the gateway; what the log-in used is remembered."""

    run = f"logs-{uuid.uuid4().hex[:12]}"   # the X-Request-ID of every request of the session
    requests_made = 0

    def __init__(self, suite, sim: dict, seen: Identifiers):
        self.sim = sim
        self.seen = seen
        self.api = ApiSession(suite.gateway_url)
        self.api.http.headers["X-Request-ID"] = Person.run
        self.api.http.hooks["response"].append(Person._count)
        started = self.api.post("/api/auth/asan/sessions", json={"phone": sim["phone"], "user_id": sim["user_id"]})
        assert started.status_code == 201, started.text
        session_id = started.json()["session_id"]
        seen.value(session_id, "Asan session id")
        self.confirm(started.json()["verification_code"], sim["pin1"], "login")

        def confirmed():
            state = self.api.get(f"/api/auth/asan/sessions/{session_id}").json()
            return state.get("access_token") if state.get("state") == "confirmed" else None
        self.token = eventually(confirmed, timeout=15, message="the log-in")
        self.use(self.token)

    @staticmethod
    def _count(response, *args, **kwargs):
        Person.requests_made += 1

    def use(self, token: str) -> None:
        self.api.token = token
        self.seen.value(token.rsplit(".", 1)[-1], "access token")

    def confirm(self, code: str, pin: str, kind: str) -> None:
        phone = self.sim["phone"]

        def request_id():
            pending = self.api.http.get(f"{self.api.base_url}/api/asan-sim/phones/{phone}/requests", timeout=10).json()
            return next((r["request_id"] for r in pending if r["verification_code"] == code and r["kind"] == kind), None)
        rid = eventually(request_id, timeout=10, message="the request on the phone")
        self.seen.value(rid, "Asan request id")
        answer = self.api.http.post(f"{self.api.base_url}/api/asan-sim/phones/{phone}/requests/{rid}",
                                    json={"pin": pin}, timeout=10)
        assert answer.status_code == 200, answer.text

    def act_for(self, voen: str) -> "Person":
        def switched():
            answer = self.api.post("/api/auth/role", json={"voen": voen})
            return answer.json()["access_token"] if answer.status_code == 200 else None
        self.use(eventually(switched, timeout=15, message=f"acting for {voen}"))
        return self

    def sign(self, path: str) -> None:
        started = self.api.post(f"{path}/signature", json={})
        assert started.status_code == 202, started.text
        self.seen.value(started.json().get("signing_id"), "signing id")
        self.confirm(started.json()["verification_code"], self.sim["pin2"], "sign")

        phone = self.sim["phone"]

        def final():
            state = self.api.get(f"{path}/signature").json()
            if state.get("state") != "pending":
                return state
            # One provider session per signature: confirm each next one ("2/2") the phone shows.
            pending = self.api.http.get(f"{self.api.base_url}/api/asan-sim/phones/{phone}/requests", timeout=10).json()
            for request in (r for r in pending if r["kind"] == "sign"):
                self.seen.value(request["request_id"], "Asan request id")
                self.api.http.post(f"{self.api.base_url}/api/asan-sim/phones/{phone}/requests/{request['request_id']}",
                                   json={"pin": self.sim["pin2"]}, timeout=10)
            return None
        assert eventually(final, timeout=30, message="the signature")["state"] == "confirmed"


class Receiver(BaseHTTPRequestHandler):
    """An institution's webhook endpoint that takes anything."""
    received: list[bytes] = []

    def do_POST(self):
        Receiver.received.append(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def webhook_receiver():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/egov/{uuid.uuid4().hex[:8]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def session_run(suite, webhook_receiver) -> Identifiers:
    seen = Identifiers()
    for sim in sim_identities():
        seen.fin(sim["fin"])
        seen.phone(sim["phone"])

    # The head grants himself the authority, enters a notice for a new employee and signs it.
    head = Person(suite, sim_identity(label="head of 3 companies"), seen).act_for(EMPLOYER)
    granted = head.api.post("/api/contracts/authorities", json={"fin": head.sim["fin"], "valid_until": None})
    assert granted.status_code in (201, 409), granted.text   # 409: an earlier test granted it already
    employee_sim = sim_identity(label="no job 2")
    head.act_for(EMPLOYER)
    notice = head.api.post("/api/contracts/notices", json={
        "employee_fin": employee_sim["fin"], "position": "Mühəndis", "occupation_code": "2142",
        "workplace": "Bakı, baş ofis", "contract_number": f"LOG-{uuid.uuid4().hex[:8]}",
        "contract_date": day(-10), "start_date": day(-5), "contract_type": "indefinite", "end_date": None,
        "salary": "1800.00", "working_time": "full"})
    assert notice.status_code == 201, notice.text
    notice_id = notice.json()["id"]
    head.sign(f"/api/contracts/notices/{notice_id}")

    # The employee sees her own record and issues a certificate addressed to another company.
    employee = Person(suite, employee_sim, seen)
    own = employee.api.get(f"/api/registry/persons/{employee_sim['fin']}").json()
    seen.value(own["email"], "the employee's registry e-mail")
    seen.phone(own["mobile"])

    def offered():
        items = employee.api.get("/api/certificates/contracts", params={"limit": 200}).json()["items"]
        return next((c for c in items if c["contract_id"] == notice_id), None)
    eventually(offered, timeout=20, message="the contract in the certificates service")
    holder_email = f"holder.{uuid.uuid4().hex[:6]}@example.az"
    seen.value(holder_email, "the holder's e-mail")
    issued = employee.api.post("/api/certificates", json={
        "contract_id": notice_id, "type": "employment_with_salary", "valid_until": day(30),
        "mobile": employee_sim["phone"], "email": holder_email, "email_copy": True, "purpose": "01",
        "destination": "addressed", "addressee_voen": VERIFIER, "notify_addressee_on_revoke": True})
    assert issued.status_code == 201, issued.text
    number = issued.json()["number"]
    seen.value(number, "certificate number")
    assert employee.api.get(f"/api/certificates/{quote(number)}/pdf").status_code == 200

    # The addressee registers a webhook and verifies the certificate.
    verifier = Person(suite, sim_identity(label="head of 1 company (logistics)"), seen).act_for(VERIFIER)
    hook = verifier.api.post("/api/notifier/webhooks", json={"url": webhook_receiver})
    assert hook.status_code in (200, 201), hook.text
    seen.value(hook.json()["secret"], "webhook secret")
    checked = verifier.api.post("/api/certificates/verifications", json={"number": number})
    assert checked.status_code == 200 and checked.json()["result"] == "valid", checked.text
    assert verifier.api.get(f"/api/certificates/verifications/{quote(number)}/pdf").status_code == 200
    assert verifier.api.post("/api/certificates/verifications", json={"number": f"{number}9"}).status_code == 200

    # The holder revokes it: the addressee's webhook is called; the e-mail copy has gone out.
    before = len(Receiver.received)
    assert employee.api.post(f"/api/certificates/{quote(number)}/revocation").status_code == 200
    eventually(lambda: any(number.encode() in body for body in Receiver.received[before:]), timeout=30,
               message="the webhook call about the revocation")
    eventually(lambda: any(holder_email in path.read_text(errors="replace") for path in suite.mail_dir.glob("*.eml")),
               timeout=30, message="the e-mail copy of the certificate")
    assert employee.api.get("/api/registry/my-data-access").status_code == 200
    assert employee.api.post("/api/auth/logout").status_code == 204

    # Each gateway worker writes its part of the access log at least every second: wait for all of it.
    access_log = suite.var_dir / "gateway" / "logs" / "access.log"
    eventually(lambda: access_log.read_text(encoding="utf-8").count(f'"request_id":"{Person.run}"')
               >= Person.requests_made, timeout=10, message="every request of the session in the access log")
    return seen


def test_the_session_wrote_logs_everywhere_it_should(suite, session_run):
    names = {f.name for f in log_files(suite.var_dir)}
    assert {"access.log", "gateway.log", "auth-api.log", "contracts-api.log", "certificates-api.log",
            "notifier-consumer.log", "registry-api.log", "mailsink.log"} <= names
    access = (suite.var_dir / "gateway" / "logs" / "access.log").read_text(encoding="utf-8")
    assert '"path":"/api/certificates/{number}/revocation"' in access
    assert '"path":"/api/auth/asan/sessions/{session_id}"' in access
    assert '"path":"/api/asan-sim/phones/{phone}/requests/{request_id}"' in access


def test_no_log_of_the_session_holds_a_personal_identifier_or_a_secret(tmp_path_factory, session_run):
    files = log_files(tmp_path_factory.getbasetemp())
    assert files
    found = hits(files, session_run)
    assert not found, f"{len(found)} identifiers in logs:\n" + "\n".join(found[:40])
