"""A grant-application draft as DOCX (python-docx: real headings, styles, tables) and as PDF (ReportLab).

Both take a GrantDocument of plain values; the section texts may carry the user's edits.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from io import BytesIO
from xml.sax.saxutils import escape

from docx import Document
from docx.enum.text import WD_COLOR_INDEX
from docx.shared import Inches, Pt
from reportlab.lib.units import inch
from reportlab.platypus import PageBreak, Spacer

from muni_assess.documents.grant_text import PLACEHOLDER, SECTION_TITLES
from muni_assess.documents.pdfkit import DocInfo, Para, build_pdf, money, styles, table
from scoring.grants import Budget
from scoring.roadmap import PHASE_LABELS, PHASES, PlannedItem

MARKING = "Draft prepared with muni_assess from the town's self-assessment. Security-sensitive: do not publish."


@dataclass(frozen=True)
class GrantDocument:
    town: str
    state: str
    cycle: int
    program_name: str
    program_agency: str
    sections: dict[str, str]  # section id -> text, in the program's order
    budget: Budget
    items: tuple[PlannedItem, ...]
    attachments: tuple[str, ...]
    checks: tuple[str, ...]  # facts to confirm with the program
    prepared_on: dt.date

    @property
    def title(self) -> str:
        return f"{self.program_name}: application draft for the Town of {self.town}, {self.state}"


def budget_rows(budget: Budget) -> list[list[str]]:
    """Header, one row per line (flagged lines say so), then the total and the cost-share split."""
    rows = [["Line", "Basis", "Amount"]]
    for line in budget.lines:
        amount = "No estimate (flagged)" if line.amount is None else money(line.amount, line.amount)
        basis = line.basis + (f". {line.flag}" if line.flag else "")
        rows.append([line.title, basis, amount])
    award, match = budget.split
    rows += [["Total project cost", "", money(budget.total, budget.total)],
             ["Requested from the program", "", money(award, award)],
             ["Local share", "", money(match, match)]]
    return rows


def timeline_rows(items: tuple[PlannedItem, ...]) -> list[list[str]]:
    rows = [["Phase", "Actions"]]
    for phase in PHASES:
        names = [i.rec.title for i in items if i.phase == phase]
        if names:
            rows.append([PHASE_LABELS[phase], "; ".join(names)])
    return rows


# --- DOCX ---------------------------------------------------------------------------------------------------

def _docx_paragraph(doc, text: str) -> None:
    """A paragraph whose [TOWN TO SUPPLY: ...] placeholders are bold and highlighted so none is missed."""
    para = doc.add_paragraph()
    at = 0
    for match in PLACEHOLDER.finditer(text):
        if match.start() > at:
            para.add_run(text[at:match.start()])
        run = para.add_run(match.group(0))
        run.bold = True
        run.font.highlight_color = WD_COLOR_INDEX.YELLOW
        at = match.end()
    if at < len(text):
        para.add_run(text[at:])


def _docx_table(doc, rows: list[list[str]], widths: list[float], bold_last: int = 0) -> None:
    t = doc.add_table(rows=len(rows), cols=len(rows[0]))
    t.style = "Table Grid"
    t.autofit = False
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            cell = t.cell(r, c)
            cell.width = Inches(widths[c])
            cell.text = value
            if r == 0 or r >= len(rows) - bold_last:
                for run in cell.paragraphs[0].runs:
                    run.bold = True
    # Word repeats the header row on each page when it is marked as a header
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    header = t.rows[0]._tr.get_or_add_trPr()
    flag = OxmlElement("w:tblHeader")
    flag.set(qn("w:val"), "true")
    header.append(flag)


def grant_docx(data: GrantDocument) -> bytes:
    doc = Document()
    props = doc.core_properties
    props.title, props.subject = data.title, "Grant application draft"
    props.author, props.language = f"Town of {data.town}", "en-US"
    props.keywords = "grant application, IT, cybersecurity, security-sensitive"
    doc.styles["Normal"].font.name = "Calibri"
    doc.styles["Normal"].font.size = Pt(11)
    doc.add_heading(data.title, level=0)
    doc.add_paragraph(f"{data.program_agency}. Prepared {data.prepared_on:%B %-d, %Y} from the town's "
                      f"{data.cycle} IT self-assessment.")
    note = doc.add_paragraph()
    note.add_run(MARKING).italic = True
    for sid, text in data.sections.items():
        doc.add_heading(SECTION_TITLES[sid], level=1)
        for block in filter(None, (b.strip() for b in text.split("\n"))):
            _docx_paragraph(doc, block)
        if sid == "budget":
            _docx_table(doc, budget_rows(data.budget), [2.4, 2.9, 1.2], bold_last=3)
        if sid == "timeline":
            _docx_table(doc, timeline_rows(data.items), [1.6, 4.9])
    doc.add_heading("Attachments to prepare", level=1)
    for item in data.attachments:
        doc.add_paragraph(item, style="List Bullet")
    if data.checks:
        doc.add_heading("Check with the program before applying", level=1)
        for item in data.checks:
            doc.add_paragraph(item, style="List Bullet")
    out = BytesIO()
    doc.save(out)
    return out.getvalue()


# --- PDF ----------------------------------------------------------------------------------------------------

def _pdf_text(text: str) -> str:
    marked = escape(text)
    return re.sub(r"\[TOWN TO SUPPLY: [^\]]+\]", lambda m: f"<b>{m.group(0)}</b>", marked)


def grant_pdf(data: GrantDocument) -> bytes:
    st = styles()
    cover = [Para(escape(data.title), st["Title"]),
             Para(escape(f"{data.program_agency}. Prepared {data.prepared_on:%B %-d, %Y} from the town's "
                         f"{data.cycle} IT self-assessment."), st["Body"]),
             Para(escape(MARKING), st["Marking"])]
    body = [PageBreak()]
    for sid, text in data.sections.items():
        body.append(Para(SECTION_TITLES[sid], st["H1"]))
        body += [Para(_pdf_text(block.strip()), st["Body"]) for block in text.split("\n") if block.strip()]
        if sid == "budget":
            rows = budget_rows(data.budget)
            cells = [[Para(escape(v), st["CellHead"] if r == 0 or r >= len(rows) - 3 else st["Cell"]) for v in row]
                     for r, row in enumerate(rows)]
            body += [table(cells, [2.6 * inch, 3.0 * inch, 1.3 * inch]), Spacer(1, 6)]
        if sid == "timeline":
            rows = timeline_rows(data.items)
            cells = [[Para(escape(v), st["CellHead"] if r == 0 else st["Cell"]) for v in row]
                     for r, row in enumerate(rows)]
            body += [table(cells, [1.6 * inch, 5.3 * inch]), Spacer(1, 6)]
    body.append(Para("Attachments to prepare", st["H1"]))
    body += [Para("• " + escape(a), st["Body"]) for a in data.attachments]
    if data.checks:
        body.append(Para("Check with the program before applying", st["H1"]))
        body += [Para("• " + escape(c), st["Body"]) for c in data.checks]
    info = DocInfo(title=data.title, subject="Grant application draft", author=f"Town of {data.town}",
                   header=f"{data.town}, {data.state} · {data.program_name} · draft",
                   keywords="grant application, IT, cybersecurity, security-sensitive")
    return build_pdf(info, cover, body)
