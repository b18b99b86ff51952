"""Building blocks of the suite's PDFs (fpdf2): a page set in DejaVu with Azerbaijani letters, its
fonts parsed once per process, labelled sections, a vector QR code, a diagonal mark across a
draft, and dates and instants as people read them here.

    pdf = DocumentPdf(footer_text="Bildiriş · 1a2b", font_dir=settings.pdf_font_dir)
    pdf.add_page()
    section(pdf, "1. İşəgötürən", [("Adı", name), ("VÖEN", voen)])
    draw_qr(pdf, check_url, x, y, 32)
    return bytes(pdf.output())

No Flask, no database."""
from __future__ import annotations

import copy
import io
import logging
import math
import os
import re
import threading
from datetime import date, datetime

import segno
from fontTools import ttLib
from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import FontFace, SubsetMap

from .clock import BAKU, as_utc, format_date

# fontTools tells of every table it subsets at INFO: forty lines a document, nothing to act on.
logging.getLogger("fontTools").setLevel(logging.WARNING)

FAMILY = "DejaVu"
# style → file in the font folder
FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}


# --- fonts, parsed once per process -----------------------------------------------------------

# Tables for text shaping and kerning, which fpdf2 uses only when text shaping is turned on (it is
# not here). Each document's font is cut down to its glyphs when written, and cutting these tables
# (DejaVu's are large) is most of that work: they are dropped once, every glyph kept.
LAYOUT_TABLES = ("GSUB", "GPOS", "GDEF", "kern", "MATH", "FFTM", "hdmx")


def _without_layout_tables(path: str) -> bytes:
    font = ttLib.TTFont(path, recalcTimestamp=False, recalcBBoxes=False)
    for tag in LAYOUT_TABLES:
        if tag in font:
            del font[tag]
    out = io.BytesIO()
    font.save(out)
    font.close()
    return out.getvalue()


