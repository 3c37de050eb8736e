"""The tidy frame of scores that every regional and statewide statistic is computed from.

`score_frame` reads it with ONE query (towns ⟕ assessments ⟕ cached section scores). The cache
(`RegionalScore`) is brought up to date first by `refresh`, which re-scores only assessments saved since their
rows were written: a constant four statements whatever the number of towns, none at all when nothing changed.
"""
from __future__ import annotations

import gc
import hashlib
import time
from collections import defaultdict
from contextlib import contextmanager
from functools import cache
from pathlib import Path

import pandas as pd
from sqlalchemy import and_, delete, exists, func, insert, select

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


_KEYS: dict[int, tuple[Catalog, str]] = {}


def content_key(catalog: Catalog) -> str:
    """The key a cached row must carry to be current: scoring code plus the recommendation catalog (worked
    out once per parsed catalog: content is parsed once per process and never changed in place)."""
    held = _KEYS.get(id(catalog))
    if held is not None and held[0] is catalog:
        return held[1]
    digest = hashlib.sha256(_rules_fingerprint().encode())
    for rid in sorted(catalog.recommendations):
        digest.update(catalog.recommendations[rid].model_dump_json().encode())
    if len(_KEYS) > 16:
        _KEYS.clear()
    _KEYS[id(catalog)] = (catalog, digest.hexdigest()[:32])
    return _KEYS[id(catalog)][1]


def _scope(query, state: str, region_id: int | None, cycles: tuple[int, ...]):
    query = query.where(Town.state == state, Assessment.cycle.in_(cycles))
    return query.where(Town.region_id == region_id) if region_id is not None else query


def _stale(state: str, region_id: int | None, cycles: tuple[int, ...], key: str, submitted_only: bool = False):
    current = exists().where(RegionalScore.assessment_id == Assessment.id,
                             RegionalScore.source_updated_at == Assessment.updated_at,
                             RegionalScore.content_key == key)
    query = (select(Assessment.id, Assessment.question_set_id, Assessment.question_set_version,
                    Assessment.updated_at, Assessment.status, Town.state, Town.population)
             .join(Town, Town.id == Assessment.town_id).where(~current))
    if submitted_only:
        query = query.where(Assessment.status == SUBMITTED)
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


def read_answers(assessment_ids) -> dict[int, dict]:
    """Assessment id -> {question id: value} for the assessments a subquery selects (answered questions only):
    what scoring reads, in one query whatever the number of assessments."""
    answers: dict[int, dict] = defaultdict(dict)
    with bulk_read():
        rows = db.session.connection().execute(select(Answer.assessment_id, Answer.question_id, Answer.value)
                                               .where(Answer.assessment_id.in_(assessment_ids),
                                                      Answer.value.is_not(None)))
        for aid, qid, value in rows:
            answers[aid][qid] = value
    return answers


def refresh(state: str, region_id: int | None, cycles: tuple[int, ...], submitted_only: bool = False) -> int:
    """Re-score the assessments in scope whose cached rows are missing or out of date; return how many.

    `submitted_only` leaves assessments in progress alone: a town's peer benchmarks use submitted ones only, and
    during a deadline hundreds of drafts change every minute.
    """
    catalog = contentstore.content().catalog
    key = content_key(catalog)
    stale = _stale(state, region_id, cycles, key, submitted_only)
    metas = db.session.execute(stale).all()
    if not metas:
        return 0
    answers = read_answers(stale.with_only_columns(Assessment.id).scalar_subquery())
    rows = [row for meta in metas for row in _rows_for(meta, answers[meta.id], catalog, key)]
    with db.session.begin_nested():
        db.session.execute(delete(RegionalScore).where(RegionalScore.assessment_id.in_([m.id for m in metas])))
        if rows:
            db.session.execute(insert(RegionalScore), rows)
    return len(metas)


TOWN_COLUMNS = ("region_id", "region_code", "region", "town_id", "town", "population")
ASSESSMENT_COLUMNS = ("assessment_id", "town_id", "cycle", "status", "updated_at", "qs_version")
SCORE_COLUMNS = ("assessment_id", "section", "score", "tier", "overall", "answered", "visible", "needs")


