"""Use cases for region pages: each member town's status, progress and scores for a cycle."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import func, select

from muni_assess import contentstore
from muni_assess.extensions import db
from muni_assess.models import Answer, Assessment, Region, Town
from scoring.engine import AssessmentResult, score_assessment

STATUS_LABELS = {"not_started": "Not started", "in_progress": "In progress", "submitted": "Submitted"}


@dataclass
class TownRow:
    town: Town
    assessment: Assessment | None
    result: AssessmentResult | None

    @property
    def status(self) -> str:
        return self.assessment.status if self.assessment else "not_started"

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


def region_towns(region: Region, cycle: int) -> list[TownRow]:
    """Every member town with its assessment and scores for the cycle, in three queries whatever the size."""
    towns = list(db.session.scalars(select(Town).where(Town.region_id == region.id).order_by(Town.name)))
    assessments = {a.town_id: a for a in db.session.scalars(
        select(Assessment).where(Assessment.cycle == cycle, Assessment.town_id.in_([t.id for t in towns])))}
    answers: dict[int, dict] = defaultdict(dict)
    if assessments:
        ids = [a.id for a in assessments.values()]
        for row in db.session.execute(select(Answer.assessment_id, Answer.question_id, Answer.value)
                                      .where(Answer.assessment_id.in_(ids), Answer.value.is_not(None))):
            answers[row.assessment_id][row.question_id] = row.value
    out = []
    for town in towns:
        assessment = assessments.get(town.id)
        result = None
        if assessment is not None:
            qs = contentstore.set_for(assessment.question_set_id, assessment.question_set_version)
            result = score_assessment(qs, town.state, answers[assessment.id]) if qs else None
        out.append(TownRow(town, assessment, result))
    return out


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
