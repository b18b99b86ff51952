"""Run the simulator: `python -m asan_sim [--host H] [--port P]`.

Under gunicorn with ONE worker (the sessions live in its memory) and enough threads for the
long polls. Without ASAN_RP_UUID it stops at once, saying so."""
from __future__ import annotations

import argparse
import os
import sys

from .settings import MissingSetting, load

DEFAULT_PORT = 8190


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m asan_sim", description=__doc__)
    parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", DEFAULT_PORT)))
    args = parser.parse_args(argv)
    try:
        settings = load()
    except MissingSetting as missing:
        sys.exit(f"asan-sim: {missing}")

    from gunicorn.app.base import BaseApplication

    from . import create_app

    app = create_app(settings)  # the CA is made (or read) now, before the port opens

    class _App(BaseApplication):
        def load_config(self):
            self.cfg.set("bind", f"{args.host}:{args.port}")
            self.cfg.set("workers", 1)
            self.cfg.set("threads", int(os.environ.get("ASAN_SIM_THREADS", "16")))
            self.cfg.set("worker_class", "gthread")
            self.cfg.set("timeout", 180)  # a long poll waits up to 120 s
            self.cfg.set("graceful_timeout", 5)
            self.cfg.set("keepalive", 30)
            self.cfg.set("proc_name", "egov-asan-sim")

        def load(self):
            return app

    _App().run()


if __name__ == "__main__":
    main()
