"""The accidents bench's create-and-sign section (`measure_create_and_sign`, called by
bench/accidents.py's `main()`): accident reports created and sent by signing with the
e-signature card, through the gateway, against the thinnest code doing the same essential work.

(a) Through the gateway, as a client does it: `POST /api/accidents/reports` (a complete report,
    one victim), `POST …/signature {method: card, certificate}`, then `POST …/signature/card-response`
    with the card's signature over each hash handed out (the report's, then the PDF's) until the
    report is submitted. The client signs with the test card's key in-process (loaded once), in a
    second process. Per report: the reporter's standing checked on each request (the café's
    head: the tax registry's answer, up to 30 s old), the
    registry look-ups that fill the report, the PDF, the two CMS signatures built by auth and
    checked by auth and by the service, the PAdES PDF, the guarded writes and the event.
(c) The ceiling, in a process of its own: per report one registry look-up over HTTP (the
    victim), the PDF rendered with the service's own renderer, a detached CMS over the report's
    canonical JSON and the PAdES signature of the PDF made by pyHanko with the card's key and
    certificate (the signer and the `PdfSigner` built once), one `insert_one` of the signed report
    into Mongo — nothing checked, no HTTP in front of it.

Both one report at a time (the figures held to the aim, a/c ≥ 0.7) and with --sign-connections
clients (the ceiling then in as many threads), in interleaved rounds, with the CPU each report
costs: the stack's processes for (a), the ceiling's process for (c)."""
from __future__ import annotations

import base64
import copy
import io
import multiprocessing
import os
import sys
import threading
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for _extra in (ROOT / "services" / "accidents", ROOT):
    if str(_extra) not in sys.path:
        sys.path.insert(0, str(_extra))

from cryptography.hazmat.primitives.asymmetric import ec, padding  # noqa: E402
from insurers import Result, say, stack_cpu_seconds  # noqa: E402 - bench/ is the script's folder
from pyhanko.sign.general import get_pyca_cryptography_hash  # noqa: E402
from pyhanko.sign.signers import SimpleSigner  # noqa: E402

AIM = 0.7  # reports per second through the gateway ≥ 0.7 × the ceiling's
CAFE = "1701100561"  # "Ağ Səhər" café: its head reports and signs with his card
HEAD = "head of 1 company (cafe)"
VICTIM = "employee 4"
BAKU = timezone(timedelta(hours=4))
PADES_ROOM = 16384  # hex characters kept for the CMS in the PDF, as the kit keeps them


