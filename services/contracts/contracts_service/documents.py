"""The notice as people read it (PDF), and the names its downloads go by. No Flask, no Mongo."""
from __future__ import annotations

import os
from datetime import date, datetime

import segno
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from egov_kit.clock import BAKU, format_date
from egov_kit.files import safe_name_part
from egov_kit.signing import signed_with

from .domain import domain_label

MINISTRY = "Azərbaycan Respublikası Əmək və Əhalinin Sosial Müdafiəsi Nazirliyi"
TITLE = "Əmək müqaviləsi bildirişi"
SUBTITLE = "Əmək müqaviləsinin bağlanılması ilə bağlı Əmək Müqaviləsi Bildirişi"


def az_date(value: str | date | None) -> str:
    """Dates are shown to people as dd.mm.yyyy."""
    return format_date(value) or "—"


def az_instant(moment: datetime) -> str:
    return moment.astimezone(BAKU).strftime("%d.%m.%Y %H:%M")


class _NoticePdf(FPDF):
    def __init__(self, footer_text: str, font_dir: str):
        super().__init__(format="A4", unit="mm")
        self._footer_text = footer_text
        self.add_font("DejaVu", "", os.path.join(font_dir, "DejaVuSans.ttf"))
        self.add_font("DejaVu", "B", os.path.join(font_dir, "DejaVuSans-Bold.ttf"))
        self.set_margins(18, 16, 18)
        self.set_auto_page_break(True, margin=18)

    def footer(self):
        self.set_y(-13)
        self.set_font("DejaVu", "", 7)
        self.set_text_color(110, 110, 110)
        self.cell(0, 5, f"{self._footer_text} · {self.page_no()}/{{nb}}", align="C")


