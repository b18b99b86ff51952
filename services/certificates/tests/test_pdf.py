"""The printed certificate and its seal, made in-process: Azerbaijani text survives, the salary
appears only on the salary type, the PAdES seal validates against the seal's CA and breaks when
a single byte changes."""
from __future__ import annotations

import io
from datetime import date, datetime, timezone

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader

from certificates_service import domain, numbers, pdf, seal
from certificates_service.settings import CertificatesSettings
from egov_kit import pki

NOW = datetime(2026, 11, 23, 9, 30, tzinfo=timezone.utc)
CONTRACT = {"_id": "n-1", "status": "signed", "employee_fin": "4RD6YFC", "employer_voen": "1701100231",
            "employer_name": '"Şəki İpək" Açıq Səhmdar Cəmiyyəti', "position": "Baş mühasib (ağır iş)",
            "start_date": "2024-03-01", "contract_number": "EM-2024/17", "contract_type": "indefinite",
            "end_date": None, "salary_qepik": 125050}
HOLDER = {"fin": "4RD6YFC", "surname": "Həsənova", "name": "Nərmin", "patronymic": "Əli qızı",
          "full_name": "Həsənova Nərmin Əli qızı"}


class MemoryRepo:
    def __init__(self):
        self.material = None

    def seal_material(self):
        return self.material

    def insert_seal_material(self, material):
        self.material = self.material or material
        return self.material


@pytest.fixture(scope="module")
def sealer():
    return seal.load_sealer(CertificatesSettings(), MemoryRepo())


@pytest.fixture(scope="module")
def fonts():
    return pdf.font_cache(CertificatesSettings().font_dir)


def make(kind: str, sealer, fonts, **req) -> tuple[dict, bytes]:
    number = numbers.generate()
    request = {"type": kind, "valid_until": date(2026, 12, 31), "purpose": "01", "destination": "general", **req}
    addressee = {"voen": "9900072351", "name": "Dan Ulduzu Bank"} if req.get("destination") == "addressed" else None
    cert = domain.new_certificate(number, HOLDER, CONTRACT, request, {"code": "01", "name_az": "Bank üçün"},
                                  addressee, NOW)
    raw = pdf.render(domain.pdf_rows(cert), number=number, issued_at=NOW, fonts=fonts,
                     verification_url=f"https://e-xidmet.example.az/certificates/verify/{number}")
    return cert, sealer.seal(raw)


def test_the_form_in_azerbaijani_with_the_verification_link(sealer, fonts, read_pdf_text):
    cert, data = make("employment", sealer, fonts, destination="addressed", addressee_voen="9900072351")
    text = read_pdf_text(data)
    for shown in ("İş yerinə dair arayış", cert["number"], "Həsənova Nərmin Əli qızı", "4RD6YFC",
                  '"Şəki İpək" Açıq Səhmdar Cəmiyyəti', "Baş mühasib (ağır iş)", "01.03.2024", "Bank üçün",
                  "Dan Ulduzu Bank (VÖEN 9900072351)", "31.12.2026", "23.11.2026", "Ünvanlı",
                  f"https://e-xidmet.example.az/certificates/verify/{cert['number']}"):
        assert shown in text, shown
    assert "Əmək haqqı" not in text and "1250.50" not in text
    assert PdfFileReader(io.BytesIO(data)).root["/Pages"]["/Count"] == 1  # the form fits one page


def test_salary_only_on_the_salary_type(sealer, fonts, read_pdf_text):
    _, data = make("employment_with_salary", sealer, fonts)
    text = read_pdf_text(data)
    assert "Əmək haqqı göstərilməklə iş yerindən arayış" in text
    assert "Əmək haqqı:" in text and "1250.50 AZN" in text


def test_seal_validates_and_a_changed_byte_breaks_it(sealer, fonts, check_seal, tamper):
    _, data = make("employment", sealer, fonts)
    status = check_seal(data, sealer.ca_pem)
    assert status.intact and status.valid and status.trusted and status.bottom_line
    assert "Nazirliyi" in status.signing_cert.subject.human_friendly
    broken = check_seal(tamper(data), sealer.ca_pem)
    assert not broken.intact and not broken.bottom_line


def test_a_stranger_s_ca_does_not_vouch_for_the_seal(sealer, fonts, check_seal):
    _, data = make("employment", sealer, fonts)
    other = pki.generate_ca("Somebody else")
    status = check_seal(data, other.cert_pem)
    assert status.intact and not status.trusted and not status.bottom_line


