#!/usr/bin/env python3
"""Speed of the certificates service, from one run on this machine.

Starts its own stack (nx-27017 on a free port with a temporary data folder, the auth, registry and
certificates services under gunicorn, the nginx gateway), seeds synthetic certificates straight
into the certificates service's collection, and drives load from a second process (`wrk` when
available — installed with apt-get when missing and allowed — otherwise a Python generator in a
separate process). Prints:

  * verifications per second and p50/p99 latency (a) through the gateway, (b) directly against
    the certificates service, (c) against the thinnest Flask+gunicorn endpoint doing the same
    essential work (bench/ceiling_app.py), with the ratios a/c and a/b;
  * verification p50/p99 with 10k and with --big (default 1M) certificates stored, each in a
    database of its own behind a certificates service of its own, measured directly in turns;
  * certificates issued per second (a) through the gateway (the contract check, the PDF, the
    seal, storage and the event) and (c) by the ceiling app's POST /issue: one find_one of the
    contract, the same page and seal made with fpdf2 + pyHanko as a good engineer writes them
    (ceiling_app.BareIssuer: fonts, key and signer prepared once), one insert_one; ratio a/c, with
    both page-and-seal codes (the ceiling's and the service's) timed in-process beside them.

    .venv/bin/python bench/certificates.py                # full run (1M certificates)
    .venv/bin/python bench/certificates.py --big 100000   # shorter
    .venv/bin/python bench/certificates.py --issuing-only # the issuing figures alone
"""
from __future__ import annotations

import argparse
import io
import json
import multiprocessing
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for extra in (ROOT / "services" / "certificates", ROOT):
    if str(extra) not in sys.path:
        sys.path.insert(0, str(extra))

AIMS = {"a/c": 0.7, "a/b": 0.85, "big/small": 1.2, "issue/bare": 0.7}
VERIFIER = "employee 4"      # a person checking a certificate for themselves
HOLDER = "employee 3"        # the holder who issues certificates in the issuing figure
PURPOSE = "10"

WRK_LUA = r"""
local bodies = {}
for line in io.lines(os.getenv("BENCH_BODIES")) do bodies[#bodies + 1] = line end
local path = os.getenv("BENCH_PATH")
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN")
math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16) % 100000)
request = function()
  return wrk.format(nil, path, nil, bodies[math.random(#bodies)])
end
done = function(summary, latency, requests)
  io.write(string.format("BENCH_RESULT %d %d %d %d %d %d\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(99), summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
"""


# --- load generators (always a second process) ----------------------------------------------

def ensure_wrk(allow_install: bool) -> str | None:
    found = shutil.which("wrk")
    if found or not allow_install:
        return found
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        return None
    say("installing wrk with apt-get …")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    for argv in (["apt-get", "install", "-y", "-qq", "wrk"], ["apt-get", "update", "-qq"],
                 ["apt-get", "install", "-y", "-qq", "wrk"]):
        subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        if shutil.which("wrk"):
            break
    return shutil.which("wrk")


class Result:
    def __init__(self, requests: int, seconds: float, p50_ms: float, p99_ms: float, bad: int):
        self.requests, self.seconds, self.p50, self.p99, self.bad = requests, seconds, p50_ms, p99_ms, bad
        self.cpu_ms = 0.0  # CPU time of the stack's processes per request (load generator excluded)
        self.cpu_by: dict[str, float] = {}  # the same, by process
        self.drain = 0.0  # seconds after the run until every event recorded in it was published

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @staticmethod
    def median(results: list["Result"]) -> "Result":
        med = statistics.median
        merged = Result(sum(r.requests for r in results), sum(r.seconds for r in results),
                        med(r.p50 for r in results), med(r.p99 for r in results), sum(r.bad for r in results))
        merged.rates = [r.rate for r in results]
        merged.cpu_ms = med(r.cpu_ms for r in results)
        merged.drain = med(r.drain for r in results)
        merged.cpu_by = {name: med(r.cpu_by.get(name, 0.0) for r in results) for name in results[0].cpu_by}
        merged.median_rate = med(merged.rates)
        return merged


_TICK = os.sysconf("SC_CLK_TCK")


