"""The notice's PDF, its PAdES signature finished from stored bytes, the ADoc container and
download file names — with real keys from a throw-away test CA."""
from __future__ import annotations

import io
import re
import zipfile
from datetime import datetime, timezone
from urllib.parse import unquote

import pytest
from egov_kit import pki
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from contracts_service import documents, domain, pdfsign
from contracts_service.settings import ContractsSettings

from .test_domain import NOTICE

CHECK_URL = "http://127.0.0.1:8080/api/contracts/notices/n1/check"


@pytest.fixture(scope="module")
def ca():
    return pki.generate_ca()


@pytest.fixture(scope="module")
def signer(ca):
    return pki.issue_certificate(ca, common_name="Aygün Şükürova", fin="2PLX9DM", given_name="Aygün",
                                 surname="Şükürova")


@pytest.fixture(scope="module")
def pdf():
    content = domain.notice_content({**NOTICE, "contract_type": "fixed_term", "end_date": "2027-11-30"})
    return documents.render_notice_pdf(content, notice_id="n1", check_url=CHECK_URL,
                                       created_at=datetime(2026, 11, 23, 15, 0, tzinfo=timezone.utc),
                                       signer_name="Şükürova Aygün", font_dir=ContractsSettings().pdf_font_dir)


_ESCAPES = {ord("n"): b"\n", ord("r"): b"\r", ord("t"): b"\t", ord("b"): b"\b", ord("f"): b"\f"}


def _literal(raw: bytes, at: int) -> tuple[bytes, int]:
    """A PDF literal string starting after '(' at `at`: its bytes and the index after ')'."""
    out, depth = bytearray(), 1
    while True:
        ch = raw[at]
        if ch == 0x5C:  # backslash
            nxt = raw[at + 1]
            if 0x30 <= nxt <= 0x37:
                digits = re.match(rb"[0-7]{1,3}", raw[at + 1:at + 4]).group()
                out.append(int(digits, 8) & 0xFF)
                at += 1 + len(digits)
                continue
            out += _ESCAPES.get(nxt, bytes([nxt]))
            at += 2
            continue
        if ch == 0x28:
            depth += 1
        elif ch == 0x29:
            depth -= 1
            if depth == 0:
                return bytes(out), at + 1
        out.append(ch)
        at += 1


def _to_unicode(font) -> dict[int, str]:
    cmap = font["/ToUnicode"].data.decode("latin-1")
    mapping = {}
    for block in re.findall(r"beginbfchar(.*?)endbfchar", cmap, re.S):
        for src, dst in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            mapping[int(src, 16)] = bytes.fromhex(dst).decode("utf-16-be")
    for block in re.findall(r"beginbfrange(.*?)endbfrange", cmap, re.S):
        for lo, hi, dst in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            for i, code in enumerate(range(int(lo, 16), int(hi, 16) + 1)):
                mapping[code] = chr(int(dst, 16) + i)
    return mapping


def _page_text(pdf: bytes) -> str:
    """Text drawn on the first page, decoded through each embedded font's ToUnicode map."""
    page = PdfFileReader(io.BytesIO(pdf)).root["/Pages"]["/Kids"][0]
    fonts = page["/Resources"]["/Font"]
    maps = {name: _to_unicode(fonts[name]) for name in fonts}
    raw = page["/Contents"].data
    pieces, current, at = [], None, 0
    token = re.compile(rb"/(F\d+)\s+[\d.]+\s+Tf|\(")
    while (found := token.search(raw, at)) is not None:
        if found.group(1):
            current = maps["/" + found.group(1).decode()]
            at = found.end()
            continue
        data, at = _literal(raw, found.end())
        pieces.append("".join(current.get(int.from_bytes(data[i:i + 2], "big"), "?")
                              for i in range(0, len(data), 2)))
    return " ".join(pieces)


