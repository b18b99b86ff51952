"""The printed certificate (fpdf2, DejaVu for the Azerbaijani letters, a vector QR code of the
verification link). Sealing is seal.py's job; this module only lays the page out."""
from __future__ import annotations

import atexit
import logging
import os
import shutil
import tempfile
import threading
from datetime import datetime, timezone
from pathlib import Path

import segno
from fpdf import FPDF

from egov_kit import pdfdoc

from .domain import MINISTRY, TITLE

# fontTools reports every table it prunes at INFO; that is noise in the service's log.
logging.getLogger("fontTools").setLevel(logging.WARNING)

FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}
# What certificates print: Basic Latin, Latin-1 and Latin Extended-A (ç ğ ı İ ö ş ü), Ə ə,
# punctuation, € ₼ №. Kept small on purpose: the smaller the font, the faster every document.
COVERED = [*range(0x20, 0x7F), *range(0xA0, 0x180), 0x18F, 0x259, *range(0x2010, 0x2040), 0x20AC, 0x20BC, 0x2116]


class FontCache:
    """DejaVu cut down once per process to the characters certificates use.

    fpdf2 parses the font file for every document and subsets it again when writing; doing that
    on the full DejaVu (≈6000 glyphs) costs most of a document's time, on the cut-down one little.
    The cut-down files are parsed once per process too (the kit's font templates: each document
    gets a copy with a fontTools object of its own). Text with a character outside the cut-down
    set falls back to the full font."""

    def __init__(self, font_dir: str):
        self.font_dir = Path(font_dir)
        self._lock = threading.Lock()
        self._pid = None
        self._paths: dict[str, str] = {}
        self._covered: frozenset[int] = frozenset()

    def _prepare(self) -> None:
        from fontTools import subset as ftsubset
        from fontTools.ttLib import TTFont

        workdir = tempfile.mkdtemp(prefix="egov-cert-fonts-")
        atexit.register(shutil.rmtree, workdir, True)
        paths, covered = {}, None
        for style, name in FONT_FILES.items():
            options = ftsubset.Options(notdef_outline=True, recommended_glyphs=True, layout_features=[],
                                       name_IDs=["*"], hinting=False)
            options.drop_tables += ["GSUB", "GPOS", "GDEF", "FFTM", "hdmx", "kern"]
            font = TTFont(str(self.font_dir / name))
            subsetter = ftsubset.Subsetter(options)
            subsetter.populate(unicodes=COVERED)
            subsetter.subset(font)
            target = os.path.join(workdir, name)
            font.save(target)
            cmap = set(font.getBestCmap())
            covered = cmap if covered is None else covered & cmap
            font.close()
            paths[style] = target
        self._paths, self._covered, self._pid = paths, frozenset(covered or ()), os.getpid()

    def _ready(self) -> None:
        if self._pid != os.getpid():
            with self._lock:
                if self._pid != os.getpid():
                    self._prepare()

    def _fits(self, text: str) -> bool:
        return all(ord(ch) in self._covered or ch in "\n\r\t" for ch in text)

    def new_document(self, text: str) -> FPDF:
        """A blank A4 document with DejaVu registered as "DejaVu" ("" and "B"): the cut-down font
        when it has every character of `text`, the full one otherwise."""
        self._ready()
        paths = self._paths if self._fits(text) else \
            {style: str(self.font_dir / name) for style, name in FONT_FILES.items()}
        document = FPDF(orientation="P", unit="mm", format="A4")
        for style, path in paths.items():
            # Parsed once per process, written without recomputing glyph bounds (the kit's fonts).
            pdfdoc.FONTS.add(document, "DejaVu", style, path)
        return document


_caches: dict[str, FontCache] = {}
_caches_lock = threading.Lock()


def font_cache(font_dir: str) -> FontCache:
    with _caches_lock:
        cache = _caches.get(font_dir)
        if cache is None:
            cache = _caches[font_dir] = FontCache(font_dir)
        return cache


def _draw_qr(pdf: FPDF, data: str, x: float, y: float, size: float) -> None:
    """The QR code as filled rectangles (one per run of dark modules): crisp and no image codec."""
    # A fixed mask pattern (any is valid) spares segno scoring all eight for every document.
    qr = segno.make(data, error="m", micro=False, mask=4)
    matrix = qr.matrix
    modules = len(matrix)
    border = 2
    step = size / (modules + 2 * border)
    pdf.set_fill_color(0, 0, 0)
    for row_index, row in enumerate(matrix):
        top = y + (row_index + border) * step
        start = None
        for col in range(modules + 1):
            dark = col < modules and row[col]
            if dark and start is None:
                start = col
            elif not dark and start is not None:
                pdf.rect(x + (start + border) * step, top, (col - start) * step, step, style="F")
                start = None


_static_lines: dict[tuple, list[str]] = {}