def report_body(victim_fin: str) -> dict:
    """A complete report, ready to be sent: a minor accident an hour ago, one victim."""
    return {"incident": {"occurred_at": (datetime.now(BAKU) - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
                         "district_code": "AZ-SA", "address": "M.F. Axundzadə pr. 41, mətbəx",
                         "description": "Aşpaz qaynar su ilə əlini yandırıb."},
            "victims": [{"fin": victim_fin, "outcome": "injured"}],
            "informant": {"mobile": "+994703334455", "email": "cingiz@example.az"}}


def _percentiles(latencies: list[float]) -> tuple[float, float]:
    if not latencies:
        return 0.0, 0.0
    latencies = sorted(latencies)
    pick = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000  # noqa: E731
    return pick(0.5), pick(0.99)


# --- (a) the client, in a second process ------------------------------------------------------

def _client_load(base: str, token: str, card_pem: tuple[str, str], victim_fin: str, connections: int,
                 seconds: float, out) -> None:
    """`connections` clients, each creating reports and signing them with the card until the time
    is up: (reports, seconds, p50 ms, p99 ms, failed)."""
    import requests

    from egov_kit import pki

    card = pki.load_certkey(*card_pem)  # the card's key, read once
    body = report_body(victim_fin)
    latencies: list[float] = []
    bad = [0]
    lock = threading.Lock()
    started = time.perf_counter()
    stop_at = started + seconds

    def one(session: requests.Session) -> bool:
        created = session.post(f"{base}/api/accidents/reports", json=body, timeout=60)
        if created.status_code != 201:
            return False
        path = f"{base}/api/accidents/reports/{created.json()['id']}/signature"
        answer = session.post(path, json={"method": "card", "certificate": card.cert_pem}, timeout=60,
                              headers={"Idempotency-Key": uuid.uuid4().hex})
        if answer.status_code != 202:
            return False
        state = answer.json()
        while state.get("state") == "pending":
            signature = pki.sign_prehashed(card, base64.b64decode(state["digest"]))
            answer = session.post(f"{path}/card-response", timeout=60,
                                  json={"signature": base64.b64encode(signature).decode()})
            if answer.status_code != 200:
                return False
            state = answer.json()
        return state.get("state") == "confirmed" and state.get("status") == "submitted"

    def run():
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {token}"
        mine, errors = [], 0
        while not (mine or errors) or time.perf_counter() < stop_at:  # each client files one at least
            t0 = time.perf_counter()
            try:
                ok = one(session)
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
    p50, p99 = _percentiles(latencies)
    out.put((len(latencies) + bad[0], time.perf_counter() - started, p50, p99, bad[0]))


# --- (c) the ceiling, in a process of its own --------------------------------------------------

class CardSigner(SimpleSigner):
    """pyHanko's SimpleSigner with the key it signs with parsed once: SimpleSigner parses (and
    checks) the private key again for every signature, which a card holding its key never does."""

    def __init__(self, key, **kwargs):
        super().__init__(**kwargs)
        self._key = key

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        algorithm = get_pyca_cryptography_hash(digest_algorithm)
        if isinstance(self._key, ec.EllipticCurvePrivateKey):
            return self._key.sign(data, ec.ECDSA(algorithm))
        return self._key.sign(data, padding.PKCS1v15(), algorithm)


class ThinCreateAndSign:
    """What a report's filing comes down to, written as a good engineer would: everything that does
    not change between reports (the card's key and certificate, pyHanko's signer and PdfSigner,
    the registry client with its token, the Mongo collection, the PDF renderer's fonts) made once."""

    def __init__(self, *, template: dict, card_pem: tuple[str, str], ca_pem: str, registry_url: str,
                 auth_url: str, secret: str, mongo_uri: str, db_name: str, font_dir: str, check_base: str):
        from asn1crypto import keys as asn1_keys
        from cryptography.hazmat.primitives import serialization
        from pyhanko.sign import fields, signers
        from pymongo import MongoClient
        from pyhanko_certvalidator.registry import SimpleCertificateStore

        from egov_kit import pki
        from egov_kit.auth import ServiceTokens
        from egov_kit.http import ServiceClient
        from egov_kit.registry import RegistryClient

        card = pki.load_certkey(*card_pem)
        self.template = template
        self.font_dir, self.check_base = font_dir, check_base
        self.signer_name = template["informant"]["surname"] + " " + template["informant"]["name"]
        key = asn1_keys.PrivateKeyInfo.load(card.key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
        self.signer = CardSigner(card.key, signing_cert=card.asn1_cert, signing_key=key,
                                 cert_registry=SimpleCertificateStore.from_certs([pki.CertKey(cert_pem=ca_pem).asn1_cert]))
        self.pdf_signer = signers.PdfSigner(signers.PdfSignatureMetadata(
            field_name="Signature1", md_algorithm="sha256", subfilter=fields.SigSeedSubFilter.PADES,
            reason="İstehsalatda baş verən bədbəxt hadisə barədə məlumatın təqdim edilməsi",
            location="Azərbaycan Respublikası", name=self.signer_name), signer=self.signer)
        tokens = ServiceTokens("accidents", auth_url, secret)
        self.registry = RegistryClient(ServiceClient("accidents", tokens, urls={"registry": registry_url}))
        self.reports = MongoClient(mongo_uri, tz_aware=True)[db_name]["thin_reports"]
        self.count = 0
        self.lock = threading.Lock()

    def file(self) -> None:
        import asyncio
        import hashlib

        from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
        from pyhanko.sign.signers.pdf_cms import PdfCMSSignedAttributes

        from accidents_service import documents, domain

        with self.lock:
            self.count += 1
            number = domain.registration_number(2026, self.count)
        victim_fin = self.template["victims"][0]["fin"]
        person = self.registry.person(victim_fin, "accident-report-victim")  # the one registry look-up
        report = copy.deepcopy(self.template)
        report["_id"] = uuid.uuid4().hex
        report["victims"] = [{**report["victims"][0], **domain.person_from_registry(person)}]
        now = datetime.now(timezone.utc)
        content = domain.signed_content(report, number)
        pdf = documents.render_report_pdf(report, number=number, created_at=now, font_dir=self.font_dir,
                                          signer_name=self.signer_name, method="card",
                                          check_url=f"{self.check_base}/{report['_id']}/check")
        cms = asyncio.run(self.signer.async_sign(
            hashlib.sha256(content).digest(), "sha256",
            signed_attr_settings=PdfCMSSignedAttributes(signing_time=now))).dump()
        signed_pdf = self.pdf_signer.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False),
                                              bytes_reserved=PADES_ROOM, output=io.BytesIO()).getvalue()
        self.reports.insert_one({**report, "status": "submitted", "registration_number": number,
                                 "submitted_at": now, "content": content, "cms": cms, "signed_pdf": signed_pdf})


