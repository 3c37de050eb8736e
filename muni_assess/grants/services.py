"""Use cases for grants: rank programs for a town, create and edit drafts, export them.

Rules live in scoring.grants (fit, budget, readiness) and the words in muni_assess.documents.grant_text; this
module loads rows, applies admin-edited program facts, and keeps the user's edits when the assessment changes.
"""
from __future__ import annotations

import statistics
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select

from muni_assess import contentstore
from muni_assess.documents.grant_docs import GrantDocument, grant_docx, grant_pdf
from muni_assess.documents.grant_text import DraftInput, RegionComparison, draft_sections
from muni_assess.documents.pdfkit import today
from muni_assess.extensions import db
from muni_assess.models import GrantDraft, GrantProgramFact, Town, User
from muni_assess.models._base import utcnow
from muni_assess.regional.scores import submitted_overall
from muni_assess.reports.services import roadmap_input
from scoring.catalog import GrantProgram
from scoring.grants import ProgramFit, budget_for, check_notes, fit_program, rank_programs, with_facts

EDITABLE_FACTS = ("window", "award_max", "cost_share_rule", "cost_share_percent")
QUOTE_MAX = 100_000_000


class DraftError(ValueError):
    """A request the user can correct; the message says how."""


class StaleDraft(DraftError):
    """The draft changed since the page was loaded."""


def programs() -> dict[str, GrantProgram]:
    """The catalog's programs with administrators' edits applied."""
    facts: dict[str, dict[str, object]] = {}
    for row in db.session.scalars(select(GrantProgramFact)):
        facts.setdefault(row.program_id, {})[row.field] = row.value
    return {pid: with_facts(p, facts.get(pid, {})) for pid, p in contentstore.content().catalog.grants.items()}


def program_fits(town: Town, cycle: int) -> tuple[list[ProgramFit], object]:
    """The programs of the town's state, best fit first, and the roadmap input they were computed from."""
    data = roadmap_input(town, cycle)
    fits = rank_programs(data.result, data.roadmap, contentstore.content().catalog, town.state, programs())
    return fits, data


def fit_for(town: Town, cycle: int, program_id: str) -> tuple[ProgramFit, object]:
    program = programs().get(program_id)
    if program is None or town.state not in program.states:
        raise LookupError(program_id)
    data = roadmap_input(town, cycle)
    return fit_program(program, data.result, data.roadmap, _town_cost(program, data.result)), data


def _town_cost(program: GrantProgram, result) -> object:
    if not program.town_cost_question:
        return None
    for section in result.sections:
        for q in section.questions:
            if q.question.id == program.town_cost_question:
                return q.value
    return None


def region_comparison(town: Town, cycle: int, overall: float) -> RegionComparison | None:
    """The region's median overall readiness over its submitted assessments, when there are enough of them
    (SUPPRESSION_MIN_TOWNS, 5 by default) that no single town's result can be inferred."""
    scores = submitted_overall(town.state, town.region_id, cycle)  # from the regional score cache: no re-scoring
    if len(scores) < current_app.config.get("SUPPRESSION_MIN_TOWNS", 5):
        return None
    median = statistics.median(scores)
    where = ("above the regional median" if overall > median else
             "below the regional median" if overall < median else "at the regional median")
    return RegionComparison(len(scores), median, where)


@dataclass(frozen=True)
class DraftState:
    """A draft as the edit page shows it: stored texts, freshly generated texts, and what changed."""

    draft: GrantDraft
    fit: ProgramFit
    draft_input: DraftInput
    fresh: dict[str, str]
    dropped: tuple[str, ...]  # items in the draft that are no longer in the town's plan

    @property
    def stale_sections(self) -> tuple[str, ...]:
        """Sections whose generated text would now differ: the app offers a refresh, never applies it."""
        return tuple(sid for sid, text in self.fresh.items()
                     if self.draft.sections.get(sid, {}).get("generated") != text)