def _static_text(pdf: FPDF, width: float, height: float, text: str) -> None:
    """Fixed wording: wrapped once per process, then drawn line by line."""
    key = (text, width, pdf.font_family, pdf.font_style, pdf.font_size_pt)
    lines = _static_lines.get(key)
    if lines is None:
        lines = _static_lines[key] = pdf.multi_cell(width, height, text, dry_run=True, output="LINES")
    x = pdf.get_x()
    for line in lines:
        pdf.set_x(x)
        pdf.cell(width, height, line, new_x="LEFT", new_y="NEXT")


def _text(pdf: FPDF, width: float, text: str, height: float = 6) -> float:
    """One line when it fits (fpdf2's line breaking is the costly part of a page), wrapped
    otherwise; returns the y below the text."""
    x, top = pdf.get_x(), pdf.get_y()
    if pdf.get_string_width(text) <= width - 2 * pdf.c_margin:
        pdf.cell(width, height, text)
        return top + height
    pdf.multi_cell(width, height, text, new_x="LMARGIN", new_y="NEXT")
    bottom = pdf.get_y()
    pdf.set_xy(x, top)
    return bottom


def render(rows: list[tuple[str, str]], *, number: str, verification_url: str, issued_at: datetime,
           fonts: FontCache, compress: bool = True) -> bytes:
    """One A4 page: ministry, title, the rows (label: value), the QR code and the link."""
    footer = ("Arayışın həqiqiliyini yoxlamaq üçün QR kodu oxudun və ya aşağıdakı ünvana daxil olun "
              "(\"Arayışların yoxlanılması\" bölməsində arayışın nömrəsini də daxil edə bilərsiniz):")
    seal_note = ("Arayış Əmək və Əhalinin Sosial Müdafiəsi Nazirliyinin elektron möhürü ilə təsdiq edilmişdir. "
                 "Möhürün həqiqiliyi PDF sənədinin elektron imzası ilə yoxlanılır.")
    all_text = "".join([MINISTRY, TITLE, number, verification_url, footer, seal_note,
                        *(label + value for label, value in rows)])

    pdf = fonts.new_document(all_text)
    pdf.set_compression(compress)
    pdf.set_margins(20, 18, 20)
    pdf.set_auto_page_break(True, margin=15)
    moment = issued_at if issued_at.tzinfo else issued_at.replace(tzinfo=timezone.utc)
    pdf.set_creation_date(moment)
    pdf.set_title(f"{TITLE} {number}")
    pdf.set_author(MINISTRY)
    pdf.set_lang("az")
    pdf.add_page()
    width = pdf.epw

    pdf.set_font("DejaVu", "B", 10)
    pdf.cell(width, 5, MINISTRY, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.set_font("DejaVu", "B", 17)
    pdf.cell(width, 9, TITLE, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 11)
    pdf.cell(width, 7, f"№ {number}", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.set_draw_color(120, 120, 120)
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.l_margin + width, pdf.get_y())
    pdf.ln(4)

    label_width = 70
    for label, value in rows:
        top = pdf.get_y()
        pdf.set_font("DejaVu", "", 10)
        pdf.set_text_color(70, 70, 70)
        bottom = _text(pdf, label_width, f"{label}:")
        pdf.set_xy(pdf.l_margin + label_width, top)
        pdf.set_font("DejaVu", "B", 10)
        pdf.set_text_color(0, 0, 0)
        bottom = max(bottom, _text(pdf, width - label_width, value or "—"))
        pdf.set_y(bottom + 1.5)

    pdf.ln(4)
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.l_margin + width, pdf.get_y())
    pdf.ln(5)
    qr_size = 38
    if pdf.get_y() + qr_size > pdf.h - pdf.b_margin:
        pdf.add_page()
    top = pdf.get_y()
    _draw_qr(pdf, verification_url, pdf.l_margin, top, qr_size)
    text_x = pdf.l_margin + qr_size + 6
    pdf.set_xy(text_x, top + 2)
    pdf.set_font("DejaVu", "", 9)
    _static_text(pdf, width - qr_size - 6, 4.6, footer)
    pdf.ln(2)
    pdf.set_x(text_x)
    pdf.set_font("DejaVu", "B", 11)
    pdf.cell(width - qr_size - 6, 6, number, new_x="LMARGIN", new_y="NEXT")
    # The link on a line of its own, full width, so it is not broken in the middle.
    pdf.set_y(max(pdf.get_y(), top + qr_size) + 2)
    pdf.set_font("DejaVu", "", 8.5)
    pdf.set_text_color(0, 51, 153)
    pdf.multi_cell(width, 4.6, verification_url, link=verification_url, new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)
    pdf.ln(3)
    pdf.set_font("DejaVu", "", 8.5)
    _static_text(pdf, width, 4.4, seal_note)
    return bytes(pdf.output())
