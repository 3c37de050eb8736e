"""Grant readiness and matching: which programs fit a town's plan, what they would pay, what the town still needs.

Pure: from an assessment's results, its roadmap and the catalog. A program of another state is never offered.
For a program of the town's state the town learns whether it is eligible and why, which planned items the
program could fund, the budget with the program's cost-share rule applied, and a readiness checklist.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from scoring.catalog import Catalog, CostShare, GrantProgram
from scoring.engine import DONT_KNOW, AssessmentResult, QuestionResult
from scoring.roadmap import PlannedItem, Roadmap


@dataclass(frozen=True)
class BudgetLine:
    rec_id: str
    title: str
    one_time: int | None
    yearly: int | None  # a year's cost, when the program funds yearly costs
    years: int  # years of yearly cost in the request (the program's period of performance)
    amount: int | None  # what this line asks for in all; None = no estimate (flagged, never zero)
    basis: str  # where the figure comes from
    flag: str | None = None  # what the town must do about this line before it can apply


@dataclass(frozen=True)
class Budget:
    lines: tuple[BudgetLine, ...]
    rule: CostShare
    cap: int | None
    in_kind: bool

    @property
    def total(self) -> int:
        """The project total over the lines that have a figure."""
        return sum(line.amount for line in self.lines if line.amount is not None)

    @property
    def missing(self) -> tuple[BudgetLine, ...]:
        return tuple(line for line in self.lines if line.amount is None)

    @property
    def flagged(self) -> tuple[BudgetLine, ...]:
        return tuple(line for line in self.lines if line.flag)

    @property
    def split(self) -> tuple[int, int]:
        """(program pays, town pays) for the total, in whole dollars; the two always add up to the total."""
        return split_cost(self.total, self.rule, self.cap)

    @property
    def capped(self) -> bool:
        return self.cap is not None and self.split[0] == self.cap and self.total > 0 and self._uncapped() > self.cap

    def _uncapped(self) -> int:
        return split_cost(self.total, self.rule, None)[0]


def split_cost(total: int, rule: CostShare, cap: int | None) -> tuple[int, int]:
    """Apply a cost-share rule (and the award cap) to a project total: (program share, local share).

    percent_of_total: the town pays `percent` of the whole project (the federal SLCGP rule).
    percent_of_award: the town adds `percent` of the award on top of it, so award = total / (1 + p).
    none: the program pays everything. Above the cap, the town pays the rest.
    """
    if total <= 0:
        return 0, 0
    if rule.rule == "percent_of_total":
        award = round(total * (100 - rule.percent) / 100)
    elif rule.rule == "percent_of_award":
        award = round(total * 100 / (100 + rule.percent))
    else:
        award = total
    if cap is not None:
        award = min(award, cap)
    return award, total - award


@dataclass(frozen=True)
class ReadinessCheck:
    text: str
    done: bool | None  # None: only the town can confirm it
    detail: str = ""


@dataclass(frozen=True)
class ProgramFit:
    program: GrantProgram
    eligible: bool
    reasons: tuple[str, ...]  # why not eligible (empty when eligible)
    items: tuple[PlannedItem, ...]  # the planned items this program could fund
    excluded: tuple[tuple[PlannedItem, str], ...]  # items tagged for the program but not fundable, and why
    budget: Budget
    readiness: tuple[ReadinessCheck, ...]
    notes: tuple[str, ...] = field(default=())  # facts to check with the program

    @property
    def ready_count(self) -> int:
        return sum(1 for c in self.readiness if c.done)


def _answers(result: AssessmentResult) -> dict[str, QuestionResult]:
    return {q.question.id: q for s in result.sections for q in s.questions}


def _fundable(program: GrantProgram, roadmap: Roadmap) -> tuple[list[PlannedItem], list[tuple[PlannedItem, str]]]:
    items, excluded = [], []
    for item in roadmap.items:
        if program.id not in item.rec.grants:
            continue
        if program.objectives_tag == "slcgp" and not item.rec.tags.slcgp:
            excluded.append((item, "it maps to none of the program's four objectives"))
        elif not program.funds_yearly_costs and item.one_time[1] == 0 and item.rec.id not in program.town_cost_items:
            excluded.append((item, "its costs are yearly, and the program pays only one-time costs"))
        elif item.quick_win and not program.award.in_kind:
            excluded.append((item, "it costs nothing but staff time"))
        else:
            items.append(item)
    return items, excluded


def budget_for(program: GrantProgram, items: tuple[PlannedItem, ...], band_label: str,
               town_cost: object = None, quotes: dict[str, int] | None = None) -> Budget:
    """Budget lines for the chosen items: a quote the town entered, else the town's own figure (for programs
    that ask for it), else the catalog's upper estimate for the town's size. No figure: flagged, not zero."""
    quotes = quotes or {}
    years = program.performance_years if program.funds_yearly_costs else 0
    lines = []
    for item in items:
        yearly = item.yearly[1] if program.funds_yearly_costs else None
        if item.rec.id in quotes:
            line = BudgetLine(item.rec.id, item.rec.title, quotes[item.rec.id], None, 0, quotes[item.rec.id],
                              "quote entered by the town")
        elif item.rec.id in program.town_cost_items:
            known = isinstance(town_cost, int | float) and not isinstance(town_cost, bool)
            line = BudgetLine(item.rec.id, item.rec.title, int(town_cost) if known else None, None, 0,
                              int(town_cost) if known else None,
                              "the town's own figure from its assessment" if known else "no figure yet",
                              None if known else "No cost estimate: the town has no figure for this yet. "
                                                 "Get a quote before applying.")
        else:
            amount = item.one_time[1] + (yearly or 0) * years
            line = BudgetLine(item.rec.id, item.rec.title, item.one_time[1], yearly, years, amount,
                              f"planning estimate (upper end) for a town of {band_label.lower()}",
                              None if amount else
                              "No cash cost: staff time only. Show it as in-kind effort or leave it out.")
        lines.append(line)
    return Budget(tuple(lines), program.cost_share, program.award.max, program.award.in_kind)


def _eligibility(program: GrantProgram, answers: dict[str, QuestionResult], roadmap: Roadmap,
                 items: list[PlannedItem]) -> list[str]:
    reasons = []
    cond = program.eligible_if
    if cond:
        answer = answers.get(cond.question)
        value = answer.value if answer else None
        planned = {i.rec.id for i in roadmap.items}
        if value in cond.not_in and not planned & set(cond.also_if_planned):
            reasons.append(cond.reason)
    if not items:
        reasons.append("None of the town's planned actions is an activity this program funds.")
    return reasons


def _readiness(program: GrantProgram, answers: dict[str, QuestionResult], budget: Budget) -> list[ReadinessCheck]:
    checks = []
    for need in program.readiness:
        if need.when == "match" and program.cost_share.rule == "none":
            continue
        if need.manual:
            checks.append(ReadinessCheck(need.text, None, "Only the town can confirm this."))
            continue
        answer = answers.get(need.question)
        if answer is None or not answer.answered:
            checks.append(ReadinessCheck(need.text, False, "Not answered in the assessment."))
        elif answer.value == DONT_KNOW:
            checks.append(ReadinessCheck(need.text, False, "Answered “I don't know”."))
        else:
            checks.append(ReadinessCheck(need.text, answer.level >= need.min_level, f"Answer: {answer.answer_label}"))
    for line in budget.missing:
        checks.append(ReadinessCheck(f"A cost figure for “{line.title}”", False, "No estimate yet."))
    return checks


def check_notes(program: GrantProgram) -> tuple[str, ...]:
    out = []
    for label, fact in (("Award", program.award), ("Cost share", program.cost_share), ("Window", program.window)):
        if not fact.verified:
            out.append(f"{label}: check with the program" + (f" ({fact.note})" if fact.note else "."))
    return tuple(out)


def fit_program(program: GrantProgram, result: AssessmentResult, roadmap: Roadmap,
                town_cost: object = None) -> ProgramFit:
    answers = _answers(result)
    items, excluded = _fundable(program, roadmap)
    budget = budget_for(program, tuple(items), roadmap.band.label, town_cost)
    reasons = _eligibility(program, answers, roadmap, items)
    return ProgramFit(program, not reasons, tuple(reasons), tuple(items), tuple(excluded), budget,
                      tuple(_readiness(program, answers, budget)), check_notes(program))


def rank_programs(result: AssessmentResult, roadmap: Roadmap, catalog: Catalog, state: str,
                  overrides: dict[str, GrantProgram] | None = None) -> list[ProgramFit]:
    """Every program of the town's state, best fit first: eligible, then most items, then largest award."""
    answers = _answers(result)
    fits = []
    for pid, program in sorted(catalog.grants.items()):
        program = (overrides or {}).get(pid, program)
        if state not in program.states:
            continue
        cost_q = program.town_cost_question
        town_cost = answers[cost_q].value if cost_q and cost_q in answers else None
        fits.append(fit_program(program, result, roadmap, town_cost))
    return sorted(fits, key=lambda f: (not f.eligible, -len(f.items), -f.budget.split[0], f.program.id))


def with_facts(program: GrantProgram, facts: dict[str, object]) -> GrantProgram:
    """The program with admin-edited facts applied (window text, award max, cost-share rule and percent).

    Edited facts count as verified: an administrator confirmed them with the program.
    """
    award, share, window = program.award, program.cost_share, program.window
    if "award_max" in facts:
        award = award.model_copy(update={"max": facts["award_max"], "verified": True})
    if "cost_share_percent" in facts or "cost_share_rule" in facts:
        rule = facts.get("cost_share_rule", share.rule)
        percent = 0 if rule == "none" else facts.get("cost_share_percent", share.percent)
        share = CostShare(rule=rule, percent=percent, note=share.note, verified=True)
    if "window" in facts:
        window = window.model_copy(update={"text": facts["window"], "verified": True})
    return program.model_copy(update={"award": award, "cost_share": share, "window": window})
