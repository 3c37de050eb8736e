"""Use cases for documents: gather a town's results and plan, then hand plain values to muni_assess.documents."""
from __future__ import annotations

import re

from muni_assess import contentstore
from muni_assess.assess import services as assess
from muni_assess.documents.pdfkit import today
from muni_assess.documents.roadmap_pdf import RoadmapInput, roadmap_pdf
from muni_assess.extensions import db
from muni_assess.models import Town
from scoring.engine import score_assessment
from scoring.roadmap import Roadmap, plan_roadmap

STATUS = {"in_progress": "in progress", "submitted": "submitted"}


def roadmap_input(town: Town, cycle: int) -> RoadmapInput:
    """The town's results and phased plan for a cycle, planned with the content version it was answered on.

    A town with no assessment yet gets the current content and an empty answer set, so its roadmap says so
    and lists the first steps instead of failing.
    """
    assessment = assess.get_assessment(town, cycle)
    rows = assess.answer_rows(assessment) if assessment else {}
    qs = assess.question_set_of(assessment) if assessment else contentstore.current_set()
    result = score_assessment(qs, town.state, assess.plain_answers(rows))
    plan = plan_roadmap(result, contentstore.content().catalog, town.state, town.population)
    return RoadmapInput(town=town.name, state=town.state, region=f"{town.region.name} ({town.region.code})",
                        population=town.population, cycle=cycle,
                        status=STATUS.get(assessment.status, assessment.status) if assessment else "not started",
                        generated_on=today(), result=result, roadmap=plan,
                        notes={qid: row.note for qid, row in rows.items() if row.note})


def plan_for(town: Town, cycle: int) -> Roadmap:
    return roadmap_input(town, cycle).roadmap


def roadmap_filename(town: Town, cycle: int) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", town.name.lower()).strip("-")
    return f"roadmap-{slug}-{town.state.lower()}-{cycle}.pdf"


def roadmap_document(town: Town, cycle: int) -> bytes:
    """The roadmap PDF bytes for one town and cycle.

    The read transaction ends before rendering: on SQLite every transaction holds the write lock (BEGIN
    IMMEDIATE, see dbsetup), and a PDF takes far longer to lay out than its data takes to read.
    """
    data = roadmap_input(town, cycle)
    db.session.rollback()  # nothing was written; this only ends the transaction
    return roadmap_pdf(data)
