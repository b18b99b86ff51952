"""Helpers for the certificates service's tests: reading the text a PDF shows, publishing the
contracts service's events onto the suite's bus, and a queue that hears what this service says."""
from __future__ import annotations

import io
import json
import re
import sys
import uuid
from pathlib import Path

import pika
import pytest

SERVICE_DIR = Path(__file__).resolve().parents[1]
if str(SERVICE_DIR) not in sys.path:
    sys.path.insert(0, str(SERVICE_DIR))  # the unit tests import certificates_service's parts directly

_TOKEN = re.compile(rb"/[^\s/\[\]()<>]+|\((?:\\.|[^\\()])*\)|<[0-9A-Fa-f\s]*>|\[|\]|[A-Za-z'\"*]+|[-+.\d]+")
_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f", b"(": b"(", b")": b")", b"\\": b"\\"}


def _literal(token: bytes) -> bytes:
    body, out, i = token[1:-1], bytearray(), 0
    while i < len(body):
        ch = body[i:i + 1]
        if ch != b"\\":
            out += ch
            i += 1
            continue
        nxt = body[i + 1:i + 2]
        if nxt in _ESCAPES:
            out += _ESCAPES[nxt]
            i += 2
        elif nxt.isdigit():
            octal = re.match(rb"[0-7]{1,3}", body[i + 1:i + 4]).group()
            out.append(int(octal, 8) & 0xFF)
            i += 1 + len(octal)
        else:
            i += 2 if nxt in (b"\n", b"\r") else 1
    return bytes(out)


def _to_unicode(font) -> dict[int, str]:
    cmap = font["/ToUnicode"].get_object().data
    mapping: dict[int, str] = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", cmap, re.S):
        for src, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            mapping[int(src, 16)] = bytes.fromhex(dst.decode()).decode("utf-16-be")
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", cmap, re.S):
        for lo, hi, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            start = int(dst, 16)
            for offset, code in enumerate(range(int(lo, 16), int(hi, 16) + 1)):
                mapping[code] = chr(start + offset)
    return mapping


def pdf_text(data: bytes) -> str:
    """The text a PDF shows, one line per text object, decoded through the fonts' ToUnicode maps
    (the text is drawn as 2-byte glyph codes of subset fonts, so a byte search finds nothing)."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    reader = PdfFileReader(io.BytesIO(data), strict=False)
    lines: list[str] = []
    pages = [reader.root["/Pages"]]
    while pages:
        node = pages.pop(0).get_object()
        if node.get("/Type") == "/Pages":
            pages[0:0] = [kid for kid in node["/Kids"]]
            continue
        fonts = {name: _to_unicode(ref.get_object()) for name, ref in node["/Resources"]["/Font"].items()}
        contents = node["/Contents"]
        contents = contents.get_object() if hasattr(contents, "get_object") else contents
        streams = contents if isinstance(contents, list) else [contents]
        stream = b"\n".join(s.get_object().data for s in streams)
        current, line = {}, []
        for token in _TOKEN.findall(stream):
            if token.startswith(b"/") and token.decode() in fonts:
                current = fonts[token.decode()]
            elif token.startswith(b"(") or token.startswith(b"<"):
                raw = _literal(token) if token.startswith(b"(") else bytes.fromhex(token[1:-1].decode())
                line.append("".join(current.get(int.from_bytes(raw[i:i + 2], "big"), "")
                                    for i in range(0, len(raw) - 1, 2)))
            elif token == b"ET":
                lines.append("".join(line))
                line = []
    return "\n".join(lines)


@pytest.fixture(scope="session")
def read_pdf_text():
    return pdf_text


class Bus:
    """Publishes as the contracts service would, and listens to this service's events."""

    def __init__(self, amqp_url: str, exchange: str):
        from egov_kit.bus import Publisher

        self.amqp_url = amqp_url
        self.exchange = exchange
        self.publisher = Publisher(amqp_url, exchange, name="certificates-tests")

    def publish(self, event_type: str, data: dict, event_id: str | None = None) -> dict:
        from egov_kit.bus import new_event

        event = new_event(event_type, data, source="contracts")
        if event_id:
            event["id"] = event_id
        self.publisher.publish(event)
        return event

    def listen(self, routing_key: str) -> "Listener":
        return Listener(self.amqp_url, self.exchange, routing_key)


class Listener:
    def __init__(self, amqp_url: str, exchange: str, routing_key: str):
        self.connection = pika.BlockingConnection(pika.URLParameters(amqp_url))
        self.channel = self.connection.channel()
        from egov_kit.bus import declare_exchange

        declare_exchange(self.channel, exchange)
        self.queue = f"{exchange}.probe.{uuid.uuid4().hex[:8]}"
        self.channel.queue_declare(self.queue, exclusive=True, auto_delete=True)
        self.channel.queue_bind(self.queue, exchange, routing_key=routing_key)
        self.seen: list[dict] = []

    def events(self) -> list[dict]:
        while True:
            method, _props, body = self.channel.basic_get(self.queue, auto_ack=True)
            if method is None:
                return self.seen
            self.seen.append(json.loads(body))

    def close(self):
        try:
            self.connection.close()
        except Exception:  # noqa: BLE001
            pass


@pytest.fixture(scope="session")
def bus(suite, amqp_url, bus_names):
    bus = Bus(amqp_url, bus_names["exchange"])
    yield bus
    bus.publisher.close()


def seal_status(data: bytes, ca_pem: str):
    """pyHanko's verdict on the PDF's (only) signature, trusting just the seal's CA."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    from egov_kit.pki import CertKey

    reader = PdfFileReader(io.BytesIO(data), strict=False)
    [signature] = reader.embedded_signatures
    context = ValidationContext(trust_roots=[CertKey(cert_pem=ca_pem).asn1_cert], allow_fetching=False,
                                revocation_mode="soft-fail")
    return validate_pdf_signature(signature, context)


@pytest.fixture(scope="session")
def check_seal():
    return seal_status


def tampered(data: bytes) -> bytes:
    """A copy with one character changed inside the signed bytes: the year of the creation date."""
    copy = bytearray(data)
    at = copy.index(b"/CreationDate (D:") + len(b"/CreationDate (D:") + 3
    copy[at] = ord("0") + (copy[at] - ord("0") + 1) % 10
    return bytes(copy)


@pytest.fixture(scope="session")
def tamper():
    return tampered