def test_letters_outside_the_cut_down_font_fall_back_to_the_full_font(fonts, read_pdf_text):
    rows = [("Vəzifə", "Инженер ⅓ ставки ✓")]
    data = pdf.render(rows, number="AR-00000-00000-00000", verification_url="https://x.example/az", issued_at=NOW,
                      fonts=fonts)
    assert "Инженер ⅓ ставки ✓" in read_pdf_text(data)


def _embedded_glyphs(data: bytes) -> list[tuple[str, str, list]]:
    """(font name, character, outline) of every character the PDF's fonts map a code to: the
    outline of the glyph its code draws, as embedded."""
    import re

    from fontTools.pens.recordingPen import DecomposingRecordingPen
    from fontTools.ttLib import TTFont

    reader = PdfFileReader(io.BytesIO(data), strict=False)
    page = reader.root["/Pages"]["/Kids"][0].get_object()
    found = []
    for ref in page["/Resources"]["/Font"].values():
        font = ref.get_object()
        cid_font = font["/DescendantFonts"][0].get_object()
        embedded = TTFont(io.BytesIO(cid_font["/FontDescriptor"]["/FontFile2"].get_object().data))
        glyph_set, order = embedded.getGlyphSet(), embedded.getGlyphOrder()
        gids = cid_font["/CIDToGIDMap"].get_object().data
        cmap = font["/ToUnicode"].get_object().data
        for code, text in re.findall(rb"<([0-9A-F]{4})> <([0-9A-F]+)>", cmap):
            cid = int(code, 16)
            gid = int.from_bytes(gids[2 * cid:2 * cid + 2], "big")
            pen = DecomposingRecordingPen(glyph_set)
            glyph_set[order[gid]].draw(pen)
            found.append((str(font["/BaseFont"]), bytes.fromhex(text.decode()).decode("utf-16-be"), pen.value))
    return found


def test_every_letter_is_drawn_with_its_own_glyph(fonts):
    """Composed letters (ş, İ, ə with their marks) and letters that one certificate uses and the one
    before it did not: each code draws DejaVu's own outline of its character."""
    from fontTools.pens.recordingPen import DecomposingRecordingPen
    from fontTools.ttLib import TTFont

    font_dir = CertificatesSettings().font_dir
    originals = {"Book": TTFont(f"{font_dir}/DejaVuSans.ttf"), "Bold": TTFont(f"{font_dir}/DejaVuSans-Bold.ttf")}
    seen: set[str] = set()
    for name in ("Həsənova Nərmin Əli qızı", "Şükürova Züleyxa Çingiz qızı — İĞÖÜÇ ığöüç № 1250.50 €"):
        data = pdf.render([("Soyadı, adı, atasının adı", name)], number="AR-00000-00000-00000",
                          verification_url="https://x.example/az", issued_at=NOW, fonts=fonts)
        glyphs = _embedded_glyphs(data)
        assert {ch for _, ch, _ in glyphs} >= set(name.replace(" ", "")), name
        for base_font, ch, outline in glyphs:
            if not ch.isprintable():  # .notdef and the like, kept by the subset for no character
                continue
            original = originals["Bold" if base_font.endswith("Bold") else "Book"]
            pen = DecomposingRecordingPen(original.getGlyphSet())
            original.getGlyphSet()[original.getBestCmap()[ord(ch)]].draw(pen)
            assert outline == pen.value, (base_font, ch)
            seen.add(ch)
    assert {"ş", "İ", "ə", "Ə", "ü", "€"} <= seen


def test_the_seal_is_made_once_and_the_winner_is_kept():
    repo = MemoryRepo()
    first = seal.load_sealer(CertificatesSettings(), repo)
    again = seal.load_sealer(CertificatesSettings(), repo)
    assert first.ca_pem == again.ca_pem and first.system.cert_pem == again.system.cert_pem


def test_seal_from_the_environment(sealer):
    material = seal.new_seal_material()
    settings = CertificatesSettings(seal_cert_pem=material["cert_pem"], seal_key_pem=material["key_pem"],
                                   seal_ca_pem=material["ca_cert_pem"])
    given = seal.load_sealer(settings, MemoryRepo())
    assert given.ca_pem == material["ca_cert_pem"]
    with pytest.raises(RuntimeError):
        seal.load_sealer(CertificatesSettings(seal_cert_pem=material["cert_pem"]), MemoryRepo())