def _draft_input(town: Town, cycle: int, fit: ProgramFit, data, item_ids: list[str],
                 quotes: dict[str, int]) -> tuple[DraftInput, tuple[str, ...]]:
    by_id = {i.rec.id: i for i in fit.items}
    items = tuple(by_id[rid] for rid in item_ids if rid in by_id)
    dropped = tuple(rid for rid in item_ids if rid not in by_id)
    budget = budget_for(fit.program, items, data.roadmap.band.label, _town_cost(fit.program, data.result),
                        {k: int(v) for k, v in quotes.items()})
    comparison = region_comparison(town, cycle, data.result.overall)
    return DraftInput(town=town.name, state=town.state, county=town.county, region_name=town.region.name,
                      region_code=town.region.code, population=town.population, cycle=cycle, result=data.result,
                      roadmap=data.roadmap, fit=fit, items=items, budget=budget, comparison=comparison), dropped


def create_draft(town: Town, cycle: int, program_id: str, item_ids: list[str], acknowledged: bool,
                 user: User) -> GrantDraft:
    """A new draft for the chosen items, its sections written from the town's data."""
    try:
        fit, data = fit_for(town, cycle, program_id)
    except LookupError:
        raise DraftError("That program is not offered in this state.") from None
    if not fit.eligible and not acknowledged:
        raise DraftError("The town is not eligible for this program: " + " ".join(fit.reasons)
                         + " Confirm that you have read why before drafting anyway.")
    allowed = {i.rec.id for i in fit.items}
    unknown = [rid for rid in item_ids if rid not in allowed]
    if unknown:
        raise DraftError("Choose only actions from the town's plan that this program can fund.")
    if fit.items and not item_ids:
        raise DraftError("Choose at least one action to include.")
    if fit.program.max_items and len(item_ids) > fit.program.max_items:
        raise DraftError(f"This program takes {fit.program.max_items} project per application: choose one action.")
    ordered = [i.rec.id for i in fit.items if i.rec.id in set(item_ids)]
    draft_input, _ = _draft_input(town, cycle, fit, data, ordered, {})
    texts = draft_sections(draft_input)
    draft = GrantDraft(town_id=town.id, cycle=cycle, program_id=program_id, item_ids=ordered, quotes={},
                       sections={sid: {"text": t, "generated": t, "edited": False} for sid, t in texts.items()},
                       acknowledged_ineligible=not fit.eligible, created_by_id=user.id, updated_by_id=user.id)
    db.session.add(draft)
    db.session.flush()
    return draft


def drafts_for(town: Town, cycle: int) -> list[GrantDraft]:
    return list(db.session.scalars(select(GrantDraft).where(GrantDraft.town_id == town.id, GrantDraft.cycle == cycle)
                                   .order_by(GrantDraft.updated_at.desc())))


def get_draft(town: Town, draft_id: int) -> GrantDraft | None:
    draft = db.session.get(GrantDraft, draft_id)
    return draft if draft is not None and draft.town_id == town.id else None


def draft_state(draft: GrantDraft) -> DraftState:
    town = draft.town
    fit, data = fit_for(town, draft.cycle, draft.program_id)
    draft_input, dropped = _draft_input(town, draft.cycle, fit, data, list(draft.item_ids), dict(draft.quotes))
    return DraftState(draft, fit, draft_input, draft_sections(draft_input), dropped)


def _check_version(draft: GrantDraft, version: int) -> None:
    if version != draft.version:
        raise StaleDraft("Someone saved this draft after you opened it. Your changes were not saved; the page now "
                         "shows the latest version. Copy anything you need from your browser's back page.")


