"""Shared PDF plumbing for every muni_assess document: embedded fonts, styles, page furniture, outline.

Fonts are Bitstream Vera (shipped with ReportLab, embedded as TrueType), so every PDF carries its fonts and
real, selectable text. Headings become PDF bookmarks, and headings always stay with what follows them. Every PDF
carries its title (shown by viewers instead of the file name), language and author; text is written in reading
order. ReportLab writes no structure tree, so the PDFs are not tagged (PDF/UA): see the README's Accessibility.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from io import BytesIO

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas as rl_canvas
from reportlab.platypus import BaseDocTemplate, CondPageBreak, Frame, NextPageTemplate, PageTemplate, Paragraph
from reportlab.platypus.tables import LongTable, TableStyle

INK = colors.HexColor("#1b1b1b")
MUTED = colors.HexColor("#454545")
RULE = colors.HexColor("#a9aeb1")
HEAD_BG = colors.HexColor("#dfe1e2")
ALERT = colors.HexColor("#b50909")
MARGIN = 0.8 * inch


def register_fonts() -> None:
    """Register the embedded TrueType family once per process."""
    if "Vera" in pdfmetrics.getRegisteredFontNames():
        return
    for name, file in (("Vera", "Vera.ttf"), ("Vera-Bold", "VeraBd.ttf"), ("Vera-Italic", "VeraIt.ttf"),
                       ("Vera-BoldItalic", "VeraBI.ttf")):
        pdfmetrics.registerFont(TTFont(name, file))
    pdfmetrics.registerFontFamily("Vera", normal="Vera", bold="Vera-Bold", italic="Vera-Italic",
                                  boldItalic="Vera-BoldItalic")


def styles() -> dict[str, ParagraphStyle]:
    register_fonts()
    base = ParagraphStyle("Body", fontName="Vera", fontSize=9.5, leading=13, textColor=INK, alignment=TA_LEFT,
                          spaceAfter=5)
    return {
        "Body": base,
        "Small": ParagraphStyle("Small", parent=base, fontSize=8, leading=10.5, spaceAfter=2),
        "Cell": ParagraphStyle("Cell", parent=base, fontSize=8.5, leading=11, spaceAfter=0),
        # narrow column headings (many sections side by side): smaller, and a long word breaks at its hyphen
        "GridHead": ParagraphStyle("GridHead", parent=base, fontSize=7, leading=8.5, spaceAfter=0,
                                   embeddedHyphenation=1),
        "CellHead": ParagraphStyle("CellHead", parent=base, fontName="Vera-Bold", fontSize=8.5, leading=11,
                                   spaceAfter=0),
        "Title": ParagraphStyle("Title", parent=base, fontName="Vera-Bold", fontSize=26, leading=32,
                                spaceAfter=14),
        "Subtitle": ParagraphStyle("Subtitle", parent=base, fontSize=14, leading=19, spaceAfter=8),
        "H1": ParagraphStyle("H1", parent=base, fontName="Vera-Bold", fontSize=16, leading=20, spaceBefore=4,
                             spaceAfter=8, keepWithNext=1),
        "H2": ParagraphStyle("H2", parent=base, fontName="Vera-Bold", fontSize=12, leading=15, spaceBefore=10,
                             spaceAfter=5, keepWithNext=1),
        "H3": ParagraphStyle("H3", parent=base, fontName="Vera-Bold", fontSize=10, leading=13, spaceBefore=6,
                             spaceAfter=3, keepWithNext=1),
        "Marking": ParagraphStyle("Marking", parent=base, fontName="Vera-Bold", fontSize=10, leading=14,
                                  textColor=ALERT, borderColor=ALERT, borderWidth=1.2, borderPadding=8,
                                  spaceBefore=10, spaceAfter=16),
        "Big": ParagraphStyle("Big", parent=base, fontName="Vera-Bold", fontSize=20, leading=26, spaceAfter=6),
    }


class Para(Paragraph):
    """A Paragraph that remembers its layout at the last width.

    Tables re-measure every remaining cell each time they split across a page, and KeepTogether measures
    its contents before drawing them; line breaking at an unchanged width gives the same lines, so it is
    done once. (Half the time of a long roadmap went to re-breaking identical lines.)
    """

    _wrapped_at: float | None = None

    def wrap(self, availWidth, availHeight):  # noqa: N803 - ReportLab's API
        if self._wrapped_at != availWidth or not hasattr(self, "blPara"):  # split() drops the layout
            super().wrap(availWidth, availHeight)
            self._wrapped_at = availWidth
        return self.width, self.height


@dataclass(frozen=True)
class DocInfo:
    title: str
    subject: str
    author: str
    header: str
    marking: str = "SECURITY-SENSITIVE — NOT FOR PUBLIC DISTRIBUTION"
    keywords: str = ""


class _NumberedCanvas(rl_canvas.Canvas):
    """Defers page output so every page can say "Page N of M".

    A bookmark names the page being written, so bookmarks are placed when their page is written at the end;
    made at once, every bookmark would point to the first page.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._saved: list[dict] = []
        self._marks: dict[int, list[tuple[str, dict]]] = {}

    def showPage(self):  # noqa: N802 - ReportLab's API
        self._saved.append(dict(self.__dict__))
        self._startPage()

    def bookmarkPage(self, key, **kwargs):  # noqa: N802 - ReportLab's API
        self._marks.setdefault(self._pageNumber, []).append((key, kwargs))

    def save(self):
        total = len(self._saved)
        for state in self._saved:
            self.__dict__.update(state)
            for key, kwargs in self._marks.get(self._pageNumber, []):
                super().bookmarkPage(key, **kwargs)
            if self._pageNumber > 1:
                self.setFont("Vera", 8)
                self.setFillColor(MUTED)
                self.drawRightString(LETTER[0] - MARGIN, 0.5 * inch, f"Page {self._pageNumber} of {total}")
            super().showPage()
        super().save()


