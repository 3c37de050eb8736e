"""Grant drafts as documents: DOCX opened with python-docx (and LibreOffice when installed), PDF read back."""
from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
from io import BytesIO
from pathlib import Path

import docx
import pytest
from pypdf import PdfReader

from muni_assess.documents.grant_docs import GrantDocument, grant_docx, grant_pdf
from muni_assess.documents.grant_text import PLACEHOLDER, SECTION_TITLES, DraftInput, RegionComparison, draft_sections
from scoring.content import load_content
from scoring.engine import DONT_KNOW, score_assessment
from scoring.grants import check_notes, fit_program
from scoring.roadmap import plan_roadmap

ROOT = Path(__file__).resolve().parents[2] / "questionnaires"
CONTENT = load_content(ROOT)
QSET = CONTENT.latest("municipal-it")


def worst(q):
    if q.type == "multi":
        return [o.value for o in q.options if o.exclusive][:1] or [q.countable[0].value]
    if q.type == "number":
        return 0
    return min((o for o in q.options if not o.dont_know), key=lambda o: o.level or 0).value


def make(program_id="slcgp", comparison=None, **changes) -> tuple[DraftInput, GrantDocument]:
    answers = {q.id: worst(q) for s in QSET.sections_for("CT") for q in s.questions}
    answers.update(changes)
    result = score_assessment(QSET, "CT", answers)
    roadmap = plan_roadmap(result, CONTENT.catalog, "CT", 3_151)
    fit = fit_program(CONTENT.catalog.grants[program_id], result, roadmap,
                      answers.get(CONTENT.catalog.grants[program_id].town_cost_question or "", None))
    data = DraftInput(town="Andover", state="CT", county="Tolland", region_name="Capitol Region Council of "
                      "Governments", region_code="CRCOG", population=3_151, cycle=2026, result=result, roadmap=roadmap,
                      fit=fit, items=fit.items, budget=fit.budget, comparison=comparison)
    sections = draft_sections(data)
    doc = GrantDocument(town="Andover", state="CT", cycle=2026, program_name=fit.program.name,
                        program_agency=fit.program.agency, sections=sections, budget=fit.budget, items=fit.items,
                        attachments=fit.program.attachments, checks=check_notes(fit.program),
                        prepared_on=dt.date(2026, 11, 22))
    return data, doc


def test_sections_follow_the_programs_order_and_mark_what_the_town_must_supply():
    data, doc = make()
    assert list(doc.sections) == list(data.program.sections)
    assert PLACEHOLDER.search(doc.sections["applicant"])  # the authorized official is never invented
    assert "$" not in doc.sections["applicant"]


def test_region_comparison_only_when_given():
    plain = make()[1].sections["need"]
    compared = make(comparison=RegionComparison(7, 48.0, "below the regional median"))[1].sections["need"]
    assert "regional median" not in plain
    assert "Across the 7 assessed towns of Capitol Region Council of Governments, the median overall readiness is " \
           "48; Andover is below the regional median." in compared


def test_docx_has_real_headings_tables_and_metadata():
    _, doc = make()
    document = docx.Document(BytesIO(grant_docx(doc)))
    headings = [(p.style.name, p.text) for p in document.paragraphs if p.style.name.startswith(("Heading", "Title"))]
    assert headings[0] == ("Title", doc.title)
    assert [t for s, t in headings if s == "Heading 1"][:len(doc.sections)] == [SECTION_TITLES[s] for s in doc.sections]
    assert len(document.tables) == 2  # budget and timeline
    assert document.core_properties.title == doc.title and document.core_properties.language == "en-US"
    highlighted = [r.text for p in document.paragraphs for r in p.runs if r.font.highlight_color is not None]
    assert highlighted and all(t.startswith("[TOWN TO SUPPLY:") for t in highlighted)


def test_a_line_without_an_estimate_is_flagged_in_the_document_not_zero():
    _, doc = make("ct_nutmeg", nutmeg_connection_cost=DONT_KNOW)
    document = docx.Document(BytesIO(grant_docx(doc)))
    rows = [[c.text for c in r.cells] for r in document.tables[0].rows]
    flagged = [r for r in rows if r[2] == "No estimate (flagged)"]
    assert flagged and "No cost estimate" in flagged[0][1]
    assert "$0" not in [r[2] for r in rows[1:-3]]


def test_pdf_reads_back_with_title_and_sections():
    _, doc = make()
    reader = PdfReader(BytesIO(grant_pdf(doc)))
    assert reader.metadata.title == doc.title
    text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    for sid in doc.sections:
        assert SECTION_TITLES[sid] in text
    assert re.search(r"\[TOWN TO SUPPLY: [^\]]+\]", text)


@pytest.mark.skipif(not shutil.which("libreoffice") and os.environ.get("CI") != "true",
                    reason="LibreOffice is not installed (CI installs it, and there the test always runs)")
def test_docx_converts_with_libreoffice(tmp_path):
    _, doc = make()
    path = tmp_path / "draft.docx"
    path.write_bytes(grant_docx(doc))
    run = subprocess.run(["libreoffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)],
                         capture_output=True, text=True, timeout=180)
    assert run.returncode == 0, run.stderr
    converted = PdfReader(str(tmp_path / "draft.pdf"))
    text = " ".join(p.extract_text() for p in converted.pages)
    assert "Statement of need" in text and len(converted.pages) >= 2
