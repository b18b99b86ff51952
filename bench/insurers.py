#!/usr/bin/env python3
"""Speed of the insurers service, from one run on this machine.

Starts its own stack (nx-27017 on a free port with a temporary data folder, the auth, registry,
contracts and insurers services under gunicorn with the insurers relay, the nginx gateway), seeds
registered insurers straight into the insurers service's collection in the service's own shape,
and drives load from a second process (`wrk`, or a Python generator in a separate process).
Prints, each beside its aim:

  * the public look-up `GET /api/insurers/account-numbers/{voen}`, req/s and p50/p99: (a) through
    the gateway, (b) directly against the service, (c) against the thinnest endpoint doing one
    indexed `find_one` of the same document on the same server (`ceiling()` below, Flask under
    gunicorn with the same worker settings); aim a/c ≥ 0.7;
  * the look-up's p50/p99 with 100,000 registered insurers against 1,000, each store a database of
    its own behind an insurers service of its own, measured directly in turns; aim p99 ≤ 1.2×;
  * uploading a 5 MB PDF to a draft through the gateway (multipart, the content check, GridFS, the
    draft's guarded write), next to a bare GridFS put of the same bytes in-process on the same
    server, one at a time each; aim ≥ 0.5.

    .venv/bin/python bench/insurers.py
    .venv/bin/python bench/insurers.py --big 20000 --rounds 3     # shorter
"""
from __future__ import annotations

import argparse
import io
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
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
AIMS = {"a/c": 0.7, "big/small": 1.2, "upload/bare": 0.5}
HEAD = "head of 1 company (logistics)"
LOGISTICS = "1701100451"
MIB = 1024 * 1024

WRK_LUA = r"""
local paths = {}
for line in io.lines(os.getenv("BENCH_PATHS")) do paths[#paths + 1] = line end
local body = nil
if os.getenv("BENCH_BODY") ~= "" then
  local f = assert(io.open(os.getenv("BENCH_BODY"), "rb")); body = f:read("*all"); f:close()
end
wrk.method = os.getenv("BENCH_METHOD")
if os.getenv("BENCH_TOKEN") ~= "" then wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN") end
if os.getenv("BENCH_CTYPE") ~= "" then wrk.headers["Content-Type"] = os.getenv("BENCH_CTYPE") end
math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16) % 100000)
request = function()
  return wrk.format(nil, paths[math.random(#paths)], nil, body)
end
done = function(summary, latency, requests)
  io.write(string.format("BENCH_RESULT %d %d %d %d %d %d\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(99), summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
"""


def say(text: str) -> None:
    print(f"# {text}", file=sys.stderr, flush=True)


# --- the ceiling: one indexed find_one ---------------------------------------------------------

def ceiling():
    """The thinnest look-up endpoint (gunicorn "insurers:ceiling()"): one `find_one` of the
    application by its indexed `active_voen`, on the same server and collection as the service,
    answered as JSON. No authentication, no schema, no logging, no rate limit."""
    from flask import Flask, jsonify
    from pymongo import MongoClient

    app = Flask("ceiling")
    clients: dict[int, MongoClient] = {}

    @app.get("/lookup/<voen>")
    def lookup(voen):
        client = clients.get(os.getpid())
        if client is None:
            client = clients[os.getpid()] = MongoClient(os.environ["MONGO_URI"], tz_aware=True)
        found = client[os.environ["BENCH_DB"]].applications.find_one(
            {"active_voen": voen}, {"_id": 0, "status": 1, "full_name": 1, "account_number": 1})
        if not found or found.get("status") != "registered":
            return jsonify(status=404), 404
        return jsonify(voen=voen, name=found["full_name"], account_number=found["account_number"])

    return app


# --- measuring ---------------------------------------------------------------------------------

class Result:
    def __init__(self, requests: int, seconds: float, p50: float, p99: float, bad: int):
        self.requests, self.seconds, self.p50, self.p99, self.bad = requests, seconds, p50, p99, bad
        self.cpu_ms = 0.0
        self.cpu_by: dict[str, float] = {}
        self.rates: list[float] = []

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @staticmethod
    def median(results: list["Result"]) -> "Result":
        med = statistics.median
        merged = Result(sum(r.requests for r in results), sum(r.seconds for r in results),
                        med(r.p50 for r in results), med(r.p99 for r in results), sum(r.bad for r in results))
        merged.rates = [r.rate for r in results]
        merged.median_rate = med(merged.rates)
        merged.cpu_ms = med(r.cpu_ms for r in results)
        merged.cpu_by = {name: med(r.cpu_by.get(name, 0.0) for r in results) for name in results[0].cpu_by}
        return merged


