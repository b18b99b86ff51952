"""The report as people read it: the notice that is signed (registration number, every section of
the manual, the deadline, the verification link and its QR code) and the draft's preview, marked
on every page as not submitted — read back from the PDF as a reader sees it."""
from __future__ import annotations

import copy
from datetime import datetime, timedelta, timezone

import pytest

from accidents_service import documents
from accidents_service.settings import AccidentsSettings
from egov_kit.pdfdoc import page_text

from .test_domain import REPORT

CHECK_URL = "http://127.0.0.1:8080/api/accidents/reports/r1/check"
CREATED = datetime(2026, 11, 21, 12, 45, tzinfo=timezone.utc)  # 16:45 in Baku, 30 h 15 min after


def all_text(pdf: bytes) -> str:
    pages = []
    while True:
        try:
            pages.append(page_text(pdf, len(pages)))
        except (IndexError, KeyError):
            return " ".join(pages).replace(" ", "")


def fatal_report() -> dict:
    report = copy.deepcopy(REPORT)
    report["employer"]["activity"] = {"code": "13.20", "name": "Toxuculuq məmulatlarının istehsalı", "section": "C"}
    report["incident"].update(deviation="40", deviation_name="Maşın üzərində nəzarətin itirilməsi",
                              contact="60", contact_name="Sıxılma, əzilmə və s.",
                              material_agent="10", material_agent_name="Maşın və avadanlıq — stasionar")
    report["victims"][0].update(outcome="died", injury="120", injury_name="Çoxsaylı xəsarətlər", body_part="70",
                                body_part_name="Bütün bədən və bir neçə nahiyə")
    return report


@pytest.fixture(scope="module")
def signed_pdf() -> bytes:
    return documents.render_report_pdf(fatal_report(), number="BH-2026-000042", created_at=CREATED,
                                       font_dir=AccidentsSettings().pdf_font_dir, signer_name="Məmmədov İlqar",
                                       check_url=CHECK_URL)


def test_the_signed_notice_shows_every_section_in_azerbaijani(signed_pdf):
    assert signed_pdf.startswith(b"%PDF")
    text = all_text(signed_pdf)
    for expected in (
            "İstehsalatda baş verən bədbəxt hadisə barədə bildiriş", "Qeydiyyat nömrəsi: BH-2026-000042",
            "Tərtib tarixi: 21.11.2026 16:45",
            "1. İşəgötürən", "\"Xəzər Ulduzu İnşaat\" MMC", "1701100121", "Bakı, Nizami küç. 5",
            "13.20 — Toxuculuq məmulatlarının istehsalı",
            "2. Hadisə", "20.11.2026", "10:30", "Şəki şəhəri", "İpəkyolu küç. 3, sex 2",
            "İşçi iskele üzərindən yıxılıb.", "40 — Maşın üzərində nəzarətin itirilməsi", "60 — Sıxılma, əzilmə və s.",
            "3. Zərərçəkənlər", "4RD6YFC", "Həsənova Nərmin İlqar qızı", "09.09.1996", "Vəfat edib",
            "120 — Çoxsaylı xəsarətlər", "Ağayev Tuğrul Çingiz oğlu", "Xəsarət alıb", "12",
            "4. Məlumat verən", "Məmmədov İlqar Rəşid oğlu", "+994501112233", "ilqar@example.az",
            "5. Müddət", "1 gün 6 saat 15 dəqiqə", "21.11.2026 10:30", "Gecikdirilib",
            "Elektron imza", "İmzalayan: Məmmədov İlqar", CHECK_URL):
        assert expected.replace(" ", "") in text, expected
    assert "TƏQDİMEDİLMƏYİB" not in text
    assert b"/URI (" + CHECK_URL.encode() + b")" in signed_pdf  # the link is clickable too


def test_the_draft_preview_is_marked_as_not_submitted_on_every_page():
    report = fatal_report()
    report["victims"] = report["victims"] * 12  # long enough for a second page
    pdf = documents.render_report_pdf(report, number=None, created_at=CREATED,
                                      font_dir=AccidentsSettings().pdf_font_dir)
    first, second = page_text(pdf, 0).replace(" ", ""), page_text(pdf, 1).replace(" ", "")
    assert "TƏQDİMEDİLMƏYİB" in first and "TƏQDİMEDİLMƏYİB" in second
    assert "hələelektronimzailətəsdiqedilməyib" in first and "Qeydiyyatnömrəsi" not in first
    assert "qaralama" in first and "Elektronimza" not in all_text(pdf) and b"/URI" not in pdf


def test_a_report_filed_in_time_is_not_marked_late(signed_pdf):
    on_time = documents.render_report_pdf(fatal_report(), number="BH-2026-000043",
                                          created_at=datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc),
                                          font_dir=AccidentsSettings().pdf_font_dir, signer_name="Məmmədov İlqar",
                                          check_url=CHECK_URL)
    text = all_text(on_time)
    assert "2saat30dəqiqə" in text and "Gecikdirilib" not in text
    nobody_died = documents.render_report_pdf(REPORT, number="BH-2026-000044", created_at=CREATED + timedelta(days=3),
                                              font_dir=AccidentsSettings().pdf_font_dir, signer_name="X",
                                              check_url=CHECK_URL)
    assert "sonmüddəti" not in all_text(nobody_died)


def test_file_names_name_the_registration_number():
    assert documents.report_filename("BH-2026-000042", "pdf") == "Bədbəxt hadisə barədə bildiriş BH-2026-000042.pdf"
    assert documents.report_filename(None, "pdf").endswith("(qaralama).pdf")
