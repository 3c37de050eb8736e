"""The improvement roadmap: which recommendations a town's gaps call for, in what order, at what cost.

Pure and deterministic: the same results and catalog always give the same plan. Order respects prerequisites
("get the house in order before the cool stuff"), then puts the largest risk reduction per dollar first;
items that cost nothing at the town's size are quick wins.
"""
from __future__ import annotations

import heapq
from collections import defaultdict
from dataclasses import dataclass

from scoring.catalog import Catalog, GrantProgram, PopulationBand, Recommendation
from scoring.content import Question
from scoring.engine import TIER_LABELS, AssessmentResult, QuestionResult, score_section

PHASES = ("now", "next", "later")
PHASE_LABELS = {"now": "Now (0-3 months)", "next": "Next (3-12 months)", "later": "Later (12-36 months)"}
OWNERSHIP_YEARS = 3  # cost per dollar counts three years of the yearly cost, the roadmap's horizon
POLISH = 0.25  # a gap this small (an answer one step from the best of four) is finished one phase later


@dataclass(frozen=True)
class TierMove:
    section_title: str
    before: str
    after: str

    @property
    def text(self) -> str:
        if self.before == self.after:
            return f"{self.section_title}: stays at {TIER_LABELS[self.after]}"
        return f"{self.section_title}: from {TIER_LABELS[self.before]} to {TIER_LABELS[self.after]}"


@dataclass(frozen=True)
class PlannedItem:
    """One recommendation in the plan, with why it is there, when, what it costs and who can pay."""

    rec: Recommendation
    phase: str
    position: int
    triggered_by: tuple[QuestionResult, ...]
    one_time: tuple[int, int]
    yearly: tuple[int, int]
    priority: float
    moves: tuple[TierMove, ...]
    grants: tuple[GrantProgram, ...]
    planned_prerequisites: tuple[str, ...]
    prerequisite_positions: tuple[int, ...]
    needed_for: tuple[str, ...] = ()  # set when no answer triggered it but a planned item depends on it
    shortfall: float = 1.0  # how far the triggering answers fall short of the best (1 = nothing in place)

    @property
    def quick_win(self) -> bool:
        return self.one_time[1] == 0 and self.yearly[1] == 0


@dataclass(frozen=True)
class Roadmap:
    items: tuple[PlannedItem, ...]
    band: PopulationBand
    no_answers: bool
    unanswered: tuple[Question, ...]

    def item(self, rec_id: str) -> PlannedItem:
        return next(i for i in self.items if i.rec.id == rec_id)

    def position_of(self, rec_id: str) -> int:
        return self.item(rec_id).position

    def phase(self, name: str) -> tuple[PlannedItem, ...]:
        return tuple(i for i in self.items if i.phase == name)

    def totals(self, name: str | None = None) -> tuple[tuple[int, int], tuple[int, int]]:
        """(one-time low, high) and (yearly low, high) summed over a phase, or the whole plan."""
        items = self.items if name is None else self.phase(name)
        return ((sum(i.one_time[0] for i in items), sum(i.one_time[1] for i in items)),
                (sum(i.yearly[0] for i in items), sum(i.yearly[1] for i in items)))

    def most_urgent(self, count: int = 3) -> tuple[PlannedItem, ...]:
        """The first-phase items that remove the most risk (by the catalog's rating scaled by the gap)."""
        first = next((self.phase(p) for p in PHASES if self.phase(p)), ())
        return tuple(sorted(first, key=lambda i: (-i.rec.risk_reduction * i.shortfall, i.position))[:count])

    @property
    def quick_wins(self) -> tuple[PlannedItem, ...]:
        return tuple(i for i in self.items if i.quick_win)

    def grant_matches(self) -> list[tuple[GrantProgram, tuple[PlannedItem, ...]]]:
        """Each program that could fund at least one planned item, with those items (most items first)."""
        by_program: dict[str, list[PlannedItem]] = defaultdict(list)
        programs: dict[str, GrantProgram] = {}
        for item in self.items:
            for program in item.grants:
                by_program[program.id].append(item)
                programs[program.id] = program
        return sorted(((programs[pid], tuple(items)) for pid, items in by_program.items()),
                      key=lambda pair: (-len(pair[1]), pair[0].id))


def _triggers(result: AssessmentResult) -> dict[str, list[QuestionResult]]:
    """Recommendation id → the answered gaps (including "I don't know") that call for it."""
    found: dict[str, list[QuestionResult]] = defaultdict(list)
    for section in result.sections:
        for q in section.questions:
            if q.is_gap and q.answered:
                for rec_id in q.question.recommendations:
                    found[rec_id].append(q)
    return found


def _satisfied(result: AssessmentResult) -> set[str]:
    """Recommendations the answers show are already done: asked about, answered, and no gap calls for them."""
    asked, gaps = set(), set()
    for section in result.sections:
        for q in section.questions:
            if q.answered:
                asked.update(q.question.recommendations)
                if q.is_gap:
                    gaps.update(q.question.recommendations)
    return asked - gaps


def _with_prerequisites(chosen: dict[str, Recommendation], catalog: Catalog,
                        satisfied: set[str]) -> dict[str, list[str]]:
    """Add to `chosen` every prerequisite not shown to be done; return id → the planned items that need it.

    A town that must segment its network but has not said whether it keeps an inventory gets the inventory
    first: a prerequisite is skipped only when the answers show it is in place.
    """
    needed_for: dict[str, list[str]] = defaultdict(list)
    stack = sorted(chosen)
    while stack:
        rid = stack.pop()
        for pre in catalog.recommendations[rid].prerequisites:
            if pre in satisfied:
                continue
            if pre not in chosen:
                chosen[pre] = catalog.recommendations[pre]
                needed_for[pre].append(rid)
                stack.append(pre)
            elif pre in needed_for:
                needed_for[pre].append(rid)
    return needed_for