_TICK = os.sysconf("SC_CLK_TCK")


def stack_cpu_seconds(sessions: dict[int, str]) -> dict[str, float]:
    """User + system CPU seconds of every live process of the stack, by the session it leads (each
    process was started in a session of its own; gunicorn and nginx workers stay in it)."""
    totals = {name: 0.0 for name in sessions.values()}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as handle:
                fields = handle.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        name = sessions.get(int(fields[3]))
        if name is not None:
            totals[name] += (int(fields[11]) + int(fields[12])) / _TICK
    return totals


def _python_load(base, method, paths, headers, body, connections, seconds, out) -> None:
    import requests

    latencies: list[float] = []
    bad = [0]
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds
    started = time.perf_counter()

    def run():
        session, mine, errors, rng = requests.Session(), [], 0, random.Random()
        while time.perf_counter() < stop_at:
            t0 = time.perf_counter()
            try:
                ok = session.request(method, base + rng.choice(paths), data=body, headers=headers,
                                     timeout=60).status_code < 400
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
    latencies.sort()
    pick = (lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000) if latencies \
        else (lambda q: 0.0)
    out.put((len(latencies) + bad[0], time.perf_counter() - started, pick(0.5), pick(0.99), bad[0]))


class Load:
    def __init__(self, wrk: str | None, work_dir: Path):
        self.wrk, self.work_dir = wrk, work_dir
        self.lua = work_dir / "bench.lua"
        self.lua.write_text(WRK_LUA)

    @property
    def name(self) -> str:
        return "wrk, 1 thread" if self.wrk else "Python (requests) threads in a second process"

    def run(self, base: str, paths: list[str], seconds: float, connections: int, *, method: str = "GET",
            token: str = "", body_file: Path | None = None, content_type: str = "") -> Result:
        paths_file = self.work_dir / f"paths-{uuid.uuid4().hex[:6]}.txt"
        paths_file.write_text("\n".join(paths) + "\n")
        try:
            if self.wrk:
                env = dict(os.environ, BENCH_PATHS=str(paths_file), BENCH_METHOD=method, BENCH_TOKEN=token,
                           BENCH_BODY=str(body_file or ""), BENCH_CTYPE=content_type)
                done = subprocess.run([self.wrk, "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s",
                                       "--timeout", "60s", "-s", str(self.lua), base],
                                      env=env, capture_output=True, text=True)
                line = next((l for l in done.stdout.splitlines() if l.startswith("BENCH_RESULT")), None)
                if line is None:
                    raise RuntimeError(f"wrk failed: {done.stdout}\n{done.stderr}")
                n, micros, p50, p99, status_errors, socket_errors = (int(x) for x in line.split()[1:])
                return Result(n, micros / 1e6, p50 / 1000, p99 / 1000, status_errors + socket_errors)
            headers = {"Authorization": f"Bearer {token}"} if token else {}
            if content_type:
                headers["Content-Type"] = content_type
            body = body_file.read_bytes() if body_file else None
            ctx = multiprocessing.get_context("spawn")
            out = ctx.Queue()
            proc = ctx.Process(target=_python_load, args=(base, method, paths, headers, body, connections,
                                                          seconds, out))
            proc.start()
            n, elapsed, p50, p99, bad = out.get(timeout=seconds + 300)
            proc.join()
            return Result(n, elapsed, p50, p99, bad)
        finally:
            paths_file.unlink(missing_ok=True)


def ensure_wrk(allow_install: bool) -> str | None:
    found = shutil.which("wrk")
    if found or not allow_install or os.geteuid() != 0 or not shutil.which("apt-get"):
        return found
    say("installing wrk with apt-get …")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    for argv in (["apt-get", "install", "-y", "-qq", "wrk"], ["apt-get", "update", "-qq"],
                 ["apt-get", "install", "-y", "-qq", "wrk"]):
        subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        if shutil.which("wrk"):
            break
    return shutil.which("wrk")


# --- the stack and its data --------------------------------------------------------------------

