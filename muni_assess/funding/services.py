"""Use cases of the funding priorities: gather towns' answers, known connections, cost model and equity scores
as plain values, hand them to `scoring.funding`, and keep scenarios, cost defaults and equity rows."""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

from sqlalchemy import func, select

from muni_assess.documents.maps import neighbours
from muni_assess.extensions import db
from muni_assess.models import Answer, Assessment, EquityScore, FundingCostDefault, FundingScenario, Region, Town
from muni_assess.models._base import utcnow
from muni_assess.reference import HERE
from scoring import funding
from scoring.funding import DEFAULT_FACILITY_COSTS, FACILITIES, FundingInputError

QUESTIONS = ("nutmeg_connected", "nutmeg_facilities", "nutmeg_services", "nutmeg_plan_progress",
             "nutmeg_connection_cost", "nutmeg_cost_basis", "backup_location")
EQUITY_MAX_BYTES = 200_000


@dataclass(frozen=True)
class Params:
    """One scenario's choices: budget in dollars, weights by factor, and whether unknown towns are included."""

    budget: int
    weights: dict[str, float]
    include_unknown: bool = False


def known_connections(state: str) -> dict[str, tuple[int | None, str]]:
    """Towns a public source names as having received a connection grant: town → (year, source URL)."""
    if state != "CT":
        return {}
    with (HERE / "ct_nutmeg_connections.csv").open(newline="", encoding="utf-8") as fh:
        return {r["town"]: (int(r["connected_year"]) if r["connected_year"] else None, r["source_url"])
                for r in csv.DictReader(fh)}


def _latest_answers(town_ids: list[int], cycle: int) -> dict[int, dict[str, object]]:
    """Per town, the answers of its most recent assessment up to `cycle` (in progress or submitted)."""
    latest = (select(Assessment.town_id, func.max(Assessment.cycle).label("cycle"))
              .where(Assessment.cycle <= cycle, Assessment.town_id.in_(town_ids))
              .group_by(Assessment.town_id).subquery())
    ids = dict(db.session.execute(select(Assessment.id, Assessment.town_id).join(
        latest, (Assessment.town_id == latest.c.town_id) & (Assessment.cycle == latest.c.cycle))).all())
    answers: dict[int, dict[str, object]] = {tid: {} for tid in ids.values()}
    if ids:
        rows = db.session.execute(select(Answer.assessment_id, Answer.question_id, Answer.value).where(
            Answer.assessment_id.in_(list(ids)), Answer.question_id.in_(QUESTIONS), Answer.value.is_not(None)))
        for aid, qid, value in rows:
            answers[ids[aid]][qid] = value
    return answers


def town_inputs(state: str, cycle: int) -> list[funding.TownInput]:
    """Every town of the state as plain values: region, population, answers, known connection, neighbours."""
    towns = list(db.session.execute(select(Town.id, Town.name, Town.population, Region.code).join(Region)
                                    .where(Town.state == state).order_by(Town.name)))
    answers = _latest_answers([t.id for t in towns], cycle)
    known, touching = known_connections(state), neighbours(state)
    return [funding.TownInput(t.name, t.code, t.population, answers.get(t.id), known.get(t.name, (None, None))[1],
                              known.get(t.name, (None, None))[0], touching.get(t.name, ()))
            for t in towns]


def cost_defaults(state: str) -> dict[str, int | None]:
    """The cost model: state staff's saved figures over the shipped defaults."""
    saved = {r.facility: r.cost for r in db.session.scalars(
        select(FundingCostDefault).where(FundingCostDefault.state == state))}
    return {f: saved.get(f, DEFAULT_FACILITY_COSTS[f]) for f in FACILITIES}


def save_cost_defaults(state: str, costs: dict[str, int | None], user_id: int) -> None:
    """Store every facility's cost (None: no estimate, so candidates without their own figure are set aside)."""
    for facility in FACILITIES:
        row = db.session.get(FundingCostDefault, (facility, state))
        if row is None:
            row = FundingCostDefault(facility=facility, state=state)
            db.session.add(row)
        row.cost, row.updated_at, row.updated_by_id = costs.get(facility), utcnow(), user_id
    db.session.flush()


