"""Scores, gated tiers and their explanations: pure functions from (content, answers) to results.

Answers are plain values keyed by question id: a string for `single`, a list of strings for `multi`, a number
or "dont_know" for `number`. Nothing here knows about requests or databases.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from scoring.content import TIER_NAMES, Criterion, Question, QuestionSet, Section

DONT_KNOW = "dont_know"
TIER_LABELS = {"none": "None", "good": "Good", "better": "Better", "best": "Best"}


class AnswerError(ValueError):
    """A submitted value that is not a valid answer to its question; the message is safe to show the user."""


@dataclass(frozen=True)
class QuestionResult:
    """How one visible question contributed to its section's score."""

    question: Question
    value: object
    level: int
    fraction: float
    dont_know: bool
    answered: bool
    is_gap: bool
    cap: int | None

    @property
    def points(self) -> float:
        return self.question.weight * self.fraction

    @property
    def lost(self) -> float:
        return self.question.weight * (1 - self.fraction)

    @property
    def answer_label(self) -> str:
        return answer_label(self.question, self.value)


@dataclass(frozen=True)
class CriterionResult:
    criterion: Criterion
    holds: bool


@dataclass(frozen=True)
class TierCheck:
    name: str
    description: str
    criteria: tuple[CriterionResult, ...]

    @property
    def holds(self) -> bool:
        return all(c.holds for c in self.criteria)

    @property
    def unmet(self) -> tuple[CriterionResult, ...]:
        return tuple(c for c in self.criteria if not c.holds)


@dataclass(frozen=True)
class SectionResult:
    """A section's score, tier and everything needed to explain them."""

    section: Section
    score: float
    uncapped_score: float
    tier: str
    tiers: tuple[TierCheck, ...]
    questions: tuple[QuestionResult, ...]
    capped_by: QuestionResult | None
    visible_count: int
    answered_count: int

    @property
    def tier_label(self) -> str:
        return TIER_LABELS[self.tier]

    @property
    def reached(self) -> tuple[str, ...]:
        """Names of the tiers reached (a tier counts only with every tier below it)."""
        return TIER_NAMES[: TIER_NAMES.index(self.tier) + 1] if self.tier != "none" else ()

    @property
    def next_tier(self) -> TierCheck | None:
        """The first tier not reached; its unmet criteria say what it needs (lower tiers are met already)."""
        return next((t for t in self.tiers if not t.holds), None)

    @property
    def complete(self) -> bool:
        return self.answered_count == self.visible_count

    @property
    def raised_by(self) -> tuple[QuestionResult, ...]:
        """Scored answers that earned points, largest first."""
        got = [q for q in self.questions if q.question.scored and q.points > 0]
        return tuple(sorted(got, key=lambda q: (-q.points, q.question.id)))

    @property
    def lowered_by(self) -> tuple[QuestionResult, ...]:
        """Scored answers that lost points, largest loss first."""
        lost = [q for q in self.questions if q.question.scored and q.lost > 0]
        return tuple(sorted(lost, key=lambda q: (-q.lost, q.question.id)))

    @property
    def follow_ups(self) -> tuple[QuestionResult, ...]:
        """Visible questions answered "I don't know": the town should find out."""
        return tuple(q for q in self.questions if q.dont_know)

    @property
    def gaps(self) -> tuple[QuestionResult, ...]:
        return tuple(q for q in self.questions if q.is_gap)


@dataclass(frozen=True)
class AssessmentResult:
    """Every section's result plus the overall readiness figure."""

    sections: tuple[SectionResult, ...]
    overall: float

    @property
    def answered_count(self) -> int:
        return sum(s.answered_count for s in self.sections)

    @property
    def visible_count(self) -> int:
        return sum(s.visible_count for s in self.sections)

    @property
    def percent_complete(self) -> int:
        return round(100 * self.answered_count / self.visible_count) if self.visible_count else 0

    @property
    def follow_ups(self) -> tuple[QuestionResult, ...]:
        return tuple(q for s in self.sections for q in s.follow_ups)

    def section(self, section_id: str) -> SectionResult | None:
        return next((s for s in self.sections if s.section.id == section_id), None)


