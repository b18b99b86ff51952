"""JSON logs, one object a line, with the request id; personal data and secrets never written."""
from __future__ import annotations

import json
import logging
import re
import sys
import time
from contextvars import ContextVar

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)

# Keys whose values are never logged, and FİN-shaped tokens anywhere in a message.
SENSITIVE_KEYS = {"fin", "salary", "token", "access_token", "authorization", "password", "pin",
                  "pin1", "pin2", "secret", "client_secret", "employee_fin", "signature"}
_FIN_PATTERN = re.compile(r"(?<![0-9A-Za-z])[0-9A-Z]{7}(?![0-9A-Za-z])")
_BEARER = re.compile(r"(?i)bearer\s+[a-z0-9._\-]+")
_JWT = re.compile(r"eyJ[a-zA-Z0-9_\-]+\.[a-zA-Z0-9_\-]+\.[a-zA-Z0-9_\-]+")


def scrub(text: str) -> str:
    text = _JWT.sub("[token]", text)
    text = _BEARER.sub("Bearer [token]", text)
    # All-letter words (e.g. "MESSAGE") are not FİNs; anything else FİN-shaped is hidden.
    return _FIN_PATTERN.sub(lambda m: m.group(0) if m.group(0).isalpha() else "[fin]", text)


def scrub_value(key: str, value):
    if key.lower() in SENSITIVE_KEYS:
        return "[redacted]"
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, dict):
        return {k: scrub_value(k, v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [scrub_value("", v) for v in value]
    return value


_STANDARD = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def __init__(self, service: str):
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "service": self.service,
            "logger": record.name,
            "msg": scrub(record.getMessage()),
        }
        rid = request_id_var.get()
        if rid:
            entry["request_id"] = rid
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = scrub_value(key, value)
        if record.exc_info:
            entry["exc"] = scrub(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure_logging(service: str, level: str = "INFO") -> None:
    # The JSON lines carry neither the caller's file and line nor thread names:
    # skip working them out on every record (the logging documentation's "Optimization").
    logging._srcfile = None
    logging.logThreads = False
    logging.logMultiprocessing = False
    root = logging.getLogger()
    if any(getattr(h, "_egov", False) for h in root.handlers):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter(service))
    handler._egov = True
    root.handlers = [handler]
    root.setLevel(level)
    for noisy in ("pika", "urllib3", "werkzeug"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
