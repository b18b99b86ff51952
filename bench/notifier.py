#!/usr/bin/env python3
"""Speed of the notifier, from one run on this machine.

Starts its own stack with devtools.suite.Suite (nx-27017 on a free port with a temporary data
folder, auth, registry, certificates and notifier with their roles, the nginx gateway) on a bus
exchange and queues of its own, plus a webhook receiver in a separate process that checks every
call's HMAC signature the way an institution would. Prints:

  (a) events per second the notifier turns into delivered webhooks (revocations addressed to a
      bank that has one webhook: an inbox entry and a signed POST per event), with 1 and with 2
      notifier consumer processes;
  (b) the ceiling: the thinnest pika consumer doing the same essential work per event (its dedupe
      record and inbox entry inserted in one round trip to the same Mongo-speaking server, one
      pooled, signed HTTP POST, ack) with 1 and with 2 processes, and the ratio a/b (aim ≥ 0.7);
  (c) revocation-API-call → webhook-received latency p50/p99, through the real certificates
      service (the holder revokes, through the gateway, addressed certificates issued with
      "notify the addressee on revocation"), next to the revocation call's own p99 and the raw
      pika round-trip p99 (aim: end to end p99 ≤ 3 × their sum).

The queues are filled before the consumers start, so (a) and (b) measure draining alone: the
rate is counted from the first to the last webhook the receiver accepted. The four runs (a and b,
1 and 2 processes) are interleaved over --rounds rounds and the medians reported, with the CPU
each process (consumers, nx-27017, the receiver, RabbitMQ) spent per event in the median round,
counted from the tenth of the webhooks on so that the consumers' start-up is left out.

    .venv/bin/python bench/notifier.py                      # full run
    .venv/bin/python bench/notifier.py --events 1000 --revocations 60   # shorter
"""
from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import json
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for extra in (ROOT, ROOT / "kit", ROOT / "services" / "notifier"):
    if str(extra) not in sys.path:
        sys.path.insert(0, str(extra))