def answer_label(question: Question, value: object) -> str:
    """The text of an answer as the user chose it (option labels, or the number with its unit)."""
    if value is None:
        return "Not answered"
    if value == DONT_KNOW:
        return "I don't know"
    if question.type == "single":
        opt = question.by_value.get(str(value))
        return opt.label if opt else str(value)
    if question.type == "multi":
        return "; ".join(question.by_value[v].label for v in value if v in question.by_value) or "Not answered"
    unit = f" {question.unit}" if question.unit else ""
    return f"{value:,.0f}{unit}" if float(value).is_integer() else f"{value:,}{unit}"


def is_visible(question: Question, answers: dict) -> bool:
    """True when every show_if condition holds against the given answers.

    Pass answers from `visible_answers` when controllers can themselves be hidden: a hidden question's stale
    answer must not show the questions that depend on it.
    """
    return all(_condition_holds(values, positive, answers.get(controller))
               for controller, values, positive in _question_plan(question).conditions)


def visible_answers(section: Section, answers: dict) -> dict:
    """The answers of the section's visible questions only (hidden questions' stale answers dropped)."""
    shown = visible_ids(section, answers)
    return {k: v for k, v in answers.items() if k in shown}


def visible_ids(section: Section, answers: dict) -> set[str]:
    """Ids of the section's questions a person is asked, given the answers so far.

    show_if may only name an earlier question (the loader checks), so one pass in order settles every chain.
    """
    plan = _section_plan(section)
    if not plan.conditional:
        return set(plan.ids)
    shown: dict = {}
    ids = set()
    for p in plan.questions:
        qid = p.qid
        if all(_condition_holds(values, positive, shown.get(controller))
               for controller, values, positive in p.conditions):
            ids.add(qid)
            if answers.get(qid) is not None:
                shown[qid] = answers[qid]
    return ids


def _condition_holds(values: frozenset[str], positive: bool, answer: object) -> bool:
    if answer is None:
        return False
    hit = (any(str(a) in values for a in answer) if isinstance(answer, list) else str(answer) in values)
    return hit if positive else not hit


def level_of(question: Question, value: object) -> tuple[int, float]:
    """The maturity level of an answer and its share of the question's best level (0..1)."""
    if value is None or value == DONT_KNOW or question.type == "number":
        return 0, 0.0
    if question.type == "single":
        opt = question.by_value.get(str(value))
        level = (opt.level or 0) if opt else 0
        return level, (level / question.max_level if question.max_level else 0.0)
    countable = _question_plan(question).countable
    level = len(countable.intersection(value))
    return level, level / len(countable)


def _question_result(question: Question, value: object) -> QuestionResult:
    level, fraction = level_of(question, value)
    dont_know = value == DONT_KNOW or (isinstance(value, list) and DONT_KNOW in value)
    cap = None
    if question.type == "single" and value is not None and str(value) in question.by_value:
        cap = question.by_value[str(value)].caps_section_at
    if question.type == "multi" and isinstance(value, list):
        caps = [question.by_value[v].caps_section_at for v in value if v in question.by_value]
        cap = min((c for c in caps if c is not None), default=None)
    is_gap = question.scored and (level < question.gap_threshold if question.type == "single"
                                  else level < len(question.countable))
    return QuestionResult(question, value, level, fraction, dont_know, value is not None, is_gap, cap)


def criterion_holds(criterion: Criterion, question: Question, value: object, visible: bool) -> bool:
    """A tier criterion holds only for a visible, answered, known answer that passes its test."""
    if not visible or value is None or value == DONT_KNOW:
        return False
    if criterion.min_level is not None:
        return level_of(question, value)[0] >= criterion.min_level
    if criterion.in_ is not None:
        return str(value) in criterion.in_
    chosen = set(value) if isinstance(value, list) else set()
    if DONT_KNOW in chosen:
        return False
    if criterion.includes is not None:
        return set(criterion.includes) <= chosen
    return len(chosen & _question_plan(question).countable) >= criterion.min_count