def start_stack(args, var_dir: Path, tag: str):
    from devtools.suite import SERVICE_PORTS, Suite, free_port

    suite = Suite(var_dir=var_dir, gateway_port=free_port(), mongo_port=free_port(), smtp_port=free_port(),
                  service_ports={name: free_port() for name in SERVICE_PORTS}, mongo_uri=args.mongo_uri,
                  exchange=f"bench.{tag}.events", queue_prefix=f"bench.{tag}", quiet=True,
                  extra_env={"GATEWAY_RATE": "1000000", "GATEWAY_BURST": "1000000",
                             "GATEWAY_LOOKUP_RATE": "1000000", "GATEWAY_LOOKUP_BURST": "1000000",
                             "INSURERS_MAX_DOCUMENTS": "1000000", "INSURERS_MAX_APPLICATION_BYTES": str(1 << 40),
                             "MONGO_DB_PREFIX": f"bench_{tag}", "WEB_WORKERS": str(args.workers),
                             "WEB_THREADS": str(args.threads)})
    suite.start(services=["auth", "registry", "contracts", "insurers"])
    return suite


def start_ceiling(suite, args, db_name: str) -> str:
    import requests

    from devtools.suite import free_port, wait_until

    port = free_port()
    env = suite.env()
    env.update({"BENCH_DB": db_name, "MONGO_URI": suite.mongo_uri,
                "PYTHONPATH": os.pathsep.join([str(ROOT / "bench"), env.get("PYTHONPATH", "")])})
    proc = suite.spawn("ceiling", [sys.executable, "-m", "gunicorn", "--workers", str(args.workers),
                                   "--threads", str(args.threads), "--worker-class", "gthread",
                                   "--keep-alive", "30", "--timeout", "60", "--bind", f"127.0.0.1:{port}",
                                   "insurers:ceiling()"], env)
    url = f"http://127.0.0.1:{port}"
    wait_until(lambda: requests.get(f"{url}/lookup/0000000000", timeout=2).status_code == 404, 30,
               "ceiling app", proc, proc.egov_log)
    return url


_NAMES = ["Xəzər", "Şəki İpək", "Gəncə Tekstil", "Bakı Çay Evi", "Quba Aqro", "Naxçıvan Duz", "Lənkəran Sitrus"]


def seed(db, count: int, rng: random.Random, start: int = 0) -> tuple[list[str], float]:
    """`count` registered insurers in the service's own shape (domain.new_application, then what
    submission and registration set), inserted in batches of 5,000; a sample of their VÖENs and
    the seconds it took."""
    from insurers_service import domain
    from insurers_service.repository import InsurersRepository

    InsurersRepository(db).ensure_indexes()
    started, batch, sample = time.perf_counter(), [], []
    at = datetime.now().astimezone().isoformat()
    for i in range(start, start + count):
        voen = f"{1800000000 + i * 7:010d}"[:10]
        app = domain.new_application(uuid.UUID(int=rng.getrandbits(128)).hex, voen,
                                     {"fin": "BENCH01", "name": "Bench"}, at)
        app.update({"status": domain.REGISTERED, "active_voen": voen, "account_number": domain.account_number(i + 1),
                    "full_name": f'"{rng.choice(_NAMES)} {i}" MMC', "short_name": f"MMC {i}", "insurer_type": "1",
                    "registration_date": "2015-05-20", "voen_issued_on": "2015-05-20", "main_activity": "49.41",
                    "auxiliary_activities": ["52.10"], "ownership_type": "3", "legal_form": "111",
                    "legal_address": {"district_code": "AZ-SM", "text": "Sumqayıt şəhəri, Sülh küçəsi 3"},
                    "actual_address": {"same_as_legal": True}, "head_fin": "3HB8RXT",
                    "contact_email": "bench@example.az", "submitted_at": at, "decided_at": at})
        batch.append(app)
        if len(sample) < 5000:
            sample.append(voen)
        elif rng.random() < 5000 / (i - start + 1):
            sample[rng.randrange(5000)] = voen
        if len(batch) >= 5000:
            db.applications.insert_many(batch, ordered=False)
            batch = []
    if batch:
        db.applications.insert_many(batch, ordered=False)
    return sample, time.perf_counter() - started