def equity_scores(state: str) -> dict[str, float]:
    return dict(db.session.execute(select(Town.name, EquityScore.score).join(Town).where(Town.state == state)).all())


def equity_source(state: str) -> tuple[str, object] | None:
    row = db.session.execute(select(EquityScore.source_name, EquityScore.uploaded_at).join(Town)
                             .where(Town.state == state).limit(1)).first()
    return (row.source_name, row.uploaded_at) if row else None


def import_equity(state: str, filename: str, data: bytes) -> tuple[int, list[str]]:
    """Replace the equity scores with the file's; with any problem, nothing is imported and each is listed."""
    if len(data) > EQUITY_MAX_BYTES:
        return 0, [f"The file is larger than {EQUITY_MAX_BYTES // 1000} kB; an equity file has one short row "
                   "per town."]
    try:
        text = data.decode("utf-8-sig")
        reader = csv.DictReader(io.StringIO(text))
        header = [h.strip().lower() for h in (reader.fieldnames or [])]
        reader.fieldnames = header
        rows = list(reader)
    except (UnicodeDecodeError, csv.Error) as exc:
        return 0, [f"The file is not a readable UTF-8 CSV file ({type(exc).__name__})."]
    if not {"town", "score"} <= set(header):
        return 0, ["The first row must be a header with the columns town and score."]
    towns = dict(db.session.execute(select(Town.name, Town.id).where(Town.state == state)).all())
    scores, problems = funding.parse_equity(rows, set(towns))
    if problems:
        return 0, problems
    clear_equity(state)
    safe_name = re.sub(r"[^\w. -]", "", filename)[:200]
    for name, score in scores.items():
        db.session.add(EquityScore(town_id=towns[name], score=score, source_name=safe_name))
    db.session.flush()
    return len(scores), []


def clear_equity(state: str) -> None:
    ids = select(Town.id).where(Town.state == state)
    db.session.execute(db.delete(EquityScore).where(EquityScore.town_id.in_(ids)))


def candidates(state: str, cycle: int, include_unknown: bool) -> funding.Candidates:
    """The candidates for the state from current data."""
    return funding.build_candidates(town_inputs(state, cycle), cost_defaults(state), include_unknown,
                                    equity_scores(state))


def run(state: str, cycle: int, params: Params) -> tuple[funding.Result, list[funding.Change]]:
    """The scenario's result and how it moves when each weight moves. Ends the read transaction first
    because the optimizer runs many times (SQLite takes the write lock per transaction; see dbsetup)."""
    cands = candidates(state, cycle, params.include_unknown)
    db.session.rollback()  # nothing was written; this only ends the transaction
    result = funding.prioritize(cands, params.weights, params.budget)
    return result, funding.sensitivity(cands, result)


def scenarios(state: str) -> list[FundingScenario]:
    return list(db.session.scalars(select(FundingScenario).where(FundingScenario.state == state)
                                   .order_by(FundingScenario.name)))


def get_scenario(state: str, scenario_id: int) -> FundingScenario | None:
    row = db.session.get(FundingScenario, scenario_id)
    return row if row is not None and row.state == state else None


def params_of(row: FundingScenario) -> Params:
    return Params(row.budget, dict(row.weights), row.include_unknown)


def save_scenario(state: str, name: str, params: Params, user_id: int) -> FundingScenario:
    """Create or replace the scenario of that name."""
    name = name.strip()
    if not name:
        raise FundingInputError("Give the scenario a name.")
    row = db.session.scalar(select(FundingScenario).where(FundingScenario.state == state,
                                                          FundingScenario.name == name))
    if row is None:
        row = FundingScenario(state=state, name=name, created_by_id=user_id)
        db.session.add(row)
    row.budget, row.weights, row.include_unknown = params.budget, dict(params.weights), params.include_unknown
    db.session.flush()
    return row


def delete_scenario(row: FundingScenario) -> None:
    db.session.delete(row)
    db.session.flush()