def score_section(section: Section, answers: dict) -> SectionResult:
    """Score one section: weighted share of best answers (0-100), caps applied, then the gated tier."""
    plan = _section_plan(section)
    shown = visible_ids(section, answers)
    results = tuple(p.result(answers.get(p.qid)) for p in plan.questions if p.qid in shown)
    total = points = 0.0
    for r in results:
        weight = r.question.weight
        if weight > 0:
            total += weight
            points += weight * r.fraction
    uncapped = 100 * points / total if total else 0.0
    capping = [r for r in results if r.cap is not None and r.cap < uncapped]
    capped_by = min(capping, key=lambda r: (r.cap, r.question.id)) if capping else None
    score = min(uncapped, capped_by.cap) if capped_by else uncapped
    checks = tuple(t.check(answers, shown) for t in plan.tiers)
    tier = "none"
    for check in checks:
        if not check.holds:
            break
        tier = check.name
    return SectionResult(section, round(score, 1), round(uncapped, 1), tier, checks, results, capped_by,
                         len(results), sum(r.answered for r in results))


# --- compiled content -------------------------------------------------------------------------------------
# Scoring runs for every page view and, in bulk, for every assessment of a state. What depends only on the
# content (show_if tests as sets, countable options, tier criteria) is worked out once per section, and what
# depends only on (question, answer) -- its level, gap and cap, whether a criterion holds, the tier checks --
# is remembered per distinct answer: results are frozen, so sharing them is safe. Content is parsed once per
# process and never mutated; plans are keyed by the object's id and hold the object, so an id is never reused
# while its plan lives.

_MEMO_LIMIT = 256  # distinct answers remembered per question (choices: a handful each; numbers: not at all)


def _answer_key(value: object):
    """A hashable stand-in for an answer, or None when it is not worth remembering (numbers: context questions
    with too many distinct values; their results are cheap)."""
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    return None


class _QuestionPlan:
    __slots__ = ("question", "qid", "conditions", "countable", "_unanswered", "_results", "_criteria")

    def __init__(self, question: Question):
        self.question, self.qid = question, question.id
        self.conditions = tuple((c.question, frozenset(c.values), c.in_ is not None) for c in question.show_if)
        self.countable = frozenset(o.value for o in question.countable)
        self._unanswered = _question_result(question, None)
        self._results: dict = {}
        self._criteria: dict = {}

    def result(self, value: object) -> QuestionResult:
        if value is None:
            return self._unanswered
        key = _answer_key(value)
        if key is None:
            return _question_result(self.question, value)
        hit = self._results.get(key)
        if hit is None:
            hit = _question_result(self.question, value)
            if len(self._results) < _MEMO_LIMIT:
                self._results[key] = hit
        return hit

    def holds(self, criterion: Criterion, value: object, visible: bool) -> bool:
        if not visible or value is None:
            return False
        key = _answer_key(value)
        if key is None or len(self._criteria) >= 4 * _MEMO_LIMIT:
            return criterion_holds(criterion, self.question, value, True)
        memo_key = (id(criterion), key)
        hit = self._criteria.get(memo_key)
        if hit is None:
            hit = self._criteria[memo_key] = criterion_holds(criterion, self.question, value, True)
        return hit


