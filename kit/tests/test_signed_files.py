"""The signed files every service hands out: a PAdES signature finished from stored bytes (as
between two requests) that validates and shows tampering, the ADoc container's layout, and
download names that keep Azerbaijani letters — with real keys from a throw-away test CA."""
from __future__ import annotations

import io
import zipfile
from datetime import datetime, timezone
from urllib.parse import unquote

import pytest
from flask import Flask
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from egov_kit import adoc, pades, pdfdoc, pki
from egov_kit.files import content_disposition, file_response, safe_name_part


@pytest.fixture(scope="module")
def ca():
    return pki.generate_ca()


@pytest.fixture(scope="module")
def signer(ca):
    return pki.issue_certificate(ca, common_name="Aygün Şükürova", fin="2PLX9DM", given_name="Aygün",
                                 surname="Şükürova")


def _pdf() -> bytes:
    pdf = pdfdoc.DocumentPdf("Sınaq", "/usr/share/fonts/truetype/dejavu")
    pdf.add_page()
    pdfdoc.line(pdf, "Qeydiyyat nömrəsi: BH-2026-000001")
    pdfdoc.verification_block(pdf, qr_data="http://127.0.0.1:8080/check/1", link="http://127.0.0.1:8080/check/1",
                              paragraphs=[("Elektron imza", True)])
    return bytes(pdf.output())


def test_a_pades_signature_finished_from_stored_bytes_validates(ca, signer):
    prepared = pades.prepare(_pdf(), reason="sınaq", location="Bakı", signer_name="Şükürova Aygün")
    # What is stored between the two requests: plain bytes and two offsets.
    stored = pades.PreparedPdf(bytes(prepared.prepared), bytes(prepared.digest), int(prepared.region_start),
                               int(prepared.region_end))
    cms = pki.sign_digest_cms(signer, stored.digest, ca=ca, pades=True)
    assert pki.verify_detached_cms(cms, stored.signed_range_content(), [ca]).fin == "2PLX9DM"
    signed = pades.finish(stored, cms)

    context = ValidationContext(trust_roots=[ca.asn1_cert], allow_fetching=False)
    status = validate_pdf_signature(PdfFileReader(io.BytesIO(signed)).embedded_signatures[0], context)
    assert status.intact and status.valid and status.trusted

    tampered = bytearray(signed)
    at = signed.index(b"/URI (") + 10
    tampered[at] ^= 0x01
    status = validate_pdf_signature(PdfFileReader(io.BytesIO(bytes(tampered))).embedded_signatures[0], context)
    assert not status.intact


def test_adoc_container_layout():
    data = adoc.build_adoc(
        documents=[("report.json", "application/json", b'{"a":1}'), ("report.pdf", "application/pdf", b"%PDF-1.4")],
        signatures=[("META-INF/signature.p7s", b"\x30\x00")],
        fixed_time=datetime(2026, 11, 23, 15, 0, tzinfo=timezone.utc))
    archive = zipfile.ZipFile(io.BytesIO(data))
    first = archive.infolist()[0]
    assert first.filename == "mimetype" and first.compress_type == zipfile.ZIP_STORED and not first.extra
    assert archive.read("mimetype") == adoc.MIMETYPE.encode()
    # The media type sits at a fixed offset so tools can sniff it (as in ODF and ASiC).
    assert data[30:38] == b"mimetype" and data[38:38 + 31] == b"application/vnd.etsi.asic-e+zip"
    manifest = archive.read("META-INF/manifest.xml").decode()
    assert 'manifest:full-path="report.json" manifest:media-type="application/json"' in manifest
    assert 'manifest:full-path="report.pdf" manifest:media-type="application/pdf"' in manifest
    assert archive.namelist() == ["mimetype", "report.json", "report.pdf", "META-INF/manifest.xml",
                                  "META-INF/signature.p7s"]
    again = adoc.build_adoc(
        documents=[("report.json", "application/json", b'{"a":1}'), ("report.pdf", "application/pdf", b"%PDF-1.4")],
        signatures=[("META-INF/signature.p7s", b"\x30\x00")],
        fixed_time=datetime(2026, 11, 23, 15, 0, tzinfo=timezone.utc))
    assert again == data  # the same document, the same bytes


def test_download_names_keep_azerbaijani_letters_with_an_ascii_fallback():
    name = f"Bədbəxt hadisə barədə bildiriş {safe_name_part('BH/2026 000123')}.pdf"
    header = content_disposition(name)
    assert header.startswith('attachment; filename="')
    fallback = header.split('filename="')[1].split('"')[0]
    assert fallback.isascii() and fallback.endswith(".pdf") and "BH-2026-000123" in fallback
    assert fallback.startswith("Bedbext_hadise_barede_bildiris")
    assert unquote(header.split("filename*=UTF-8''")[1]) == "Bədbəxt hadisə barədə bildiriş BH-2026-000123.pdf"
    assert safe_name_part("  ") == "sened"


def test_a_file_of_personal_data_is_never_kept_by_shared_caches():
    with Flask(__name__).test_request_context():
        response = file_response(b"%PDF-1.7", "application/pdf", "Şəxsi.pdf")
    assert response.mimetype == "application/pdf" and response.get_data() == b"%PDF-1.7"
    assert response.headers["Cache-Control"] == "private, no-store"
    assert "filename*=UTF-8''%C5%9E%C9%99xsi.pdf" in response.headers["Content-Disposition"]
