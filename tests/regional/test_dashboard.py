"""The regional dashboard and statewide view as COG and state staff use them: who sees what, suppression,
honest empty pages, exports that equal the page, and bad input."""
from __future__ import annotations

import io

import pandas as pd
import pytest
from conftest import CYCLE, town_id
from helpers import assess, column, member_towns, page_tables

from muni_assess.documents.exports import cell_text
from muni_assess.extensions import db

NV = ["Ansonia", "Beacon Falls", "Bethlehem", "Bristol", "Derby", "Middlebury"]  # NVCOG towns


@pytest.fixture
def demo(app):
    from muni_assess.demo import seed_demo

    with app.app_context():
        seed_demo("CT", CYCLE)
        db.session.commit()


def test_cog_sees_exactly_its_member_towns_and_nothing_of_another_region(app, login_as, demo):
    cog = login_as("cog_analyst", region="CRCOG")
    page = cog.get("/regions/CRCOG/")
    assert page.status_code == 200
    tables = page_tables(page.get_data(as_text=True))
    crcog = member_towns(app, "CRCOG")
    assert column(tables["completion"], "Town") == crcog
    assert column(tables["heatmap"], "Town") == crcog
    everyone_else = set(member_towns(app, "NVCOG")) | set(member_towns(app, "SCCOG"))
    assert not everyone_else & {cell for rows in tables.values() for r in rows for cell in r}
    ansonia = town_id(app, "Ansonia")
    for url in ("/regions/NVCOG/", "/regions/NVCOG/export.xlsx", "/regions/NVCOG/export.csv",
                "/regions/NVCOG/export.pdf", "/regions/statewide/", "/regions/statewide/export.xlsx",
                f"/towns/{ansonia}/{CYCLE}/", f"/towns/{ansonia}/{CYCLE}/results"):
        assert cog.get(url).status_code == 404, url
    crcog_csv = pd.read_csv(io.BytesIO(cog.get("/regions/CRCOG/export.csv").data))
    assert crcog_csv["Town"].tolist() == crcog  # one row per member town


def test_state_analyst_sees_every_region_and_drills_down(app, login_as, demo):
    state = login_as("state_analyst")
    page = state.get("/regions/statewide/")
    assert page.status_code == 200
    regions = page_tables(page.get_data(as_text=True))["regions"]
    assert len(regions) - 1 == 9
    assert "/regions/NVCOG/?cycle=" in page.get_data(as_text=True)
    for code in column(regions, "Code"):
        assert state.get(f"/regions/{code}/").status_code == 200
    medians = dict(zip(column(regions, "Code"), column(regions, "Median overall readiness"), strict=True))
    assert medians["WestCOG"] == "—" and medians["CRCOG"] != "—"  # no submissions: blank, not zero


def test_town_editor_gets_no_regional_page(app, login_as, demo):
    editor = login_as("town_editor", town="Andover")
    for url in ("/regions/CRCOG/", "/regions/CRCOG/export.xlsx", "/regions/statewide/"):
        assert editor.get(url).status_code == 404, url


def test_xlsx_read_back_equals_the_page(app, login_as, demo):
    cog = login_as("cog_analyst", region="CRCOG")
    tables = page_tables(cog.get("/regions/CRCOG/").get_data(as_text=True))
    response = cog.get("/regions/CRCOG/export.xlsx")
    assert response.headers["Cache-Control"] == "no-store"
    assert response.mimetype.endswith("spreadsheetml.sheet")
    # "None" is a tier name, not a blank: only empty cells are missing values
    sheets = pd.read_excel(io.BytesIO(response.data), sheet_name=None, keep_default_na=False, na_values=[""])
    titles = {"completion": "Completion", "heatmap": "Heatmap", "distribution": "Distribution",
              "gaps": "Common gaps", "opportunities": "Shared services", "change": "Change"}
    checked = 0
    for key, title in titles.items():
        sheet = sheets[title]
        if key not in tables:  # an empty table is a message on the page and a header-only sheet
            assert sheet.empty, key
            continue
        assert _as_page(sheet) == tables[key], key
        checked += 1
    assert checked >= 5
    assert pd.api.types.is_integer_dtype(sheets["Completion"]["Population"])  # typed cells, not text


def _as_page(sheet: pd.DataFrame) -> list[list[str]]:
    """A sheet as the page shows it: a score and its tier share one cell headed by the section name."""
    columns = list(sheet.columns)
    shown = [c for c in columns if not c.endswith(" tier")]
    head = [c.removesuffix(" score") if f"{c.removesuffix(' score')} tier" in columns else c for c in shown]
    rows = [head]
    for _, r in sheet.iterrows():
        cells = []
        for c in shown:
            tier = f"{c.removesuffix(' score')} tier"
            text = cell_text(r[c])
            if tier in columns and isinstance(r[tier], str):
                text = f"{text} {r[tier]}"
            cells.append(text)
        rows.append(cells)
    return rows


