"""The map, the brief and the exports as pure functions (no request, no database)."""
from __future__ import annotations

import datetime as dt
import io
import re

import pandas as pd
from pypdf import PdfReader

from muni_assess.documents.funding_brief import BriefInput, funding_brief_pdf
from muni_assess.documents.funding_exports import candidates_csv, scenario_xlsx
from muni_assess.documents.maps import neighbours, status_map_drawing, status_map_svg
from scoring.funding import DEFAULT_WEIGHTS, TownInput, build_candidates, prioritize, sensitivity


def result():
    towns = [TownInput("Andover", "CRCOG", 3151, {"nutmeg_connected": "not_connected"}, neighbours=("Bolton",)),
             TownInput("Bolton", "CRCOG", 4858, {"nutmeg_connected": "not_connected",
                                                 "nutmeg_connection_cost": 30_000}),
             TownInput("Ansonia", "NVCOG", 18918, None, known_source="https://example.org/a", known_year=2014),
             TownInput("=Evil", "NVCOG", 10, {"nutmeg_connected": "not_connected"})]
    cands = build_candidates(towns)
    r = prioritize(cands, DEFAULT_WEIGHTS, 60_000)
    return r, sensitivity(cands, r)


def test_map_svg_is_labelled_and_not_colour_alone():
    svg = str(status_map_svg({"Andover": "selected", "Ansonia": "connected", "Bolton": "candidate"}, "Status",
                             ident="m1"))
    assert 'role="img"' in svg and 'aria-labelledby="m1-t m1-d"' in svg and '<desc id="m1-d">' in svg
    assert svg.count("<path ") == 169 and "Andover: Selected for funding" in svg
    assert "Selected for funding (1)" in svg and "Status unknown (166)" in svg
    assert "<polygon" in svg and "<circle" in svg  # markers, not colour alone
    assert "style=" not in svg


def test_neighbours_come_from_shared_boundaries():
    near = neighbours("CT")
    assert set(near["Andover"]) == {"Bolton", "Columbia", "Coventry", "Hebron"}
    assert all(t in near[n] for t, ns in near.items() for n in ns)  # symmetric


def test_map_drawing_for_pdfs():
    from reportlab.platypus import SimpleDocTemplate

    from muni_assess.documents.pdfkit import register_fonts

    register_fonts()
    flowable = status_map_drawing({"Andover": "selected"}, width=400)
    width, height = flowable.wrap(500, 700)
    assert width == 400 and 250 < height < 400
    buffer = io.BytesIO()
    SimpleDocTemplate(buffer).build([flowable])
    assert PdfReader(buffer).pages


def test_brief_pdf_reads_back():
    r, changes = result()
    pdf = funding_brief_pdf(BriefInput("Test plan", "CT", dt.date(2026, 11, 22), r, changes, "equity.csv"))
    reader = PdfReader(io.BytesIO(pdf))
    text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    assert "Scenario: Test plan" in text and "Budget $60,000" in text and "If a weight changes" in text
    assert "https://example.org/a" in text and "equity.csv" in text
    assert reader.metadata.title == "Nutmeg Network connection funding: Test plan"
    for page in reader.pages:  # every font embedded (ReportLab's default Helvetica never used)
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font.get("/FontDescriptor") or font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            assert "/FontFile2" in descriptor.get_object(), f"{font['/BaseFont']} is not embedded"


def test_exports_are_spreadsheet_safe():
    r, _ = result()
    text = candidates_csv(r).decode()
    assert text.splitlines()[0].startswith("town,facility,status,cost,cost_source,need,")
    assert "'=Evil" in text and not re.search(r"^=Evil", text, re.M)
    frame = pd.read_excel(io.BytesIO(scenario_xlsx("Test plan", r)), sheet_name="Scenario")
    assert dict(zip(frame["setting"], frame["value"], strict=False))["budget"] == 60_000