def _ceiling_load(settings: dict, connections: int, seconds: float, out) -> None:
    """The ceiling in `connections` threads of this process until the time is up: (reports,
    seconds, p50 ms, p99 ms, failed, CPU seconds of this process)."""
    thin = ThinCreateAndSign(**settings)
    thin.file()  # the first report loads the fonts and warms the connections: not measured
    latencies: list[float] = []
    lock = threading.Lock()
    cpu_before, started = time.process_time(), time.perf_counter()
    stop_at = started + seconds

    def run():
        mine = []
        while time.perf_counter() < stop_at:
            t0 = time.perf_counter()
            thin.file()
            mine.append(time.perf_counter() - t0)
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=run) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    p50, p99 = _percentiles(latencies)
    out.put((len(latencies), time.perf_counter() - started, p50, p99, 0, time.process_time() - cpu_before))


def _in_second_process(target, *args, timeout: float) -> tuple:
    ctx = multiprocessing.get_context("spawn")
    out = ctx.Queue()
    proc = ctx.Process(target=target, args=(*args, out))
    proc.start()
    try:
        return out.get(timeout=timeout)
    finally:
        proc.join(30)


# --- the section -------------------------------------------------------------------------------

def card_login(gateway: str, card) -> str:
    """A session of the card's holder, logged in with the card (it signs auth's challenge)."""
    import requests

    from egov_kit import pki

    nonce = requests.get(f"{gateway}/api/auth/card/challenge", timeout=10).json()["nonce"]
    answer = requests.post(f"{gateway}/api/auth/card/sessions", timeout=10, json={
        "certificate": card.cert_pem, "nonce": nonce,
        "signature": base64.b64encode(pki.sign_challenge(card, base64.b64decode(nonce))).decode()})
    answer.raise_for_status()
    return answer.json()["access_token"]


