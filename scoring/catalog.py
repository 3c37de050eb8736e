"""The recommendation and grant-program catalogs: typed, validated, cross-checked (no missing ids, no cycles).

`recommendations.yaml` says what a town should do about a gap, what it costs at the town's size, what must
come first and which programs can pay; `grants.yaml` lists those programs.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator

from scoring.base import Frozen as _Frozen
from scoring.yamlsource import ContentError, Located, load_located, problem, validate

SLUG = r"^[a-z][a-z0-9_]*$"
HORIZONS = ("now", "next", "later")
EFFORTS = ("low", "medium", "high")




class PopulationBand(_Frozen):
    id: str = Field(pattern=SLUG)
    label: str = Field(min_length=1)
    max: int | None = Field(default=None, ge=1)


class CostByBand(_Frozen):
    """A [low, high] dollar range per population band."""

    small: tuple[int, int]
    medium: tuple[int, int]
    large: tuple[int, int]

    @model_validator(mode="after")
    def _ordered(self) -> CostByBand:
        for band in ("small", "medium", "large"):
            low, high = getattr(self, band)
            if low < 0 or high < low:
                raise ValueError(f"{band}: a cost range is [low, high] with 0 <= low <= high, got [{low}, {high}]")
        return self

    def for_band(self, band: str) -> tuple[int, int]:
        return getattr(self, band)


class Cost(_Frozen):
    one_time: CostByBand
    yearly: CostByBand


class Resource(_Frozen):
    name: str = Field(min_length=1)
    provider: str = Field(min_length=1)
    url: str | None = Field(default=None, pattern=r"^https?://")
    note: str | None = None


class RecTags(_Frozen):
    cis: tuple[str, ...] = ()
    nist_csf: tuple[str, ...] = ()
    slcgp: tuple[int, ...] = ()

    @field_validator("slcgp")
    @classmethod
    def _slcgp(cls, v):
        if any(x not in (1, 2, 3, 4) for x in v):
            raise ValueError(f"SLCGP objectives are 1-4, got {list(v)}")
        return v


class Recommendation(_Frozen):
    id: str = Field(pattern=SLUG)
    title: str = Field(min_length=1)
    summary: str = Field(min_length=1)
    steps: tuple[str, ...] = Field(min_length=1)
    why: str = Field(min_length=1)
    horizon: Literal["now", "next", "later"]
    effort: Literal["low", "medium", "high"]
    risk_reduction: int = Field(ge=1, le=5)
    cost: Cost
    prerequisites: tuple[str, ...] = ()
    tags: RecTags = RecTags()
    resources: tuple[Resource, ...] = ()
    grants: tuple[str, ...] = ()
    first_step: bool = False


class Fact(_Frozen):
    """A changeable fact about a program; `verified: false` is shown as "check with the program"."""

    note: str | None = None
    verified: bool = False


class Award(Fact):
    min: int | None = Field(default=None, ge=0)
    max: int | None = Field(default=None, ge=0)
    in_kind: bool = False  # the program gives a service (e.g. training licenses), not money


class CostShare(Fact):
    rule: Literal["none", "percent_of_total", "percent_of_award"] = "none"
    percent: float = Field(default=0, ge=0, lt=100)

    @model_validator(mode="after")
    def _percent_needs_rule(self) -> CostShare:
        if self.rule == "none" and self.percent:
            raise ValueError("a percent needs rule percent_of_total or percent_of_award")
        if self.rule != "none" and not self.percent:
            raise ValueError(f"rule {self.rule} needs a percent above 0")
        return self


class Window(Fact):
    text: str = Field(min_length=1)


class ReadinessItem(_Frozen):
    """Something the town needs before applying: checked against an answer, or confirmed by the town."""

    text: str = Field(min_length=1)
    question: str | None = None
    min_level: int | None = Field(default=None, ge=1, le=4)
    manual: bool = False
    when: Literal["always", "match"] = "always"

    @model_validator(mode="after")
    def _one_kind(self) -> ReadinessItem:
        if self.manual == (self.question is not None):
            raise ValueError("give either question (with min_level) or manual: true")
        if self.question is not None and self.min_level is None:
            raise ValueError("a question check needs min_level")
        return self


class EligibleIf(_Frozen):
    """The program only fits a town whose answer to `question` is not one of `not_in`, unless the plan holds
    one of `also_if_planned`."""

    question: str
    not_in: tuple[str, ...] = Field(min_length=1)
    also_if_planned: tuple[str, ...] = ()
    reason: str = Field(min_length=1)


DRAFT_SECTIONS = ("summary", "applicant", "need", "description", "goals", "budget", "justification", "timeline",
                  "evaluation", "sustainability", "regional", "alignment")


class GrantProgram(_Frozen):
    id: str = Field(pattern=SLUG)
    name: str = Field(min_length=1)
    agency: str = Field(min_length=1)
    level: Literal["federal", "state"]
    states: tuple[Literal["CT", "MA"], ...] = Field(min_length=1)
    applicant: str = Field(min_length=1)
    state_agency: dict[Literal["CT", "MA"], str] = Field(default_factory=dict)  # who runs it in each state
    beneficiaries: str = Field(min_length=1)
    summary: str = Field(min_length=1)
    url: str | None = Field(default=None, pattern=r"^https?://")
    award: Award = Award()
    cost_share: CostShare = CostShare()
    funds_yearly_costs: bool = False
    performance_years: int = Field(default=1, ge=1, le=10)
    paid_by: str | None = None
    max_items: int | None = Field(default=None, ge=1)
    town_cost_question: str | None = None
    town_cost_items: tuple[str, ...] = ()
    eligible_if: EligibleIf | None = None
    window: Window
    readiness: tuple[ReadinessItem, ...] = ()
    attachments: tuple[str, ...] = ()
    sections: tuple[Literal[DRAFT_SECTIONS], ...] = Field(min_length=1)  # type: ignore[valid-type]
    objectives_tag: Literal["slcgp"] | None = None  # items must carry this tag family to be fundable


class _RecFile(_Frozen):
    population_bands: tuple[PopulationBand, ...] = Field(min_length=3, max_length=3)
    recommendations: tuple[Recommendation, ...] = Field(min_length=1)


class _GrantFile(_Frozen):
    programs: tuple[GrantProgram, ...] = Field(min_length=1)


@dataclass(frozen=True)
class Catalog:
    """Recommendations by id, grant programs by id, and the population bands costs scale with."""

    recommendations: dict[str, Recommendation]
    grants: dict[str, GrantProgram]
    bands: tuple[PopulationBand, ...]

    def band_for(self, population: int) -> PopulationBand:
        """The population band a town's costs are estimated for (bands are ordered small → large)."""
        for band in self.bands:
            if band.max is None or population <= band.max:
                return band
        return self.bands[-1]