BANK = "9900072351"          # Dan Ulduzu Bank: the addressee, logged in as "head of a bank"
HOLDER = "employee 3"        # the certificates' holder (a simulated Asan İmza identity)
EMPLOYER = "1701100231"
REVOKED = "certificates.certificate.revoked"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def signature(secret: str, timestamp: int, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


# --- the receiver: a separate process, an institution's endpoint ------------------------------

class ReceiverState:
    def __init__(self):
        self.secrets: dict[str, str] = {}         # path → secret
        self.first_seen: dict[str, float] = {}    # event id → time.time() of the first accepted call
        self.by_number: dict[str, float] = {}     # certificate number → time of its first accepted call
        self.duplicates = 0
        self.refused = 0
        self.first = self.last = None

    def webhook(self, path: str, headers: dict, body: bytes) -> int:
        now = time.time()
        secret = self.secrets.get(path)
        timestamp = headers.get("x-egov-timestamp", "")
        if secret is None or not timestamp.isdigit() or not hmac.compare_digest(
                signature(secret, int(timestamp), body), headers.get("x-egov-signature", "")):
            self.refused += 1
            return 401
        event = json.loads(body)
        if headers.get("x-egov-event-id") != event.get("id"):
            self.refused += 1
            return 400
        if event["id"] in self.first_seen:
            self.duplicates += 1
            return 204
        self.first_seen[event["id"]] = now
        number = (event.get("data") or {}).get("number")
        if number:
            self.by_number[number] = now
        self.first = self.first or now
        self.last = now
        return 204

    def control(self, path: str, body: bytes) -> tuple[int, dict]:
        request = json.loads(body or b"{}")
        if path == "/_secret":
            self.secrets[request["path"]] = request["secret"]
            return 200, {}
        if path == "/_reset":
            self.first_seen.clear()
            self.by_number.clear()
            self.duplicates = self.refused = 0
            self.first = self.last = None
            return 200, {}
        if path == "/_stats":
            return 200, {"count": len(self.first_seen), "duplicates": self.duplicates, "refused": self.refused,
                         "first": self.first, "last": self.last}
        if path == "/_numbers":
            return 200, {n: self.by_number.get(n) for n in request["numbers"]}
        return 404, {}


async def _serve_connection(state: ReceiverState, reader, writer) -> None:
    try:
        while True:
            line = await reader.readline()
            if not line:
                break
            method, target, _ = line.decode("latin-1").split(" ", 2)
            headers = {}
            while True:
                raw = await reader.readline()
                if raw in (b"\r\n", b"\n", b""):
                    break
                name, _, value = raw.decode("latin-1").partition(":")
                headers[name.strip().lower()] = value.strip()
            length = int(headers.get("content-length") or 0)
            body = await reader.readexactly(length) if length else b""
            if target.startswith("/_"):
                status, answer = state.control(target, body)
                payload = json.dumps(answer).encode()
            else:
                status, payload = state.webhook(target, headers, body), b""
            writer.write(b"HTTP/1.1 %d -\r\nContent-Length: %d\r\nContent-Type: application/json\r\n\r\n%s"
                         % (status, len(payload), payload))
            if headers.get("connection", "").lower() == "close":
                break
    except (ConnectionError, asyncio.IncompleteReadError, ValueError):
        pass
    finally:
        writer.close()


def run_receiver(port: int) -> None:
    state = ReceiverState()

    async def main():
        server = await asyncio.start_server(lambda r, w: _serve_connection(state, r, w), "127.0.0.1", port,
                                            backlog=512)
        async with server:
            await server.serve_forever()
    asyncio.run(main())


class ReceiverClient:
    def __init__(self, port: int):
        import requests
        self.base = f"http://127.0.0.1:{port}"
        self.http = requests.Session()

    def url(self, name: str) -> str:
        return f"{self.base}/hooks/{name}"

    def call(self, what: str, **body) -> dict:
        response = self.http.post(f"{self.base}/_{what}", json=body, timeout=10)
        response.raise_for_status()
        return response.json()

    def wait_for(self, count: int, timeout: float) -> dict:
        deadline = time.time() + timeout
        while True:
            stats = self.call("stats")
            if stats["count"] >= count or time.time() > deadline:
                return stats
            time.sleep(0.05)


# --- the ceiling: the thinnest consumer doing the same essential work -------------------------

def run_ceiling(args) -> None:
    """Per event: the dedupe record and the inbox entry inserted in one round trip (as the notifier
    inserts its inbox entry and delivery), one signed POST on a pooled connection, ack. One
    thread, one channel, the notifier's prefetch, a quorum queue."""
    import pika
    import urllib3
    from pymongo import MongoClient
    from pymongo.errors import BulkWriteError

    db = MongoClient(args.mongo, tz_aware=True)[args.db]
    http = urllib3.PoolManager(maxsize=4)
    connection = pika.BlockingConnection(pika.URLParameters(args.amqp))
    channel = connection.channel()
    channel.basic_qos(prefetch_count=args.prefetch)
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())

    def on_message(ch, method, properties, body):
        event = json.loads(body)
        now = datetime.now(timezone.utc)
        voen = event["data"]["addressee_voen"]
        try:
            # Dedupe record first, then the inbox entry, in one ordered round trip: a repeat stops
            # at the first document.
            db.deliveries.insert_many([
                {"_id": f"{args.queue}:{event['id']}", "channel": "dedupe", "at": now},
                {"_id": f"{event['id']}:{voen}", "event_id": event["id"], "voen": voen, "channel": "inbox",
                 "received_at": now, "data": event["data"]}], ordered=True)
        except BulkWriteError as exc:
            if any(e.get("code") != 11000 for e in exc.details.get("writeErrors", [])):
                raise
            ch.basic_ack(method.delivery_tag)
            return
        timestamp = int(time.time())
        response = http.request("POST", args.url, body=body, retries=False, headers={
            "Content-Type": "application/json", "X-Egov-Event-Id": event["id"],
            "X-Egov-Timestamp": str(timestamp), "X-Egov-Signature": signature(args.secret, timestamp, body)})
        if response.status >= 300:
            raise SystemExit(f"receiver answered {response.status}")
        ch.basic_ack(method.delivery_tag)

    channel.basic_consume(args.queue, on_message)
    while not stopping.is_set():
        connection.process_data_events(time_limit=0.2)
    connection.close()


