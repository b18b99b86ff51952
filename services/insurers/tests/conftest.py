"""Helpers for the insurers service's tests: real scanned documents (a PDF made with fpdf2, JPEG
and PNG images made with Pillow), and their damaged or disguised variants."""
from __future__ import annotations

import io
import os
import sys
from pathlib import Path

import pytest

SERVICE_DIR = Path(__file__).resolve().parents[1]
if str(SERVICE_DIR) not in sys.path:
    sys.path.insert(0, str(SERVICE_DIR))  # the unit tests import insurers_service's parts directly


def make_pdf(padding: int = 0) -> bytes:
    """A one-page PDF (fpdf2); `padding` bytes of incompressible noise ride in an embedded image
    stream's stead as an extra object, so the file is as large as wanted and still whole."""
    from fpdf import FPDF

    doc = FPDF()
    doc.add_page()
    doc.set_font("helvetica", size=12)
    doc.cell(0, 10, "Dovlet qeydiyyati sehadetnamesi (scan)")
    raw = bytes(doc.output())
    if not padding:
        return raw
    # An incremental update appending one unreferenced stream object: a valid PDF of any size.
    body = os.urandom(padding)
    extra = b"999 0 obj\n<< /Length %d >>\nstream\n" % len(body) + body + b"\nendstream\nendobj\n"
    start = raw.rindex(b"startxref")
    prev = int(raw[start + len(b"startxref"):].split()[0])
    xref_at = len(raw) + len(extra)
    trailer = (b"xref\n0 1\n0000000000 65535 f \n999 1\n%010d 00000 n \n" % len(raw)
               + b"trailer\n<< /Size 1000 /Prev %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (prev, xref_at))
    root = _root_ref(raw)
    trailer = trailer.replace(b"/Root 1 0 R", b"/Root " + root)
    return raw + extra + trailer


def _root_ref(raw: bytes) -> bytes:
    at = raw.rindex(b"/Root")
    parts = raw[at + 5:].split()[:3]
    return b" ".join(parts)


def make_image(kind: str, size: tuple[int, int] = (64, 48)) -> bytes:
    from PIL import Image

    picture = Image.new("RGB", size)
    picture.putdata([((x * 7) % 256, (y * 5) % 256, (x * y) % 256) for y in range(size[1]) for x in range(size[0])])
    out = io.BytesIO()
    picture.save(out, format=kind)
    return out.getvalue()


@pytest.fixture(scope="session")
def files() -> dict[str, bytes]:
    """Whole files of each accepted kind, and what must be refused."""
    pdf, png, jpeg = make_pdf(), make_image("PNG"), make_image("JPEG")
    return {
        "pdf": pdf, "png": png, "jpeg": jpeg,
        "exe": b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + os.urandom(2000),
        "elf": b"\x7fELF\x02\x01\x01\x00" + os.urandom(2000),
        "html": "<!DOCTYPE html><html><body><script>alert('x')</script>Şəhadətnamə</body></html>".encode(),
        "png_cut": png[: len(png) // 2],
        "jpeg_cut": jpeg[: len(jpeg) // 2],
        "pdf_cut": pdf[: len(pdf) - 200],
        "png_flipped": png[:60] + bytes([png[60] ^ 0xFF]) + png[61:],
        "png_trailing": png + b"<script>",
    }


@pytest.fixture(scope="session")
def pdf_of_size():
    """Makes a whole PDF of about `padding` bytes more than an empty page."""
    return make_pdf