def _section(pdf: FPDF, heading: str, rows: list[tuple[str, str]]) -> None:
    pdf.ln(3)
    pdf.set_font("DejaVu", "B", 10.5)
    pdf.set_fill_color(232, 238, 246)
    pdf.cell(0, 7, heading, fill=True, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("DejaVu", "", 9.5)
    pdf.set_fill_color(255, 255, 255)
    with pdf.table(col_widths=(70, 104), first_row_as_headings=False, line_height=5.4, text_align="LEFT",
                   borders_layout="HORIZONTAL_LINES", padding=1.2) as table:
        for label, value in rows:
            row = table.row()
            row.cell(label)
            row.cell(value or "—")


def _draw_qr(pdf: FPDF, data: str, x: float, y: float, size: float) -> None:
    """The QR code as vector squares (crisp at any zoom, nothing to decode on the way)."""
    qr = segno.make(data, error="m")
    rows = list(qr.matrix_iter(scale=1, border=0))
    module = size / len(rows)
    pdf.set_fill_color(0, 0, 0)
    for r, row in enumerate(rows):
        c = 0
        while c < len(row):
            if row[c]:
                start = c
                while c < len(row) and row[c]:
                    c += 1
                pdf.rect(x + start * module, y + r * module, (c - start) * module, module, style="F")
            else:
                c += 1


def render_notice_pdf(content: dict, *, notice_id: str, check_url: str, created_at: datetime,
                      signer_name: str, font_dir: str, method: str | None = None) -> bytes:
    """The notice laid out for reading and printing, with the verification link and its QR code.
    `font_dir` holds DejaVuSans(-Bold).ttf: Azerbaijani letters need a Unicode TrueType font."""
    employer, employee = content["employer"], content["employee"]
    pdf = _NoticePdf(f"{TITLE} · {notice_id}", font_dir)
    pdf.set_creation_date(created_at)
    pdf.set_title(f"{TITLE} № {content['contract_number']}")
    pdf.set_subject(SUBTITLE)
    pdf.set_author(employer["name"])
    pdf.set_creator(MINISTRY)
    pdf.set_lang("az")
    pdf.alias_nb_pages()
    pdf.add_page()

    pdf.set_font("DejaVu", "", 8.5)
    pdf.set_text_color(70, 70, 70)
    pdf.cell(0, 5, MINISTRY, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(0, 0, 0)
    pdf.ln(2)
    pdf.set_font("DejaVu", "B", 16)
    pdf.cell(0, 9, TITLE, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("DejaVu", "", 9.5)
    pdf.cell(0, 6, SUBTITLE, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(2)
    pdf.set_font("DejaVu", "", 8.5)
    pdf.cell(0, 5, f"Bildirişin identifikatoru: {notice_id}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.cell(0, 5, f"Tərtib tarixi: {az_instant(created_at)}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    document = employee.get("id_document") or {}
    document_text = " ".join(p for p in (document.get("series"), document.get("number")) if p)
    _section(pdf, "1. İşəgötürən", [
        ("Adı", employer["name"]),
        ("VÖEN", employer["voen"]),
        ("Hüquqi ünvanı", employer.get("legal_address", "")),
    ])
    _section(pdf, "2. İşçi", [
        ("Soyadı, adı, atasının adı",
         " ".join(p for p in (employee.get("surname"), employee.get("name"), employee.get("patronymic")) if p)),
        ("FİN", employee["fin"]),
        ("Doğum tarixi", az_date(employee.get("birth_date"))),
        ("Şəxsiyyət vəsiqəsi (seriya, nömrə)", document_text),
        ("Yaşayış ünvanı", employee.get("address", "")),
    ])
    term_rows = [("Əmək müqaviləsinin növü", domain_label("contract_type", content["contract_type"]))]
    if content.get("end_date"):
        term_rows.append(("Müddətin bitmə tarixi", az_date(content["end_date"])))
    _section(pdf, "3. Əmək müqaviləsi", [
        ("Vəzifə (peşə)", content["position"]),
        ("Peşə təsnifatı üzrə kod", f"{content['occupation_code']} — {content.get('occupation_name', '')}".strip(" —")),
        ("İş yeri (struktur bölmə)", content["workplace"]),
        ("Əmək müqaviləsinin nömrəsi", content["contract_number"]),
        ("Əmək müqaviləsinin bağlanma tarixi", az_date(content["contract_date"])),
        ("İşə başlama tarixi", az_date(content["start_date"])),
        *term_rows,
        ("Aylıq əmək haqqı", f"{content['salary']} AZN"),
        ("İş vaxtı", domain_label("working_time", content["working_time"])),
    ])

    pdf.ln(6)
    qr_size = 32
    if pdf.get_y() + qr_size + 4 > pdf.h - 20:
        pdf.add_page()
    top = pdf.get_y()
    _draw_qr(pdf, check_url, pdf.l_margin, top, qr_size)
    text_x = pdf.l_margin + qr_size + 6
    width = pdf.w - pdf.r_margin - text_x
    y = top

    def paragraph(text: str, *, bold: bool = False, link: str | None = None, gap: float = 0.0) -> float:
        pdf.set_xy(text_x, y + gap)
        pdf.set_font("DejaVu", "B" if bold else "", 9.5 if bold else 8.5)
        pdf.multi_cell(width, 4.8, text, link=link or "", new_x=XPos.LEFT, new_y=YPos.NEXT)
        return pdf.get_y()

    y = paragraph("Elektron imza", bold=True)
    y = paragraph(f"Bildiriş {signed_with(method)} imzalanmışdır. İmzalayan: {signer_name}.")
    y = paragraph("Bildirişin həqiqiliyini yoxlamaq üçün QR kodu oxudun və ya keçidə daxil olun:", gap=1.5)
    pdf.set_text_color(20, 60, 140)
    paragraph(check_url, link=check_url)
    pdf.set_text_color(0, 0, 0)
    return bytes(pdf.output())


# --- file names ---------------------------------------------------------------------------

def notice_filename(contract_number: str, extension: str) -> str:
    return f"Əmək müqaviləsi bildirişi {safe_name_part(contract_number, 'bildiris')}.{extension}"