def five_mb_pdf() -> bytes:
    """A whole PDF of 5,000,000 bytes: a page, then an incremental update with one stream of noise."""
    from fpdf import FPDF

    doc = FPDF()
    doc.add_page()
    doc.set_font("helvetica", size=12)
    doc.cell(0, 10, "Dovlet qeydiyyati sehadetnamesi (scan)")
    raw = bytes(doc.output())
    tail = b"\nendstream\nendobj\n%%EOF\n"
    head = b"999 0 obj\n<< /Length %d >>\nstream\n"
    size = 5_000_000 - len(raw) - len(head % 0) - len(tail) - 8
    body = os.urandom(size)
    return raw + head % len(body) + body + tail


def multipart(pdf: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"scan.pdf\"\r\n"
            f"Content-Type: application/pdf\r\n\r\n").encode() + pdf + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


# --- the run -----------------------------------------------------------------------------------

def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--small", type=int, default=1_000, help="registered insurers for the first figures")
    parser.add_argument("--big", type=int, default=100_000, help="registered insurers for the p99 comparison (0: skip)")
    parser.add_argument("--seconds", type=float, default=6, help="length of each measured load run")
    parser.add_argument("--warmup", type=float, default=2, help="unmeasured load before each run")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds")
    parser.add_argument("--connections", type=int, default=16, help="concurrent connections for look-ups")
    parser.add_argument("--uploads", type=int, default=1, help="concurrent uploads (and bare puts: one at a time)")
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_WORKERS", "1")))
    parser.add_argument("--threads", type=int, default=int(os.environ.get("WEB_THREADS", "8")))
    parser.add_argument("--generator", choices=["auto", "wrk", "python"], default="auto")
    parser.add_argument("--no-install", action="store_true", help="never apt-get install wrk")
    parser.add_argument("--mongo-uri", default=os.environ.get("MONGO_URI"),
                        help="use this MongoDB instead of a fresh nx-27017 (default: MONGO_URI)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary data folder (logs)")
    args = parser.parse_args(argv)

    for extra in (ROOT / "services" / "insurers", ROOT):
        if str(extra) not in sys.path:
            sys.path.insert(0, str(extra))
    import gridfs
    import requests
    from pymongo import MongoClient

    from devtools.client import ApiSession, sim_identity
    from devtools.pytest_plugin import remove_broker_objects

    wrk = None if args.generator == "python" else ensure_wrk(not args.no_install)
    if args.generator == "wrk" and wrk is None:
        raise SystemExit("wrk is not available")
    tag = uuid.uuid4().hex[:8]
    var_dir = Path(tempfile.mkdtemp(prefix="bench-insurers-"))
    load = Load(wrk, var_dir)
    say(f"starting the stack in {var_dir} …")
    suite = start_stack(args, var_dir, tag)
    client = MongoClient(suite.mongo_uri, tz_aware=True)
    db = client[f"bench_{tag}_insurers"]
    lines: list[str] = []

    def out(text: str = "") -> None:
        lines.append(text)
        print(text, flush=True)

    try:
        sessions = {proc.pid: proc.egov_name for proc in suite.processes}

        def measure(base: str, paths: list[str], label: str, connections: int, **kw) -> Result:
            if args.warmup:
                load.run(base, paths, args.warmup, connections, **kw)
            say(f"measuring {label} …")
            before = stack_cpu_seconds(sessions)
            result = load.run(base, paths, args.seconds, connections, **kw)
            after = stack_cpu_seconds(sessions)
            result.cpu_by = {name: (after[name] - before.get(name, 0.0)) / max(1, result.requests) * 1000
                             for name in after}
            result.cpu_ms = sum(result.cpu_by.values())
            if result.bad:
                say(f"  {label}: {result.bad} failed requests")
            return result

        def rounds(targets: dict, connections: int) -> dict[str, Result]:
            runs: dict[str, list[Result]] = {name: [] for name in targets}
            for number in range(args.rounds):
                for name, (base, paths) in targets.items():
                    runs[name].append(measure(base, paths, f"{name}, round {number + 1}/{args.rounds}", connections))
            return {name: Result.median(results) for name, results in runs.items()}

        say(f"storing {args.small:,} registered insurers …")
        sample, small_seconds = seed(db, args.small, random.Random(1))
        paths = [f"/api/insurers/account-numbers/{voen}" for voen in sample]
        probe = requests.get(suite.gateway_url + paths[0], timeout=10)
        if probe.status_code != 200:
            raise RuntimeError(f"the look-up answered {probe.status_code}: {probe.text[:300]}")
        ceiling_url = start_ceiling(suite, args, db.name)
        sessions.update({proc.pid: proc.egov_name for proc in suite.processes})
        load_before = os.getloadavg()
        lookups = rounds({"a": (suite.gateway_url, paths), "b": (suite.url("insurers"), paths),
                          "c": (ceiling_url, [f"/lookup/{voen}" for voen in sample])}, args.connections)
        a, b, c = lookups["a"], lookups["b"], lookups["c"]

        big = small_direct = None
        big_seconds = 0.0
        if args.big > args.small:
            stores = {}
            for label, count, seed_of_rng in (("small", args.small, 2), ("big", args.big, 3)):
                say(f"storing {count:,} registered insurers in a database of their own …")
                found, took = seed(client[f"bench_{tag}{label}_insurers"], count, random.Random(seed_of_rng))
                if label == "big":
                    big_seconds = took
                url = suite.start_copy("insurers", f"bench_{tag}{label}", f"insurers-{label}")
                stores[label] = (url, [f"/api/insurers/account-numbers/{voen}" for voen in found])
            sessions.update({proc.pid: proc.egov_name for proc in suite.processes})
            pair = rounds(stores, args.connections)
            small_direct, big = pair["small"], pair["big"]

        # Uploading: a draft of the logistics company, its head acting for it.
        say("uploading 5 MB PDFs, and bare GridFS puts of the same bytes …")
        head = ApiSession(suite.gateway_url).login(sim_identity(label=HEAD)).act_for(LOGISTICS)
        draft = head.post("/api/insurers/applications", json={})
        if draft.status_code != 201:
            raise RuntimeError(f"no draft: {draft.status_code} {draft.text[:300]}")
        pdf = five_mb_pdf()
        body, content_type = multipart(pdf)
        body_file = var_dir / "upload.bin"
        body_file.write_bytes(body)
        upload_path = [f"/api/insurers/applications/{draft.json()['id']}/documents"]
        check = requests.post(suite.gateway_url + upload_path[0], data=body, timeout=60,
                              headers={"Authorization": f"Bearer {head.token}", "Content-Type": content_type})
        if check.status_code != 201:
            raise RuntimeError(f"upload refused: {check.status_code} {check.text[:300]}")
        bare_db = client[f"bench_{tag}_bare"]
        bucket = gridfs.GridFSBucket(bare_db, bucket_name="bare")
        bucket.upload_from_stream("warm.pdf", io.BytesIO(pdf))
        uploads, bare = [], []
        for number in range(args.rounds):
            uploads.append(measure(suite.gateway_url, upload_path, f"uploads, round {number + 1}/{args.rounds}",
                                   args.uploads, method="POST", token=head.token, body_file=body_file,
                                   content_type=content_type))
            say(f"measuring bare puts, round {number + 1}/{args.rounds} …")
            started, count, times = time.perf_counter(), 0, []
            while time.perf_counter() - started < args.seconds or count < 2:
                t0 = time.perf_counter()
                bucket.upload_from_stream(f"bare-{count}.pdf", io.BytesIO(pdf))
                times.append((time.perf_counter() - t0) * 1000)
                count += 1
            times.sort()
            bare.append(Result(count, time.perf_counter() - started, times[len(times) // 2],
                               times[min(len(times) - 1, int(0.99 * len(times)))], 0))
        upload, bare_put = Result.median(uploads), Result.median(bare)
        load_after = os.getloadavg()

        def row(label: str, r: Result) -> str:
            return f"  {label:<40} {r.median_rate:8.1f} {r.p50:8.2f} {r.p99:8.2f} {r.cpu_ms:9.2f} {r.bad:7d}"

        def verdict(ok: bool) -> str:
            return "met" if ok else "NOT met"

        out(f"insurers benchmark — {datetime.now().isoformat(timespec='seconds')}, {os.cpu_count()} cores, "
            f"gunicorn {args.workers} worker(s) × {args.threads} threads (gthread), Mongo: "
            f"{'nx-27017' if not args.mongo_uri else args.mongo_uri}")
        out(f"load generator: {load.name} (a second process); {args.seconds:g} s runs after {args.warmup:g} s "
            f"warm-up; medians of {args.rounds} interleaved rounds")
        out(f"load average of the machine: {load_before[0]:.1f} at the start, {load_after[0]:.1f} at the end "
            f"(anything above ~{args.workers + 1} means other work shared these cores)")
        out("cpu ms/req = CPU time of the stack's own processes (nx-27017, gateway, services, relay, ceiling) "
            "per request")
        out()
        out(f"public look-up, {args.small:,} registered, {args.connections} conn   req/s   p50 ms   p99 ms  "
            "cpu ms/req  failed")
        out(row("(a) through the gateway", a))
        out(row("(b) insurers service directly", b))
        out(row("(c) ceiling: one indexed find_one", c))
        ac = a.median_rate / c.median_rate
        out(f"  a/c = {ac:.2f}  (aim ≥ {AIMS['a/c']}: {verdict(ac >= AIMS['a/c'])});  a/b = "
            f"{a.median_rate / b.median_rate:.2f};  by CPU cost c/a = {c.cpu_ms / a.cpu_ms:.2f}")
        out(f"  per-round req/s  a: {', '.join(f'{x:.0f}' for x in a.rates)}   b: "
            f"{', '.join(f'{x:.0f}' for x in b.rates)}   c: {', '.join(f'{x:.0f}' for x in c.rates)}")
        for label, r in (("a", a), ("c", c)):
            parts = sorted(((ms, name) for name, ms in r.cpu_by.items() if ms >= 0.02), reverse=True)
            out(f"  cpu ms/req of ({label}) by process: " + ", ".join(f"{name} {ms:.2f}" for ms, name in parts))
        out()
        out(f"storing: {args.small:,} insurers in {small_seconds:.1f} s"
            + (f"; {args.big:,} in a database of their own in {big_seconds:.1f} s" if big else ""))
        if big:
            p50r, p99r = big.p50 / small_direct.p50, big.p99 / small_direct.p99
            out("look-up, directly, in turns                 req/s   p50 ms   p99 ms  cpu ms/req  failed")
            out(row(f"{args.small:>9,} registered", small_direct))
            out(row(f"{args.big:>9,} registered", big))
            out(f"  {args.big:,} vs {args.small:,}: p50 × {p50r:.2f}, p99 × {p99r:.2f}, cpu/req × "
                f"{big.cpu_ms / small_direct.cpu_ms:.2f}  (aim p99 ≤ {AIMS['big/small']}×: "
                f"{verdict(p99r <= AIMS['big/small'])})")
            out(f"  per-round req/s  {args.small:,}: {', '.join(f'{x:.0f}' for x in small_direct.rates)}   "
                f"{args.big:,}: {', '.join(f'{x:.0f}' for x in big.rates)}")
            for label, r in ((f"{args.small:,}", small_direct), (f"{args.big:,}", big)):
                parts = sorted(((ms, name) for name, ms in r.cpu_by.items() if ms >= 0.02), reverse=True)
                out(f"  cpu ms/req with {label} by process: " + ", ".join(f"{name} {ms:.2f}" for ms, name in parts))
        else:
            out("(the run with more insurers stored was skipped: --big ≤ --small)")
        out()
        out(f"5 MB PDF ({len(pdf):,} bytes), one at a time            per s   p50 ms   p99 ms  cpu ms/doc  failed")
        out(row(f"upload through the gateway ({args.uploads} conn)", upload))
        out(f"  {'bare GridFS put, in-process':<40} {bare_put.median_rate:8.2f} {bare_put.p50:8.1f} "
            f"{bare_put.p99:8.1f}")
        ratio = upload.median_rate / bare_put.median_rate
        out(f"  upload/bare = {ratio:.2f}  (aim ≥ {AIMS['upload/bare']}: {verdict(ratio >= AIMS['upload/bare'])})")
        out(f"  per-round per s  upload: {', '.join(f'{x:.2f}' for x in upload.rates)}   bare: "
            f"{', '.join(f'{x:.2f}' for x in bare_put.rates)}")
        parts = sorted(((ms, name) for name, ms in upload.cpu_by.items() if ms >= 0.5), reverse=True)
        out("  cpu ms/upload by process: " + ", ".join(f"{name} {ms:.0f}" for ms, name in parts))
        dead = suite.check_alive()
        if dead:
            out(f"WARNING: processes exited during the run: {', '.join(dead)}")
        return 0
    finally:
        if args.mongo_uri:
            for name in client.list_database_names():
                if name.startswith(f"bench_{tag}"):
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
