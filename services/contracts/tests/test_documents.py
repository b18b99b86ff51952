"""The notice's PDF and its download file names (the PAdES signature finished from stored bytes
and the ADoc container are the kit's, tested with it: kit/tests/test_signed_files.py)."""
from __future__ import annotations

from datetime import datetime, timezone
from urllib.parse import unquote

import pytest

from egov_kit.files import content_disposition
from egov_kit.pdfdoc import page_text

from contracts_service import documents, domain
from contracts_service.settings import ContractsSettings

from .test_domain import NOTICE

CHECK_URL = "http://127.0.0.1:8080/api/contracts/notices/n1/check"


@pytest.fixture(scope="module")
def pdf():
    content = domain.notice_content({**NOTICE, "contract_type": "fixed_term", "end_date": "2027-11-30"})
    return documents.render_notice_pdf(content, notice_id="n1", check_url=CHECK_URL,
                                       created_at=datetime(2026, 11, 23, 15, 0, tzinfo=timezone.utc),
                                       signer_name="Şükürova Aygün", font_dir=ContractsSettings().pdf_font_dir)


def test_pdf_shows_the_notice_in_azerbaijani(pdf):
    assert pdf.startswith(b"%PDF")
    text = page_text(pdf)
    for expected in ("Əmək müqaviləsi bildirişi", "Şəki İnşaat MMC", "1701100121", "Həsənova", "4RD6YFC",
                     "04.03.1990", "Mühasib", "ƏM-15", "20.11.2026", "01.12.2026", "Müddətli", "30.11.2027",
                     "1250.50 AZN", "Tam iş vaxtı", "Maliyyə şöbəsi", CHECK_URL):
        assert expected.replace(" ", "") in text.replace(" ", ""), expected
    assert b"/URI (" + CHECK_URL.encode() + b")" in pdf  # the link is clickable too


def test_pdf_says_how_it_was_signed(pdf):
    assert '"Asanİmza"vasitəsiləelektronimzalanmışdır' in page_text(pdf).replace(" ", "")
    content = domain.notice_content(NOTICE)
    by_card = documents.render_notice_pdf(content, notice_id="n1", check_url=CHECK_URL,
                                          created_at=datetime(2026, 11, 23, 15, 0, tzinfo=timezone.utc),
                                          signer_name="Şükürova Aygün", font_dir=ContractsSettings().pdf_font_dir,
                                          method="card")
    text = page_text(by_card).replace(" ", "")
    assert "elektronimzakartıiləimzalanmışdır" in text and "Asan" not in text


def test_download_names_keep_azerbaijani_letters_with_an_ascii_fallback():
    name = documents.notice_filename("ƏM/2026 15", "pdf")
    header = content_disposition(name)
    assert header.startswith('attachment; filename="')
    fallback = header.split('filename="')[1].split('"')[0]
    assert fallback.isascii() and fallback.endswith(".pdf") and "EM-2026-15" in fallback
    assert unquote(header.split("filename*=UTF-8''")[1]) == "Əmək müqaviləsi bildirişi ƏM-2026-15.pdf"


def test_dates_are_shown_day_first():
    assert documents.az_date("2026-03-04") == "04.03.2026"
    assert documents.az_date(None) == "—"
