#!/usr/bin/env python3
"""Speed of the accidents service, from one run on this machine.

Starts its own stack (nx-27017 on a free port with a temporary data folder, the auth, registry,
contracts and accidents services under gunicorn, the nginx gateway) and drives load from a second
process (`wrk`, or a Python generator in a separate process; the generator, `Load` and `Result`
are bench/insurers.py's). Prints, each beside its aim:

  * the company history's search by a victim's name (`GET /api/accidents/reports?q=`, the name
    typed without Azerbaijani letters) with 100,000 reports stored against 1,000, each store a
    database of its own behind an accidents service of its own, measured directly in turns
    (1,000, 100,000, 1,000, …): p50/p99 and the ratio, by family name and by family and first
    name; aim p99 ≤ 1.3× (`measure_search`);
  * create-and-sign: reports created and sent by signing with the e-signature card through the
    gateway, against the thinnest code doing the same essential work (one registry look-up, the
    PDF, the CMS and PAdES signatures, one insert) with fonts, keys and signers made once; aim
    ≥ 0.7× (`measure_create_and_sign`, in bench/accidents_signing.py).

The reports are made by the service's own use case (`create_report`, with the real registry for
the employers and directories and a synthetic population for the victims) and stored as its
repository writes them — the reports and their `search_terms` — in batches.

    .venv/bin/python bench/accidents.py
    .venv/bin/python bench/accidents.py --big 20000 --rounds 3     # shorter
    .venv/bin/python bench/accidents.py --skip-search               # create-and-sign only
"""
from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
for extra in (ROOT / "services" / "accidents", ROOT):
    if str(extra) not in sys.path:
        sys.path.insert(0, str(extra))

from insurers import Load, Result, ensure_wrk, say, stack_cpu_seconds  # noqa: E402 - bench/ is the script's folder
from accidents_signing import measure_create_and_sign  # noqa: E402

AIMS = {"search big/small": 1.3}
HEAD = "head of 1 company (cafe)"
CAFE = "1701100561"  # "Ağ Səhər" café: the company whose history is searched

# Family names: a root of five letters (consonant, vowel, consonant, vowel, consonant), each letter
# folding to a different ASCII one, so no two roots fold alike and none is the beginning of another;
# then the family's ending. A name is borne by about as many victims in every store (the number
# of roots grows with the store), so a search finds about as many reports in 1,000 as in 100,000.
_CONSONANTS = "bcdghxkqlmnrştvyz"
_VOWELS = "aəiou"
_ENDINGS = (("ov", "ova"), ("ov", "ova"), ("li", "li"), ("zadə", "zadə"))
VICTIMS_PER_NAME = 8
# The searches measured, each held to the aim: by the family name, and by the family and first
# name (a first name is borne by a share of the company's victims however large its history).
SURNAME, FULL = "family name", "family and first name"


def _root(index: int) -> str:
    letters = []
    for alphabet in (_CONSONANTS, _VOWELS, _CONSONANTS, _VOWELS, _CONSONANTS):
        index, pick = divmod(index, len(alphabet))
        letters.append(alphabet[pick])
    return "".join(letters)


