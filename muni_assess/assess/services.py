"""Use cases of the town assessment: start a cycle, save answers (never silently overwriting), score, submit.

Services load rows, call `scoring`, and write rows with `flush()`; the view commits once.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from muni_assess import audit, contentstore
from muni_assess.extensions import db
from muni_assess.models import Answer, Assessment, Town, User
from muni_assess.models._base import utcnow
from muni_assess.models.assessment import IN_PROGRESS, SUBMITTED
from scoring.content import Question, QuestionSet, Section
from scoring.engine import AnswerError, AssessmentResult, clean_answer, score_assessment, visible_ids

NOTE_MAX = 2000


class AssessmentStateError(ValueError):
    """An action that the assessment's state does not allow (e.g. editing a submitted assessment)."""


class MissingContentError(LookupError):
    """The question-set version an assessment was answered against is not installed."""


@dataclass
class SaveResult:
    """The outcome of saving one answer: saved, unchanged, or a conflict with someone else's newer save."""

    status: str
    answer: Answer | None
    question: Question
    mine: object = None
    my_note: str = ""


@dataclass
class Dashboard:
    town: Town
    cycle: int
    assessment: Assessment | None
    question_set: QuestionSet | None
    result: AssessmentResult | None
    previous: Assessment | None
    previous_answer_count: int = 0
    is_old_version: bool = False
    sections: list = field(default_factory=list)


def get_assessment(town: Town, cycle: int) -> Assessment | None:
    return db.session.scalar(select(Assessment).where(Assessment.town_id == town.id, Assessment.cycle == cycle))


def question_set_of(assessment: Assessment) -> QuestionSet:
    """The exact content version the assessment was answered against."""
    qs = contentstore.set_for(assessment.question_set_id, assessment.question_set_version)
    if qs is None:
        raise MissingContentError(
            f"This assessment was answered against {assessment.question_set_id} version "
            f"{assessment.question_set_version}, which this installation does not have.")
    return qs


def answer_rows(assessment: Assessment) -> dict[str, Answer]:
    rows = db.session.scalars(select(Answer).where(Answer.assessment_id == assessment.id))
    return {row.question_id: row for row in rows}


def plain_answers(rows: dict[str, Answer]) -> dict[str, object]:
    """Answers as the scoring engine reads them: question id → stored value (unanswered left out)."""
    return {qid: row.value for qid, row in rows.items() if row.value is not None}


def results(assessment: Assessment, state: str, rows: dict[str, Answer] | None = None) -> AssessmentResult:
    """Scores, tiers and explanations for an assessment, computed with its own content version."""
    rows = answer_rows(assessment) if rows is None else rows
    return score_assessment(question_set_of(assessment), state, plain_answers(rows))


def previous_assessment(town: Town, cycle: int) -> Assessment | None:
    """The town's most recent assessment from an earlier cycle: the starting point offered for a new one."""
    return db.session.scalar(select(Assessment).where(Assessment.town_id == town.id, Assessment.cycle < cycle)
                             .order_by(Assessment.cycle.desc()).limit(1))


def dashboard(town: Town, cycle: int, state: str) -> Dashboard:
    """Everything the town dashboard shows for one cycle."""
    assessment = get_assessment(town, cycle)
    previous = previous_assessment(town, cycle)
    board = Dashboard(town, cycle, assessment, None, None, previous)
    if previous is not None and assessment is None:
        board.previous_answer_count = len(_carry_over(previous, contentstore.current_set()))
    if assessment is not None:
        board.question_set = question_set_of(assessment)
        board.result = results(assessment, state)
        board.is_old_version = board.question_set.version < contentstore.current_set().version
    return board


def _carry_over(previous: Assessment, target: QuestionSet) -> dict[str, tuple[object, str]]:
    """Last cycle's answers that are still valid questions and choices in the target content."""
    kept = {}
    for row in answer_rows(previous).values():
        question = target.questions.get(row.question_id)
        if question is None:
            continue
        try:
            value = clean_answer(question, row.value) if row.value is not None else None
        except AnswerError:
            value = None
        if value is not None or row.note:
            kept[row.question_id] = (value, row.note)
    return kept


def start(town: Town, cycle: int, user: User, from_previous: bool) -> Assessment:
    """Open the town's assessment for a cycle on the current content, optionally from last cycle's answers."""
    if get_assessment(town, cycle) is not None:
        raise AssessmentStateError(f"{town.name} already has an assessment for {cycle}.")
    qs = contentstore.current_set()
    assessment = Assessment(town=town, cycle=cycle, question_set_id=qs.id, question_set_version=qs.version,
                            content_sha256=qs.sha256, status=IN_PROGRESS, created_by_id=user.id)
    db.session.add(assessment)
    previous = previous_assessment(town, cycle) if from_previous else None
    if previous is not None:
        assessment.started_from_cycle = previous.cycle
        for qid, (value, note) in _carry_over(previous, qs).items():
            assessment.answers.append(Answer(question_id=qid, value=value, note=note, updated_by_id=user.id))
    db.session.flush()
    return assessment


def _ensure_editable(assessment: Assessment) -> None:
    if assessment.status == SUBMITTED:
        raise AssessmentStateError("This assessment has been submitted, so it is locked. Ask your COG or the "
                                   "state to reopen it if something needs to change.")


def find_question(qs: QuestionSet, question_id: str) -> Question:
    question = qs.questions.get(question_id)
    if question is None:
        raise AnswerError("That question is not part of this assessment's question set.")
    return question