def test_pdf_shows_the_notice_in_azerbaijani(pdf):
    assert pdf.startswith(b"%PDF")
    text = _page_text(pdf)
    for expected in ("Əmək müqaviləsi bildirişi", "Şəki İnşaat MMC", "1701100121", "Həsənova", "4RD6YFC",
                     "04.03.1990", "Mühasib", "ƏM-15", "20.11.2026", "01.12.2026", "Müddətli", "30.11.2027",
                     "1250.50 AZN", "Tam iş vaxtı", "Maliyyə şöbəsi", CHECK_URL):
        assert expected.replace(" ", "") in text.replace(" ", ""), expected
    assert b"/URI (" + CHECK_URL.encode() + b")" in pdf  # the link is clickable too


def test_pdf_signature_finished_from_stored_bytes_validates(pdf, ca, signer):
    prepared = pdfsign.prepare(pdf, reason="test", location="Bakı", signer_name="Şükürova Aygün")
    # What is stored between the two requests: plain bytes and two offsets.
    stored = pdfsign.PreparedPdf(bytes(prepared.prepared), bytes(prepared.digest),
                                 int(prepared.region_start), int(prepared.region_end))
    cms = pki.sign_digest_cms(signer, stored.digest, ca=ca, pades=True)
    assert pki.verify_detached_cms(cms, stored.signed_range_content(), [ca]).fin == "2PLX9DM"
    signed = pdfsign.finish(stored, cms)

    context = ValidationContext(trust_roots=[ca.asn1_cert], allow_fetching=False)
    status = validate_pdf_signature(PdfFileReader(io.BytesIO(signed)).embedded_signatures[0], context)
    assert status.intact and status.valid and status.trusted

    tampered = bytearray(signed)
    at = signed.index(b"/URI (") + 10
    tampered[at] ^= 0x01
    status = validate_pdf_signature(PdfFileReader(io.BytesIO(bytes(tampered))).embedded_signatures[0], context)
    assert not status.intact


def test_adoc_container_layout():
    data = documents.build_adoc(
        documents=[("notice.json", "application/json", b'{"a":1}'), ("notice.pdf", "application/pdf", b"%PDF-1.4")],
        signatures=[("META-INF/signature.p7s", b"\x30\x00")],
        fixed_time=datetime(2026, 11, 23, 15, 0, tzinfo=timezone.utc))
    archive = zipfile.ZipFile(io.BytesIO(data))
    first = archive.infolist()[0]
    assert first.filename == "mimetype" and first.compress_type == zipfile.ZIP_STORED and not first.extra
    assert archive.read("mimetype") == b"application/vnd.etsi.asic-e+zip"
    # The media type sits at a fixed offset so tools can sniff it (as in ODF and ASiC).
    assert data[30:38] == b"mimetype" and data[38:38 + 31] == b"application/vnd.etsi.asic-e+zip"
    manifest = archive.read("META-INF/manifest.xml").decode()
    assert 'manifest:full-path="notice.json" manifest:media-type="application/json"' in manifest
    assert 'manifest:full-path="notice.pdf" manifest:media-type="application/pdf"' in manifest
    assert archive.read("META-INF/signature.p7s") == b"\x30\x00"
    assert archive.namelist() == ["mimetype", "notice.json", "notice.pdf", "META-INF/manifest.xml",
                                  "META-INF/signature.p7s"]


def test_download_names_keep_azerbaijani_letters_with_an_ascii_fallback():
    name = documents.notice_filename("ƏM/2026 15", "pdf")
    header = documents.content_disposition(name)
    assert header.startswith('attachment; filename="')
    fallback = header.split('filename="')[1].split('"')[0]
    assert fallback.isascii() and fallback.endswith(".pdf") and "EM-2026-15" in fallback
    assert unquote(header.split("filename*=UTF-8''")[1]) == "Əmək müqaviləsi bildirişi ƏM-2026-15.pdf"


def test_dates_are_shown_day_first():
    assert documents.az_date("2026-03-04") == "04.03.2026"
    assert documents.az_date(None) == "—"