def measure_create_and_sign(bench) -> None:
    """Reports created and sent with the card through the gateway (a) against the ceiling (c), one
    at a time and with --sign-connections, in --rounds interleaved rounds (`bench`: the stack, its
    database client, the CPU accounting and the lines printed, as bench/accidents.py's Bench)."""
    import requests

    from devtools.client import sim_identity
    from egov_kit import pki

    args, suite = bench.args, bench.suite
    gateway = suite.gateway_url
    head = sim_identity(label=HEAD)
    victim_fin = sim_identity(label=VICTIM)["fin"]
    card_body = requests.get(f"{gateway}/api/asan-sim/cards/{head['fin']}", timeout=10).json()
    card_pem = (card_body["private_key"], card_body["certificate"])
    card = pki.load_certkey(*card_pem)
    login = card_login(gateway, card)
    acting = requests.post(f"{gateway}/api/auth/role", json={"voen": CAFE}, timeout=10,
                           headers={"Authorization": f"Bearer {login}"})
    acting.raise_for_status()
    token = acting.json()["access_token"]
    ca_pem = requests.get(f"{gateway}/api/auth/ca.pem", timeout=10).text

    # One report through the whole flow first: it works, and its draft is the ceiling's template.
    check = _in_second_process(_client_load, gateway, token, card_pem, victim_fin, 1, 0, timeout=120)
    if check[0] != 1 or check[4]:
        raise RuntimeError("creating and signing a report with the card through the gateway failed")
    draft = requests.post(f"{gateway}/api/accidents/reports", json=report_body(victim_fin), timeout=30,
                          headers={"Authorization": f"Bearer {token}"})
    draft.raise_for_status()
    accidents_db = bench.client[suite.env().get("MONGO_DB_PREFIX", "egov") + "_accidents"]
    template = accidents_db.reports.find_one({"_id": draft.json()["id"]})
    settings = {"template": template, "card_pem": card_pem, "ca_pem": ca_pem, "registry_url": suite.url("registry"),
                "auth_url": suite.url("auth"), "secret": suite.env()["SERVICE_CLIENT_SECRET"],
                "mongo_uri": suite.mongo_uri, "db_name": f"bench_{bench.tag}_thin",
                "font_dir": suite.env().get("PDF_FONT_DIR", "/usr/share/fonts/truetype/dejavu"),
                "check_base": f"{gateway}/api/accidents/reports"}

    sessions = {proc.pid: proc.egov_name for proc in suite.processes}

    def through_gateway(connections: int, label: str) -> Result:
        if args.warmup:
            _in_second_process(_client_load, gateway, token, card_pem, victim_fin, connections, args.warmup,
                               timeout=args.warmup + 300)
        say(f"measuring {label} …")
        before = stack_cpu_seconds(sessions)
        n, elapsed, p50, p99, bad = _in_second_process(_client_load, gateway, token, card_pem, victim_fin,
                                                       connections, args.seconds, timeout=args.seconds + 300)
        after = stack_cpu_seconds(sessions)
        result = Result(n, elapsed, p50, p99, bad)
        result.cpu_by = {name: (after[name] - before.get(name, 0.0)) / max(1, n) * 1000 for name in after}
        result.cpu_ms = sum(result.cpu_by.values())
        if bad:
            say(f"  {label}: {bad} failed reports")
        return result

    def ceiling(connections: int, label: str) -> Result:
        say(f"measuring {label} …")
        before = stack_cpu_seconds(sessions)  # its registry look-up and insert are served by the stack
        n, elapsed, p50, p99, bad, cpu = _in_second_process(_ceiling_load, settings, connections, args.seconds,
                                                            timeout=args.seconds + 300)
        after = stack_cpu_seconds(sessions)
        result = Result(n, elapsed, p50, p99, bad)
        result.cpu_by = {name: (after[name] - before.get(name, 0.0)) / max(1, n) * 1000 for name in after}
        result.cpu_by["ceiling"] = cpu / max(1, n) * 1000
        result.cpu_ms = sum(result.cpu_by.values())
        return result

    concurrent = args.sign_connections
    runs: dict[str, list[Result]] = {"a1": [], "c1": [], "aN": [], "cN": []}
    load_before = os.getloadavg()
    for turn in range(args.rounds):
        of = f"round {turn + 1}/{args.rounds}"
        runs["a1"].append(through_gateway(1, f"create-and-sign through the gateway, one at a time, {of}"))
        runs["c1"].append(ceiling(1, f"the create-and-sign ceiling, one at a time, {of}"))
        if concurrent > 1:
            runs["aN"].append(through_gateway(concurrent, f"create-and-sign through the gateway, {concurrent} "
                                                          f"clients, {of}"))
            runs["cN"].append(ceiling(concurrent, f"the create-and-sign ceiling, {concurrent} threads, {of}"))
    load_after = os.getloadavg()
    med = {name: Result.median(results) for name, results in runs.items() if results}

    def row(label: str, r: Result) -> str:
        return f"  {label:<44} {r.median_rate:8.2f} {r.p50:8.1f} {r.p99:8.1f} {r.cpu_ms:10.1f} {r.bad:7d}"

    out = bench.out
    out(f"create-and-sign with the e-signature card (2 card signatures per report); clients: Python threads in "
        f"a second process, signing with the card's key; load average {load_before[0]:.1f} → {load_after[0]:.1f}")
    out("  cpu ms/rep = CPU of the stack's processes per report (idle relays included), and of the ceiling's "
        "own process for (c)")
    out(f"  {'':<44} reports/s   p50 ms   p99 ms  cpu ms/rep  failed")
    pairs = [("1", "one at a time")] + ([("N", f"{concurrent} at a time")] if concurrent > 1 else [])
    for key, words in pairs:
        a, c = med[f"a{key}"], med[f"c{key}"]
        out(row(f"(a) through the gateway, {words}", a))
        out(row(f"(c) ceiling, {words}", c))
        ratio = a.median_rate / c.median_rate if c.median_rate else 0.0
        held = f"(aim ≥ {AIM}: {'met' if ratio >= AIM else 'NOT met'})" if key == "1" else "(for comparison)"
        out(f"  a/c = {ratio:.2f} {held};  by CPU cost c/a = {c.cpu_ms / a.cpu_ms if a.cpu_ms else 0:.2f}")
        out(f"  per-round reports/s  a: {', '.join(f'{x:.2f}' for x in a.rates)}   c: "
            f"{', '.join(f'{x:.2f}' for x in c.rates)}")
        for label, r in (("a", a), ("c", c)):
            parts = sorted(((ms, name) for name, ms in r.cpu_by.items() if ms >= 0.5), reverse=True)
            out(f"  cpu ms/report of ({label}) by process: " + ", ".join(f"{name} {ms:.0f}" for ms, name in parts))
