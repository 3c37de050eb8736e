"""The roadmap PDF read back as its readers get it: text (pypdf), outline, metadata, fonts, and qpdf's check."""
from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from io import BytesIO
from pathlib import Path

import pytest
from conftest import best, worst
from pypdf import PdfReader

from muni_assess.documents.roadmap_pdf import RoadmapInput, roadmap_pdf
from scoring.content import load_content
from scoring.engine import DONT_KNOW, score_assessment
from scoring.roadmap import plan_roadmap

ROOT = Path(__file__).resolve().parents[2] / "questionnaires"
CONTENT = load_content(ROOT)
QSET = CONTENT.latest("municipal-it")


def make_input(answers: dict, town="Andover", population=3_151, notes=None) -> RoadmapInput:
    result = score_assessment(QSET, "CT", answers)
    return RoadmapInput(town=town, state="CT", region="Capitol Region Council of Governments (CRCOG)",
                        population=population, cycle=2026, status="submitted", generated_on=dt.date(2026, 11, 2),
                        result=result, roadmap=plan_roadmap(result, CONTENT.catalog, "CT", population),
                        notes=notes or {})


def text_of(pdf: bytes) -> str:
    """All page text with whitespace runs collapsed, so a title wrapped in a table cell still matches."""
    return " ".join(" ".join(page.extract_text() for page in PdfReader(BytesIO(pdf)).pages).split())


def details(text: str) -> str:
    """The "How to do each action" part, where each planned item is a numbered heading."""
    return text[text.index("How to do each action"):text.index("Quick wins")]


@pytest.fixture(scope="module")
def mixed():
    """A town strong on some areas and weak or unsure on others."""
    answers = {q.id: best(q) for s in QSET.sections_for("CT") for q in s.questions}
    for qid in ("cis_secure_config", "backup_restore_testing", "hygiene_mfa_email", "cloud_cjis"):
        answers[qid] = worst(QSET.questions[qid])
    answers["backup_offline_copy"] = DONT_KNOW
    for qid in ("cis_hw_inventory", "cis_unauthorized_devices"):
        del answers[qid]  # not answered: the inventory is a prerequisite the town has not confirmed
    data = make_input(answers, notes={"cloud_cjis": "Vendor says paperwork is with the chief"})
    return data, roadmap_pdf(data)


def test_each_triggered_item_appears_after_its_prerequisites_and_satisfied_ones_do_not(mixed):
    data, pdf = mixed
    text = details(text_of(pdf))
    planned = {i.rec.id for i in data.roadmap.items}
    assert planned == {"secure_configuration", "hw_inventory", "backup_restore_tests", "mfa_everywhere",
                       "cjis_security_addendum", "backup_offline_immutable"}
    where = {}
    for item in data.roadmap.items:
        heading = f"{item.position}. {item.rec.title}"
        assert heading in text, heading
        where[item.rec.id] = text.index(heading)
    for item in data.roadmap.items:
        for pre in item.rec.prerequisites:
            if pre in where:
                assert where[pre] < where[item.rec.id]
    full = text_of(pdf)
    for rec in CONTENT.catalog.recommendations.values():
        if rec.id not in planned:
            assert rec.title not in full, f"{rec.id} is satisfied but appears"


def test_the_summary_speaks_to_officials(mixed):
    data, pdf = mixed
    text = text_of(pdf)
    summary = text[text.index("Executive summary"):text.index("Where the town stands")]
    assert f"Overall readiness: {data.result.overall:.0f} of 100" in summary
    assert "The three most urgent actions" in summary
    urgent = data.roadmap.most_urgent(3)
    assert len(urgent) == 3 and all(i.rec.title in summary for i in urgent)
    (low, high), _ = data.roadmap.totals("now")
    assert f"One-time ${low:,}–${high:,}" in summary


def test_cover_marking_backup_ladder_grants_and_appendix(mixed):
    data, pdf = mixed
    text = text_of(pdf)
    assert text.startswith("SECURITY-SENSITIVE — NOT FOR PUBLIC DISTRIBUTION")
    assert "IT improvement roadmap Andover, CT" in text
    assert "Backups on the good / better / best ladder" in text and "Next rung" in text
    assert "State and Local Cybersecurity Grant Program (SLCGP)" in text
    appendix = text[text.index("Appendix: every answer"):]
    assert "Vendor says paperwork is with the chief" in appendix
    assert QSET.questions["cloud_cjis"].prompt in appendix
    assert "I don't know" in appendix and "Not answered" in appendix


def test_document_structure_metadata_fonts_and_page_numbers(mixed):
    _, pdf = mixed
    reader = PdfReader(BytesIO(pdf))
    meta = reader.metadata
    assert meta.title == "IT improvement roadmap: Andover, CT, 2026"
    assert meta.author and meta.subject
    assert reader.trailer["/Root"]["/Lang"] == "en-US"
    outline = [o.title for o in reader.outline if not isinstance(o, list)]
    assert outline[:3] == ["Executive summary", "Where the town stands", "Action plan"]
    assert "Appendix: every answer" in outline
    fonts = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font.get("/FontDescriptor") or font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            assert "/FontFile2" in descriptor.get_object(), f"{font['/BaseFont']} is not embedded"
            fonts.add(str(font["/BaseFont"]))
    assert fonts
    total = len(reader.pages)
    assert f"Page {total} of {total}" in reader.pages[-1].extract_text()
    for page in reader.pages[1:]:
        assert "SECURITY-SENSITIVE" in page.extract_text()  # the running header marks every page


@pytest.mark.skipif(not shutil.which("qpdf"), reason="qpdf is not installed")
def test_qpdf_finds_no_errors(mixed, tmp_path):
    path = tmp_path / "roadmap.pdf"
    path.write_bytes(mixed[1])
    check = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "No syntax or stream encoding errors" in check.stdout


def test_two_towns_differ_exactly_where_their_gaps_differ():
    base = {q.id: best(q) for s in QSET.sections_for("CT") for q in s.questions}
    one, two = dict(base), dict(base)
    one["backup_location"] = worst(QSET.questions["backup_location"])
    two["hygiene_awareness_training"] = worst(QSET.questions["hygiene_awareness_training"])
    text_one, text_two = text_of(roadmap_pdf(make_input(one))), text_of(roadmap_pdf(make_input(two)))
    offsite = CONTENT.catalog.recommendations["backup_offsite_copy"].title
    training = CONTENT.catalog.recommendations["awareness_training"].title
    assert offsite in text_one and offsite not in text_two
    assert training in text_two and training not in text_one


def test_a_town_with_no_answers_gets_first_steps_not_an_empty_document():
    data = make_input({}, town="Hartford", population=121_054)
    text = text_of(roadmap_pdf(data))
    assert "Hartford has not answered any questions yet, so there is no score" in text
    assert "Overall readiness" not in text
    firsts = [r for r in CONTENT.catalog.recommendations.values() if r.first_step]
    assert firsts and all(r.title in text for r in firsts)
    assert "No answers have been recorded yet" in text
    assert "Answer the assessment to plan this phase" in text


def test_a_long_note_and_markup_in_answers_are_printed_as_text():
    answers = {q.id: best(q) for s in QSET.sections_for("CT") for q in s.questions}
    answers["backup_location"] = worst(QSET.questions["backup_location"])
    note = "<b>not bold</b> & " + "a long note that must wrap inside its cell " * 20
    text = text_of(roadmap_pdf(make_input(answers, notes={"backup_location": note})))
    assert "<b>not bold</b> &" in text
    assert re.search(r"a long note that must wrap inside its cell", text)