def save_answer(assessment: Assessment, question: Question, raw: object, note: str | None,
                base_version: int, user: User) -> SaveResult:
    """Save one answer unless someone saved a different one since `base_version`; then report a conflict."""
    _ensure_editable(assessment)
    value = clean_answer(question, raw) if raw not in (None, "", []) else None
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise AnswerError(f"Keep notes under {NOTE_MAX} characters.")
    row = db.session.scalar(select(Answer).where(Answer.assessment_id == assessment.id,
                                                 Answer.question_id == question.id))
    current_note = row.note if row else ""
    if row is not None and row.value == value and current_note == note:
        return SaveResult("unchanged", row, question)
    if value is None and not note and row is None:
        return SaveResult("unchanged", None, question)
    if (row.version if row else 0) != base_version:
        return SaveResult("conflict", row, question, value, note)
    try:
        with db.session.begin_nested():
            old_value = row.value if row is not None else None
            if row is None:
                row = Answer(assessment_id=assessment.id, question_id=question.id)
                db.session.add(row)
            row.value, row.note, row.updated_by_id, row.updated_at = value, note, user.id, utcnow()
            assessment.updated_at = row.updated_at
            db.session.flush()
            # Values only: a note's text never goes into the audit trail, just whether it changed.
            audit.record("answer.change", town=assessment.town, user=user, detail={
                "assessment_id": assessment.id, "cycle": assessment.cycle, "question": question.id,
                "old": old_value, "new": value, "note_changed": current_note != note, "version": row.version})
    except (StaleDataError, IntegrityError):
        current = db.session.scalar(select(Answer).where(Answer.assessment_id == assessment.id,
                                                         Answer.question_id == question.id))
        return SaveResult("conflict", current, question, value, note)
    return SaveResult("saved", row, question)


def save_section(assessment: Assessment, section: Section, submitted: dict[str, tuple], user: User) -> list[SaveResult]:
    """Save a whole section (the no-JavaScript path): every value is checked first, so bad input saves nothing.

    `submitted` maps question id → (raw value, note, base version, digest of the answer the page showed).
    A control the user did not touch is skipped, so a stale page never reports a conflict it did not cause.
    """
    _ensure_editable(assessment)
    cleaned = _clean_submitted(section, submitted)
    rows = answer_rows(assessment)
    outcomes = []
    for question in section.questions:
        if question.id not in cleaned:
            continue
        value, note, base, seen = cleaned[question.id]
        row = rows.get(question.id)
        if answer_digest(value, note) == seen:
            continue  # untouched since the page was drawn
        if value is None and row is not None:
            value = row.value  # a blank control never erases a saved answer; only the note changed
        outcomes.append(save_answer(assessment, question, value, note, base, user))
    return outcomes


def _clean_submitted(section: Section, submitted: dict[str, tuple]) -> dict[str, tuple]:
    """Check every submitted answer of a section; raise SectionErrors listing each bad one."""
    cleaned, errors = {}, {}
    for question in section.questions:
        if question.id not in submitted:
            continue
        raw, note, base, seen = submitted[question.id]
        try:
            value = clean_answer(question, raw) if raw not in (None, "", []) else None
            if len(note or "") > NOTE_MAX:
                raise AnswerError(f"Keep notes under {NOTE_MAX} characters.")
        except AnswerError as exc:
            errors[question.id] = str(exc)
            continue
        cleaned[question.id] = (value, (note or "").strip(), base, seen)
    if errors:
        raise SectionErrors(errors)
    return cleaned


def answer_digest(value: object, note: str) -> str:
    """A short fingerprint of an answer as a page showed it, to tell untouched controls from changed ones."""
    return hashlib.sha256(json.dumps([value, note or ""], sort_keys=True).encode()).hexdigest()[:16]


class SectionErrors(AnswerError):
    """Per-question validation messages for a whole-section save; nothing was saved."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("; ".join(errors.values()))


def has_section(assessment: Assessment, town: Town, section_id: str) -> bool:
    return any(s.id == section_id for s in question_set_of(assessment).sections_for(town.state))


def record_position(assessment: Assessment, section_id: str) -> bool:
    """Remember the section last opened so the dashboard can resume exactly there; True when it changed."""
    if assessment.last_section_id == section_id:
        return False
    assessment.last_section_id = section_id
    db.session.flush()
    return True


def submit(assessment: Assessment, state: str, user: User) -> None:
    """Lock a complete assessment; an incomplete one names the sections still open."""
    _ensure_editable(assessment)
    result = results(assessment, state)
    open_sections = [s.section.title for s in result.sections if not s.complete]
    if open_sections:
        raise AssessmentStateError("Answer every question before submitting (“I don't know” counts as an "
                                   "answer). Still open: " + ", ".join(open_sections) + ".")
    assessment.status, assessment.submitted_at, assessment.submitted_by_id = SUBMITTED, utcnow(), user.id
    assessment.updated_at = assessment.submitted_at
    db.session.flush()
    audit.record("assessment.submit", town=assessment.town, user=user,
                 detail={"assessment_id": assessment.id, "cycle": assessment.cycle})


def reopen(assessment: Assessment) -> None:
    """Unlock a submitted assessment so the town can change answers again."""
    if assessment.status != SUBMITTED:
        raise AssessmentStateError("This assessment is not submitted, so there is nothing to reopen.")
    assessment.status, assessment.submitted_at, assessment.submitted_by_id = IN_PROGRESS, None, None
    assessment.updated_at = utcnow()
    db.session.flush()
    audit.record("assessment.reopen", town=assessment.town,
                 detail={"assessment_id": assessment.id, "cycle": assessment.cycle})


def visible_questions(section: Section, answers: dict) -> set[str]:
    """Ids of the section's questions that apply given the answers so far."""
    return visible_ids(section, answers)
