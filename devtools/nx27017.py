"""Runs nx-27017, the Mongo-speaking server of `make run` and the tests, logging its start-up and
shut-down only.

nx-27017 0.8.1 has no log-level option: it logs every command it runs (INFO) and the query engine
under it, neosqlite, warns with whole query filters — FİNs, phone numbers, certificate numbers.
Here its own log file is /dev/null and standard error (the runner's `var/logs/mongo.log`) keeps
only what its start-up code says (the pid file, where it listens, stopping); an error that stops
it at start, such as a taken port, is an uncaught exception and still printed in full.

    python -m devtools.nx27017 --data-dir DIR -p PORT [any other nx-27017 option]
"""
from __future__ import annotations

import logging
import os
import sys

# Modules of nx-27017 that run at start-up and shut-down, not per request.
START_UP_MODULES = frozenset({"daemon", "nx_27017"})


class StartUpOnly(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if record.name != "nx_27017":
            return False  # neosqlite, and nx-27017's per-request modules
        return record.module in START_UP_MODULES or record.getMessage().startswith("Listening on ")


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    if "--log-file" in args:
        raise SystemExit("devtools.nx27017: the log file is /dev/null; start-up messages go to stderr")
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(StartUpOnly())
    handler.setFormatter(logging.Formatter("%(asctime)s - %(name)s - %(levelname)s - %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)  # nx-27017's logging.basicConfig then adds no handler of its own
    root.setLevel(logging.INFO)

    from nx_27017.nx_27017 import main as nx_main

    sys.argv = ["nx-27017", *args, "--log-file", os.devnull]
    nx_main()


if __name__ == "__main__":
    main()
