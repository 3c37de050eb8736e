"""The state staff's whole flow on the funding pages, bad input, exports and the brief; and the CLI."""
from __future__ import annotations

import csv
import io
import re

import pandas as pd
from conftest import csrf_token
from pypdf import PdfReader

from muni_assess.extensions import db
from muni_assess.models import EquityScore, FundingCostDefault, FundingScenario

pytest_plugins = ["fundingdata"]  # the nutmeg_towns fixture

DEFAULT = {"budget": "2,000,000", "w_need": "35", "w_population": "25", "w_readiness": "20", "w_leverage": "10",
           "w_equity": "10"}


def selected_towns(html: str) -> list[str]:
    part = html.split("Candidates selected, with each factor", 1)[1].split("</table>", 1)[0]
    return sorted(re.findall(r'<th scope="row">([^<]+)</th>', part))


def map_part(html: str) -> str:
    return html[html.index("<svg"):html.index("</svg>")]


def test_state_staff_flow(app, login_as, nutmeg_towns):
    state = login_as("state_analyst")
    first = state.get("/state/funding/", query_string=DEFAULT)
    html = first.get_data(as_text=True)
    assert first.status_code == 200 and "Budget: <strong>$2,000,000</strong>" in html
    chosen = selected_towns(html)
    assert 20 <= len(chosen) < len(nutmeg_towns)
    assert "Money left" in html and "With 10% more budget ($2,200,000)" in html and "If a weight changes" in html
    assert "<title id=\"map-unsaved-scenario-t\">" in html and "Andover: " in map_part(html)
    assert "The map as a table (169 towns)" in html
    assert "Public source: connection grant (2014)" in html  # Ansonia, from the list of known connections
    # one weight changes: the selection and the map change
    second = state.get("/state/funding/", query_string={**DEFAULT, "w_readiness": "200"})
    html2 = second.get_data(as_text=True)
    assert selected_towns(html2) != chosen
    assert map_part(html2) != map_part(html)
    # save two scenarios, then compare them
    token = csrf_token(state, "/state/funding/")
    for name, readiness in (("Baseline", "20"), ("Ready first", "200")):
        form = {**{k: v.replace(",", "") for k, v in DEFAULT.items()}, "w_readiness": readiness, "name": name,
                "include_unknown": "", "csrf_token": token}
        response = state.post("/state/funding/scenarios", data=form)
        assert response.status_code == 302, response.get_data(as_text=True)[:300]
    with app.app_context():
        ids = dict(db.session.execute(db.select(FundingScenario.name, FundingScenario.id)).all())
    assert set(ids) == {"Baseline", "Ready first"}
    listing = state.get("/state/funding/").get_data(as_text=True)
    assert "Compare side by side" in listing
    compare = state.get("/state/funding/compare", query_string={"a": ids["Baseline"], "b": ids["Ready first"]})
    page = compare.get_data(as_text=True)
    assert compare.status_code == 200 and "Only in Baseline" in page and "Only in Ready first" in page
    assert page.count("<svg") == 2
    # downloads of a saved scenario: CSV, XLSX, PDF brief
    q = {"scenario": ids["Ready first"]}
    got = state.get("/state/funding/export.csv", query_string=q)
    assert got.headers["Cache-Control"] == "no-store" and got.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(got.get_data(as_text=True))))
    assert sorted(r["town"] for r in rows if r["selected"] == "1") == selected_towns(html2)
    xlsx = state.get("/state/funding/export.xlsx", query_string=q)
    assert xlsx.headers["Cache-Control"] == "no-store"
    frame = pd.read_excel(io.BytesIO(xlsx.data), sheet_name="Candidates")
    assert {"town", "cost", "priority", "selected"} <= set(frame.columns)
    assert int(frame["selected"].sum()) == len(selected_towns(html2))
    assert frame.loc[frame["selected"] == 1, "cost"].sum() <= 2_000_000
    pdf = state.get("/state/funding/brief.pdf", query_string=q)
    assert pdf.headers["Cache-Control"] == "no-store" and pdf.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(pdf.data))
    text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    assert "Nutmeg Network connection funding" in text and "Ready first" in text
    assert "Selected for funding" in text and "How priorities are set" in text
    assert reader.metadata.title == "Nutmeg Network connection funding: Ready first"
    # the download is in the audit trail
    from muni_assess.models import AuditEvent

    with app.app_context():
        actions = set(db.session.scalars(db.select(AuditEvent.action)))
    assert {"export.funding_csv", "export.funding_xlsx", "export.funding_brief_pdf"} <= actions
    # delete one
    state.post(f"/state/funding/scenarios/{ids['Baseline']}/delete", data={"csrf_token": token})
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(FundingScenario.id))) == 1


