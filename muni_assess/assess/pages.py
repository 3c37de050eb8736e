"""View models for assessment pages: turn service results into what a template shows (URLs, labels, state).

No business rules and no queries of their own: everything comes from `services` and `scoring`.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

from flask import abort, url_for

from muni_assess import contentstore
from muni_assess.assess import services
from muni_assess.models import Answer, Assessment, Town
from scoring.content import Question, QuestionSet, Section
from scoring.engine import DONT_KNOW, SectionResult, answer_label, score_section


@dataclass
class QuestionItem:
    question: Question
    row: Answer | None
    visible: bool
    digest: str
    save_url: str

    @property
    def version(self) -> int:
        return self.row.version if self.row else 0

    @property
    def value(self):
        return self.row.value if self.row else None

    @property
    def note(self) -> str:
        return self.row.note if self.row else ""

    @property
    def answered(self) -> bool:
        return self.value is not None

    @property
    def show_if_json(self) -> str:
        """The show_if conditions for the page script, which hides and reveals follow-up questions live."""
        return json.dumps([{"question": c.question, "in": c.in_ is not None, "values": list(c.values)}
                           for c in self.question.show_if])


@dataclass
class SectionPage:
    town: Town
    assessment: Assessment
    question_set: QuestionSet
    section: Section
    items: list[QuestionItem]
    result: SectionResult
    nav: list[tuple[Section, SectionResult, str]]
    prev_url: str | None
    next_url: str | None
    is_old_version: bool

    @property
    def form_data(self) -> dict:
        """Initial form values from the saved answers (numbers and "I don't know" split for number boxes)."""
        data = {}
        for item in self.items:
            q, value = item.question, item.value
            if q.type == "number":
                data[f"dk_{q.id}"] = value == DONT_KNOW
                data[f"q_{q.id}"] = "" if value in (None, DONT_KNOW) else str(value)
            else:
                data[f"q_{q.id}"] = value
            data[f"note_{q.id}"] = item.note
            data[f"v_{q.id}"] = f"{item.version}:{item.digest}"
        return data


def section_url(assessment: Assessment, section_id: str, anchor: str | None = None) -> str:
    return url_for("assess.section", town_id=assessment.town_id, cycle=assessment.cycle, section_id=section_id,
                   _anchor=anchor)


def section_page(assessment: Assessment, town: Town, section_id: str) -> SectionPage:
    """Everything one section page shows: questions with saved answers, visibility, progress and navigation."""
    qs = services.question_set_of(assessment)
    sections = qs.sections_for(town.state)
    index = next((i for i, s in enumerate(sections) if s.id == section_id), None)
    if index is None:
        abort(404)
    rows = services.answer_rows(assessment)
    answers = services.plain_answers(rows)
    section = sections[index]
    visible = services.visible_questions(section, answers)
    items = [QuestionItem(q, rows.get(q.id), q.id in visible,
                          services.answer_digest(rows[q.id].value if q.id in rows else None,
                                                 rows[q.id].note if q.id in rows else ""),
                          url_for("assess.save_answer", town_id=town.id, cycle=assessment.cycle, question_id=q.id))
             for q in section.questions]
    nav = [(s, score_section(s, answers), section_url(assessment, s.id)) for s in sections]
    return SectionPage(
        town=town, assessment=assessment, question_set=qs, section=section, items=items, result=nav[index][1],
        nav=nav, prev_url=nav[index - 1][2] if index > 0 else None,
        next_url=nav[index + 1][2] if index + 1 < len(nav) else None,
        is_old_version=qs.version < contentstore.current_set().version)


def attach_errors(form, errors: dict[str, str]) -> None:
    """Show each service-level answer error on its question's field."""
    for question_id, message in errors.items():
        field = form[f"q_{question_id}"]
        field.errors = list(field.errors) + [message]


def section_url_for_question(assessment: Assessment, question_id: str) -> str | None:
    """The section page (anchored at the question) where a question lives, for no-JavaScript redirects."""
    qs = services.question_set_of(assessment)
    for section in qs.sections:
        if question_id in section.by_id:
            return section_url(assessment, section.id, f"q-{question_id}")
    return None


def save_response(result: services.SaveResult) -> dict:
    """The JSON the autosave script reads (also the flash text for no-JavaScript posts)."""
    row, q = result.answer, result.question
    if result.status == "conflict":
        who = (row.updated_by.name or row.updated_by.email) if row and row.updated_by else "someone else"
        return {
            "status": "conflict",
            "message": f"Not saved: {who} changed this answer after you opened the page. Choose which to keep.",
            "theirs": {"value": row.value if row else None, "label": answer_label(q, row.value if row else None),
                       "note": row.note if row else "", "version": row.version if row else 0, "by": who,
                       "at": row.updated_at.isoformat() if row else None},
            "yours": {"value": result.mine, "label": answer_label(q, result.mine), "note": result.my_note},
        }
    return {"status": result.status, "version": row.version if row else 0,
            "digest": services.answer_digest(row.value if row else None, row.note if row else ""),
            "saved_at": row.updated_at.isoformat() if row else None,
            "message": "Saved" if result.status == "saved" else "No change to save"}
