"""Use cases for region pages: the regional dashboard, the statewide view, peer benchmarks, region counts.

Each builds the tidy frame with `scores.score_frame` (one query) and hands it to `scoring.aggregate`; the
result is a set of display tables (`documents.exports.Table`) that the page, the XLSX/CSV exports and the PDF
brief all show, so a download always equals the page.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import pandas as pd
from flask import current_app
from sqlalchemy import func, select

from muni_assess import contentstore
from muni_assess.documents.exports import Table
from muni_assess.extensions import db
from muni_assess.models import Assessment, Region, Town
from muni_assess.regional import tables
from muni_assess.regional.scores import score_frame, submitted_scores
from scoring import aggregate

STATUS_LABELS = {"not_started": "Not started", "in_progress": "In progress", "submitted": "Submitted"}


@dataclass
class Filters:
    """The population band and section a page is narrowed to (None: all)."""

    band: str | None = None
    section: str | None = None


@dataclass
class Picture:
    """Everything a regional or statewide page (and its exports) shows."""

    title: str
    cycle: int
    previous: int
    scope: str  # "region" or "state"
    filters: Filters
    sections: list[tuple[str, str]]
    assessed: int
    towns: int
    counts: dict[str, int]
    min_towns: int
    shared_min: int
    versions: dict[int, int]
    tables: dict[str, Table] = field(default_factory=dict)

    @property
    def has_data(self) -> bool:
        return self.assessed > 0

    @property
    def suppressed(self) -> bool:
        return 0 < self.assessed < self.min_towns


def sections_for(state: str) -> list[tuple[str, str]]:
    """(id, title) of the sections the current question set asks this state, in questionnaire order."""
    return [(s.id, s.title) for s in contentstore.current_set().sections_for(state)]


def band_choices() -> list[tuple[str, str]]:
    return [(b.id, b.label) for b in contentstore.content().catalog.bands]


def _costs_and_titles() -> tuple[pd.DataFrame, dict[str, str]]:
    catalog = contentstore.content().catalog
    rows = []
    for rid, rec in catalog.recommendations.items():
        for band in ("small", "medium", "large"):
            (ol, oh), (yl, yh) = rec.cost.one_time.for_band(band), rec.cost.yearly.for_band(band)
            rows.append((rid, band, ol, oh, yl, yh))
    costs = pd.DataFrame(rows, columns=["rec_id", "band", "one_time_low", "one_time_high", "yearly_low",
                                        "yearly_high"])
    return costs, {rid: rec.title for rid, rec in catalog.recommendations.items()}


def _settings() -> tuple[int, int]:
    config = current_app.config
    return config.get("SUPPRESSION_MIN_TOWNS", 5), config.get("SHARED_SERVICE_MIN_TOWNS", 3)


def _picture(frame: pd.DataFrame, title: str, scope: str, cycle: int, filters: Filters, state: str) -> Picture:
    frame = aggregate.filter_band(frame, filters.band)
    rows = aggregate.submitted(frame, cycle)
    completion = aggregate.completion(frame, cycle)
    counts = aggregate.status_counts(completion).iloc[0].to_dict() if len(completion) else {
        s: 0 for s in (*aggregate.STATUSES, "towns")}
    min_towns, shared_min = _settings()
    return Picture(title, cycle, cycle - 1, scope, filters, sections_for(state), int(rows["town_id"].nunique()),
                   int(len(completion)), {k: int(v) for k, v in counts.items()}, min_towns, shared_min,
                   aggregate.versions(rows)), frame, rows, completion


def region_picture(region: Region, cycle: int, filters: Filters) -> Picture:
    """The regional dashboard: completion, heatmap, distributions, common gaps, opportunities, change."""
    frame = score_frame(region.state, (cycle, cycle - 1), region.id)
    picture, frame, rows, completion = _picture(frame, f"{region.name} ({region.code})", "region", cycle, filters,
                                                region.state)
    costs, titles = _costs_and_titles()
    picture.tables = tables.region_tables(picture, frame, rows, completion, costs, titles)
    return picture


def state_picture(state: str, cycle: int, filters: Filters) -> Picture:
    """The statewide view: the same picture with regions as rows."""
    frame = score_frame(state, (cycle, cycle - 1))
    picture, frame, rows, completion = _picture(frame, f"Statewide ({state})", "state", cycle, filters, state)
    costs, titles = _costs_and_titles()
    picture.tables = tables.state_tables(picture, frame, rows, completion, costs, titles)
    return picture


@dataclass
class PeerBenchmarks:
    """Region and state quartiles per section for a town's results page (suppressed groups say so)."""

    cycle: int
    region_name: str
    min_towns: int
    rows: list[dict]

    @property
    def any_shown(self) -> bool:
        return any(not r["region_suppressed"] or not r["state_suppressed"] for r in self.rows)


def peer_benchmarks(town: Town, cycle: int) -> PeerBenchmarks:
    """Medians and quartiles of the town's region and state per section, never naming or exposing a town."""
    rows = submitted_scores(town.state, cycle)
    sections = sections_for(town.state)
    min_towns, _ = _settings()
    stats = aggregate.peer_benchmarks(rows, town.region_id, [s for s, _ in sections], min_towns)
    titles = dict(sections)
    out = [{**r, "title": titles[r["section"]]} for r in stats.to_dict("records")]
    return PeerBenchmarks(cycle, town.region.name, min_towns, out)


def region_counts(cycle: int, state: str) -> dict[int, dict[str, int]]:
    """Per region: how many towns, and how many in progress or submitted for the cycle (one query)."""
    counts: dict[int, dict[str, int]] = defaultdict(lambda: {"towns": 0, "in_progress": 0, "submitted": 0})
    query = (select(Town.region_id, Assessment.status, func.count(Town.id))
             .outerjoin(Assessment, (Assessment.town_id == Town.id) & (Assessment.cycle == cycle))
             .where(Town.state == state).group_by(Town.region_id, Assessment.status))
    for region_id, status, n in db.session.execute(query):
        counts[region_id]["towns"] += n
        if status:
            counts[region_id][status] += n
    return counts


def region_by_id(region_id: int) -> Region | None:
    return db.session.get(Region, region_id)