def parse_quotes(raw: dict[str, str], line_ids: list[str]) -> dict[str, int]:
    """Quote amounts typed by the user: whole dollars, blank to use the estimate; anything else is refused."""
    quotes, bad = {}, []
    for rid in line_ids:
        text = (raw.get(rid) or "").strip().replace(",", "").removeprefix("$")
        if not text:
            continue
        if not text.isdigit() or int(text) > QUOTE_MAX:
            bad.append(rid)
        else:
            quotes[rid] = int(text)
    if bad:
        raise DraftError("Enter each quote as whole dollars, for example 12500, or leave it blank.")
    return quotes


def save_draft(draft: GrantDraft, version: int, texts: dict[str, str], quotes: dict[str, int], user: User) -> None:
    """Store the user's section texts and quotes; a text that differs from the generated one counts as edited."""
    _check_version(draft, version)
    sections = {}
    for sid, stored in draft.sections.items():
        text = texts.get(sid, stored["text"]).replace("\r\n", "\n").strip()
        if not text:
            raise DraftError(f"The section “{sid}” is empty. Write something or refresh it from the assessment.")
        sections[sid] = {**stored, "text": text, "edited": text != stored["generated"].strip()}
    draft.sections, draft.quotes = sections, quotes
    draft.updated_at, draft.updated_by_id = utcnow(), user.id
    db.session.flush()


def refresh_section(draft: GrantDraft, section_id: str, version: int, user: User) -> None:
    """Replace one section with the text written from the current assessment (the user asked for it)."""
    _check_version(draft, version)
    state = draft_state(draft)
    if section_id not in state.fresh:
        raise DraftError("That section is not part of this program's application.")
    sections = dict(draft.sections)
    sections[section_id] = {"text": state.fresh[section_id], "generated": state.fresh[section_id], "edited": False}
    draft.sections = sections
    draft.updated_at, draft.updated_by_id = utcnow(), user.id
    db.session.flush()


def document(state: DraftState, texts: dict[str, str] | None = None) -> GrantDocument:
    program = state.fit.program
    sections = texts if texts is not None else {sid: s["text"] for sid, s in state.draft.sections.items()}
    return GrantDocument(town=state.draft_input.town, state=state.draft_input.state, cycle=state.draft_input.cycle,
                         program_name=program.name, program_agency=program.agency, sections=sections,
                         budget=state.draft_input.budget, items=state.draft_input.items,
                         attachments=program.attachments, checks=check_notes(program), prepared_on=today())


def export(state: DraftState, fmt: str) -> bytes:
    doc = document(state)
    return grant_docx(doc) if fmt == "docx" else grant_pdf(doc)


def fresh_document(town: Town, cycle: int, program_id: str, item_ids: list[str] | None) -> GrantDocument:
    """A draft straight from the current assessment (the command line), without saving it."""
    try:
        fit, data = fit_for(town, cycle, program_id)
    except LookupError:
        raise DraftError(f"No program {program_id!r} for {town.state}.") from None
    chosen = [i.rec.id for i in fit.items] if item_ids is None else item_ids
    unknown = [rid for rid in chosen if rid not in {i.rec.id for i in fit.items}]
    if unknown:
        raise DraftError(f"Not a planned action this program can fund: {', '.join(unknown)}.")
    draft_input, _ = _draft_input(town, cycle, fit, data, chosen, {})
    fake = GrantDraft(town_id=town.id, cycle=cycle, program_id=program_id, item_ids=chosen, quotes={}, sections={})
    state = DraftState(fake, fit, draft_input, draft_sections(draft_input), ())
    return document(state, state.fresh)


def set_fact(program_id: str, field: str, value: object, user: User) -> None:
    if field not in EDITABLE_FACTS:
        raise DraftError("That fact cannot be edited.")
    row = db.session.scalar(select(GrantProgramFact).where(GrantProgramFact.program_id == program_id,
                                                           GrantProgramFact.field == field))
    if row is None:
        row = GrantProgramFact(program_id=program_id, field=field)
        db.session.add(row)
    row.value, row.updated_by_id, row.updated_at = value, user.id, utcnow()
    db.session.flush()