class _TierPlan:
    __slots__ = ("name", "description", "criteria", "_checks")

    def __init__(self, name: str, section: Section, plans: dict[str, _QuestionPlan]):
        self.name, self.description = name, section.tiers[name].description
        self.criteria = tuple((c, plans[c.question]) for c in section.tiers[name].criteria)
        self._checks: dict[tuple[bool, ...], TierCheck] = {}  # at most 2^criteria entries

    def check(self, answers: dict, shown: set[str]) -> TierCheck:
        holds = tuple(p.holds(c, answers.get(p.qid), p.qid in shown) for c, p in self.criteria)
        hit = self._checks.get(holds)
        if hit is None:
            hit = self._checks[holds] = TierCheck(self.name, self.description, tuple(
                CriterionResult(c, h) for (c, _p), h in zip(self.criteria, holds, strict=True)))
        return hit


class _SectionPlan:
    __slots__ = ("questions", "ids", "conditional", "tiers")

    def __init__(self, section: Section):
        self.questions = tuple(_question_plan(q) for q in section.questions)
        self.ids = frozenset(p.qid for p in self.questions)
        self.conditional = any(p.conditions for p in self.questions)
        by_id = {p.qid: p for p in self.questions}
        self.tiers = tuple(_TierPlan(name, section, by_id) for name in TIER_NAMES)


_PLANS: dict[int, tuple[object, object]] = {}


def _remember(obj, build):
    entry = _PLANS.get(id(obj))
    if entry is None or entry[0] is not obj:
        if len(_PLANS) > 20_000:  # content reloaded many times in one process: start afresh
            _PLANS.clear()
        entry = _PLANS[id(obj)] = (obj, build(obj))
    return entry[1]


def _question_plan(question: Question) -> _QuestionPlan:
    return _remember(question, _QuestionPlan)


def _section_plan(section: Section) -> _SectionPlan:
    return _remember(section, _SectionPlan)


def score_assessment(question_set: QuestionSet, state: str, answers: dict) -> AssessmentResult:
    """Score every section a deployment asks and the overall readiness (section scores averaged by weight)."""
    sections = tuple(score_section(s, answers) for s in question_set.sections_for(state))
    weight = sum(s.section.weight for s in sections)
    overall = sum(s.score * s.section.weight for s in sections) / weight if weight else 0.0
    return AssessmentResult(sections, round(overall, 1))


def clean_answer(question: Question, raw: object) -> object:
    """Turn a submitted value into a stored answer, or raise AnswerError saying what is wrong."""
    if question.type == "single":
        if not isinstance(raw, str) or raw not in question.by_value:
            raise AnswerError(f"“{raw}” is not one of the choices for this question.")
        return raw
    if question.type == "multi":
        values = [raw] if isinstance(raw, str) else raw
        if not isinstance(values, list) or not values or not all(isinstance(v, str) for v in values):
            raise AnswerError("Choose at least one option.")
        unknown = [v for v in values if v not in question.by_value]
        if unknown:
            raise AnswerError(f"“{unknown[0]}” is not one of the choices for this question.")
        solo = [v for v in values if question.by_value[v].exclusive or question.by_value[v].dont_know]
        if solo and len(values) > 1:
            raise AnswerError(f"“{question.by_value[solo[0]].label}” cannot be combined with other choices.")
        return [o.value for o in question.options if o.value in set(values)]
    return _clean_number(question, raw)


# Plain digits, or digits with commas between groups of three ("25,000"); "1,2,3" is refused, not read as 123.
_NUMBER = re.compile(r"(\d+|\d{1,3}(,\d{3})+)(\.\d+)?|\.\d+")


def _clean_number(question: Question, raw: object) -> object:
    if raw == DONT_KNOW:
        return DONT_KNOW
    text = str(raw).strip()
    sign = -1 if text.startswith("-") else 1
    text = text.removeprefix("-").strip().removeprefix("$").strip()
    if not _NUMBER.fullmatch(text):
        raise AnswerError("Enter a number, for example 25000, or choose “I don't know”.")
    number = sign * float(text.replace(",", ""))
    if question.min is not None and number < question.min:
        raise AnswerError(f"Enter a number of at least {question.min:g}.")
    if question.max is not None and number > question.max:
        raise AnswerError(f"Enter a number no larger than {question.max:g}.")
    return int(number) if number.is_integer() else number