def test_bad_budgets_and_weights_are_explained(login_as, nutmeg_towns):
    state = login_as("state_analyst")
    for field, value, message in (("budget", "0", "The budget must be more than $0."),
                                  ("budget", "lots", "The budget must be an amount in dollars"),
                                  ("w_need", "-3", "The weight must be zero or more."),
                                  ("w_need", "heavy", "The weight must be a number")):
        html = state.get("/state/funding/", query_string={**DEFAULT, field: value}).get_data(as_text=True)
        assert message in html and "nothing was saved" in html
        assert f'id="{field}-error"' in html and 'aria-invalid="true"' in html
        assert "Candidates selected" not in html
    zero = {**DEFAULT, **{k: "0" for k in DEFAULT if k.startswith("w_")}}
    assert "At least one weight must be more than zero." in state.get("/state/funding/", query_string=zero).get_data(
        as_text=True)
    everything = state.get("/state/funding/", query_string={**DEFAULT, "budget": "50000000"}).get_data(as_text=True)
    assert "The budget covers every costed candidate" in everything


def test_saving_a_bad_scenario_changes_nothing(app, login_as, nutmeg_towns):
    state = login_as("state_analyst")
    token = csrf_token(state, "/state/funding/")
    bad = {**{k: v.replace(",", "") for k, v in DEFAULT.items()}, "w_need": "-1", "name": "Bad", "csrf_token": token}
    response = state.post("/state/funding/scenarios", data=bad, follow_redirects=True)
    assert "The scenario was not saved" in response.get_data(as_text=True)
    no_name = {**bad, "w_need": "1", "name": ""}
    assert "Give the scenario a name." in state.post("/state/funding/scenarios", data=no_name,
                                                     follow_redirects=True).get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(FundingScenario.id))) == 0


def test_cost_defaults_edit_and_uncosted_candidates(app, login_as, nutmeg_towns):
    state = login_as("state_analyst")
    token = csrf_token(state, "/state/funding/costs")
    form = {"cost_town_hall": "45,000", "cost_police": "35000", "cost_fire": "30000", "cost_library": "25000",
            "cost_schools": "40000", "cost_public_works": "", "csrf_token": token}
    bad = state.post("/state/funding/costs", data={**form, "cost_fire": "-5"})
    assert bad.status_code == 400 and "Enter a whole-dollar amount above $0" in bad.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(FundingCostDefault)) == 0
    assert state.post("/state/funding/costs", data=form).status_code == 302
    html = state.get("/state/funding/", query_string=DEFAULT).get_data(as_text=True)
    assert "have no cost estimate, so they are not considered: Hartford: Public works garage" in html
    assert 'value="45,000"' in state.get("/state/funding/costs").get_data(as_text=True)


def test_equity_upload_all_or_nothing(app, login_as, nutmeg_towns):
    state = login_as("state_analyst")
    token = csrf_token(state, "/state/funding/equity")

    def upload(text: str):
        return state.post("/state/funding/equity", data={"csrf_token": token,
                                                         "file": (io.BytesIO(text.encode()), "equity.csv")},
                          content_type="multipart/form-data")

    bad = upload("town,score\nAndover,3\nAtlantis,2\nBolton,high\n")
    body = bad.get_data(as_text=True)
    assert bad.status_code == 400 and "nothing was imported" in body
    assert "Row 3: &#39;Atlantis&#39; is not a town of this state." in body and "Row 4:" in body
    assert upload("name,value\nAndover,3\n").status_code == 400
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(EquityScore)) == 0
    good = upload("town,score\nAndover,10\nBolton,0\n")
    assert good.status_code == 302
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(EquityScore)) == 2
    csv_text = state.get("/state/funding/export.csv", query_string=DEFAULT).get_data(as_text=True)
    andover = next(r for r in csv.DictReader(io.StringIO(csv_text)) if r["town"] == "Andover")
    assert andover["equity"] == "1.0"
    state.post("/state/funding/equity/clear", data={"csrf_token": token})
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(EquityScore)) == 0


def test_cli_prioritize(app, runner, nutmeg_towns, tmp_path):
    out = tmp_path / "p.csv"
    result = runner.invoke(args=["prioritize", "--budget", "2000000", "--weight", "readiness=50", "--out", str(out)])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert {"town", "cost", "priority", "selected"} <= set(rows[0])
    chosen = [r for r in rows if r["selected"] == "1"]
    assert chosen and sum(int(r["cost"]) for r in chosen) <= 2_000_000
    assert "candidates selected" in result.output
    bad = runner.invoke(args=["prioritize", "--budget", "0", "--out", str(out)])
    assert bad.exit_code != 0 and "more than $0" in bad.output
    bad = runner.invoke(args=["prioritize", "--budget", "100", "--weight", "need=-1", "--out", str(out)])
    assert bad.exit_code != 0 and "zero or more" in bad.output
    unknown = runner.invoke(args=["prioritize", "--budget", "2000000", "--include-unknown", "--out", str(out)])
    assert unknown.exit_code == 0
    assert len(list(csv.DictReader(io.StringIO(out.read_text())))) > len(rows)