def stack_cpu_seconds(sessions: dict[int, str]) -> dict[str, float]:
    """User + system CPU seconds of every live process in the given sessions, by the name of the
    session (the stack's processes were each started in a session of their own; gunicorn and
    nginx workers stay in it)."""
    totals: dict[str, float] = {name: 0.0 for name in sessions.values()}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as handle:
                fields = handle.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        name = sessions.get(int(fields[3]))  # after "(comm)": state ppid pgrp session … utime(11) stime(12)
        if name is not None:
            totals[name] += (int(fields[11]) + int(fields[12])) / _TICK
    return totals


def _python_load(url: str, token: str, bodies: list[str], connections: int, seconds: float, out) -> None:
    """The fallback generator: `connections` threads, each with its own pooled session."""
    import requests

    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    latencies: list[float] = []
    bad = [0]
    lock = threading.Lock()
    start = time.perf_counter()
    stop_at = start + seconds

    def run():
        session, mine, errors = requests.Session(), [], 0
        rng = random.Random()
        while time.perf_counter() < stop_at:
            t0 = time.perf_counter()
            try:
                ok = session.post(url, data=rng.choice(bodies), headers=headers, timeout=30).status_code < 400
            except requests.RequestException:
                ok = False
            if ok:
                mine.append(time.perf_counter() - t0)
            else:
                errors += 1
        with lock:
            latencies.extend(mine)
            bad[0] += errors

    threads = [threading.Thread(target=run) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - start
    latencies.sort()
    pick = (lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000) if latencies else (lambda q: 0.0)
    out.put((len(latencies) + bad[0], elapsed, pick(0.50), pick(0.99), bad[0]))


class Load:
    def __init__(self, wrk: str | None, connections: int, work_dir: Path):
        self.wrk, self.connections, self.work_dir = wrk, connections, work_dir
        self.lua = work_dir / "bench.lua"
        self.lua.write_text(WRK_LUA)

    @property
    def name(self) -> str:
        return f"wrk, 1 thread, {self.connections} connections" if self.wrk else \
            f"Python (requests), {self.connections} threads in a second process"

    def run(self, base: str, path: str, token: str, bodies: list[str], seconds: float,
            connections: int | None = None) -> Result:
        connections = connections or self.connections
        bodies_file = self.work_dir / f"bodies-{uuid.uuid4().hex[:6]}.txt"
        bodies_file.write_text("\n".join(bodies) + "\n")
        try:
            if self.wrk:
                env = dict(os.environ, BENCH_BODIES=str(bodies_file), BENCH_PATH=path, BENCH_TOKEN=token)
                done = subprocess.run([self.wrk, "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--timeout", "30s",
                                       "-s", str(self.lua), base], env=env, capture_output=True, text=True)
                line = next((l for l in done.stdout.splitlines() if l.startswith("BENCH_RESULT")), None)
                if line is None:
                    raise RuntimeError(f"wrk failed: {done.stdout}\n{done.stderr}")
                n, micros, p50, p99, status_errors, socket_errors = (int(x) for x in line.split()[1:])
                return Result(n, micros / 1e6, p50 / 1000, p99 / 1000, status_errors + socket_errors)
            ctx = multiprocessing.get_context("spawn")
            out = ctx.Queue()
            proc = ctx.Process(target=_python_load, args=(base + path, token, bodies, connections, seconds, out))
            proc.start()
            n, elapsed, p50, p99, bad = out.get(timeout=seconds + 120)
            proc.join()
            return Result(n, elapsed, p50, p99, bad)
        finally:
            bodies_file.unlink(missing_ok=True)


# --- the stack --------------------------------------------------------------------------------

def say(text: str) -> None:
    print(f"# {text}", file=sys.stderr, flush=True)


def start_stack(args, var_dir: Path, tag: str):
    from devtools.suite import SERVICE_PORTS, Suite, free_port

    workers = {"WEB_WORKERS": str(args.workers), "WEB_THREADS": str(args.threads)}
    suite = Suite(var_dir=var_dir, gateway_port=free_port(), mongo_port=free_port(), smtp_port=free_port(),
                  asan_sim_port=free_port(),
                  service_ports={name: free_port() for name in SERVICE_PORTS}, mongo_uri=args.mongo_uri,
                  exchange=f"bench.{tag}.events", queue_prefix=f"bench.{tag}", quiet=True,
                  extra_env={"VERIFY_RATE_PER_MINUTE": "1000000000", "GATEWAY_RATE": "1000000",
                             "GATEWAY_BURST": "1000000", "MONGO_DB_PREFIX": f"bench_{tag}", **workers})
    suite.start(services=["auth", "registry", "certificates"])
    return suite


def start_ceiling(suite, args, db_name: str) -> str:
    from devtools.suite import free_port, wait_until

    import requests

    port = free_port()
    env = suite.env()
    env.update({"BENCH_DB": db_name, "MONGO_URI": suite.mongo_uri,
                "PYTHONPATH": os.pathsep.join([str(ROOT / "bench"), env.get("PYTHONPATH", "")])})
    proc = suite.spawn("ceiling", [sys.executable, "-m", "gunicorn", "--workers", str(args.workers),
                                   "--threads", str(args.threads), "--worker-class", "gthread",
                                   "--keep-alive", "30", "--timeout", "60", "--bind", f"127.0.0.1:{port}",
                                   "ceiling_app:app"], env)
    url = f"http://127.0.0.1:{port}"
    wait_until(lambda: requests.post(f"{url}/verify", json={"number": "x"}, timeout=2).ok, 30, "ceiling app",
               proc, proc.egov_log)
    return url


def stop_processes(suite, names: list[str]) -> None:
    """Stops processes this script started beside the stack (each leads a session of its own),
    so that they weigh on no later figure."""
    import signal

    stopping = [proc for proc in suite.processes if proc.egov_name in names]
    for proc in stopping:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
    for proc in stopping:
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        suite.processes.remove(proc)


def login(base: str, label: str) -> str:
    from devtools.client import ApiSession, sim_identity

    return ApiSession(base).login(sim_identity(label=label)).token


# --- data -------------------------------------------------------------------------------------

_FIN_ALPHABET = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"
_SURNAMES = ["Həsənova", "Məmmədov", "Əliyev", "Quliyeva", "İsmayılov", "Hüseynova", "Cəfərov", "Şükürova"]
_NAMES = ["Nərmin", "Elçin", "Aygün", "Rəşad", "Günay", "Tural", "Səbinə", "Orxan"]
_EMPLOYERS = ['"Şəki İpək" ASC', '"Azər Logistika" MMC', '"Bakı Çay Evi" MMC', '"Gəncə Tekstil" ASC']


def synthetic_certificates(count: int, rng: random.Random):
    """Certificates in the service's own shape (domain.new_certificate), without outbox fields."""
    from certificates_service import domain, numbers

    now = datetime.now(timezone.utc)
    valid_until = (date.today() + timedelta(days=365)).isoformat()
    purpose = {"code": PURPOSE, "name_az": "Ümumi məqsəd", "name_en": "General"}
    for i in range(count):
        fin = "".join(rng.choice(_FIN_ALPHABET) for _ in range(7))
        surname, name = rng.choice(_SURNAMES), rng.choice(_NAMES)
        holder = {"fin": fin, "surname": surname, "name": name, "patronymic": None,
                  "full_name": f"{surname} {name}"}
        contract = {"_id": uuid.UUID(int=rng.getrandbits(128)).hex, "contract_number": f"EM-{i}",
                    "contract_type": "indefinite", "end_date": None, "employer_voen": f"{1700000000 + i % 5000}",
                    "employer_name": rng.choice(_EMPLOYERS), "position": "Mühasib", "start_date": "2020-01-15",
                    "salary_qepik": 125000}
        kind = domain.WITH_SALARY if i % 3 == 0 else domain.EMPLOYMENT
        request = {"type": kind, "valid_until": valid_until, "mobile": None, "email": None,
                   "email_copy": False, "destination": "general"}
        yield domain.new_certificate(numbers.generate(), holder, contract, request, purpose, None,
                                     now - timedelta(seconds=i))


def seed(db, count: int, rng: random.Random, sample: list[str], sample_size: int, seen: list[int]) -> float:
    """Bulk-inserts `count` certificates in batches; keeps a uniform sample of their numbers
    (reservoir over everything stored so far); returns the seconds it took."""
    started, batch, done = time.perf_counter(), [], 0
    last_report = started

    def flush():
        nonlocal batch, done, last_report
        db.certificates.insert_many(batch, ordered=False)
        done += len(batch)
        batch = []
        if time.perf_counter() - last_report > 15:
            last_report = time.perf_counter()
            say(f"  … {done:,} of {count:,} stored ({done / (last_report - started):,.0f}/s)")

    for cert in synthetic_certificates(count, rng):
        seen[0] += 1
        if len(sample) < sample_size:
            sample.append(cert["_id"])
        else:
            slot = rng.randrange(seen[0])
            if slot < sample_size:
                sample[slot] = cert["_id"]
        batch.append(cert)
        if len(batch) >= 5000:
            flush()
    if batch:
        flush()
    return time.perf_counter() - started


def seed_contract(db, fin: str) -> str:
    notice_id = uuid.uuid4().hex
    db.contracts.insert_one({
        "_id": notice_id, "status": "signed", "employer_voen": "1701100231", "employer_name": '"Şəki İpək" ASC',
        "employee_fin": fin, "employee_name": "Həsənova Nərmin", "position": "Baş mühasib",
        "occupation_code": "2411", "workplace": "Şəki, M.Ə.Rəsulzadə küç. 12", "contract_number": "EM-2024/17",
        "contract_date": "2024-02-20", "start_date": "2024-03-01", "contract_type": "indefinite",
        "end_date": None, "salary_qepik": 125050, "working_time": "full",
        "signed_at": datetime.now(timezone.utc).isoformat()})
    return notice_id


def issue_body(contract_id: str) -> dict:
    return {"contract_id": contract_id, "type": "employment_with_salary",
            "valid_until": (date.today() + timedelta(days=30)).isoformat(), "mobile": "+994996667788",
            "email": "nermin@example.az", "email_copy": False, "purpose": PURPOSE, "destination": "general",
            "addressee_voen": None, "notify_addressee_on_revoke": False}


# --- issuing in-process: the ceiling's code (ceiling_app.BareIssuer) and the service's ----------

from ceiling_app import BareIssuer  # noqa: E402 - bench/ is the script's folder


class ServiceCodeIssuer:
    """The service's own pdf.render + seal in-process, with its fonts and seal made once (what
    HTTP, storage and events add shows against this)."""

    def __init__(self, material: dict, font_dir: str):
        from certificates_service import pdf, seal
        from egov_kit import pki

        self.pdf = pdf
        self.sealer = seal.Sealer(pki.load_certkey(material["key_pem"], material["cert_pem"]),
                                  pki.CertKey(cert_pem=material["ca_cert_pem"]))
        self.fonts = pdf.font_cache(font_dir)
        self.now = datetime.now(timezone.utc)

    def close(self) -> None:
        pass

    def issue(self, rows: list[tuple[str, str]], number: str, url: str) -> bytes:
        return self.sealer.seal(self.pdf.render(rows, number=number, verification_url=url, issued_at=self.now,
                                                fonts=self.fonts))


def in_process_rate(issuer, documents: list[tuple[list, str, str]], seconds: float) -> Result:
    """Documents made one after another for `seconds` (at least three), cycling through
    `documents`: the rate, and the CPU milliseconds of one (`cpu_ms`)."""
    started, cpu, made = time.perf_counter(), time.process_time(), 0
    while time.perf_counter() - started < seconds or made < 3:
        issuer.issue(*documents[made % len(documents)])
        made += 1
    result = Result(made, time.perf_counter() - started, 0.0, 0.0, 0)
    result.cpu_ms = (time.process_time() - cpu) / made * 1000
    return result


def check_sealed(data: bytes, ca_pem: str, must_show: list[str]) -> None:
    """The ceiling does the whole work: its seal validates against the CA, and the page shows the
    text (decoded through the fonts' ToUnicode maps by the service tests' reader)."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    from egov_kit.pki import CertKey

    [signature] = PdfFileReader(io.BytesIO(data), strict=False).embedded_signatures
    status = validate_pdf_signature(signature, ValidationContext(
        trust_roots=[CertKey(cert_pem=ca_pem).asn1_cert], allow_fetching=False, revocation_mode="soft-fail"))
    if not (status.intact and status.valid and status.trusted):
        raise RuntimeError(f"the bare seal does not validate: {status}")
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "certificates_tests_support", ROOT / "services" / "certificates" / "tests" / "conftest.py")
    support = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(support)
    shown = support.pdf_text(data)
    missing = [text for text in must_show if text not in shown]
    if missing:
        raise RuntimeError(f"the bare page lacks {missing}")


# --- the run ----------------------------------------------------------------------------------

def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--small", type=int, default=10_000, help="certificates stored for the first figures")
    parser.add_argument("--big", type=int, default=1_000_000, help="certificates stored for the second (0: skip)")
    parser.add_argument("--seconds", type=float, default=6, help="length of each measured load run")
    parser.add_argument("--warmup", type=float, default=2, help="unmeasured load before each run")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds of each comparison")
    parser.add_argument("--connections", type=int, default=16, help="concurrent connections for verification")
    parser.add_argument("--issue-connections", type=int, default=4, help="concurrent connections for issuing")
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_WORKERS", "1")),
                        help="gunicorn workers of every service and of the ceiling app (WEB_WORKERS)")
    parser.add_argument("--threads", type=int, default=int(os.environ.get("WEB_THREADS", "8")),
                        help="gunicorn threads per worker (WEB_THREADS)")
    parser.add_argument("--generator", choices=["auto", "wrk", "python"], default="auto")
    parser.add_argument("--no-install", action="store_true", help="never apt-get install wrk")
    parser.add_argument("--issuing-only", action="store_true", help="the issuing figures alone")
    parser.add_argument("--mongo-uri", default=os.environ.get("MONGO_URI"),
                        help="use this MongoDB instead of a fresh nx-27017 (default: MONGO_URI)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary data folder (logs)")
    args = parser.parse_args(argv)

    from pymongo import MongoClient

    from certificates_service import domain, numbers
    from certificates_service.settings import CertificatesSettings
    from devtools.pytest_plugin import remove_broker_objects

    wrk = None if args.generator == "python" else ensure_wrk(not args.no_install)
    if args.generator == "wrk" and wrk is None:
        raise SystemExit("wrk is not available")
    tag = uuid.uuid4().hex[:8]
    var_dir = Path(tempfile.mkdtemp(prefix="bench-certificates-"))
    load = Load(wrk, args.connections, var_dir)
    rng = random.Random(20260)
    say(f"starting the stack in {var_dir} …")
    suite = start_stack(args, var_dir, tag)
    client = MongoClient(suite.mongo_uri, tz_aware=True)
    db = client[f"bench_{tag}_certificates"]
    lines: list[str] = []

    def out(text: str = "") -> None:
        lines.append(text)
        print(text, flush=True)

    try:
        gateway, direct = suite.gateway_url, suite.url("certificates")
        sample: list[str] = []
        seen = [0]
        small_seconds, bodies = 0.0, []
        if not args.issuing_only:
            say(f"storing {args.small:,} synthetic certificates …")
            small_seconds = seed(db, args.small, rng, sample, 5000, seen)
            bodies = [json.dumps({"number": n}) for n in sample]
        ceiling = start_ceiling(suite, args, db.name)
        verify_path = "/api/certificates/verifications"

        sessions = {proc.pid: proc.egov_name for proc in suite.processes}  # each leads a session

        outboxes = [db]  # the databases whose relays must have published everything after a run

        def drain() -> float:
            """Seconds until the relays have published every event recorded so far."""
            started = time.perf_counter()
            # find_one rides the relay's own sparse index; a count would scan every certificate.
            while any(store[name].find_one({"_outbox_pending": {"$gt": 0}}, {"_id": 1}) is not None
                      for store in outboxes for name in ("verifications", "certificates")):
                if time.perf_counter() - started > 300:
                    raise RuntimeError("the outbox did not drain in 300 s")
                time.sleep(0.05)
            return time.perf_counter() - started

        def measure(base: str, path: str, label: str, token: str, chosen: list[str], connections=None) -> Result:
            import requests

            probe = requests.post(base + path, data=chosen[0], timeout=30,
                                  headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
            if probe.status_code >= 300 or (path.endswith("verifications") and probe.json().get("result") != "valid"):
                raise RuntimeError(f"{label}: {probe.status_code} {probe.text[:300]}")
            if args.warmup:
                load.run(base, path, token, chosen, args.warmup, connections)
            drain()
            say(f"measuring {label} …")
            cpu_before = stack_cpu_seconds(sessions)
            result = load.run(base, path, token, chosen, args.seconds, connections)
            # The events recorded during the run are part of its work: wait until the relay has
            # published them all (and count its CPU), so no run pays for another's backlog.
            result.drain = drain()
            cpu_after = stack_cpu_seconds(sessions)
            result.cpu_by = {name: (cpu_after[name] - cpu_before.get(name, 0.0)) / max(1, result.requests) * 1000
                             for name in cpu_after}
            result.cpu_ms = sum(result.cpu_by.values())
            if result.bad:
                say(f"  {label}: {result.bad} failed requests")
            return result

        def rounds(targets: dict, token: str, chosen: list[str]) -> dict[str, Result]:
            # Interleaved (a, b, c, a, b, c, …) so that a change in the machine's other load
            # falls on every target alike; medians over the rounds. A target may bring its own
            # request bodies as a third element.
            runs: dict[str, list[Result]] = {name: [] for name in targets}
            for number in range(args.rounds):
                for name, (base, path, *own) in targets.items():
                    runs[name].append(measure(base, path, f"{name}, round {number + 1}/{args.rounds}", token,
                                              own[0] if own else chosen))
            return {name: Result.median(results) for name, results in runs.items()}

        load_before = os.getloadavg()
        a = b = c = big = small_direct = None
        big_seconds = 0.0
        if not args.issuing_only:
            token = login(gateway, VERIFIER)
            small = rounds({"a": (gateway, verify_path), "b": (direct, verify_path), "c": (ceiling, "/verify")},
                           token, bodies)
            a, b, c = small["a"], small["b"], small["c"]
        if args.big > args.small and not args.issuing_only:
            # Each store lives in a database of its own, served by a certificates service of its
            # own with the same settings, both started now with no verifications yet, and the two
            # are measured in turns (10k, 1M, 10k, …) directly against each service.
            stores = {}
            for label, count, seed_of_rng in (("small", args.small, 20262), ("big", args.big, 20261)):
                say(f"storing {count:,} certificates in a database of their own …")
                store = client[f"bench_{tag}{label}_certificates"]
                found: list[str] = []
                took = seed(store, count, random.Random(seed_of_rng), found, 5000, [0])
                if label == "big":
                    big_seconds = took
                outboxes.append(store)
                url = suite.start_copy("certificates", f"bench_{tag}{label}", f"certificates-{label}", roles=("api", "relay"))
                stores[label] = (url, verify_path, [json.dumps({"number": n}) for n in found])
            sessions.update({proc.pid: proc.egov_name for proc in suite.processes})
            token = login(gateway, VERIFIER)
            pair = rounds(stores, token, bodies)
            small_direct, big = pair["small"], pair["big"]
            stop_processes(suite, [f"certificates-{label}-{role}" for label in stores for role in ("api", "relay")])
            outboxes[1:] = []
            sessions = {proc.pid: proc.egov_name for proc in suite.processes}

        # Issuing: a contract in the service's own projection for the holder, then POST
        # /api/certificates, in rounds interleaved with the in-process issuers.
        import requests

        from devtools.client import sim_identity

        holder_fin = sim_identity(label=HOLDER)["fin"]
        contract_id = seed_contract(db, holder_fin)
        holder_token = login(gateway, HOLDER)
        issue_bodies = [json.dumps(issue_body(contract_id))]
        first = requests.post(gateway + "/api/certificates", data=issue_bodies[0], timeout=60, headers={
            "Authorization": f"Bearer {holder_token}", "Content-Type": "application/json"})
        if first.status_code != 201:
            raise RuntimeError(f"issuing: {first.status_code} {first.text[:300]}")
        cert = db.certificates.find_one({"number": first.json()["number"]})
        material = db.seal.find_one({"_id": "seal"})
        font_dir = CertificatesSettings.from_env().font_dir
        # What the gateway's certificates carry: the holder's rows under fresh numbers.
        documents = []
        for _ in range(20):
            number = numbers.generate()
            documents.append((domain.pdf_rows({**cert, "number": number}), number,
                              f"{gateway}/api/certificates/verify/{number}"))
        say("preparing the in-process issuers (fonts, keys, signers: once) …")
        bare, own = BareIssuer(material, font_dir), ServiceCodeIssuer(material, font_dir)
        try:
            rows, number, url = documents[0]
            check_sealed(bare.issue(rows, number, url), material["ca_cert_pem"],
                         [number, url, cert["holder"]["full_name"], domain.TITLE])
            first = requests.post(ceiling + "/issue", data=issue_bodies[0], timeout=60).json()
            check_sealed(bytes(db.ceiling_certificates.find_one({"_id": first["number"]})["pdf"]),
                         material["ca_cert_pem"], [first["number"], db.contracts.find_one()["employee_name"]])
            before = db.certificates.count_documents({"holder_fin": holder_fin})
            issuing_runs, ceiling_runs, bare_runs, own_runs = [], [], [], []
            for turn in range(args.rounds):
                issuing_runs.append(measure(gateway, "/api/certificates",
                                            f"issuing via gateway, round {turn + 1}/{args.rounds}", holder_token,
                                            issue_bodies, args.issue_connections))
                ceiling_runs.append(measure(ceiling, "/issue", f"issuing ceiling, round {turn + 1}/{args.rounds}",
                                            holder_token, issue_bodies, args.issue_connections))
                say(f"measuring the in-process issuers, round {turn + 1}/{args.rounds} …")
                bare_runs.append(in_process_rate(bare, documents, args.seconds))
                own_runs.append(in_process_rate(own, documents, args.seconds))
            stored_issued = db.certificates.count_documents({"holder_fin": holder_fin}) - before
        finally:
            bare.close()
        issued, issue_ceiling, bare_issue, own_issue = (
            Result.median(runs) for runs in (issuing_runs, ceiling_runs, bare_runs, own_runs))
        load_after = os.getloadavg()

        def row(label: str, r: Result) -> str:
            return f"  {label:<38} {r.median_rate if hasattr(r, 'median_rate') else r.rate:8.0f} {r.p50:8.2f} " \
                   f"{r.p99:8.2f} {r.cpu_ms:8.2f} {r.bad:7d}"

        def verdict(ok: bool) -> str:
            return "met" if ok else "NOT met"

        out(f"certificates benchmark — {datetime.now().isoformat(timespec='seconds')}, {os.cpu_count()} cores, "
            f"gunicorn {args.workers} worker(s) × {args.threads} threads (gthread), Mongo: "
            f"{'nx-27017' if not args.mongo_uri else args.mongo_uri}")
        out(f"load generator: {load.name} (a second process); {args.seconds:g} s runs after {args.warmup:g} s "
            f"warm-up; medians of {args.rounds} interleaved rounds; numbers drawn at random from "
            f"{len(sample):,} stored")
        out(f"load average of the machine: {load_before[0]:.1f} at the start, {load_after[0]:.1f} at the end "
            f"(anything above ~{args.workers + 1} means other work shared these cores)")
        out("cpu ms/req = CPU time of the stack's own processes (nx-27017, gateway, services, relay, ceiling "
            "app) per request, until the relay has published every event of the run")
        out()
        if a is not None:
            out(f"verification, {args.small:,} stored                  req/s   p50 ms   p99 ms  cpu ms/req failed")
            out(row("(a) through the gateway", a))
            out(row("(b) certificates service directly", b))
            out(row("(c) ceiling: find_one + insert_one", c))
            ac, ab = a.median_rate / c.median_rate, a.median_rate / b.median_rate
            out(f"  a/c = {ac:.2f}  (aim ≥ {AIMS['a/c']}: {verdict(ac >= AIMS['a/c'])});  by CPU cost c/a = "
                f"{c.cpu_ms / a.cpu_ms:.2f}")
            out(f"  a/b = {ab:.2f}  (aim ≥ {AIMS['a/b']}: {verdict(ab >= AIMS['a/b'])});  by CPU cost b/a = "
                f"{b.cpu_ms / a.cpu_ms:.2f}")
            out(f"  per-round req/s  a: {', '.join(f'{x:.0f}' for x in a.rates)}   b: "
                f"{', '.join(f'{x:.0f}' for x in b.rates)}   c: {', '.join(f'{x:.0f}' for x in c.rates)}")
            out(f"  outbox drained after the run (median): a {a.drain:.1f} s, b {b.drain:.1f} s, c {c.drain:.1f} s")
            for label, r in (("a", a), ("c", c)):
                parts = sorted(((ms, name) for name, ms in r.cpu_by.items() if ms >= 0.02), reverse=True)
                out(f"  cpu ms/req of ({label}) by process: " + ", ".join(f"{name} {ms:.2f}" for ms, name in parts))
            out()
            out(f"storing: {args.small:,} certificates in {small_seconds:.1f} s"
                + (f"; {args.big:,} in a database of their own in {big_seconds:.1f} s "
                   f"({args.big / big_seconds:,.0f}/s, insert_many batches of 5,000)" if big else ""))
        if big:
            p50r, p99r = big.p50 / small_direct.p50, big.p99 / small_direct.p99
            out("verification, directly, in turns       req/s   p50 ms   p99 ms  cpu ms/req failed")
            out(row(f"{args.small:>9,} stored", small_direct))
            out(row(f"{args.big:>9,} stored", big))
            out(f"  {args.big:,} vs {args.small:,}: p50 × {p50r:.2f}, p99 × {p99r:.2f}, cpu/req × "
                f"{big.cpu_ms / small_direct.cpu_ms:.2f}  (aim ≤ {AIMS['big/small']}: "
                f"{verdict(max(p50r, p99r) <= AIMS['big/small'])})")
            out(f"  per-round req/s  {args.small:,}: {', '.join(f'{x:.0f}' for x in small_direct.rates)}   "
                f"{args.big:,}: {', '.join(f'{x:.0f}' for x in big.rates)}")
            parts = sorted(((ms, name) for name, ms in big.cpu_by.items() if ms >= 0.02), reverse=True)
            out(f"  cpu ms/req with {args.big:,} stored by process: "
                + ", ".join(f"{name} {ms:.2f}" for ms, name in parts))
        elif a is not None:
            out("(the run with more certificates stored was skipped: --big ≤ --small)")
        out()
        out(f"issuing (PDF + seal), {args.issue_connections} conn, {args.rounds} interleaved rounds   "
            "per s   p50 ms   p99 ms  cpu ms/doc")
        out(f"  (a) POST /api/certificates, gateway       {issued.median_rate:8.1f} {issued.p50:8.1f} {issued.p99:8.1f} "
            f"{issued.cpu_ms:8.1f}   ({stored_issued} stored, {issued.bad} failed)")
        out(f"  (c) ceiling: find_one + PDF + seal + insert {issue_ceiling.median_rate:6.1f} {issue_ceiling.p50:8.1f} "
            f"{issue_ceiling.p99:8.1f} {issue_ceiling.cpu_ms:8.1f}   ({issue_ceiling.bad} failed)")
        ratio = issued.median_rate / issue_ceiling.median_rate
        out(f"  a/c = {ratio:.2f}  (aim ≥ {AIMS['issue/bare']}: {verdict(ratio >= AIMS['issue/bare'])}); "
            f"by CPU cost c/a = {issue_ceiling.cpu_ms / issued.cpu_ms:.2f}")
        out(f"  per-round per s  a: {', '.join(f'{x:.1f}' for x in issued.rates)}   c: "
            f"{', '.join(f'{x:.1f}' for x in issue_ceiling.rates)}   a/c of each round (back to back): "
            f"{', '.join(f'{x / y:.2f}' for x, y in zip(issued.rates, issue_ceiling.rates))}")
        for label, r in (("a", issued), ("c", issue_ceiling)):
            parts = sorted(((ms, name) for name, ms in r.cpu_by.items() if ms >= 0.1), reverse=True)
            out(f"  cpu ms/doc of ({label}) by process: " + ", ".join(f"{name} {ms:.1f}" for ms, name in parts))
        out(f"  in-process, one at a time: the ceiling's PDF + seal {bare_issue.median_rate:.1f}/s, "
            f"{bare_issue.cpu_ms:.1f} ms CPU each; the service's pdf.render + seal {own_issue.median_rate:.1f}/s, "
            f"{own_issue.cpu_ms:.1f} ms CPU each")
        out(f"  a/(ceiling's PDF + seal in-process) = {issued.median_rate / bare_issue.median_rate:.2f}; "
            f"by CPU cost {bare_issue.cpu_ms / issued.cpu_ms:.2f}  (the whole stack's CPU against one process's: "
            "what HTTP, storage and events add)")
        dead = suite.check_alive()
        if dead:
            out(f"WARNING: processes exited during the run: {', '.join(dead)}")
        return 0
    finally:
        if args.mongo_uri:  # a MongoDB of someone else's: leave nothing behind
            for name in client.list_database_names():
                if name.startswith(f"bench_{tag}_"):
                    client.drop_database(name)
        client.close()
        suite.stop()
        remove_broker_objects(suite.amqp_url, f"bench.{tag}")
        if args.keep:
            say(f"data and logs kept in {var_dir}")
        else:
            shutil.rmtree(var_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
