"""View models of the funding pages: parse the scenario from a request, run it, and prepare what templates and
documents show (URLs, labels, tables). No rules here: those are in `scoring.funding`."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from flask import abort, request
from markupsafe import Markup

from muni_assess import audit as audit_trail
from muni_assess.documents.funding_brief import BriefInput, funding_brief_pdf
from muni_assess.documents.funding_exports import candidates_csv, scenario_xlsx
from muni_assess.documents.maps import status_map_svg
from muni_assess.documents.pdfkit import today
from muni_assess.extensions import db
from muni_assess.funding import forms, services
from scoring.funding import (
    DEFAULT_WEIGHTS,
    FACTOR_EXPLANATIONS,
    FACTOR_LABELS,
    FACTORS,
    STATUS_LABELS,
    WEIGHT_REASONS,
    Change,
    FundingInputError,
    Result,
)

UNTITLED = "Unsaved scenario"


@dataclass
class ResultPage:
    name: str
    params: services.Params
    result: Result | None = None
    changes: list[Change] = field(default_factory=list)
    map_svg: Markup | None = None
    town_rows: list[dict] = field(default_factory=list)
    query: dict = field(default_factory=dict)
    error: str | None = None


def query_of(params: services.Params) -> dict:
    """The URL query that reproduces a scenario (for links to exports and the brief)."""
    q = {"budget": str(params.budget), **{f"w_{f}": f"{params.weights[f]:g}" for f in FACTORS}}
    if params.include_unknown:
        q["include_unknown"] = "y"
    return q


def _form_for(params: services.Params) -> forms.ScenarioForm:
    data = {"budget": f"{params.budget:,}", "include_unknown": params.include_unknown,
            **{f"w_{f}": f"{params.weights.get(f, DEFAULT_WEIGHTS[f]):g}" for f in FACTORS}}
    return forms.ScenarioForm(formdata=None, data=data)


def scenario_from_request(state: str) -> tuple[forms.ScenarioForm, services.Params | None, str]:
    """The scenario the URL asks for: a saved one (?scenario=ID), one typed in the form, or the defaults."""
    scenario_id = request.args.get("scenario", type=int)
    if scenario_id is not None:
        row = services.get_scenario(state, scenario_id) or abort(404)
        params = services.params_of(row)
        return _form_for(params), params, row.name
    if "budget" not in request.args:
        params = services.Params(forms.DEFAULT_BUDGET, dict(DEFAULT_WEIGHTS))
        return _form_for(params), params, UNTITLED
    form = forms.ScenarioForm(request.args)
    if not form.validate():
        return form, None, UNTITLED
    return form, services.Params(int(float(form.budget.data.replace(",", "").replace("$", ""))), form.weights(),
                                 bool(form.include_unknown.data)), UNTITLED


def _town_rows(result: Result) -> list[dict]:
    rows = []
    for name in sorted(result.map_status):
        status = result.candidates.statuses[name]
        rows.append({"town": name, "status": STATUS_LABELS[result.map_status[name]], "basis": status.basis,
                     "source_url": status.source_url})
    return rows


def result_page(state: str, cycle: int, params: services.Params, name: str) -> ResultPage:
    """Run the scenario and prepare the result section of the page."""
    page = ResultPage(name, params, query=query_of(params))
    try:
        page.result, page.changes = services.run(state, cycle, params)
    except FundingInputError as exc:
        page.error = str(exc)
        return page
    page.map_svg = status_map_svg(dict(page.result.map_status), f"Nutmeg Network status and selection: {name}",
                                  ident=f"map-{re.sub(r'[^a-z0-9]+', '-', name.lower())}", state=state)
    page.town_rows = _town_rows(page.result)
    return page


def save_form(form: forms.ScenarioForm) -> forms.SaveScenarioForm:
    """The save form carrying the scenario on the page (only offered when the scenario is valid)."""
    save = forms.SaveScenarioForm(formdata=None)
    save.budget.data = (form.budget.data or "").replace(",", "").replace("$", "")
    save.include_unknown.data = "y" if form.include_unknown.data else ""
    for f in FACTORS:
        save[f"w_{f}"].data = form[f"w_{f}"].data
    return save


def params_of_form(form: forms.SaveScenarioForm) -> services.Params:
    return services.Params(int(float(form.budget.data)), {f: float(form[f"w_{f}"].data) for f in FACTORS},
                           form.include_unknown.data == "y")


def first_error(form) -> str:
    for fld in form:
        if fld.errors:
            return f"{fld.label.text}: {fld.errors[0]}"
    return "check the form and try again."


def saved_list(state: str) -> list[dict]:
    return [{"row": row, "delete_form": forms.DeleteForm(formdata=None)} for row in services.scenarios(state)]


def compare_form(state: str, args=None) -> forms.CompareForm:
    form = forms.CompareForm(args) if args is not None else forms.CompareForm(formdata=None)
    choices = [(row.id, row.name) for row in services.scenarios(state)]
    form.a.choices = form.b.choices = choices
    if args is None and len(choices) >= 2:
        form.a.data, form.b.data = choices[0][0], choices[1][0]
    return form


def comparison(state: str, cycle: int, a, b) -> dict:
    """Two saved scenarios side by side, and which candidates only one of them selects."""
    left = result_page(state, cycle, services.params_of(a), a.name)
    right = result_page(state, cycle, services.params_of(b), b.name)
    labels = {}
    for page in (left, right):
        for s in (page.result.scored if page.result else ()):
            labels[s.candidate.key] = s.candidate.label
    chosen_a = left.result.selection.chosen if left.result else frozenset()
    chosen_b = right.result.selection.chosen if right.result else frozenset()
    return {"a": left, "b": right, "both": sorted(labels[k] for k in chosen_a & chosen_b),
            "only_a": sorted(labels[k] for k in chosen_a - chosen_b),
            "only_b": sorted(labels[k] for k in chosen_b - chosen_a)}


def fill_costs(form: forms.CostsForm, costs: dict[str, int | None]) -> None:
    for facility, cost in costs.items():
        form[f"cost_{facility}"].data = "" if cost is None else f"{cost:,}"


@dataclass(frozen=True)
class Document:
    data: bytes
    filename: str


def document(state: str, cycle: int, kind: str) -> Document:
    """The CSV, XLSX or PDF of the scenario the URL names; 400 for a scenario that is not valid."""
    _form, params, name = scenario_from_request(state)
    if params is None:
        abort(400)
    page = result_page(state, cycle, params, name)
    if page.result is None:
        abort(400)
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "scenario"
    filename = f"nutmeg-funding-{slug}-{today():%Y-%m-%d}.{kind}"
    if kind == "csv":
        return Document(candidates_csv(page.result), filename)
    if kind == "xlsx":
        return Document(scenario_xlsx(name, page.result), filename)
    source = services.equity_source(state)
    db.session.rollback()
    return Document(funding_brief_pdf(BriefInput(name, state, today(), page.result, page.changes,
                                                 source[0] if source else None)), filename)


def audit(action: str, filename: str) -> None:
    """Record the download in the audit trail (committed here: the download is the use case)."""
    audit_trail.record(action, detail={"file": filename})
    db.session.commit()


EXPLAIN = {f: {"label": FACTOR_LABELS[f], "how": FACTOR_EXPLANATIONS[f], "why": WEIGHT_REASONS[f],
               "default": DEFAULT_WEIGHTS[f]} for f in FACTORS}
