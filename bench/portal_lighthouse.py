#!/usr/bin/env python3
"""The portal's pages measured by Lighthouse (npm `lighthouse@12.2.3`, bench/lighthouse/, driving
Debian's Chromium), from one run on this machine.

Starts its own stack (nx-27017 on a free port with a temporary data folder, every service, the
Asan İmza simulator, the portal and the gateway), logs a person in through the portal's own
Asan İmza pages (the phone played through the simulator's JSON), and runs Lighthouse on every main
page — the pages behind log-in with the person's session cookie (`--extra-headers`). Prints, for
each page, the accessibility, best-practices and performance scores beside their aims (≥ 95, ≥ 95,
≥ 90) and the bytes transferred on first load beside theirs (≤ 150 KB). Lighthouse's defaults:
a mobile device on a throttled connection (simulated).

    .venv/bin/python bench/portal_lighthouse.py
    .venv/bin/python bench/portal_lighthouse.py --keep      # keep the reports (JSON) and print where
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from devtools.client import sim_identity  # noqa: E402
from devtools.suite import Suite, free_port  # noqa: E402

LIGHTHOUSE = ROOT / "bench" / "lighthouse" / "node_modules" / "lighthouse" / "cli" / "index.js"
CHROMIUM = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
CHROME_FLAGS = ("--headless --no-sandbox --disable-gpu --disable-quic --no-first-run "
                "--disable-background-networking --disable-component-update --disable-sync --disable-dev-shm-usage")
AIMS = {"accessibility": 95, "best-practices": 95, "performance": 90}
MAX_BYTES = 150 * 1024
PUBLIC_PAGES = [("home", "/"), ("log-in", "/login"), ("Asan İmza log-in", "/login/asan"),
                ("card log-in", "/login/card"), ("developers", "/developers"), ("accidents", "/accidents"),
                ("accident statistics", "/accidents/statistics"), ("insurers", "/insurers"),
                ("account number", "/insurers/account-number"), ("API reference", "/developers/reference"),
                ("API ref. (contracts)", "/developers/reference/contracts"),
                # Redoc's bundle (1.1 MB, about 330 KB compressed) comes on this view's button only.
                ("API ref. in Redoc", "/developers/reference/notifier/redoc")]
PRIVATE_PAGES = [("home, logged in", "/"), ("my data", "/my-data"), ("contracts", "/contracts"),
                 ("certificates", "/certificates"), ("my data, English", "/my-data?lang=en")]
HEAD = "head of 3"
COMPANY = "1701100231"  # one of his companies: the pages of an employer
# Pages of an employer, acting for COMPANY: {id} is a draft accident report opened through the
# portal, {app} a draft insurer application.
COMPANY_PAGES = [("new accident", "/accidents/new"), ("accident victims", "/accidents/reports/{id}/victims"),
                 ("accident check", "/accidents/reports/{id}"), ("accident history", "/accidents/history"),
                 ("insurer section 1", "/insurers/applications/{app}/insurer"),
                 ("insurer documents", "/insurers/applications/{app}/documents")]
# An addressee institution (the bank's head, acting for the bank) and the ministry's staff.
INSTITUTION, BANK = "head of a bank", "9900072351"
INSTITUTION_PAGES = [("institution inbox", "/institutions"), ("webhooks", "/institutions/webhooks"),
                     ("new webhook", "/institutions/webhooks/new")]
STAFF = "operations staff"
STAFF_PAGES = [("insurers review", "/insurers/review"), ("dead letters", "/operations/dead-letters"),
               ("failed deliveries", "/operations/deliveries")]


def _csrf(browser: requests.Session, url: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', browser.get(url, timeout=30).text).group(1)


def log_in_through_the_portal(base: str, label: str) -> requests.Session:
    """A browser (its cookie jar) of a person logged in with Asan İmza on the portal's pages, the
    phone played through the simulator's JSON."""
    person = sim_identity(label=label)
    browser = requests.Session()
    started = browser.post(f"{base}/login/asan", timeout=30, data={
        "csrf_token": _csrf(browser, f"{base}/login/asan"), "phone": person["phone"], "user_id": person["user_id"]})
    code = re.search(r"data-code>(\d{4})<", started.text).group(1)
    deadline = time.time() + 30
    while time.time() < deadline:
        pending = requests.get(f"{base}/api/asan-sim/phones/{person['phone']}/requests", timeout=10).json()
        mine = [r for r in pending if r["verification_code"] == code]
        if mine:
            requests.post(f"{base}/api/asan-sim/phones/{person['phone']}/requests/{mine[0]['request_id']}",
                          json={"pin": person["pin1"]}, timeout=10).raise_for_status()
            break
        time.sleep(0.2)
    while time.time() < deadline:
        if browser.get(f"{base}/login/asan/status", timeout=30).json()["state"] == "confirmed":
            return browser
        time.sleep(0.3)
    raise RuntimeError(f"the log-in of {label} was not confirmed")


