"""Personal data and secrets never reach the logs."""
import io
import json
import logging

from egov_kit.logs import JsonFormatter


def _log(message, *args, **extra):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter("test"))
    logger = logging.getLogger(f"t{id(stream)}")
    logger.handlers = [handler]
    logger.propagate = False
    logger.warning(message, *args, extra=extra)
    return stream.getvalue()


def test_fin_salary_and_tokens_are_hidden():
    line = _log("lookup of %s failed, Authorization: Bearer eyJabc.def.ghi", "5ZK3M1A",
                fin="5ZK3M1A", salary="1250.00", token="eyJx.y.z", status=404)
    assert "5ZK3M1A" not in line and "1250.00" not in line and "eyJ" not in line
    entry = json.loads(line)
    assert entry["fin"] == "[redacted]" and entry["status"] == 404 and entry["service"] == "test"


def test_ordinary_words_survive():
    entry = json.loads(_log("MESSAGE delivered to Şəki"))
    assert entry["msg"] == "MESSAGE delivered to Şəki"