def _shortfall(triggered_by: list[QuestionResult]) -> float:
    """The largest share of the best answer still missing among the answers that call for an item.

    "I don't know" counts as nothing in place; an item no answer called for (a prerequisite) counts as 1.
    """
    return max((1.0 if q.dont_know else 1.0 - q.fraction for q in triggered_by), default=1.0)


def _priority(one_time: tuple[int, int], yearly: tuple[int, int], risk: float) -> float:
    """Risk reduced per thousand dollars of three-year cost (free items rank as infinitely good value)."""
    cost = (sum(one_time) + OWNERSHIP_YEARS * sum(yearly)) / 2
    return float("inf") if cost == 0 else risk * 1000 / cost


def _phases(chosen: dict[str, Recommendation], shortfall: dict[str, float]) -> dict[str, int]:
    """Each item's phase: its own horizon (one phase later when it only polishes an answer near the best),
    or later still if a planned prerequisite is later."""
    phase: dict[str, int] = {}

    def resolve(rid: str) -> int:
        if rid not in phase:
            own = PHASES.index(chosen[rid].horizon)
            if shortfall[rid] <= POLISH:
                own = min(own + 1, len(PHASES) - 1)
            pres = [resolve(p) for p in chosen[rid].prerequisites if p in chosen]
            phase[rid] = max([own, *pres])
        return phase[rid]

    for rid in chosen:
        resolve(rid)
    return phase


def _order(chosen: dict[str, Recommendation], phase: dict[str, int], priority: dict[str, float]) -> list[str]:
    """Topological order over planned prerequisites, earliest phase first, best value first, then id."""
    waiting = {rid: {p for p in rec.prerequisites if p in chosen} for rid, rec in chosen.items()}
    unlocks: dict[str, list[str]] = defaultdict(list)
    for rid, pres in waiting.items():
        for p in pres:
            unlocks[p].append(rid)
    heap = [(phase[r], -priority[r], r) for r, pres in waiting.items() if not pres]
    heapq.heapify(heap)
    order = []
    while heap:
        _, _, rid = heapq.heappop(heap)
        order.append(rid)
        for nxt in unlocks[rid]:
            waiting[nxt].discard(rid)
            if not waiting[nxt]:
                heapq.heappush(heap, (phase[nxt], -priority[nxt], nxt))
    return order


def _best_answer(question: Question):
    if question.type == "multi":
        return [o.value for o in question.countable]
    return max((o for o in question.options if not o.dont_know), key=lambda o: o.level or 0).value


def _simulate_moves(result: AssessmentResult, order: list[str], triggers) -> dict[str, tuple[TierMove, ...]]:
    """Apply the plan item by item to the answers and record how each touched section's tier moves."""
    answers = {q.question.id: q.value for s in result.sections for q in s.questions if q.value is not None}
    section_of = {q.question.id: s.section for s in result.sections for q in s.questions}
    tiers = {s.section.id: s.tier for s in result.sections}
    moves = {}
    for rid in order:
        touched = {}
        for q in triggers.get(rid, ()):
            answers[q.question.id] = _best_answer(q.question)
            touched[section_of[q.question.id].id] = section_of[q.question.id]
        item_moves = []
        for sid, section in sorted(touched.items()):
            after = score_section(section, answers).tier
            item_moves.append(TierMove(section.title, tiers[sid], after))
            tiers[sid] = after
        moves[rid] = tuple(item_moves)
    return moves


def plan_roadmap(result: AssessmentResult, catalog: Catalog, state: str, population: int) -> Roadmap:
    """Select the recommendations the gaps trigger and order them into Now / Next / Later phases."""
    band = catalog.band_for(population)
    no_answers = result.answered_count == 0
    triggers = _triggers(result)
    if no_answers:
        chosen = {rid: rec for rid, rec in catalog.recommendations.items() if rec.first_step}
    else:
        chosen = {rid: catalog.recommendations[rid] for rid in triggers if rid in catalog.recommendations}
    needed_for = _with_prerequisites(chosen, catalog, _satisfied(result))
    costs = {rid: (rec.cost.one_time.for_band(band.id), rec.cost.yearly.for_band(band.id))
             for rid, rec in chosen.items()}
    shortfall = {rid: _shortfall(triggers.get(rid, [])) for rid in chosen}
    risk = {rid: rec.risk_reduction * shortfall[rid] for rid, rec in chosen.items()}
    priority = {rid: _priority(*costs[rid], risk[rid]) for rid in chosen}
    phase = _phases(chosen, shortfall)
    order = _order(chosen, phase, priority)
    moves = _simulate_moves(result, order, triggers) if not no_answers else {}
    position = {rid: n + 1 for n, rid in enumerate(order)}
    items = tuple(
        PlannedItem(rec=chosen[rid], phase=PHASES[phase[rid]], position=n + 1,
                    triggered_by=tuple(triggers.get(rid, ())), one_time=costs[rid][0], yearly=costs[rid][1],
                    priority=priority[rid], moves=moves.get(rid, ()),
                    grants=tuple(catalog.grants[g] for g in chosen[rid].grants if state in catalog.grants[g].states),
                    planned_prerequisites=tuple(p for p in chosen[rid].prerequisites if p in chosen),
                    prerequisite_positions=tuple(sorted(position[p] for p in chosen[rid].prerequisites
                                                        if p in chosen)),
                    needed_for=tuple(sorted(set(needed_for.get(rid, ())))), shortfall=shortfall[rid])
        for n, rid in enumerate(order))
    unanswered = tuple(q.question for s in result.sections for q in s.questions
                       if not q.answered and q.question.scored)
    return Roadmap(items, band, no_answers, unanswered)