def test_suppression_at_four_and_five_towns(app, login_as):
    state = login_as("state_analyst")
    assess(app, NV[:4], CYCLE)
    four = page_tables(state.get("/regions/NVCOG/").get_data(as_text=True))["distribution"]
    assert set(column(four, "Median")) == {"—"} and set(column(four, "Note")) == {"Too few towns to show"}
    assert "Statistics over fewer than 5 submitted towns are withheld" in state.get("/regions/NVCOG/").get_data(
        as_text=True)
    statewide = page_tables(state.get("/regions/statewide/").get_data(as_text=True))["regions"]
    nv = dict(zip(column(statewide, "Code"), column(statewide, "Median overall readiness"), strict=True))["NVCOG"]
    assert nv == "—"
    assess(app, NV[4:5], CYCLE, seed=2)
    five = page_tables(state.get("/regions/NVCOG/").get_data(as_text=True))["distribution"]
    assert "—" not in column(five, "Median") and set(column(five, "Towns")) == {"5"}


def test_peer_benchmarks_on_a_results_page_never_expose_a_neighbour(app, login_as):
    assess(app, NV[:4], CYCLE)
    editor = login_as("town_editor", town="Ansonia")
    page = editor.get(f"/towns/{town_id(app, 'Ansonia')}/{CYCLE}/results").get_data(as_text=True)
    assert "How Ansonia compares" in page
    assert "Not shown: 4 of the 5 towns needed have submitted" in page
    assert not any(name in page for name in NV[1:4])
    assess(app, NV[4:5], CYCLE, seed=2)
    page = editor.get(f"/towns/{town_id(app, 'Ansonia')}/{CYCLE}/results").get_data(as_text=True)
    assert "Not shown" not in page and "(5 towns)" in page
    assert not any(name in page for name in NV[1:5])


def test_empty_region_and_cycle_without_submissions_are_honest(app, login_as):
    state = login_as("state_analyst")
    empty = state.get("/regions/NVCOG/")
    assert empty.status_code == 200 and "No data yet" in empty.get_data(as_text=True)
    assess(app, NV[:3], CYCLE, status="in_progress")
    drafts = state.get("/regions/NVCOG/").get_data(as_text=True)
    assert "No data yet" in drafts and "3 in progress" in drafts
    heat = page_tables(drafts)["heatmap"]
    assert column(heat, "Overall readiness")[:3] == ["—", "—", "—"]  # partial scores are not shown as zeros
    assert state.get("/regions/statewide/").status_code == 200
    for fmt in ("xlsx", "csv", "pdf"):
        assert state.get(f"/regions/NVCOG/export.{fmt}").status_code == 200


def test_bad_filters_and_exports_get_a_clear_message(app, login_as):
    cog = login_as("cog_analyst", region="CRCOG")
    page = cog.get("/regions/CRCOG/?band=enormous&section=backup")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "is not a population band this page knows; showing all" in text
    bad = cog.get("/regions/CRCOG/export.docx")
    assert bad.status_code == 400 and "is not an export format" in bad.get_data(as_text=True)
    bad = cog.get("/regions/CRCOG/export.csv?table=answers")
    assert bad.status_code == 400 and "is not a table of this page" in bad.get_data(as_text=True)
    assert cog.get("/regions/CRCOG/?cycle=1999").status_code == 404


def test_section_and_band_filters_narrow_the_tables(app, login_as):
    assess(app, NV, CYCLE)
    state = login_as("state_analyst")
    tables = page_tables(state.get("/regions/NVCOG/?section=backup").get_data(as_text=True))
    assert tables["heatmap"][0] == ["Town", "Population band", "Status", "Overall readiness", "Backup and recovery"]
    assert column(tables["distribution"], "Section") == ["Backup and recovery"]
    small = page_tables(state.get("/regions/NVCOG/?band=small").get_data(as_text=True))["completion"]
    assert set(column(small, "Population band")) == {"Small"}


def test_exports_are_audited(app, login_as, demo):
    from muni_assess.models.audit import AuditEvent

    cog = login_as("cog_analyst", region="CRCOG")
    assert cog.get("/regions/CRCOG/export.pdf").data.startswith(b"%PDF")
    with app.app_context():
        event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "export.region_pdf"))
        assert event is not None and event.user_id == cog.user_id and event.detail == {"cycle": CYCLE,
                                                                                        "format": "pdf"}
        db.session.execute(db.delete(AuditEvent))
        db.session.commit()


def test_cli_export_writes_the_town_by_section_csv(app, runner, demo, tmp_path):
    out = tmp_path / "crcog.csv"
    result = runner.invoke(args=["export", "--region", "CRCOG", "--format", "csv", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert pd.read_csv(out)["Town"].tolist() == member_towns(app, "CRCOG")
    pdf = tmp_path / "state.pdf"
    assert runner.invoke(args=["export", "--state", "--format", "pdf", "--out", str(pdf)]).exit_code == 0
    assert pdf.read_bytes().startswith(b"%PDF")
    bad = runner.invoke(args=["export", "--region", "NOPE", "--format", "csv", "--out", str(out)])
    assert bad.exit_code != 0 and "No region 'NOPE'" in bad.output
    both = runner.invoke(args=["export", "--region", "CRCOG", "--state", "--format", "csv", "--out", str(out)])
    assert both.exit_code != 0 and "exactly one" in both.output
