"""`make run`: the whole suite on this machine until Ctrl-C. Data is kept under var/."""
from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

import requests

from devtools.suite import ROOT, Suite


def print_demo_logins(suite: Suite) -> None:
    """The simulator's test SIM cards, as the simulator itself lists them."""
    try:
        identities = requests.get(f"{suite.asan_sim_url}/api/asan-sim/identities", timeout=5).json()
    except (requests.RequestException, ValueError):
        print("\n(The Asan İmza simulator did not list its identities; see var/logs/asan-sim.log.)")
        return
    staff = set(suite.env()["STAFF_FINS"].split(","))
    gateway_url = suite.gateway_url
    print("\nDemo log-ins (Asan İmza simulator — phone, user ID, PIN1 for log-in, PIN2 for signing):")
    for sim in identities:
        role = " [staff: STAFF_FINS]" if sim["fin"] in staff else ""
        print(f"  {sim['phone']}  {sim['user_id']}  PIN1 {sim['pin1']}  PIN2 {sim['pin2']}  "
              f"{sim['surname']} {sim['name']} — {sim['label']}{role}")
    print(f"  The phone: {gateway_url}/api/asan-sim/phones/<phone> (a page; JSON under .../requests), "
          f"all identities: {gateway_url}/api/asan-sim/identities")


def main() -> None:
    var_dir = Path(os.environ.get("EGOV_VAR_DIR", ROOT / "var"))
    suite = Suite(var_dir=var_dir, gateway_port=int(os.environ.get("GATEWAY_PORT", "8080")),
                  mongo_port=int(os.environ.get("NX_27017_PORT", "27017")),
                  asan_sim_port=int(os.environ.get("ASAN_SIM_PORT", "8190")),
                  smtp_port=int(os.environ.get("SMTP_PORT", "8025")))
    print("Starting the labour e-services suite:")
    try:
        suite.start()
    except RuntimeError as exc:
        print(f"\nCould not start: {exc}", file=sys.stderr)
        sys.exit(1)
    print(f"\nGateway: {suite.gateway_url}   (API under /api/<service>, OpenAPI index {suite.gateway_url}/api/openapi)")
    if suite.portal_started:
        print(f"Portal:  {suite.gateway_url}/   (in a browser; the test phones and cards: "
              f"{suite.gateway_url}/api/asan-sim/phones)")
    print(f"Logs: {var_dir / 'logs'}   Mail: {suite.mail_dir}")
    print_demo_logins(suite)
    print("\nPress Ctrl-C to stop.")
    stopping = {"now": False}

    def _stop(_signum, _frame):
        stopping["now"] = True
    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    while not stopping["now"]:
        dead = suite.check_alive()
        if dead:
            print(f"Stopped unexpectedly: {', '.join(dead)} — see {var_dir / 'logs'}", file=sys.stderr)
            break
        time.sleep(0.5)
    print("\nStopping…")
    suite.stop()
    print("Stopped. Data is kept in var/ (make clean-data removes it).")


if __name__ == "__main__":
    main()