class Population:
    """Synthetic victims in the population registry's shape (fin, surname, name, patronymic,
    birth date), first names and patronymics from the registry's own name lists."""

    def __init__(self, rng: random.Random, victims: int):
        from accidents_service import domain

        names = json.loads((ROOT / "services" / "registry" / "registry_service" / "data" / "names.json").read_text())
        self.male, self.female = names["male_names"], names["female_names"]
        given = {domain.fold(n)[:5] for n in self.male + self.female}
        space = len(_CONSONANTS) ** 3 * len(_VOWELS) ** 2
        wanted = max(1, victims // VICTIMS_PER_NAME)
        self.roots: list[int] = []
        for index in rng.sample(range(space), min(space, wanted * 2)):
            if domain.fold(_root(index)) not in given:  # no root is the beginning of a first name
                self.roots.append(index)
                if len(self.roots) == wanted:
                    break
        self.rng = rng
        self.people: dict[str, dict] = {}

    def new_person(self) -> dict:
        from egov_kit.validators import normalize_fin

        rng = self.rng
        female = rng.random() < 0.35
        root = rng.choice(self.roots)
        ending = _ENDINGS[root % len(_ENDINGS)][1 if female else 0]
        fin = normalize_fin("".join(rng.choice("0123456789ABCDEFGHJKLMNPQRSTUVWXYZ") for _ in range(7)))
        person = {"fin": fin, "surname": _root(root).capitalize() + ending,
                  "name": rng.choice(self.female if female else self.male),
                  "patronymic": f"{rng.choice(self.male)} {'qızı' if female else 'oğlu'}",
                  "birth_date": f"{rng.randint(1960, 2004)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"}
        self.people[fin] = person
        return person


class SeedRegistry:
    """The registry as create_report sees it: employers and directories from the real registry
    service (the kit's RegistryClient, cached), victims from the synthetic population, anyone
    else (the informant: the company's head) from the real registry once."""

    def __init__(self, real, population: Population):
        self.real, self.population = real, population
        self._persons: dict[str, dict | None] = {}

    def organization(self, voen, purpose=None, *, cached=False):
        return self.real.organization(voen, purpose, cached=True)

    def directory(self, name):
        return self.real.directory(name)

    def person(self, fin, purpose):
        if fin in self.population.people:
            return self.population.people[fin]
        if fin not in self._persons:
            self._persons[fin] = self.real.person(fin, purpose)
        return self._persons[fin]


class _Recorded:
    """A collection that keeps what the repository writes, for inserting it in batches."""

    def __init__(self, docs: list):
        self.docs = docs

    def insert_one(self, doc):
        self.docs.append(doc)

    def insert_many(self, docs, ordered=True):
        self.docs.extend(docs)


class RecordingDatabase:
    """Stands for the database under the service's own AccidentsRepository while reports are made:
    inserts are kept (anything else the use case might start doing fails loudly here)."""

    def __init__(self):
        self.written: dict[str, list] = {}

    def __getitem__(self, name: str) -> _Recorded:
        return _Recorded(self.written.setdefault(name, []))

    def take(self) -> dict[str, list]:
        written, self.written = self.written, {}
        return written


_PLACES = ["Sənaye zonası, 3-cü sex", "Anbar, yükləmə meydançası", "Mətbəx", "Tikinti sahəsi, 2-ci blok",
           "Emal sexi", "Qazanxana"]
_WHAT = ["Nərdivandan yıxılma", "Qaynar su ilə yanıq", "Yükləmə zamanı əzilmə", "Elektrik cərəyanı vurması",
         "Sürüşüb yıxılma", "Dəzgahda kəsilmə"]


@dataclass
class Store:
    label: str
    count: int
    seconds: float = 0.0
    terms: int = 0
    queries: dict[str, list[str]] = field(default_factory=dict)  # by kind of search
    url: str = ""


def seed_reports(db, store: Store, registry_client, heads: dict[str, dict], rng: random.Random,
                 company_share: float, now: datetime) -> None:
    """`store.count` reports made by the service's own create_report — half (company_share) of
    them the searched company's, the rest spread over the registry's other companies — written as
    its repository writes them (reports, then their search terms) in batches of 5,000, into a
    store with the service's indexes. Keeps a sample of the searched company's victims, typed
    without Azerbaijani letters, as the queries: their family names (SURNAME), and their family
    and first names (FULL)."""
    from accidents_service import domain, schemas
    from accidents_service.repository import REPORTS, SEARCH_TERMS, AccidentsRepository
    from accidents_service.service import AccidentsService
    from egov_kit.auth import Principal
    from egov_kit.clock import BAKU

    AccidentsRepository(lambda: db).ensure_indexes()
    sizes = rng.choices((1, 2, 3), weights=(75, 20, 5), k=store.count)
    population = Population(rng, sum(sizes))
    recorder = RecordingDatabase()
    service = AccidentsService(AccidentsRepository(lambda: recorder), SeedRegistry(registry_client, population),
                               None, public_base_url="http://127.0.0.1", pdf_font_dir="/nonexistent")
    districts = sorted(registry_client.directory("districts"))
    codings = {c.field: sorted(registry_client.directory(c.directory)) for c in domain.CODINGS.values()}
    callers = {voen: Principal(kind="person", subject=head["fin"], fin=head["fin"], name=head.get("name"),
                               surname=head.get("surname"), patronymic=head.get("patronymic"), acting_for=voen,
                               company_role="head")
               for voen, head in heads.items()}
    others = [voen for voen in callers if voen != CAFE]
    loader = schemas.ReportIn()
    started, names, done = time.perf_counter(), [], 0
    last_report = started

    # Stored by a thread while the next batch is made (one batch in flight).
    storing = ThreadPoolExecutor(1)
    in_flight = None

    def store_batch(written: dict[str, list]) -> None:
        nonlocal done, last_report
        if written.get(SEARCH_TERMS):
            db[SEARCH_TERMS].insert_many(written[SEARCH_TERMS], ordered=False)
            store.terms += len(written[SEARCH_TERMS])
        if written.get(REPORTS):
            db[REPORTS].insert_many(written[REPORTS], ordered=False)
            done += len(written[REPORTS])
        if time.perf_counter() - last_report > 15:
            last_report = time.perf_counter()
            say(f"  … {done:,} of {store.count:,} stored ({done / (last_report - started):,.0f}/s)")

    def flush() -> None:
        nonlocal in_flight
        if in_flight is not None:
            in_flight.result()
        in_flight = storing.submit(store_batch, recorder.take())

    for size in sizes:
        voen = CAFE if rng.random() < company_share else rng.choice(others)
        created = now - timedelta(minutes=rng.randint(60, 3 * 365 * 24 * 60))
        occurred = created - timedelta(minutes=rng.randint(30, 3 * 24 * 60))
        victims = []
        for _ in range(size):
            person = population.new_person()
            died = rng.random() < 0.05
            victim = {"fin": person["fin"], "outcome": "died" if died else "injured"}
            if died:
                victim.update(injury=rng.choice(codings["injury"]), body_part=rng.choice(codings["body_part"]))
            victims.append(victim)
            if voen == CAFE:
                names.append((person["surname"], person["name"]))
        incident = {"occurred_at": occurred.astimezone(BAKU).strftime("%Y-%m-%dT%H:%M:%S"),
                    "district_code": rng.choice(districts), "address": rng.choice(_PLACES),
                    "description": rng.choice(_WHAT)}
        if any(v["outcome"] == "died" for v in victims):
            incident.update({name: rng.choice(codings[name]) for name in ("deviation", "contact", "material_agent")})
        body = loader.load({"incident": incident, "victims": victims,
                            "informant": {"mobile": f"+99450{rng.randint(1000000, 9999999)}",
                                          "email": f"hse{rng.randint(1, 999)}@example.az"}})
        service.now = lambda at=created: at
        service.create_report(callers[voen], body)
        if len(recorder.written.get(REPORTS, ())) >= 5000:
            flush()
    flush()
    in_flight.result()
    storing.shutdown()
    store.seconds = time.perf_counter() - started
    picked = rng.sample(names, min(500, len(names)))
    # As typed on a keyboard without Azerbaijani letters: "Qaləbova" → "Qalebova", "ŞADUROV" …
    store.queries = {
        SURNAME: [domain.fold(surname).capitalize() if i % 3 else domain.fold(surname).upper()
                  for i, (surname, _) in enumerate(picked)],
        FULL: [f"{domain.fold(surname).capitalize()} {domain.fold(name).capitalize()}" for surname, name in picked]}


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


def registry_client(suite):
    """The kit's registry client as the accidents service holds it (its service token)."""
    from egov_kit.auth import ServiceTokens
    from egov_kit.http import ServiceClient
    from egov_kit.registry import RegistryClient

    tokens = ServiceTokens("accidents", suite.url("auth"), suite.env()["SERVICE_CLIENT_SECRET"])
    return RegistryClient(ServiceClient("accidents", tokens, urls={"registry": suite.url("registry")}))


def company_heads(registry) -> dict[str, dict]:
    """The registry's companies with a head, and the head (the informant of their reports)."""
    sys.path.insert(0, str(ROOT / "services" / "registry"))
    try:
        from registry_service.seed_data import build_seed
    finally:
        sys.path.pop(0)
    heads = {}
    for org in build_seed()["organizations"]:
        head = registry.person(org["head_fin"], "accident-report-informant") if org.get("head_fin") else None
        if head and (org["voen"] == CAFE or org.get("activity_types")):
            heads[org["voen"]] = head
    if CAFE not in heads:
        raise RuntimeError("the registry has no head of the café")
    return heads


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


def measure_search(bench: Bench) -> None:
    """The history's search by a victim's name with --big reports stored against --small: each
    store a database of its own behind an accidents service of its own (same settings), measured
    directly in turns so that neither pays for the other's history or for a change in the
    machine's load; the searched company holds --company-share of each store."""
    import requests

    from devtools.client import ApiSession, sim_identity

    args, suite = bench.args, bench.suite
    registry = registry_client(suite)
    heads = company_heads(registry)
    now = datetime.now().astimezone()
    stores = [Store("small", args.small), Store("big", args.big)]
    for store, seed_of_rng in zip(stores, (2026, 2027)):
        say(f"making and storing {store.count:,} reports in a database of their own …")
        db = bench.client[f"bench_{bench.tag}{store.label}_accidents"]
        seed_reports(db, store, registry, heads, random.Random(seed_of_rng), args.company_share, now)
        store.url = suite.start_copy("accidents", f"bench_{bench.tag}{store.label}", f"accidents-{store.label}")

    head = ApiSession(suite.gateway_url).login(sim_identity(label=HEAD)).act_for(CAFE)
    found: dict[tuple[str, str], list[int]] = {}
    for store in stores:  # every query answers, and finds what it should
        for kind, queries in store.queries.items():
            totals = []
            for query in queries[:100]:
                answer = requests.get(f"{store.url}/api/accidents/reports", params={"q": query}, timeout=30,
                                      headers={"Authorization": f"Bearer {head.token}"})
                if answer.status_code != 200 or not answer.json()["items"]:
                    raise RuntimeError(f"{store.label}: q={query} answered {answer.status_code} {answer.text[:300]}")
                totals.append(answer.json()["total"])
            found[store.label, kind] = totals

    runs: dict[tuple[str, str], list[Result]] = {(store.label, kind): [] for kind in (SURNAME, FULL) for store in stores}
    load_before = os.getloadavg()
    for turn in range(args.rounds):
        for (label, kind), results in runs.items():
            store = next(s for s in stores if s.label == label)
            paths = [f"/api/accidents/reports?q={quote(query)}" for query in store.queries[kind]]
            results.append(bench.measure(store.url, paths, f"{label}, {kind}, round {turn + 1}/{args.rounds}",
                                         args.connections, head.token))
    load_after = os.getloadavg()

    def row(label: str, r: Result) -> str:
        return f"  {label:<40} {r.median_rate:8.1f} {r.p50:8.2f} {r.p99:8.2f} {r.cpu_ms:9.2f} {r.bad:7d}"

    out = bench.out
    out(f"history search by a victim's name (GET /api/accidents/reports?q=), directly, {args.connections} conn; "
        f"load average {load_before[0]:.1f} → {load_after[0]:.1f}")
    for store in stores:
        out(f"  {store.count:>9,} reports ({store.terms:,} search terms) made and stored in {store.seconds:.1f} s, "
            f"{args.company_share:.0%} of them the searched company's")
    for kind in (SURNAME, FULL):
        small, big = Result.median(runs["small", kind]), Result.median(runs["big", kind])
        out(f"  by {kind}, e.g. {', '.join(stores[1].queries[kind][:3])}; reports found per query (first 100): "
            + "; ".join(f"{store.count:,}: mean {sum(t) / len(t):.1f}, max {max(t)}"
                        for store in stores for t in [found[store.label, kind]]))
        out(f"  {'reports stored, in turns':<40}    req/s   p50 ms   p99 ms  cpu ms/req  failed")
        out(row(f"{args.small:>9,}", small))
        out(row(f"{args.big:>9,}", big))
        p50r, p99r = big.p50 / small.p50, big.p99 / small.p99
        out(f"  {args.big:,} vs {args.small:,}: p50 × {p50r:.2f}, p99 × {p99r:.2f}, cpu/req × "
            f"{big.cpu_ms / small.cpu_ms:.2f}  (aim p99 ≤ {AIMS['search big/small']}×: "
            f"{verdict(p99r <= AIMS['search big/small'])})")
        out(f"  per-round p99 ms  {args.small:,}: {', '.join(f'{r.p99:.1f}' for r in runs['small', kind])}   "
            f"{args.big:,}: {', '.join(f'{r.p99:.1f}' for r in runs['big', kind])}")
        for label, r in ((f"{args.small:,}", small), (f"{args.big:,}", big)):
            parts = sorted(((ms, name) for name, ms in r.cpu_by.items() if ms >= 0.05), reverse=True)
            out(f"  cpu ms/req with {label} by process: " + ", ".join(f"{name} {ms:.2f}" for ms, name in parts))


# --- the run -----------------------------------------------------------------------------------

def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--small", type=int, default=1_000, help="reports stored for the first figures")
    parser.add_argument("--big", type=int, default=100_000, help="reports stored for the comparison")
    parser.add_argument("--company-share", type=float, default=0.5,
                        help="share of each store's reports that are the searched company's")
    parser.add_argument("--seconds", type=float, default=6, help="length of each measured load run")
    parser.add_argument("--warmup", type=float, default=2, help="unmeasured load before each run")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds")
    parser.add_argument("--connections", type=int, default=8, help="concurrent connections for searches")
    parser.add_argument("--sign-connections", type=int, default=4,
                        help="clients creating and signing reports at once, beside one at a time (1: only that)")
    parser.add_argument("--skip-search", action="store_true", help="only create-and-sign")
    parser.add_argument("--skip-signing", action="store_true", help="only the history's search")
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_WORKERS", "1")))
    parser.add_argument("--threads", type=int, default=int(os.environ.get("WEB_THREADS", "8")))
    parser.add_argument("--generator", choices=["auto", "wrk", "python"], default="auto")
    parser.add_argument("--no-install", action="store_true", help="never apt-get install wrk")
    parser.add_argument("--mongo-uri", default=os.environ.get("MONGO_URI"),
                        help="use this MongoDB instead of a fresh nx-27017 (default: MONGO_URI)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary data folder (logs)")
    args = parser.parse_args(argv)
    if args.big <= args.small:
        parser.error("--big must be more than --small")

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
        if not args.skip_search:
            measure_search(bench)
        if not args.skip_signing:
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