class _FontTemplates:
    """Parsing a TrueType font (its character map and widths) takes most of the time of a small
    PDF, and it is the same work for every document. Each font file is parsed once per process
    (and kept without its layout tables);
    a document gets a copy of the parsed font with its own glyph subset and its own fontTools
    object, opened from the file's bytes kept in memory (fpdf2 cuts that object down to the glyphs
    used when it writes the document, so it must be the document's own)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._fonts: dict[tuple[str, str, str], tuple[object, bytes]] = {}

    def _template(self, family: str, style: str, path: str):
        key = (family.lower(), style, path)
        found = self._fonts.get(key)
        if found is None:
            with self._lock:
                found = self._fonts.get(key)
                if found is None:
                    data = _without_layout_tables(path)
                    scratch = FPDF()
                    scratch.add_font(family, style, path)
                    found = self._fonts[key] = (scratch.fonts[f"{family.lower()}{style}"], data)
        return found

    def add(self, pdf: FPDF, family: str, style: str, path: str) -> None:
        """What `pdf.add_font(family, style, path)` does, without parsing the file again."""
        fontkey = f"{family.lower()}{style}"
        if fontkey in pdf.fonts:
            return
        template, data = self._template(family, style, path)
        font = copy.copy(template)
        font.i = len(pdf.fonts) + 1
        # Bounding boxes are not recalculated: fpdf2 opens fonts with that on, which unpacks and
        # recompiles every glyph kept each time a document is written. DejaVu's glyphs carry their
        # bounds and subsetting leaves outlines alone, so they are written as they are (as
        # fontTools' own subsetter does).
        font.ttfont = ttLib.TTFont(io.BytesIO(data), recalcTimestamp=False, recalcBBoxes=False, lazy=True)
        font._hbfont = None
        font.biggest_size_pt = 0
        font.missing_glyphs = []
        font.subset = SubsetMap(font)
        pdf.fonts[fontkey] = font


FONTS = _FontTemplates()


def add_unicode_fonts(pdf: FPDF, font_dir: str) -> None:
    """DejaVu Sans regular and bold (Azerbaijani letters need a Unicode TrueType font)."""
    for style, filename in FONT_FILES.items():
        FONTS.add(pdf, FAMILY, style, os.path.join(font_dir, filename))


class DocumentPdf(FPDF):
    """An A4 page set in DejaVu, with a footer of `footer_text` and the page number."""

    def __init__(self, footer_text: str, font_dir: str):
        super().__init__(format="A4", unit="mm")
        self._footer_text = footer_text
        add_unicode_fonts(self, font_dir)
        self.set_margins(18, 16, 18)
        self.set_auto_page_break(True, margin=18)
        self.alias_nb_pages()

    def footer(self):
        self.set_y(-13)
        self.set_font(FAMILY, "", 7)
        self.set_text_color(110, 110, 110)
        self.cell(0, 5, f"{self._footer_text} · {self.page_no()}/{{nb}}", align="C")
        self.set_text_color(0, 0, 0)


# --- what goes on a page ----------------------------------------------------------------------

def heading(pdf: FPDF, authority: str, title: str, subtitle: str) -> None:
    """The issuing body, the document's title and what it is, centred at the top."""
    pdf.set_font(FAMILY, "", 8.5)
    pdf.set_text_color(70, 70, 70)
    pdf.cell(0, 5, authority, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(0, 0, 0)
    pdf.ln(2)
    pdf.set_font(FAMILY, "B", 16)
    pdf.multi_cell(0, 8, title, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FAMILY, "", 9.5)
    pdf.multi_cell(0, 5.5, subtitle, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(2)


def line(pdf: FPDF, text: str, *, size: float = 8.5, bold: bool = False) -> None:
    pdf.set_font(FAMILY, "B" if bold else "", size)
    pdf.multi_cell(0, 5, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def section(pdf: FPDF, title: str, rows: list[tuple[str, str]], *,
            col_widths: tuple[float, float] = (70, 104)) -> None:
    """A shaded heading and a two-column table of label and value ("—" for an empty value)."""
    pdf.ln(3)
    pdf.set_font(FAMILY, "B", 10.5)
    pdf.set_fill_color(232, 238, 246)
    pdf.cell(0, 7, title, fill=True, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    if not rows:
        return
    pdf.set_font(FAMILY, "", 9.5)
    pdf.set_fill_color(255, 255, 255)
    with pdf.table(col_widths=col_widths, first_row_as_headings=False, line_height=5.4, text_align="LEFT",
                   borders_layout="HORIZONTAL_LINES", padding=1.2) as table:
        for label, value in rows:
            row = table.row()
            row.cell(label)
            row.cell(value or "—")


def table(pdf: FPDF, title: str, headings: list[str], rows: list[list[str]], *,
          col_widths: tuple[float, ...]) -> None:
    """A shaded heading and a table with a heading row."""
    pdf.ln(3)
    pdf.set_font(FAMILY, "B", 10.5)
    pdf.set_fill_color(232, 238, 246)
    pdf.cell(0, 7, title, fill=True, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FAMILY, "", 8.5)
    pdf.set_fill_color(255, 255, 255)
    with pdf.table(col_widths=col_widths, line_height=5, text_align="LEFT", borders_layout="HORIZONTAL_LINES",
                   padding=1.0, headings_style=FontFace(emphasis="BOLD")) as grid:
        head = grid.row()
        for text in headings:
            head.cell(text)
        for values in rows:
            row = grid.row()
            for value in values:
                row.cell(value or "—")


def draw_qr(pdf: FPDF, data: str, x: float, y: float, size: float) -> None:
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
    pdf.set_fill_color(255, 255, 255)


def verification_block(pdf: FPDF, *, qr_data: str, paragraphs: list[tuple[str, bool]], link: str,
                       qr_size: float = 32) -> None:
    """The QR code at the left and, beside it, `paragraphs` ((text, bold) pairs) ending with the
    clickable `link`; on a new page if it does not fit."""
    pdf.ln(6)
    if pdf.get_y() + qr_size + 4 > pdf.h - 20:
        pdf.add_page()
    top = pdf.get_y()
    draw_qr(pdf, qr_data, pdf.l_margin, top, qr_size)
    text_x = pdf.l_margin + qr_size + 6
    width = pdf.w - pdf.r_margin - text_x
    y = top
    for text, bold in paragraphs:
        pdf.set_xy(text_x, y + (0 if y == top else 1))
        pdf.set_font(FAMILY, "B" if bold else "", 9.5 if bold else 8.5)
        pdf.multi_cell(width, 4.8, text, new_x=XPos.LEFT, new_y=YPos.NEXT)
        y = pdf.get_y()
    pdf.set_xy(text_x, y + 1)
    pdf.set_font(FAMILY, "", 8.5)
    pdf.set_text_color(20, 60, 140)
    pdf.multi_cell(width, 4.8, link, link=link, new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_text_color(0, 0, 0)
    pdf.set_y(max(pdf.get_y(), top + qr_size + 2))


def diagonal_mark(pdf: FPDF, text: str, *, size: float = 40) -> None:
    """`text` in large pale letters across the middle of the current page (a draft's mark)."""
    with pdf.local_context(text_color=(205, 60, 60)):
        pdf.set_font(FAMILY, "B", size)
        width = pdf.get_string_width(text)
        cx, cy = pdf.w / 2, pdf.h / 2
        with pdf.rotation(angle=math.degrees(math.atan2(pdf.h, pdf.w)), x=cx, y=cy):
            with pdf.local_context(fill_opacity=0.25, stroke_opacity=0.25):
                pdf.text(cx - width / 2, cy + size * 0.35 / 2.83, text)


# --- how dates and times read -----------------------------------------------------------------

def az_date(value: str | date | None) -> str:
    """Dates are shown to people as dd.mm.yyyy ("—" for none)."""
    return format_date(value) or "—"


def az_instant(moment: datetime | None) -> str:
    """An instant as people here read it: dd.mm.yyyy HH:MM in Baku time ("—" for none)."""
    if moment is None:
        return "—"
    return as_utc(moment).astimezone(BAKU).strftime("%d.%m.%Y %H:%M")


def az_duration(minutes: int) -> str:
    """A span of time in words: "1 gün 3 saat 20 dəqiqə" (whole minutes)."""
    minutes = max(0, int(minutes))
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = [f"{days} gün" if days else "", f"{hours} saat" if hours else "", f"{mins} dəqiqə" if mins else ""]
    return " ".join(p for p in parts if p) or "0 dəqiqə"


# --- reading a page back ---------------------------------------------------------------------

_ESCAPES = {ord("n"): b"\n", ord("r"): b"\r", ord("t"): b"\t", ord("b"): b"\b", ord("f"): b"\f"}


def _literal(raw: bytes, at: int) -> tuple[bytes, int]:
    out, depth = bytearray(), 1
    while True:
        ch = raw[at]
        if ch == 0x5C:
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


def page_text(pdf: bytes, page: int = 0) -> str:
    """Text drawn on a page, decoded through each embedded font's ToUnicode map: what a reader
    of the page sees, for tests (no layout, pieces joined by spaces)."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    kids = PdfFileReader(io.BytesIO(pdf)).root["/Pages"]["/Kids"]
    node = kids[page]
    fonts = node["/Resources"]["/Font"]
    maps = {name: _to_unicode(fonts[name]) for name in fonts}
    raw = node["/Contents"].data
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