def cookie_of(browser: requests.Session) -> str:
    # The portal sets one host-only cookie; the jar keeps the latest under that one key.
    return browser.cookies.get("portal_session")


def act_for(base: str, browser: requests.Session, voen: str) -> None:
    """The header's role chooser: the session acts for the company `voen` from now on."""
    chosen = browser.post(f"{base}/account/role", timeout=30, allow_redirects=False,
                          data={"csrf_token": _csrf(browser, f"{base}/"), "voen": voen, "next": "/"})
    if chosen.status_code != 303 and chosen.status_code != 302:
        raise RuntimeError(f"acting for {voen} was refused ({chosen.status_code})")


def open_drafts(base: str, browser: requests.Session) -> dict:
    """A draft accident report and a draft insurer application, opened through the portal's forms."""
    opened = browser.post(f"{base}/accidents/new", timeout=30, allow_redirects=False, data={
        "csrf_token": _csrf(browser, f"{base}/accidents/new"), "incident.date": time.strftime("%d.%m.%Y"),
        "incident.time": "00:00", "incident.district_code": "AZ-SA", "incident.address": "İpəkyolu küç. 3",
        "incident.description": "Ölçmə üçün qaralama."})
    report = re.search(r"/accidents/reports/(\w+)", opened.headers.get("Location", ""))
    started = browser.post(f"{base}/insurers/applications", timeout=30, allow_redirects=False,
                           data={"csrf_token": _csrf(browser, f"{base}/insurers")})
    application = re.search(r"/insurers/applications/(\w+)/", started.headers.get("Location", ""))
    if not report or not application:
        raise RuntimeError(f"drafts not opened: accidents {opened.status_code}, insurers {started.status_code}")
    return {"id": report.group(1), "app": application.group(1)}


def lighthouse(url: str, out: Path, cookie: str | None) -> dict:
    command = ["node", str(LIGHTHOUSE), url, "--output=json", f"--output-path={out}", "--quiet",
               "--only-categories=accessibility,best-practices,performance", f"--chrome-flags={CHROME_FLAGS}",
               "--max-wait-for-load=30000"]
    if cookie:
        command.append("--extra-headers=" + json.dumps({"Cookie": f"portal_session={cookie}"}))
    result = subprocess.run(command, env={**os.environ, "CHROME_PATH": CHROMIUM}, capture_output=True, text=True,
                            timeout=300)
    if result.returncode != 0 or not out.exists():
        raise RuntimeError(f"lighthouse failed on {url}:\n{result.stderr[-2000:]}")
    report = json.loads(out.read_text(encoding="utf-8"))
    scores = {name: round((report["categories"][name]["score"] or 0) * 100) for name in AIMS}
    failing = {name: [audit_id for audit_id, audit in report["audits"].items()
                      if audit.get("score") is not None and audit["score"] < 1
                      and audit.get("scoreDisplayMode") in ("binary", "numeric")
                      and any(ref["id"] == audit_id and ref.get("weight", 0) > 0
                              for ref in report["categories"][name]["auditRefs"])]
               for name in AIMS}
    return {"scores": scores, "bytes": int(report["audits"]["total-byte-weight"]["numericValue"]),
            "failing": failing, "redirected": report.get("finalDisplayedUrl", url) != url}


