"""What a scanned document may be: PDF, JPEG or PNG, recognised by its content (never by its name or
the type the browser declared), and whole — read once, as it is stored, by a check that follows
the format's structure:

  PDF   starts with `%PDF-1.` or `%PDF-2.`; `%%EOF` within its last 1024 bytes
  JPEG  starts with SOI and a marker; the segments up to the first scan are whole; ends with EOI
  PNG   the signature, IHDR first, every chunk whole with its CRC, IEND last and nothing after it

    check = recognise(first_bytes)      # None: not one of the three
    check.feed(piece) ...               # as the bytes go by (raises Damaged early when it can)
    check.finish()                      # raises Damaged when the file ended too soon

A renamed executable or an HTML page is not recognised; a truncated or corrupted image is
Damaged. No Flask, no storage: the service streams the upload through it."""
from __future__ import annotations

import re
import struct
import zlib

SNIFF_BYTES = 16


class Damaged(Exception):
    """The file starts as `kind` but is not whole; `problem` is a message code (messages.py)."""

    def __init__(self, kind: str, problem: str):
        super().__init__(f"{kind}: {problem}")
        self.kind = kind
        self.problem = problem


class _Check:
    kind = ""
    content_type = ""
    extension = ""

    def feed(self, data: bytes) -> None:
        raise NotImplementedError

    def finish(self) -> None:
        raise NotImplementedError

    def _damaged(self, problem: str) -> Damaged:
        return Damaged(self.kind, problem)


class PdfCheck(_Check):
    kind, content_type, extension = "PDF", "application/pdf", "pdf"
    TAIL = 1024
    _EOF = re.compile(rb"%%EOF[\r\n\t \x00]*\Z")

    def __init__(self):
        self._tail = b""

    def feed(self, data: bytes) -> None:
        self._tail = (self._tail + data)[-self.TAIL:] if len(data) < self.TAIL else data[-self.TAIL:]

    def finish(self) -> None:
        if not self._EOF.search(self._tail):
            raise self._damaged("damage_truncated")


class JpegCheck(_Check):
    """Segments are walked up to the first start of scan (SOS); the entropy-coded data after it
    is not decoded, but the file must end with the end-of-image marker (trailing zero padding,
    which some scanners add, is allowed)."""
    kind, content_type, extension = "JPEG", "image/jpeg", "jpg"
    # Markers without a length: TEM, RST0-7, SOI, EOI.
    _STANDALONE = {0x01, *range(0xD0, 0xD9)}

    def __init__(self):
        self._buffer = bytearray()
        self._position = 0      # where the next marker is expected in the header walk
        self._in_scan = False
        self._last = b""

    def feed(self, data: bytes) -> None:
        stripped = data.rstrip(b"\x00")
        if stripped:
            self._last = (self._last + stripped)[-2:]
        if self._in_scan:
            return
        self._buffer += data
        self._walk()

    def _walk(self) -> None:
        buffer = self._buffer
        if self._position == 0:
            if len(buffer) < 2:
                return
            if buffer[:2] != b"\xff\xd8":
                raise self._damaged("damage_structure")
            self._position = 2
        while True:
            at = self._position
            if len(buffer) < at + 2:
                return
            if buffer[at] != 0xFF:
                raise self._damaged("damage_structure")
            marker = buffer[at + 1]
            if marker == 0xFF:  # fill byte before a marker
                self._position += 1
                continue
            if marker in self._STANDALONE or marker == 0x00:
                if marker in (0xD8, 0xD9, 0x00):  # a second SOI, EOI before any scan, a stuffed zero
                    raise self._damaged("damage_structure")
                self._position += 2
                continue
            if len(buffer) < at + 4:
                return
            (length,) = struct.unpack(">H", buffer[at + 2:at + 4])
            if length < 2:
                raise self._damaged("damage_structure")
            if marker == 0xDA:  # start of scan: the headers were whole
                self._in_scan = True
                self._buffer = bytearray()
                return
            self._position = at + 2 + length
            if self._position > 1 << 24:  # headers of this size are no scan
                raise self._damaged("damage_structure")

    def finish(self) -> None:
        if not self._in_scan:
            raise self._damaged("damage_truncated")
        if self._last != b"\xff\xd9":
            raise self._damaged("damage_truncated")


class PngCheck(_Check):
    kind, content_type, extension = "PNG", "image/png", "png"
    SIGNATURE = b"\x89PNG\r\n\x1a\n"
    _TYPE = re.compile(rb"^[A-Za-z]{4}$")

    def __init__(self):
        self._pending = bytearray()   # bytes of a signature, chunk header or CRC not complete yet
        self._stage = "signature"     # signature → header → data → crc → header … → end
        self._left = 0                # bytes of chunk data still to come
        self._crc = 0
        self._type = b""
        self._chunks = 0

    def feed(self, data: bytes) -> None:
        view = memoryview(data)
        while len(view):
            if self._stage == "end":
                raise self._damaged("damage_trailing")
            if self._stage == "data":
                take = min(self._left, len(view))
                self._crc = zlib.crc32(view[:take], self._crc)
                self._left -= take
                view = view[take:]
                if self._left == 0:
                    self._stage = "crc"
                continue
            need = {"signature": 8, "header": 8, "crc": 4}[self._stage] - len(self._pending)
            self._pending += view[:need]
            view = view[need:]
            if len(self._pending) < {"signature": 8, "header": 8, "crc": 4}[self._stage]:
                return
            self._complete(bytes(self._pending))
            self._pending = bytearray()

    def _complete(self, block: bytes) -> None:
        if self._stage == "signature":
            if block != self.SIGNATURE:
                raise self._damaged("damage_structure")
            self._stage = "header"
        elif self._stage == "header":
            length, kind = struct.unpack(">I4s", block)
            if length > 0x7FFFFFFF or not self._TYPE.match(kind):
                raise self._damaged("damage_structure")
            if (self._chunks == 0) != (kind == b"IHDR") or (kind == b"IHDR" and length != 13):
                raise self._damaged("damage_structure")
            self._type, self._left, self._chunks = kind, length, self._chunks + 1
            self._crc = zlib.crc32(kind)
            self._stage = "data" if length else "crc"
        else:  # crc
            if struct.unpack(">I", block)[0] != self._crc & 0xFFFFFFFF:
                raise self._damaged("damage_checksum")
            self._stage = "end" if self._type == b"IEND" else "header"

    def finish(self) -> None:
        if self._stage != "end":
            raise self._damaged("damage_truncated")


def recognise(head: bytes) -> _Check | None:
    """The check for a file that starts with `head` (its first SNIFF_BYTES bytes, or all of a
    shorter file), or None when it is none of the accepted kinds."""
    if re.match(rb"%PDF-[12]\.", head):
        return PdfCheck()
    if head.startswith(b"\xff\xd8\xff"):
        return JpegCheck()
    if head.startswith(PngCheck.SIGNATURE):
        return PngCheck()
    return None


ACCEPTED = ("application/pdf", "image/jpeg", "image/png")
