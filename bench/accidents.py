#!/usr/bin/env python3
"""Speed of the accidents service, from one run on this machine.

Starts its own stack (nx-27017 on a free port with a temporary data folder, the Asan İmza
simulator with its test cards, the auth, registry, contracts and accidents services under
gunicorn, the nginx gateway) and drives load from a second process. Prints, each beside its aim:

  * create-and-sign: reports created and sent by signing with the e-signature card through the
    gateway, against the thinnest code doing the same essential work (one registry look-up, the
    PDF, the CMS and PAdES signatures, one insert) with fonts, keys and signers made once; aim
    ≥ 0.7× (`measure_create_and_sign`, in bench/accidents_signing.py).

Each measurement is a function of its own taking the `Bench` (the stack, its database client, the
CPU accounting and the lines printed), called one after another from `main()`.

    .venv/bin/python bench/accidents.py
    .venv/bin/python bench/accidents.py --rounds 3 --seconds 6     # shorter
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for extra in (ROOT / "services" / "accidents", ROOT):
    if str(extra) not in sys.path:
        sys.path.insert(0, str(extra))

from accidents_signing import measure_create_and_sign  # noqa: E402 - bench/ is the script's folder
from insurers import Load, Result, ensure_wrk, say, stack_cpu_seconds  # noqa: E402

# --- the stack ---------------------------------------------------------------------------------

def start_stack(args, var_dir: Path, tag: str):
    from devtools.suite import SERVICE_PORTS, Suite, free_port

    suite = Suite(var_dir=var_dir, gateway_port=free_port(), mongo_port=free_port(), smtp_port=free_port(),
                  asan_sim_port=free_port(), service_ports={name: free_port() for name in SERVICE_PORTS},
                  mongo_uri=args.mongo_uri, exchange=f"bench.{tag}.events", queue_prefix=f"bench.{tag}",
                  quiet=True, extra_env={"GATEWAY_RATE": "1000000", "GATEWAY_BURST": "1000000",
                                         "MONGO_DB_PREFIX": f"bench_{tag}", "WEB_WORKERS": str(args.workers),
                                         "WEB_THREADS": str(args.threads)})
    suite.start(services=["auth", "registry", "contracts", "accidents"])
    return suite


# --- the measurements --------------------------------------------------------------------------

@dataclass
class Bench:
    """What every measurement shares: the stack, its database client, the load generator, the
    CPU accounting of the stack's processes and the lines printed."""
    args: argparse.Namespace
    suite: object
    client: object
    load: Load
    tag: str
    lines: list[str] = field(default_factory=list)

    def out(self, text: str = "") -> None:
        self.lines.append(text)
        print(text, flush=True)

    def sessions(self) -> dict[int, str]:
        return {proc.pid: proc.egov_name for proc in self.suite.processes}

    def measure(self, base: str, paths: list[str], label: str, connections: int, token: str) -> Result:
        sessions = self.sessions()
        if self.args.warmup:
            self.load.run(base, paths, self.args.warmup, connections, token=token)
        say(f"measuring {label} …")
        before = stack_cpu_seconds(sessions)
        result = self.load.run(base, paths, self.args.seconds, connections, token=token)
        after = stack_cpu_seconds(sessions)
        result.cpu_by = {name: (after[name] - before.get(name, 0.0)) / max(1, result.requests) * 1000
                         for name in after}
        result.cpu_ms = sum(result.cpu_by.values())
        if result.bad:
            say(f"  {label}: {result.bad} failed requests")
        return result


def verdict(ok: bool) -> str:
    return "met" if ok else "NOT met"


# --- the run -----------------------------------------------------------------------------------

def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=8, help="length of each measured load run")
    parser.add_argument("--warmup", type=float, default=2, help="unmeasured load before each run")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds")
    parser.add_argument("--sign-connections", type=int, default=4,
                        help="clients creating and signing reports at once, beside one at a time (1: only that)")
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_WORKERS", "1")))
    parser.add_argument("--threads", type=int, default=int(os.environ.get("WEB_THREADS", "8")))
    parser.add_argument("--generator", choices=["auto", "wrk", "python"], default="auto")
    parser.add_argument("--no-install", action="store_true", help="never apt-get install wrk")
    parser.add_argument("--mongo-uri", default=os.environ.get("MONGO_URI"),
                        help="use this MongoDB instead of a fresh nx-27017 (default: MONGO_URI)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary data folder (logs)")
    args = parser.parse_args(argv)

    from pymongo import MongoClient

    from devtools.pytest_plugin import remove_broker_objects

    wrk = None if args.generator == "python" else ensure_wrk(not args.no_install)
    if args.generator == "wrk" and wrk is None:
        raise SystemExit("wrk is not available")
    tag = uuid.uuid4().hex[:8]
    var_dir = Path(tempfile.mkdtemp(prefix="bench-accidents-"))
    say(f"starting the stack in {var_dir} …")
    suite = start_stack(args, var_dir, tag)
    client = MongoClient(suite.mongo_uri, tz_aware=True)
    bench = Bench(args, suite, client, Load(wrk, var_dir), tag)
    try:
        bench.out(f"accidents benchmark — {datetime.now().isoformat(timespec='seconds')}, {os.cpu_count()} cores, "
                  f"gunicorn {args.workers} worker(s) × {args.threads} threads (gthread), Mongo: "
                  f"{'nx-27017' if not args.mongo_uri else args.mongo_uri}")
        bench.out(f"load generator: {bench.load.name} (a second process); {args.seconds:g} s runs after "
                  f"{args.warmup:g} s warm-up; medians of {args.rounds} interleaved rounds; a load average above "
                  f"~{args.workers + 1} means other work shared these cores")
        bench.out("cpu ms/req = CPU time of the stack's own processes (nx-27017, gateway, services) per request")
        bench.out()
        measure_create_and_sign(bench)
        dead = suite.check_alive()
        if dead:
            bench.out(f"WARNING: processes exited during the run: {', '.join(dead)}")
        return 0
    finally:
        if args.mongo_uri:  # a MongoDB of someone else's: leave nothing behind
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