@contextmanager
def bulk_read():
    """Pause the garbage collector while 100,000s of rows are read: they hold no reference cycles, yet their
    allocation would set off repeated full collections over the whole heap (half the cost of a statewide read)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _frame(query, columns: tuple[str, ...], plain: bool = False) -> pd.DataFrame:
    """A query's rows as a frame (plain tuples: pandas reads them several times faster than Row objects).

    `plain` says every column is a number, text or boolean, which the database driver returns as Python values
    already: the rows are then taken from the driver's cursor directly, skipping SQLAlchemy's Row objects (for
    the 280,000 score rows of a 20,000-town state, twice as fast). The statement still runs through SQLAlchemy,
    so its events (statement counts, logging) see it. Dates need SQLAlchemy's conversion on SQLite: not plain.
    """
    with bulk_read():
        result = db.session.connection().execute(query)  # Core rows: no ORM row processing needed here
        if plain:
            rows = result.cursor.fetchall()
            result.close()
        else:
            rows = list(map(tuple, result.all()))
        if not rows:
            return pd.DataFrame({c: pd.Series(dtype="int64" if c.endswith("_id") else "object") for c in columns})
        return pd.DataFrame.from_records(rows, columns=list(columns))


def score_frame(state: str, cycles: tuple[int, ...], region_id: int | None = None) -> pd.DataFrame:
    """The tidy frame (see `scoring.aggregate`) for every town of the state or one region.

    Three narrow queries (towns; their assessments of the cycles; the cached section scores) joined here, rather
    than one wide join: a town's name and region, and an assessment's status, would otherwise travel once per
    section row, and reading rows is most of the cost of a statewide page. The score rows say whether they are
    current, so the cache is brought up to date (`refresh`, then the scores read again) only when some are not,
    rather than checked by a query of its own on every view. The statement count is the same whatever the
    number of towns.
    """
    in_scope = Town.state == state if region_id is None else and_(Town.state == state, Town.region_id == region_id)
    towns = _frame(select(Region.id, Region.code, Region.name, Town.id, Town.name, Town.population)
                   .join(Region, Region.id == Town.region_id).where(in_scope), TOWN_COLUMNS)
    assessed = (select(Assessment.id, Assessment.town_id, Assessment.cycle, Assessment.status, Assessment.updated_at,
                       Assessment.question_set_version)
                .join(Town, Town.id == Assessment.town_id).where(in_scope, Assessment.cycle.in_(cycles)))
    assessments = _frame(assessed, ASSESSMENT_COLUMNS)
    scores = _scores(in_scope, cycles)
    if _any_stale(assessments, scores) and refresh(state, region_id, cycles):
        scores = _scores(in_scope, cycles)
    if towns.empty:
        return aggregate.empty_frame()
    frame = (towns.merge(assessments, on="town_id", how="left")
             .merge(scores.drop(columns="fresh"), on="assessment_id", how="left"))
    bands = [(b.id, b.max) for b in contentstore.content().catalog.bands]
    frame["band"] = aggregate.bands_of(frame["population"], bands)
    frame["cycle"] = frame["cycle"].astype("Int64")
    frame["qs_version"] = frame["qs_version"].astype("Int64")
    return frame[list(aggregate.FRAME_COLUMNS)]


def _scores(in_scope, cycles: tuple[int, ...]) -> pd.DataFrame:
    """The cached section rows of the assessments in scope, each with whether it is current."""
    fresh = and_(RegionalScore.source_updated_at == Assessment.updated_at,
                 RegionalScore.content_key == content_key(contentstore.content().catalog))
    return _frame(select(RegionalScore.assessment_id, RegionalScore.section_id, RegionalScore.score,
                         RegionalScore.tier, RegionalScore.overall, RegionalScore.answered, RegionalScore.visible,
                         RegionalScore.needs, fresh)
                  .join(Assessment, Assessment.id == RegionalScore.assessment_id)
                  .join(Town, Town.id == Assessment.town_id).where(in_scope, Assessment.cycle.in_(cycles)),
                  (*SCORE_COLUMNS, "fresh"), plain=True)


def _any_stale(assessments: pd.DataFrame, scores: pd.DataFrame) -> bool:
    """True when an assessment has no current cached row (the test `refresh` makes, without a query)."""
    current = scores.loc[scores["fresh"].astype(bool), "assessment_id"]
    return not assessments["assessment_id"].isin(current).all()


PEER_COLUMNS = ("region_id", "town_id", "section", "score")
_SUBMITTED: dict[tuple, tuple[tuple, float, pd.DataFrame]] = {}  # (database, state, cycle) -> fingerprint, when, rows
SUBMITTED_TTL = 300.0  # seconds: a copy is re-read at least this often whatever its fingerprint says


def submitted_scores(state: str, cycle: int) -> pd.DataFrame:
    """Section scores of every assessment of the state submitted for the cycle (the rows `aggregate.submitted`
    would keep), for peer benchmarks on every town's results page.

    Kept per process while a one-row fingerprint of the submitted set (how many, which, latest change, and the
    content key) is unchanged: a submitted assessment's scores cannot change without a reopen or a new
    submission, and each of those changes the fingerprint. So a results page costs one small query here
    instead of reading every submitted town of the state.
    """
    key = content_key(contentstore.content().catalog)
    where = (Town.state == state, Assessment.cycle == cycle, Assessment.status == SUBMITTED)
    count, ids, latest = db.session.execute(
        select(func.count(Assessment.id), func.sum(Assessment.id), func.max(Assessment.updated_at))
        .join(Town, Town.id == Assessment.town_id).where(*where)).one()
    fingerprint = (key, count, ids, latest)
    slot = (db.engine.url.render_as_string(hide_password=True), state, cycle)
    held = _SUBMITTED.get(slot)
    if held is not None and held[0] == fingerprint and time.monotonic() - held[1] < SUBMITTED_TTL:
        return held[2]
    refresh(state, None, (cycle,), submitted_only=True)
    rows = _frame(select(Town.region_id, Town.id, RegionalScore.section_id, RegionalScore.score)
                  .join(Assessment, Assessment.id == RegionalScore.assessment_id)
                  .join(Town, Town.id == Assessment.town_id).where(*where), PEER_COLUMNS, plain=True)
    _SUBMITTED[slot] = (fingerprint, time.monotonic(), rows)
    return rows


def submitted_overall(state: str, region_id: int, cycle: int) -> list[float]:
    """Overall readiness of every assessment of a region submitted for the cycle, from the score cache (brought
    up to date for submitted assessments first): a constant few statements however many towns the region has."""
    refresh(state, region_id, (cycle,), submitted_only=True)
    query = (select(RegionalScore.assessment_id, func.max(RegionalScore.overall))
             .join(Assessment, Assessment.id == RegionalScore.assessment_id)
             .join(Town, Town.id == Assessment.town_id)
             .where(Town.state == state, Town.region_id == region_id, Assessment.cycle == cycle,
                    Assessment.status == SUBMITTED)
             .group_by(RegionalScore.assessment_id))
    return [overall for _aid, overall in db.session.execute(query)]