def company_session(base: str, head: requests.Session) -> tuple[str, dict]:
    act_for(base, head, COMPANY)
    return cookie_of(head), open_drafts(base, head)


def acting_session(base: str, label: str, voen: str) -> tuple[str, dict]:
    browser = log_in_through_the_portal(base, label)
    act_for(base, browser, voen)
    return cookie_of(browser), {}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--keep", action="store_true", help="keep the JSON reports")
    parser.add_argument("--mongo-uri", default=os.environ.get("MONGO_URI"))
    args = parser.parse_args()
    for needed, what in ((LIGHTHOUSE, "Lighthouse (make bench installs it: npm ci in bench/lighthouse)"),
                         (Path(CHROMIUM), "Chromium (make bench installs Debian's chromium)")):
        if not needed.exists():
            print(f"missing: {what}", file=sys.stderr)
            return 2
    version = subprocess.run(["node", str(LIGHTHOUSE), "--version"], capture_output=True, text=True).stdout.strip()
    chromium = subprocess.run([CHROMIUM, "--version"], capture_output=True, text=True).stdout.strip()
    print(f"Lighthouse {version}, {chromium}; load average {os.getloadavg()[0]:.2f}")
    work = Path(tempfile.mkdtemp(prefix="bench-portal-"))
    tag = uuid.uuid4().hex[:8]
    names = ("auth", "registry", "accidents", "certificates", "contracts", "insurers", "notifier", "portal")
    stack = Suite(var_dir=work / "var", gateway_port=free_port(), smtp_port=free_port(), asan_sim_port=free_port(),
                  mongo_port=free_port(), mongo_uri=args.mongo_uri, service_ports={n: free_port() for n in names},
                  exchange=f"bench.{tag}.events", queue_prefix=f"bench.{tag}", quiet=True,
                  extra_env={"MONGO_DB_PREFIX": f"bench_{tag}"})
    failures = 0
    try:
        print("starting the stack…", flush=True)
        stack.start()
        base = stack.gateway_url
        head = log_in_through_the_portal(base, HEAD)
        print(f"\n{'page':<20} {'access.':>8} {'b.pract.':>8} {'perf.':>6} {'KB':>7}   aims: "
              f"≥{AIMS['accessibility']} ≥{AIMS['best-practices']} ≥{AIMS['performance']} ≤{MAX_BYTES // 1024} KB")
        # Each group's session is made just before its pages: the role chosen changes a session.
        groups = [(PUBLIC_PAGES, lambda: (None, {})), (PRIVATE_PAGES, lambda: (cookie_of(head), {})),
                  (COMPANY_PAGES, lambda: company_session(base, head)),
                  (INSTITUTION_PAGES, lambda: acting_session(base, INSTITUTION, BANK)),
                  (STAFF_PAGES, lambda: (cookie_of(log_in_through_the_portal(base, STAFF)), {}))]
        index = 0
        for pages, make_session in groups:
            session, ids = make_session()
            for label, path in pages:
                index += 1
                path = path.format(**ids)
                found = lighthouse(base + path, work / f"report-{index}.json", session)
                scores, size = found["scores"], found["bytes"]
                ok = all(scores[name] >= aim for name, aim in AIMS.items()) and size <= MAX_BYTES \
                    and not found["redirected"]
                failures += not ok
                print(f"{label:<20} {scores['accessibility']:>8} {scores['best-practices']:>8} "
                      f"{scores['performance']:>6} {size / 1024:>7.1f}   {'ok' if ok else 'BELOW AIM'}", flush=True)
                for name, audits in found["failing"].items():
                    if audits and scores[name] < 100:
                        print(f"{'':<20}   {name} loses points on: {', '.join(audits)}")
                if found["redirected"]:
                    print(f"{'':<20}   redirected (not the page meant: is the session cookie taken?)")
        print(f"\nverdict: {'every page meets its aims' if not failures else f'{failures} page(s) below an aim'}")
        if args.keep:
            print(f"reports: {work}")
    finally:
        stack.stop()
        from devtools.pytest_plugin import remove_broker_objects
        remove_broker_objects(stack.amqp_url, f"bench.{tag}")
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
