"""The words of a grant-application draft, written from the town's own answers, scores, plan and the catalog.

Pure: plain values in, section texts out. Every figure comes from the assessment or the catalog; what only the
town can supply (a quote, a signature, a council date) is a marked placeholder, never invented.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from muni_assess.documents.pdfkit import money
from scoring.catalog import GrantProgram
from scoring.engine import AssessmentResult
from scoring.grants import Budget, ProgramFit
from scoring.roadmap import PHASE_LABELS, PHASES, PlannedItem, Roadmap

PLACEHOLDER = re.compile(r"\[TOWN TO SUPPLY: [^\]]+\]")
SECTION_TITLES = {
    "summary": "Project summary",
    "applicant": "Applicant profile",
    "need": "Statement of need",
    "description": "Project description",
    "goals": "Goals and measurable objectives",
    "budget": "Budget",
    "justification": "Budget justification",
    "timeline": "Timeline",
    "evaluation": "Evaluation plan",
    "sustainability": "Sustainability",
    "regional": "Regional collaboration",
    "alignment": "Alignment with state plans",
}
STATE_NAMES = {"CT": "Connecticut", "MA": "Massachusetts"}


def blank(what: str) -> str:
    return f"[TOWN TO SUPPLY: {what}]"


@dataclass(frozen=True)
class RegionComparison:
    """How the town compares with its region; only given when at least five towns were assessed."""

    towns: int
    median_overall: float
    town_rank_text: str  # e.g. "above the regional median"


@dataclass(frozen=True)
class DraftInput:
    town: str
    state: str
    county: str
    region_name: str
    region_code: str
    population: int
    cycle: int
    result: AssessmentResult
    roadmap: Roadmap
    fit: ProgramFit
    items: tuple[PlannedItem, ...]
    budget: Budget
    comparison: RegionComparison | None

    @property
    def program(self) -> GrantProgram:
        return self.fit.program


def _listing(parts: list[str]) -> str:
    if len(parts) <= 2:
        return " and ".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def _summary(d: DraftInput) -> str:
    award, match = d.budget.split
    titles = _listing([i.rec.title.lower() for i in d.items[:4]]) + (" and other actions" if len(d.items) > 4 else "")
    money_text = (f"The project costs an estimated {money(d.budget.total, d.budget.total)}; the town requests "
                  f"{money(award, award)} and commits {money(match, match)} of its own."
                  if not d.budget.in_kind else "The program provides the service in kind; the town commits staff "
                  "time to take part.")
    return (f"The Town of {d.town}, {STATE_NAMES[d.state]} (population {d.population:,}) requests support from the "
            f"{d.program.name} to {titles}. The town's {d.cycle} IT self-assessment rates its overall readiness "
            f"at {d.result.overall:.0f} of 100. {money_text} Over the project, the town expects to move "
            f"{_moves_count(d)} assessment areas up at least one tier.")


def _moves_count(d: DraftInput) -> int:
    return len({m.section_title for i in d.items for m in i.moves if m.before != m.after})


def _applicant(d: DraftInput) -> str:
    runner = (f"In {STATE_NAMES[d.state]} the program is run by {d.program.state_agency[d.state]}. "
              if d.state in d.program.state_agency else "")
    return (f"Applicant: Town of {d.town}, {d.county} County, {STATE_NAMES[d.state]}. Population "
            f"{d.population:,} (2020 Census). Region: {d.region_name} ({d.region_code}). "
            f"Who applies: {d.program.applicant} {runner}"
            f"Authorized official: {blank('name and title of the chief executive')}. "
            f"Project contact: {blank('name, email and phone of the project lead')}. "
            f"Unique entity identifier (UEI): {blank('the town’s UEI from SAM.gov, if the program asks for it')}.")


def _need(d: DraftInput) -> str:
    r = d.result
    parts = [f"In its {d.cycle} IT self-assessment the town scored {r.overall:.0f} of 100 overall "
             f"({r.answered_count} of {r.visible_count} questions answered)."]
    by_area = "; ".join(f"{s.section.title} {s.score:.0f} ({s.tier_label})" for s in r.sections)
    parts.append(f"Scores by area, out of 100 with the tier reached: {by_area}.")
    touched = {q.question.id: q for i in d.items for q in i.triggered_by}
    if touched:
        gaps = "; ".join(f"“{q.question.prompt}” answered “{q.answer_label}”" for q in list(touched.values())[:6])
        parts.append(f"The gaps this project addresses: {gaps}.")
    unknown = {q.question.id for i in d.items for q in i.triggered_by if q.dont_know}
    if unknown:
        parts.append(f"For {len(unknown)} of them the town could not say how it stands, which is itself a risk: "
                     "no one can confirm the protection exists.")
    if d.comparison:
        parts.append(f"Across the {d.comparison.towns} assessed towns of {d.region_name}, the median overall "
                     f"readiness is {d.comparison.median_overall:.0f}; {d.town} is {d.comparison.town_rank_text}.")
    return " ".join(parts)


def _description(d: DraftInput) -> str:
    lines = []
    for n, item in enumerate(d.items, 1):
        lines.append(f"{n}. {item.rec.title}. {item.rec.summary} Why it matters: {item.rec.why}")
    who = f"The work will be led by {blank('the project lead')} with {blank('the IT vendor or staff who do it')}."
    return "\n".join(lines + [who])


def _goals(d: DraftInput) -> str:
    out = []
    for n, item in enumerate(d.items, 1):
        moves = [m for m in item.moves if m.before != m.after]
        target = ("; ".join(m.text for m in moves) if moves
                  else "the answers behind it reach their best level in the next assessment")
        out.append(f"Objective {n}: {item.rec.title} within {PHASE_LABELS[item.phase].split('(')[1].rstrip(')')} "
                   f"of the award. Measure: {target}.")
    return "\n".join(out)


def _budget(d: DraftInput) -> str:
    b = d.budget
    award, match = b.split
    text = [f"Total estimated project cost: {money(b.total, b.total)}. Requested from the program: "
            f"{money(award, award)}. Local share: {money(match, match)}."]
    rule = b.rule
    if rule.rule == "percent_of_total":
        text.append(f"Cost-share rule: the town pays {rule.percent:g}% of the total project cost.")
    elif rule.rule == "percent_of_award":
        text.append(f"Cost-share rule: the town adds {rule.percent:g}% of the award.")
    else:
        text.append("Cost-share rule: no local match is required.")
    if b.capped:
        text.append(f"The request is held to the program's cap of {money(b.cap, b.cap)}; the town pays the rest.")
    if any(line.basis.startswith("planning estimate") for line in b.lines):
        text.append("Lines marked “planning estimate” use the upper end of published cost ranges for a town of "
                    "this size; the town will replace each with a vendor quote before applying.")
    if b.missing:
        text.append("Lines without a cost estimate (flagged, not counted in the total): "
                    + "; ".join(line.title for line in b.missing) + ".")
    return " ".join(text)


def _justification(d: DraftInput) -> str:
    out = []
    for line in d.budget.lines:
        if line.amount is None:
            out.append(f"{line.title}: no estimate yet. {blank('a quote for this line')}.")
            continue
        yearly = (f" plus {money(line.yearly, line.yearly)} a year for {line.years} years"
                  if line.yearly and line.years else "")
        out.append(f"{line.title}: {money(line.amount, line.amount)} ({money(line.one_time or 0, line.one_time or 0)}"
                   f" one-time{yearly}; basis: {line.basis}). {blank('vendor quote reference')}.")
    return "\n".join(out)


def _timeline(d: DraftInput) -> str:
    out = []
    for phase in PHASES:
        items = [i for i in d.items if i.phase == phase]
        if items:
            out.append(f"{PHASE_LABELS[phase]}: " + "; ".join(i.rec.title for i in items) + ".")
    out.append(f"Start date: {blank('expected award or start date')}.")
    return "\n".join(out)


def _evaluation(d: DraftInput) -> str:
    return (f"The town will repeat the IT self-assessment in the {d.cycle + 1} cycle and report the change in each "
            f"area's score and tier against this application's baseline (overall {d.result.overall:.0f} of 100). "
            "Each objective above names the tier or answer that shows it was met. Progress will be reported "
            f"to {blank('the board or council that receives reports')} every {blank('reporting interval')}.")


def _sustainability(d: DraftInput) -> str:
    yearly_low = sum(i.yearly[0] for i in d.items)
    yearly_high = sum(i.yearly[1] for i in d.items)
    if yearly_high == 0:
        return "The project adds no yearly cost; it is sustained by staff time within existing budgets."
    return (f"After the grant, the actions in this project cost an estimated {money(yearly_low, yearly_high)} a "
            f"year. The town will carry this in its operating budget from {blank('fiscal year')} "
            f"({blank('budget line or account')}).")


def _regional(d: DraftInput) -> str:
    shared = [r.name for i in d.items for r in i.rec.resources
              if "council" in r.provider.lower() or "regional" in r.name.lower() or "cog" in r.provider.lower()]
    text = (f"The town is a member of {d.region_name} ({d.region_code}), which brokers shared services among its "
            "member towns.")
    if shared:
        text += " Shared or regional help this project will use: " + "; ".join(dict.fromkeys(shared)) + "."
    if d.comparison:
        text += (f" {d.comparison.towns} towns of the region have completed the same assessment, so the region can "
                 "see which needs are common and buy together.")
    return text + f" Partner towns or agreements: {blank('partners, if any')}."


def _alignment(d: DraftInput) -> str:
    if d.state == "CT":
        plans = ("the MORE Commission's recommendations on the Nutmeg Network and shared municipal technology, "
                 "and the Connecticut State Data Plan's principles of data inventory, governance and privacy")
    else:
        plans = ("the Massachusetts Community Compact IT best practices and MassIT's “Getting IT Right” guidance "
                 "(backups, cyber basics, data standards)")
    text = f"This project follows {plans}."
    if d.program.objectives_tag == "slcgp":
        objectives = sorted({n for i in d.items for n in i.rec.tags.slcgp})
        names = {1: "governance and planning", 2: "assessment and evaluation", 3: "protections commensurate with risk",
                 4: "training"}
        text += (" It maps to SLCGP objective(s) " + ", ".join(f"{n} ({names.get(n, '')})" for n in objectives)
                 + " and to the state's Cybersecurity Plan. "
                 + blank("the plan element the state asks subrecipients to cite") + ".")
    return text


WRITERS = {"summary": _summary, "applicant": _applicant, "need": _need, "description": _description,
           "goals": _goals, "budget": _budget, "justification": _justification, "timeline": _timeline,
           "evaluation": _evaluation, "sustainability": _sustainability, "regional": _regional,
           "alignment": _alignment}


def draft_sections(d: DraftInput) -> dict[str, str]:
    """The program's sections, in its order, each written from the town's data."""
    return {sid: WRITERS[sid](d) for sid in d.program.sections}