# --- the run ----------------------------------------------------------------------------------

def revocation_event(number: str | None = None) -> dict:
    from egov_kit.bus import new_event
    return new_event(REVOKED, {
        "number": number or f"ARY-B{uuid.uuid4().hex[:8].upper()}", "holder_name": "Məmmədov İlqar Rəşid oğlu",
        "reason": "holder", "destination": "addressed", "addressee_voen": BANK,
        "addressee_name": "Dan Ulduzu Bank", "notify_addressee": True,
        "revoked_at": datetime.now(timezone.utc).isoformat()}, source="certificates")


def fill_queue(amqp_url: str, exchange: str, count: int) -> None:
    """Publishes `count` revocations with publisher confirms (nothing consumes them yet)."""
    import pika
    connection = pika.BlockingConnection(pika.URLParameters(amqp_url))
    channel = connection.channel()
    channel.confirm_delivery()
    props = pika.BasicProperties(content_type="application/json", delivery_mode=2)
    for _ in range(count):
        event = revocation_event()
        channel.basic_publish(exchange, REVOKED, json.dumps(event, ensure_ascii=False).encode(), props,
                              mandatory=True)
    connection.close()


def queue_counts(amqp_url: str, queue: str) -> tuple[int, int]:
    """(messages ready, consumers) of a queue."""
    import pika
    connection = pika.BlockingConnection(pika.URLParameters(amqp_url))
    try:
        method = connection.channel().queue_declare(queue, passive=True).method
        return method.message_count, method.consumer_count
    finally:
        connection.close()


def stop_process(proc, timeout: float = 20) -> None:
    import subprocess
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


_TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of one process (its threads included); 0 once it is gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            fields = handle.read().rsplit(b")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _TICK


def broker_pid() -> int | None:
    """The local RabbitMQ's Erlang VM, whose CPU the consumers' work also costs."""
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/comm") as handle:
                    if handle.read().strip() == "beam.smp":
                        return int(entry)
            except OSError:
                continue
    return None


def drain(receiver: ReceiverClient, start_consumers, count: int, timeout: float, shared: dict[str, int]) -> dict:
    """Starts consumers on a filled queue; events per second from the first to the last webhook,
    and CPU ms per event by process (`shared`: name → pid of the processes every run uses) over
    the steady part of the run: from the 10th percent of the webhooks to the last, so the
    consumers' start-up is not counted."""
    receiver.call("reset")
    procs = start_consumers()
    try:
        stats = receiver.wait_for(max(1, count // 10), timeout)

        def cpu() -> dict[str, float]:
            totals = {name: cpu_seconds(pid) for name, pid in shared.items()}
            totals["consumers"] = sum(cpu_seconds(proc.pid) for proc in procs)
            return totals
        cpu_before, count_before = cpu(), stats["count"]
        stats = receiver.wait_for(count, timeout)
        cpu_after, count_after = cpu(), stats["count"]
        time.sleep(1.0)  # anything sent twice would arrive now
        stats = receiver.call("stats")
    finally:
        for proc in procs:
            stop_process(proc)
    span = (stats["last"] or 0) - (stats["first"] or 0)
    stats["rate"] = (stats["count"] - 1) / span if stats["count"] > 1 and span > 0 else 0.0
    events = max(1, count_after - count_before)
    stats["cpu_by"] = {name: (cpu_after[name] - cpu_before[name]) * 1000 / events for name in cpu_after}
    return stats


def median_run(runs: list[dict]) -> dict:
    """The run with the median rate (its CPU figures with it); duplicates and refusals summed."""
    chosen = dict(sorted(runs, key=lambda r: r["rate"])[len(runs) // 2])
    chosen["rates"] = [r["rate"] for r in runs]
    for key in ("duplicates", "refused"):
        chosen[key] = sum(r[key] for r in runs)
    chosen["count"] = min(r["count"] for r in runs)
    return chosen


def raw_pika_round_trips(amqp_url: str, samples: int) -> list[float]:
    """Publish → deliver on a plain (classic, transient) queue between two connections."""
    import pika
    pub = pika.BlockingConnection(pika.URLParameters(amqp_url))
    sub = pika.BlockingConnection(pika.URLParameters(amqp_url))
    pub_ch, sub_ch = pub.channel(), sub.channel()
    queue = sub_ch.queue_declare("", exclusive=True, auto_delete=True).method.queue
    got: list[float] = []
    sub_ch.basic_consume(queue, lambda ch, m, p, b: got.append(time.perf_counter()), auto_ack=True)
    times = []
    for _ in range(samples):
        started = time.perf_counter()
        pub_ch.basic_publish("", queue, b"x")
        while not got:
            sub.process_data_events(time_limit=0.001)
        times.append(got.pop() - started)
    pub.close()
    sub.close()
    return times


def seed_certificates(suite, amqp_url: str, exchange: str, count: int):
    """An employment contract in force for the holder (the contracts service's event, which the
    certificates service projects), then `count` certificates addressed to the bank, each asking
    that the bank be told when it is revoked, issued through the gateway."""
    from devtools.client import ApiSession, sim_identity
    from egov_kit.bus import Publisher, new_event

    holder = ApiSession(suite.gateway_url).login(sim_identity(label=HOLDER))
    fin = sim_identity(label=HOLDER)["fin"]
    baku_today = datetime.now(timezone(timedelta(hours=4))).date()
    notice_id = uuid.uuid4().hex
    publisher = Publisher(amqp_url, exchange, name="bench-notifier")
    publisher.publish(new_event("contracts.notice.signed", {
        "notice_id": notice_id, "employer_voen": EMPLOYER, "employer_name": '"Şəki İpək" ASC',
        "employee_fin": fin, "employee_name": "Həsənova Nərmin", "position": "Baş mühasib",
        "occupation_code": "2411", "workplace": "Şəki", "contract_number": f"EM-{notice_id[:6]}",
        "contract_date": (baku_today - timedelta(days=400)).isoformat(),
        "start_date": (baku_today - timedelta(days=390)).isoformat(), "contract_type": "indefinite",
        "end_date": None, "salary": "1250.00", "working_time": "full",
        "signed_at": datetime.now(timezone.utc).isoformat()}, source="contracts"))
    publisher.close()
    deadline = time.time() + 30
    while time.time() < deadline:
        listed = holder.get("/api/certificates/contracts")
        if listed.status_code == 200 and any(c["contract_id"] == notice_id for c in listed.json()["items"]):
            break
        time.sleep(0.1)
    else:
        raise RuntimeError("the certificates service never learnt the contract")
    numbers = []
    for _ in range(count):
        issued = holder.post("/api/certificates", json={
            "contract_id": notice_id, "type": "employment",
            "valid_until": (baku_today + timedelta(days=30)).isoformat(), "mobile": "+994996667788",
            "email": "nermin.hasanova@example.az", "email_copy": False, "purpose": "01", "destination": "addressed",
            "addressee_voen": BANK, "notify_addressee_on_revoke": True})
        if issued.status_code != 201:
            raise RuntimeError(f"issuing failed: {issued.status_code} {issued.text[:300]}")
        numbers.append(issued.json()["number"])
    return holder, numbers


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=3000, help="events per throughput run")
    parser.add_argument("--revocations", type=int, default=150, help="revocations timed end to end")
    parser.add_argument("--pika-samples", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds of the throughput runs")
    parser.add_argument("--keep", action="store_true", help="keep the data folder and logs")
    sub = parser.add_subparsers(dest="role")
    receiver_p = sub.add_parser("receiver")
    receiver_p.add_argument("--port", type=int, required=True)
    ceiling_p = sub.add_parser("ceiling")
    for name in ("amqp", "queue", "mongo", "db", "url", "secret"):
        ceiling_p.add_argument(f"--{name}", required=True)
    ceiling_p.add_argument("--prefetch", type=int, default=16)
    args = parser.parse_args(argv)
    if args.role == "receiver":
        run_receiver(args.port)
        return 0
    if args.role == "ceiling":
        run_ceiling(args)
        return 0
    return run_bench(args)


def run_bench(args) -> int:
    import pika

    from devtools.client import ApiSession, sim_identity
    from devtools.pytest_plugin import remove_broker_objects
    from devtools.suite import Suite, free_port, port_open, wait_until
    from egov_kit.config import load_settings

    amqp_url = os.environ.get("AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/%2F")
    tag = uuid.uuid4().hex[:8]
    prefix = f"bench.{tag}"
    var_dir = Path(tempfile.mkdtemp(prefix="bench-notifier-"))
    ports = {name: free_port() for name in ("auth", "registry", "accidents", "certificates", "contracts",
                                             "insurers", "notifier")}
    suite = Suite(var_dir=var_dir, gateway_port=free_port(), mongo_port=free_port(), smtp_port=free_port(),
                  asan_sim_port=free_port(),
                  service_ports=ports, amqp_url=amqp_url, mongo_uri=None, exchange=f"{prefix}.events",
                  queue_prefix=prefix, quiet=True,
                  extra_env={"GATEWAY_RATE": "5000", "GATEWAY_BURST": "10000",
                             "MONGO_DB_PREFIX": prefix.replace(".", "_")})
    notifier_queue = f"{prefix}.notifier"
    results: dict = {}
    started = time.time()
    try:
        print(f"starting the suite (data in {var_dir}) …", flush=True)
        suite.start(services=["auth", "registry", "certificates", "notifier"])
        env = suite.env()
        settings_db = f"{prefix.replace('.', '_')}_notifier"

        receiver_port = free_port()
        receiver_proc = suite.spawn("receiver", [sys.executable, str(Path(__file__).resolve()), "receiver",
                                                 "--port", str(receiver_port)])
        wait_until(lambda: port_open("127.0.0.1", receiver_port), 20, "receiver", receiver_proc,
                   receiver_proc.egov_log)
        receiver = ReceiverClient(receiver_port)

        bank = ApiSession(suite.gateway_url).login(sim_identity(label="head of a bank")).act_for(BANK)
        hook = bank.post("/api/notifier/webhooks", json={"url": receiver.url("notifier")})
        if hook.status_code != 201:
            raise RuntimeError(f"webhook not registered: {hook.status_code} {hook.text[:300]}")
        receiver.call("secret", path="/hooks/notifier", secret=hook.json()["secret"])

        suite_consumer = next(p for p in suite.processes if p.egov_name == "notifier-consumer")

        def notifier_consumers(n: int):
            def start():
                procs = [suite.spawn(f"notifier-consumer-bench-{i}", [sys.executable, "-m", "egov_kit.run",
                                                                     "notifier_service", "consumer"])
                         for i in range(n)]
                return procs
            return start

        # Warm-up through the running consumer, so the queue, caches and pools exist.
        fill_queue(amqp_url, suite.exchange, 50)
        warm = receiver.wait_for(50, 60)
        if warm["count"] < 50:
            raise RuntimeError(f"warm-up: only {warm['count']} of 50 webhooks arrived; see {var_dir}/logs")
        stop_process(suite_consumer)

        # (b)'s queue and exchange: the ceiling has its own quorum queue.
        ceiling_exchange, ceiling_queue = f"{prefix}.ceiling", f"{prefix}.ceiling.q"
        connection = pika.BlockingConnection(pika.URLParameters(amqp_url))
        channel = connection.channel()
        channel.exchange_declare(ceiling_exchange, "topic", durable=True)
        channel.queue_declare(ceiling_queue, durable=True, arguments={"x-queue-type": "quorum"})
        channel.queue_bind(ceiling_queue, ceiling_exchange, routing_key=REVOKED)
        connection.close()
        ceiling_secret = uuid.uuid4().hex + uuid.uuid4().hex
        receiver.call("secret", path="/hooks/ceiling", secret=ceiling_secret)
        prefetch = int(env.get("CONSUMER_PREFETCH") or load_settings("notifier").consumer_prefetch)

        def ceilings(n: int):
            def start():
                return [suite.spawn(f"ceiling-{i}", [
                    sys.executable, str(Path(__file__).resolve()), "ceiling", "--amqp", amqp_url,
                    "--queue", ceiling_queue, "--mongo", suite.mongo_uri, "--db", f"{settings_db}_ceiling",
                    "--url", receiver.url("ceiling"), "--secret", ceiling_secret, "--prefetch", str(prefetch)])
                    for i in range(n)]
            return start

        mongo_proc = next(p for p in suite.processes if p.egov_name == "mongo")
        shared = {"mongo": mongo_proc.pid, "receiver": receiver_proc.pid}
        broker = broker_pid()
        if broker is not None:
            shared["rabbitmq"] = broker
        # (a) the notifier and (b) the ceiling, 1 and 2 processes each on a filled queue,
        # interleaved (a1, b1, a2, b2, a1, …) so that the machine's other load falls on all alike.
        runs: dict[str, list[dict]] = {}
        targets = {"notifier1": (suite.exchange, notifier_queue, notifier_consumers(1)),
                   "ceiling1": (ceiling_exchange, ceiling_queue, ceilings(1)),
                   "notifier2": (suite.exchange, notifier_queue, notifier_consumers(2)),
                   "ceiling2": (ceiling_exchange, ceiling_queue, ceilings(2))}
        for number in range(args.rounds):
            for key, (exchange, queue, start) in targets.items():
                fill_queue(amqp_url, exchange, args.events)
                print(f"{key}, round {number + 1}/{args.rounds}: {queue_counts(amqp_url, queue)[0]} events queued …",
                      flush=True)
                runs.setdefault(key, []).append(drain(receiver, start, args.events, 180, shared))
        results.update({key: median_run(found) for key, found in runs.items()})

        # (c) latency through the certificates service, one revocation at a time.
        consumer = notifier_consumers(1)()[0]
        wait_until(lambda: queue_counts(amqp_url, notifier_queue)[1] >= 1, 30, "notifier consumer", consumer,
                   consumer.egov_log)
        print(f"issuing {args.revocations} addressed certificates to revoke …", flush=True)
        holder, numbers = seed_certificates(suite, amqp_url, suite.exchange, args.revocations)
        time.sleep(1.0)
        receiver.call("reset")
        calls, ends = [], []
        for number in numbers:
            begun = time.time()
            response = holder.post(f"/api/certificates/{number}/revocation")
            answered = time.time()
            if response.status_code != 200:
                raise RuntimeError(f"revocation failed: {response.status_code} {response.text[:300]}")
            calls.append(answered - begun)
            deadline = time.time() + 30
            while True:
                seen = receiver.call("numbers", numbers=[number])[number]
                if seen is not None or time.time() > deadline:
                    break
                time.sleep(0.002)
            if seen is None:
                raise RuntimeError(f"no webhook for the revocation of {number}")
            ends.append(seen - begun)
            time.sleep(0.02)
        results["latency"] = {"end_to_end": ends, "call": calls}
        results["pika"] = raw_pika_round_trips(amqp_url, args.pika_samples)
        results["latency_stats"] = receiver.call("stats")
    finally:
        suite.stop()
        try:
            remove_broker_objects(amqp_url, prefix)
        except Exception as exc:  # noqa: BLE001
            print(f"(broker objects under {prefix} not removed: {exc})")
        if not args.keep:
            shutil.rmtree(var_dir, ignore_errors=True)

    report(results, args, time.time() - started)
    return 0


def report(results: dict, args, seconds: float) -> None:
    ms = 1000.0
    print()
    print(f"Notifier bench — {os.cpu_count()} CPU cores, nx-27017, RabbitMQ quorum queues; "
          f"{args.events} events per throughput run; run took {seconds:.0f} s")
    print()
    print("Throughput: revocation events → signed webhooks accepted by a separate receiver process")
    print(f"  {'':<34}{'1 process':>12}{'2 processes':>14}")
    rows = [("(a) notifier (events/s)", "notifier"), ("(b) ceiling: thin pika consumer", "ceiling")]
    for label, key in rows:
        print(f"  {label:<34}{results[key + '1']['rate']:>12.0f}{results[key + '2']['rate']:>14.0f}")
    r1 = results["notifier1"]["rate"] / results["ceiling1"]["rate"]
    r2 = results["notifier2"]["rate"] / results["ceiling2"]["rate"]
    ok = lambda met: "met" if met else "MISSED"  # noqa: E731
    print(f"  {'a/b (aim ≥ 0.70)':<34}{r1:>12.2f}{r2:>14.2f}   {ok(r1 >= 0.7)} / {ok(r2 >= 0.7)}")
    print(f"  (medians of {args.rounds} interleaved rounds)")
    for key in ("notifier1", "ceiling1", "notifier2", "ceiling2"):
        stats = results[key]
        rates = ", ".join(f"{rate:.0f}" for rate in stats["rates"])
        cpu = ", ".join(f"{name} {value:.2f}" for name, value in sorted(stats["cpu_by"].items(), key=lambda kv: -kv[1]))
        print(f"    {key}: events/s by round {rates}; every round {stats['count']}+ distinct webhooks of "
              f"{args.events}, {stats['duplicates']} duplicates, {stats['refused']} refused signatures")
        print(f"      cpu ms/event by process (median round): {cpu}; total {sum(stats['cpu_by'].values()):.2f}")
    print()
    lat = results["latency"]
    e2e, call, pika_rt = lat["end_to_end"], lat["call"], results["pika"]
    bound = 3 * (percentile(call, 0.99) + percentile(pika_rt, 0.99))
    print(f"Latency: holder's revocation call (gateway → certificates service) → webhook received, "
          f"{len(e2e)} revocations one at a time, through the real certificates service "
          f"(outbox → relay → broker → notifier)")
    print(f"  end to end                 p50 {percentile(e2e, 0.5) * ms:7.1f} ms   p99 {percentile(e2e, 0.99) * ms:7.1f} ms")
    print(f"  revocation call itself     p50 {percentile(call, 0.5) * ms:7.1f} ms   p99 {percentile(call, 0.99) * ms:7.1f} ms")
    print(f"  raw pika round trip        p50 {percentile(pika_rt, 0.5) * ms:7.1f} ms   "
          f"p99 {percentile(pika_rt, 0.99) * ms:7.1f} ms   ({len(pika_rt)} publish→deliver, classic queue)")
    e2e99 = percentile(e2e, 0.99)
    print(f"  aim: end-to-end p99 ≤ 3 × (call p99 + pika p99) = {bound * ms:.1f} ms → "
          f"{e2e99 * ms:.1f} ms, {ok(e2e99 <= bound)}")
    stats = results["latency_stats"]
    print(f"    {stats['count']} webhooks, {stats['duplicates']} duplicates, {stats['refused']} refused signatures")


if __name__ == "__main__":
    sys.exit(main())
