"""The tidy frame of scores that every regional and statewide statistic is computed from.

`score_frame` reads it with ONE query (towns ⟕ assessments ⟕ cached section scores). The cache
(`RegionalScore`) is brought up to date first by `refresh`, which re-scores only assessments saved since their
rows were written: a constant four statements whatever the number of towns, none at all when nothing changed.
"""
from __future__ import annotations

import hashlib
from collections import defaultdict
from functools import cache
from pathlib import Path

import pandas as pd
from sqlalchemy import and_, delete, exists, insert, select

from muni_assess import contentstore
from muni_assess.extensions import db
from muni_assess.models import Answer, Assessment, Region, Town
from muni_assess.models.assessment import SUBMITTED
from muni_assess.regional.models import RegionalScore
from scoring import aggregate
from scoring.catalog import Catalog
from scoring.engine import AssessmentResult, score_assessment
from scoring.roadmap import plan_roadmap


@cache
def _rules_fingerprint() -> str:
    """A digest of the scoring and planning code: changing either invalidates every cached row."""
    import scoring.engine
    import scoring.roadmap

    digest = hashlib.sha256()
    for module in (scoring.engine, scoring.roadmap):
        digest.update(Path(module.__file__).read_bytes())
    return digest.hexdigest()


def content_key(catalog: Catalog) -> str:
    """The key a cached row must carry to be current: scoring code plus the recommendation catalog."""
    digest = hashlib.sha256(_rules_fingerprint().encode())
    for rid in sorted(catalog.recommendations):
        digest.update(catalog.recommendations[rid].model_dump_json().encode())
    return digest.hexdigest()[:32]


def _scope(query, state: str, region_id: int | None, cycles: tuple[int, ...]):
    query = query.where(Town.state == state, Assessment.cycle.in_(cycles))
    return query.where(Town.region_id == region_id) if region_id is not None else query


def _stale(state: str, region_id: int | None, cycles: tuple[int, ...], key: str):
    current = exists().where(RegionalScore.assessment_id == Assessment.id,
                             RegionalScore.source_updated_at == Assessment.updated_at,
                             RegionalScore.content_key == key)
    query = (select(Assessment.id, Assessment.question_set_id, Assessment.question_set_version,
                    Assessment.updated_at, Assessment.status, Town.state, Town.population)
             .join(Town, Town.id == Assessment.town_id).where(~current))
    return _scope(query, state, region_id, cycles)


def needs_by_section(result: AssessmentResult, catalog: Catalog, state: str, population: int) -> dict[str, set]:
    """Section id → recommendation ids the town's roadmap plans for that section's gaps (prerequisites follow
    the items that need them), so common gaps always match what each town's own roadmap says."""
    section_of = {q.question.id: s.section.id for s in result.sections for q in s.questions}
    plan = plan_roadmap(result, catalog, state, population)
    where: dict[str, set] = {}
    for item in plan.items:
        where[item.rec.id] = {section_of[q.question.id] for q in item.triggered_by if q.question.id in section_of}
    for item in reversed(plan.items):  # a prerequisite comes before the items needing it
        for dependent in item.needed_for:
            where[item.rec.id] |= where.get(dependent, set())
    out: dict[str, set] = defaultdict(set)
    for rid, sections in where.items():
        for section in sections:
            out[section].add(rid)
    return out


def _rows_for(meta, answers: dict, catalog: Catalog, key: str) -> list[dict]:
    qs = contentstore.set_for(meta.question_set_id, meta.question_set_version)
    if qs is None:
        return []  # content version not installed: the pages say so instead of guessing
    result = score_assessment(qs, meta.state, answers)
    needs = needs_by_section(result, catalog, meta.state, meta.population) if meta.status == SUBMITTED else {}
    return [{"assessment_id": meta.id, "section_id": s.section.id, "score": s.score, "tier": s.tier,
             "overall": result.overall, "answered": s.answered_count, "visible": s.visible_count,
             "needs": " ".join(sorted(needs.get(s.section.id, ()))), "source_updated_at": meta.updated_at,
             "content_key": key} for s in result.sections]


def refresh(state: str, region_id: int | None, cycles: tuple[int, ...]) -> int:
    """Re-score the assessments in scope whose cached rows are missing or out of date; return how many."""
    catalog = contentstore.content().catalog
    key = content_key(catalog)
    stale = _stale(state, region_id, cycles, key)
    metas = db.session.execute(stale).all()
    if not metas:
        return 0
    ids = stale.with_only_columns(Assessment.id).scalar_subquery()
    answers: dict[int, dict] = defaultdict(dict)
    for aid, qid, value in db.session.execute(select(Answer.assessment_id, Answer.question_id, Answer.value)
                                              .where(Answer.assessment_id.in_(ids), Answer.value.is_not(None))):
        answers[aid][qid] = value
    rows = [row for meta in metas for row in _rows_for(meta, answers[meta.id], catalog, key)]
    with db.session.begin_nested():
        db.session.execute(delete(RegionalScore).where(RegionalScore.assessment_id.in_([m.id for m in metas])))
        if rows:
            db.session.execute(insert(RegionalScore), rows)
    return len(metas)


FRAME_QUERY_COLUMNS = ("region_id", "region_code", "region", "town_id", "town", "population", "cycle", "status",
                       "updated_at", "qs_version", "section", "score", "tier", "overall", "answered", "visible",
                       "needs")


def score_frame(state: str, cycles: tuple[int, ...], region_id: int | None = None) -> pd.DataFrame:
    """The tidy frame (see `scoring.aggregate`) for every town of the state or one region: one query."""
    refresh(state, region_id, cycles)
    joined = and_(Assessment.town_id == Town.id, Assessment.cycle.in_(cycles))
    query = (select(Region.id, Region.code, Region.name, Town.id, Town.name, Town.population, Assessment.cycle,
                    Assessment.status, Assessment.updated_at, Assessment.question_set_version,
                    RegionalScore.section_id, RegionalScore.score, RegionalScore.tier, RegionalScore.overall,
                    RegionalScore.answered, RegionalScore.visible, RegionalScore.needs)
             .join(Region, Region.id == Town.region_id)
             .outerjoin(Assessment, joined)
             .outerjoin(RegionalScore, RegionalScore.assessment_id == Assessment.id)
             .where(Town.state == state))
    if region_id is not None:
        query = query.where(Town.region_id == region_id)
    rows = db.session.execute(query).all()
    frame = pd.DataFrame.from_records(rows, columns=list(FRAME_QUERY_COLUMNS))
    if frame.empty:
        return aggregate.empty_frame()
    bands = [(b.id, b.max) for b in contentstore.content().catalog.bands]
    frame["band"] = aggregate.bands_of(frame["population"], bands)
    frame["cycle"] = frame["cycle"].astype("Int64")
    frame["qs_version"] = frame["qs_version"].astype("Int64")
    return frame[list(aggregate.FRAME_COLUMNS)]
