"""Start one role of a service: `python -m egov_kit.run <package> api|relay|consumer`.

One image per service, several roles: the API under gunicorn, the outbox relay, the consumer."""
from __future__ import annotations

import argparse
import importlib
import logging
import signal
import sys
import threading

from .bus import Consumer, Publisher, Relay
from .config import DEFAULT_PORTS, MissingSecret, check_secrets, env, load_settings
from .logs import configure_logging
from .mongo import database


def _spec(package: str):
    return importlib.import_module(package).SERVICE


def run_api(spec, host: str, port: int) -> None:
    from gunicorn.app.base import BaseApplication

    class _App(BaseApplication):
        def load_config(self):
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", int(env("WEB_WORKERS", "1")))
            self.cfg.set("threads", int(env("WEB_THREADS", "8")))
            self.cfg.set("worker_class", "gthread")
            self.cfg.set("graceful_timeout", 10)
            self.cfg.set("timeout", 60)
            self.cfg.set("keepalive", 30)
            self.cfg.set("proc_name", f"egov-{spec.name}")

        def load(self):
            return spec.create_app()

    _App().run()


def _run_until_signal(worker, *beside) -> None:
    """Runs `worker` (and `beside` it, other workers) until SIGTERM/SIGINT; then stops `worker`
    first and the others once it has finished, so they put away what it handed them last."""
    stop_requested = threading.Event()

    def _stop(_signum, _frame):
        stop_requested.set()
    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    threads = [threading.Thread(target=w.run_forever, name=type(w).__name__, daemon=True)
               for w in (worker, *beside)]
    for thread in threads:
        thread.start()
    while threads[0].is_alive() and not stop_requested.is_set():
        stop_requested.wait(0.5)
    worker.stop()
    threads[0].join()
    for other in beside:
        other.stop()
    for thread in threads[1:]:
        thread.join(15)


def run_relay(spec) -> None:
    settings = load_settings(spec.name)
    configure_logging(f"{spec.name}-relay")
    db = database(settings.mongo_uri, settings.mongo_db)
    publisher = Publisher(settings.amqp_url, settings.exchange, name=f"{spec.name}-relay")
    _run_until_signal(Relay(db, spec.outbox_collections, publisher, poll_interval=settings.relay_poll_interval,
                            max_poll_interval=settings.relay_max_poll_interval))


def make_consumer(spec, settings=None) -> tuple[Consumer, list]:
    """The consumer of a service and the workers that run beside it."""
    settings = settings or load_settings(spec.name)
    consumption = spec.consumer(settings)
    consumer = Consumer(amqp_url=settings.amqp_url, exchange=settings.exchange,
                        queue=f"{settings.queue_prefix}.{spec.name}", handlers=consumption.handlers,
                        db=database(settings.mongo_uri, settings.mongo_db), prefetch=settings.consumer_prefetch,
                        retry_delays_ms=settings.retry_delays_ms, name=f"{spec.name}-consumer")
    return consumer, consumption.workers


def run_consumer(spec) -> None:
    configure_logging(f"{spec.name}-consumer")
    consumer, workers = make_consumer(spec)
    _run_until_signal(consumer, *workers)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("package")
    parser.add_argument("role", choices=["api", "relay", "consumer"])
    parser.add_argument("--host", default=env("HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=None)
    args = parser.parse_args(argv)
    spec = _spec(args.package)
    try:
        check_secrets(spec.name)
    except MissingSecret as missing:
        # One line, before anything starts: a secret has no default, so the role does not run.
        sys.exit(f"{spec.name}: {missing}; refusing to start (set it; `make run` generates it into var/secrets/)")
    if args.role == "api":
        port = args.port or int(env("PORT", str(DEFAULT_PORTS.get(spec.name, 8000))))
        run_api(spec, args.host, port)
    elif args.role not in spec.roles:
        parser.error(f"{spec.name} has no {args.role} role (it has {', '.join(spec.roles)})")
    elif args.role == "relay":
        run_relay(spec)
    else:
        logging.getLogger().setLevel(logging.INFO)
        run_consumer(spec)


if __name__ == "__main__":
    main()