class _Doc(BaseDocTemplate):
    def __init__(self, buffer, info: DocInfo):
        super().__init__(buffer, pagesize=LETTER, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=0.9 * inch,
                         bottomMargin=0.85 * inch, title=info.title, author=info.author, subject=info.subject,
                         creator="muni_assess", keywords=info.keywords, lang="en-US",
                         displayDocTitle=True,  # viewers show the title, not the file name (PDF/UA asks it)
                         initialFontName="Vera")  # not ReportLab's default Helvetica, which is not embedded
        self.info = info
        frame = Frame(self.leftMargin, self.bottomMargin, self.width, self.height, id="body")
        self.addPageTemplates([PageTemplate("cover", [frame], onPage=self._cover_page),
                               PageTemplate("body", [frame], onPage=self._body_page)])
        self._heading_count = 0

    def _cover_page(self, canv, _doc):
        canv.setFont("Vera-Bold", 8)
        canv.setFillColor(ALERT)
        canv.drawString(MARGIN, LETTER[1] - 0.5 * inch, self.info.marking)

    def _body_page(self, canv, _doc):
        canv.saveState()
        canv.setFont("Vera", 8)
        canv.setFillColor(MUTED)
        canv.drawString(MARGIN, LETTER[1] - 0.5 * inch, self.info.header)
        canv.setFillColor(ALERT)
        canv.setFont("Vera-Bold", 7.5)
        canv.drawRightString(LETTER[0] - MARGIN, LETTER[1] - 0.5 * inch, self.info.marking)
        canv.setStrokeColor(RULE)
        canv.line(MARGIN, LETTER[1] - 0.58 * inch, LETTER[0] - MARGIN, LETTER[1] - 0.58 * inch)
        canv.setFillColor(MUTED)
        canv.setFont("Vera", 8)
        canv.drawString(MARGIN, 0.5 * inch, self.info.marking.split("—")[0].strip().title())
        canv.restoreState()

    def afterFlowable(self, flowable):  # noqa: N802 - ReportLab's API
        """Turn every H1/H2 into a PDF bookmark so readers can jump through the document."""
        if isinstance(flowable, Paragraph) and flowable.style.name in ("H1", "H2"):
            self._heading_count += 1
            key = f"h{self._heading_count}"
            if self._heading_count == 1:
                self.canv.showOutline()  # open with the bookmarks shown: the document's table of contents
            self.canv.bookmarkPage(key)
            self.canv.addOutlineEntry(flowable.getPlainText(), key, level=0 if flowable.style.name == "H1" else 1)


def build_pdf(info: DocInfo, cover: list, body: list) -> bytes:
    """Lay out cover and body flowables into a PDF with metadata, page numbers and an outline."""
    buffer = BytesIO()
    doc = _Doc(buffer, info)
    doc.build([*cover, NextPageTemplate("body"), *body], canvasmaker=_NumberedCanvas)
    return buffer.getvalue()


def heading_over_table(text: str, style: ParagraphStyle, min_space: float = 1.5 * inch) -> list:
    """A heading that starts a new page only when less than `min_space` is left, then lets its table split.

    (keepWithNext would glue the heading to the whole table and push both to the next page.)
    """
    loose = ParagraphStyle(style.name, parent=style, keepWithNext=0)
    return [CondPageBreak(min_space), Para(text, loose)]


def table(rows: list[list], widths: list[float], header: bool = True) -> LongTable:
    """A table that repeats its header on each page and splits only between rows."""
    t = LongTable(rows, colWidths=widths, repeatRows=1 if header else 0, hAlign="LEFT")
    style = [("VALIGN", (0, 0), (-1, -1), "TOP"), ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
             ("FONTNAME", (0, 0), (-1, -1), "Vera"),  # cell defaults are Helvetica, which is not embedded
             ("LEFTPADDING", (0, 0), (-1, -1), 4), ("RIGHTPADDING", (0, 0), (-1, -1), 4),
             ("TOPPADDING", (0, 0), (-1, -1), 3), ("BOTTOMPADDING", (0, 0), (-1, -1), 4)]
    if header:
        style.append(("BACKGROUND", (0, 0), (-1, 0), HEAD_BG))
    t.setStyle(TableStyle(style))
    return t


def money(low: int, high: int, sep: str = "–") -> str:
    """A dollar range as people say it: "$0", "$1,000", "$1,000–$5,000" (narrow table cells use " to ", which
    wraps between the amounts instead of inside one)."""
    if high == 0:
        return "$0"
    return f"${low:,}" if low == high else f"${low:,}{sep}${high:,}"


def today() -> dt.date:
    return dt.date.today()