def _unique(items, doc: Located, key: str, what: str) -> tuple[dict, list[str]]:
    seen, problems = {}, []
    for i, item in enumerate(items):
        if item.id in seen:
            problems.append(problem(doc.path, doc.line_of((key, i, "id")), f"{key}[{i}].id",
                                    f"{what} {item.id!r} is defined twice"))
        seen[item.id] = item
    return seen, problems


def _cycle_from(start: str, recs: dict[str, Recommendation]) -> list[str] | None:
    """A prerequisite cycle reachable from `start`, as a list of ids, or None."""
    path: list[str] = []
    done: set[str] = set()

    def visit(rid: str) -> list[str] | None:
        if rid in path:
            return path[path.index(rid):] + [rid]
        if rid in done or rid not in recs:
            return None
        path.append(rid)
        for pre in recs[rid].prerequisites:
            if found := visit(pre):
                return found
        path.pop()
        done.add(rid)
        return None

    return visit(start)


def _check_program_recs(recs: dict[str, Recommendation], grants: dict[str, GrantProgram], doc: Located) -> list[str]:
    """Program fields naming recommendations must name real ones."""
    out = []
    for i, program in enumerate(grants.values()):
        named = [("town_cost_items", j, rid) for j, rid in enumerate(program.town_cost_items)]
        if program.eligible_if:
            named += [("eligible_if", "also_if_planned", j, rid)
                      for j, rid in enumerate(program.eligible_if.also_if_planned)]
        for *loc, rid in named:
            if rid not in recs:
                out.append(problem(doc.path, doc.line_of(("programs", i, *loc)),
                                   f"programs[{i}] ({program.id}).{loc[0]}", f"no recommendation {rid!r}"))
    return out


def _check_references(recs: dict[str, Recommendation], grants: dict[str, GrantProgram], doc: Located) -> list[str]:
    out = []
    for i, rec in enumerate(recs.values()):
        for j, pre in enumerate(rec.prerequisites):
            if pre not in recs:
                out.append(problem(doc.path, doc.line_of(("recommendations", i, "prerequisites", j)),
                                   f"recommendations[{i}] ({rec.id}).prerequisites[{j}]",
                                   f"no recommendation {pre!r}"))
        for j, grant in enumerate(rec.grants):
            if grant not in grants:
                out.append(problem(doc.path, doc.line_of(("recommendations", i, "grants", j)),
                                   f"recommendations[{i}] ({rec.id}).grants[{j}]",
                                   f"no grant program {grant!r} in grants.yaml"))
    reported: set[frozenset] = set()
    for i, rec in enumerate(recs.values()):
        cycle = _cycle_from(rec.id, recs)
        if cycle and frozenset(cycle) not in reported:
            reported.add(frozenset(cycle))
            out.append(problem(doc.path, doc.line_of(("recommendations", i, "prerequisites")),
                               f"recommendations[{i}] ({rec.id}).prerequisites",
                               "prerequisite cycle: " + " → ".join(cycle)))
    return out


def load_catalog(root: Path) -> Catalog:
    """Load recommendations.yaml and grants.yaml; raise ContentError listing every problem."""
    problems: list[str] = []
    docs = {}
    for name in ("recommendations.yaml", "grants.yaml"):
        try:
            docs[name] = load_located(root / name)
        except FileNotFoundError:
            problems.append(problem(root / name, 1, "", "file is missing"))
        except ContentError as exc:
            problems += exc.problems
    if problems:
        raise ContentError(problems)
    parsed = {}
    for name, model in (("recommendations.yaml", _RecFile), ("grants.yaml", _GrantFile)):
        try:
            parsed[name] = validate(model, docs[name])
        except ContentError as exc:
            problems += exc.problems
    if problems:
        raise ContentError(problems)
    rec_doc = docs["recommendations.yaml"]
    recs, dup1 = _unique(parsed["recommendations.yaml"].recommendations, rec_doc, "recommendations",
                         "recommendation")
    grants, dup2 = _unique(parsed["grants.yaml"].programs, docs["grants.yaml"], "programs", "grant program")
    bands = parsed["recommendations.yaml"].population_bands
    problems = (dup1 + dup2 + _check_references(recs, grants, rec_doc)
                + _check_program_recs(recs, grants, docs["grants.yaml"]))
    if [b.id for b in bands] != ["small", "medium", "large"] or bands[-1].max is not None:
        problems.append(problem(rec_doc.path, rec_doc.line_of(("population_bands",)), "population_bands",
                                "give the bands small, medium, large in that order; only large has no max"))
    if problems:
        raise ContentError(problems)
    return Catalog(recs, grants, bands)
