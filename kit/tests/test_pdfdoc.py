"""The PDF building blocks: Azerbaijani text set in DejaVu comes out right (read back through each
font's ToUnicode map), the fonts are parsed once per process however many documents are made, at
the same time too, and dates read as people here read them."""
from __future__ import annotations

import threading
from datetime import datetime, timezone

from egov_kit import pdfdoc
from egov_kit.pdfdoc import page_text

FONT_DIR = "/usr/share/fonts/truetype/dejavu"
def document(name: str) -> bytes:
    pdf = pdfdoc.DocumentPdf(f"Sınaq sənədi · {name}", FONT_DIR)
    pdf.add_page()
    pdfdoc.heading(pdf, "Əmək və Əhalinin Sosial Müdafiəsi Nazirliyi", "Bildiriş", "İstehsalatda bədbəxt hadisə")
    pdfdoc.section(pdf, "1. Şəxs", [("Soyadı, adı", name), ("Boş", "")])
    pdfdoc.table(pdf, "2. Cədvəl", ["№", "Ad"], [["1", name]], col_widths=(20, 154))
    pdfdoc.verification_block(pdf, qr_data="https://example.az/yoxla", link="https://example.az/yoxla",
                              paragraphs=[("Elektron imza", True), ("Yoxlamaq üçün:", False)])
    pdfdoc.diagonal_mark(pdf, "QARALAMA")
    return bytes(pdf.output())


def test_azerbaijani_text_comes_out_as_written():
    pdf = document("Şükürova Aygün Elçin qızı")
    assert pdf.startswith(b"%PDF")
    text = page_text(pdf).replace(" ", "")
    for expected in ("Bildiriş", "İstehsalatdabədbəxthadisə", "1.Şəxs", "ŞükürovaAygünElçinqızı", "—",
                     "2.Cədvəl", "Elektronimza", "https://example.az/yoxla", "QARALAMA", "Sınaqsənədi"):
        assert expected in text, expected
    assert b"/URI (https://example.az/yoxla)" in pdf


def test_any_letter_a_person_may_type_is_kept_though_the_fonts_are_lightened():
    # The fonts lose their layout tables, not their glyphs: Cyrillic, Greek and Turkish letters in
    # a name or a description come out as typed.
    pdf = document("Иванова Ольга · Παπαδοπούλου · Öztürk Ğ")
    text = page_text(pdf)
    for expected in ("Иванова", "Ольга", "Παπαδοπούλου", "Öztürk", "Ğ"):
        assert expected in text, expected


def test_fonts_are_parsed_once_however_many_documents_at_once(monkeypatch):
    document("Birinci")
    parsed = dict(pdfdoc.FONTS._fonts)
    assert len(parsed) == 2  # regular and bold
    parses = []
    original = pdfdoc.FPDF.add_font
    monkeypatch.setattr(pdfdoc.FPDF, "add_font", lambda self, *a, **k: (parses.append(a), original(self, *a, **k)))
    names = ["Həsənova Nərmin", "Ağayev Tuğrul", "İsmayılova Ülviyyə", "Cəfərov Şahin"] * 2
    results: dict[int, bytes] = {}

    def make(slot: int, name: str):
        results[slot] = document(name)

    threads = [threading.Thread(target=make, args=(slot, name)) for slot, name in enumerate(names)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(results) == len(names) and parses == []
    for slot, name in enumerate(names):
        # Each document has its own glyph subset: every name comes out right.
        assert name.replace(" ", "") in page_text(results[slot]).replace(" ", ""), name
    assert pdfdoc.FONTS._fonts == parsed


def test_dates_and_durations_read_the_local_way():
    assert pdfdoc.az_date("2026-03-04") == "04.03.2026" and pdfdoc.az_date(None) == "—"
    assert pdfdoc.az_instant(datetime(2026, 11, 20, 21, 30, tzinfo=timezone.utc)) == "21.11.2026 01:30"
    assert pdfdoc.az_instant(None) == "—"
    assert pdfdoc.az_duration(26 * 60 + 5) == "1 gün 2 saat 5 dəqiqə"
    assert pdfdoc.az_duration(60) == "1 saat" and pdfdoc.az_duration(0) == "0 dəqiqə"
