"""The content model: typed, frozen definitions of question sets and recommendations, loaded from YAML.

Everything here is validated twice over: pydantic checks each file's shape, then `_check_*` functions check
the cross-references (show_if, tier criteria, recommendation ids) that one file alone cannot. Every error
names the file, line and field so a content editor can fix it without reading Python.
"""
from __future__ import annotations

import hashlib
import re
import time
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator

from scoring.base import Frozen as _Frozen
from scoring.catalog import Catalog, load_catalog
from scoring.yamlsource import ContentError, Located, field_path, load_located, problem, validate

SLUG = r"^[a-z][a-z0-9_]*$"
STATES = ("CT", "MA")
TIER_NAMES = ("good", "better", "best")
MAX_LEVEL = 4
CSF_ID = re.compile(r"^(GV|ID|PR|DE|RS|RC)\.[A-Z]{2}(-\d{2})?$")
CIS_ID = re.compile(r"^\d{1,2}\.\d{1,2}$")


class Option(_Frozen):
    value: str = Field(pattern=SLUG)
    label: str = Field(min_length=1)
    level: int | None = Field(default=None, ge=0, le=MAX_LEVEL)
    dont_know: bool = False
    exclusive: bool = False
    caps_section_at: int | None = Field(default=None, ge=0, le=100)


class Condition(_Frozen):
    question: str = Field(pattern=SLUG)
    in_: tuple[str | int | bool, ...] | None = Field(default=None, alias="in")
    not_in: tuple[str | int | bool, ...] | None = None

    @model_validator(mode="after")
    def _one_test(self) -> Condition:
        if (self.in_ is None) == (self.not_in is None):
            raise ValueError("give exactly one of 'in' or 'not_in'")
        return self

    @property
    def values(self) -> tuple[str, ...]:
        return tuple(str(v) for v in (self.in_ if self.in_ is not None else self.not_in))


class Criterion(_Frozen):
    question: str = Field(pattern=SLUG)
    label: str = Field(min_length=1)
    min_level: int | None = Field(default=None, ge=0, le=MAX_LEVEL)
    in_: tuple[str, ...] | None = Field(default=None, alias="in")
    includes: tuple[str, ...] | None = None
    min_count: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _one_test(self) -> Criterion:
        tests = [t for t in (self.min_level, self.in_, self.includes, self.min_count) if t is not None]
        if len(tests) != 1:
            raise ValueError("give exactly one of 'min_level', 'in', 'includes' or 'min_count'")
        return self


class Tier(_Frozen):
    description: str = Field(min_length=1)
    criteria: tuple[Criterion, ...] = Field(min_length=1)


class Tags(_Frozen):
    cis: tuple[str, ...] = ()
    nist_csf: tuple[str, ...] = ()
    slcgp: tuple[int, ...] = ()

    @field_validator("cis")
    @classmethod
    def _cis(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        bad = [x for x in v if not CIS_ID.match(str(x))]
        if bad:
            raise ValueError(f"not a CIS Controls v8 safeguard id (like \"11.2\"): {bad}")
        return v

    @field_validator("nist_csf")
    @classmethod
    def _csf(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        bad = [x for x in v if not CSF_ID.match(x)]
        if bad:
            raise ValueError(f"not a NIST CSF 2.0 category or subcategory id (like PR.DS or PR.DS-11): {bad}")
        return v

    @field_validator("slcgp")
    @classmethod
    def _slcgp(cls, v: tuple[int, ...]) -> tuple[int, ...]:
        bad = [x for x in v if x not in (1, 2, 3, 4)]
        if bad:
            raise ValueError(f"SLCGP objectives are 1-4, got {bad}")
        return v


class Question(_Frozen):
    id: str = Field(pattern=SLUG)
    prompt: str = Field(min_length=1)
    why: str = Field(min_length=1)
    help: str | None = None
    type: Literal["single", "multi", "number"]
    weight: float = Field(ge=0)
    options: tuple[Option, ...] = ()
    unit: str | None = None
    min: float | None = None
    max: float | None = None
    show_if: tuple[Condition, ...] = ()
    tags: Tags = Tags()
    recommendations: tuple[str, ...] = ()
    gap_below: int | None = Field(default=None, ge=1, le=MAX_LEVEL)

    @field_validator("show_if", mode="before")
    @classmethod
    def _listify(cls, v):
        return [v] if isinstance(v, dict) else v

    @model_validator(mode="after")
    def _shape(self) -> Question:
        _check_question_shape(self)
        return self

    @property
    def scored(self) -> bool:
        return self.weight > 0

    @cached_property
    def by_value(self) -> dict[str, Option]:
        return {o.value: o for o in self.options}

    @cached_property
    def max_level(self) -> int:
        """Highest option level of a single question; count of countable options of a multi."""
        if self.type == "single":
            return max((o.level or 0) for o in self.options)
        return len(self.countable)

    @cached_property
    def countable(self) -> tuple[Option, ...]:
        return tuple(o for o in self.options if not (o.exclusive or o.dont_know))

    @property
    def gap_threshold(self) -> int:
        return self.gap_below if self.gap_below is not None else self.max_level


def _check_question_shape(q: Question) -> None:
    """Per-question rules that pydantic's field types cannot express."""
    if q.type == "number":
        if q.options:
            raise ValueError("number questions have no options")
        if q.weight != 0:
            raise ValueError("number questions are context questions: weight must be 0")
        return
    if len(q.options) < 2:
        raise ValueError(f"{q.type} questions need at least two options")
    values = [o.value for o in q.options]
    if len(set(values)) != len(values):
        raise ValueError(f"option values repeat: {sorted(v for v in set(values) if values.count(v) > 1)}")
    if sum(o.dont_know for o in q.options) != 1:
        raise ValueError("needs exactly one option with dont_know: true (the explicit \"I don't know\")")
    (_check_single if q.type == "single" else _check_multi)(q)


def _check_single(q: Question) -> None:
    missing = [o.value for o in q.options if o.level is None and not o.dont_know]
    if missing and q.weight > 0:
        raise ValueError(f"options of a scored single-choice question need a level 0-4: {missing}")
    if any(o.exclusive for o in q.options):
        raise ValueError("'exclusive' is only for multi questions")
    if q.gap_below is not None and q.gap_below > q.max_level:
        raise ValueError(f"gap_below {q.gap_below} is above the highest option level {q.max_level}")


def _check_multi(q: Question) -> None:
    if any(o.level is not None for o in q.options):
        raise ValueError("multi options have no level; a multi scores by the share of options chosen")
    if not q.countable:
        raise ValueError("a multi question needs at least one countable (non-exclusive) option")


class Section(_Frozen):
    id: str = Field(pattern=SLUG)
    title: str = Field(min_length=1)
    summary: str = Field(min_length=1)
    weight: float = Field(default=1.0, ge=0)
    states: tuple[Literal["CT", "MA"], ...] = STATES
    sources: tuple[str, ...] = ()
    tiers: dict[Literal["good", "better", "best"], Tier]
    questions: tuple[Question, ...] = Field(min_length=1)

    @field_validator("tiers")
    @classmethod
    def _all_tiers(cls, v):
        missing = [t for t in TIER_NAMES if t not in v]
        if missing:
            raise ValueError(f"missing tiers: {missing}")
        return v

    @cached_property
    def by_id(self) -> dict[str, Question]:
        return {q.id: q for q in self.questions}

    @property
    def scored_questions(self) -> tuple[Question, ...]:
        return tuple(q for q in self.questions if q.scored)


class _SetHeader(_Frozen):
    id: str = Field(pattern=r"^[a-z][a-z0-9-]*$")
    version: int = Field(ge=1)
    title: str = Field(min_length=1)
    description: str = ""
    sections: tuple[str, ...] = Field(min_length=1)


@dataclass(frozen=True)
class QuestionSet:
    """One published version of a question set: its sections in order and the sha256 of its files."""

    id: str
    version: int
    title: str
    description: str
    sections: tuple[Section, ...]
    sha256: str

    def sections_for(self, state: str) -> tuple[Section, ...]:
        """The sections a deployment for `state` asks, in order (e.g. Nutmeg for CT, broadband for MA)."""
        return tuple(s for s in self.sections if state in s.states)

    def section(self, section_id: str) -> Section | None:
        return next((s for s in self.sections if s.id == section_id), None)

    @cached_property
    def questions(self) -> dict[str, Question]:
        return {q.id: q for s in self.sections for q in s.questions}


@dataclass(frozen=True)
class Content:
    """All question sets (every version) and the recommendation and grant catalogs."""

    sets: dict[tuple[str, int], QuestionSet]
    catalog: Catalog

    @property
    def recommendations(self):
        return self.catalog.recommendations

    def latest(self, set_id: str) -> QuestionSet:
        """The newest version of a question set: what new assessments are answered against."""
        versions = [v for (sid, v) in self.sets if sid == set_id]
        if not versions:
            raise KeyError(f"no question set {set_id!r}")
        return self.sets[(set_id, max(versions))]

    def get(self, set_id: str, version: int) -> QuestionSet | None:
        return self.sets.get((set_id, version))


def _check_section(section: Section, doc: Located, known: set[str], recs: set[str] | None) -> list[str]:
    """Cross-references inside one section: show_if, criteria, and (when the catalog loaded) recommendations."""
    out: list[str] = []

    def report(loc: tuple, msg: str) -> None:
        out.append(problem(doc.path, doc.line_of(loc), field_path(loc, doc.data), msg))

    earlier: dict[str, Question] = {}
    for qi, q in enumerate(section.questions):
        if q.id in known:
            report(("questions", qi, "id"), f"question id {q.id!r} is used twice in this question set")
        known.add(q.id)
        _check_show_if(q, earlier, lambda loc, msg, qi=qi: report(("questions", qi, "show_if") + loc, msg))
        for ri, rec in enumerate(q.recommendations if recs is not None else ()):
            if rec not in recs:
                report(("questions", qi, "recommendations", ri), f"no recommendation {rec!r} in recommendations.yaml")
        if q.scored and not q.recommendations:
            report(("questions", qi), "a scored question needs at least one recommendation for its gap")
        earlier[q.id] = q
    for tier in TIER_NAMES:
        for ci, crit in enumerate(section.tiers[tier].criteria):
            _check_criterion(crit, section,
                             lambda loc, m, tier=tier, ci=ci: report(("tiers", tier, "criteria", ci) + loc, m))
    return out


def _check_show_if(q: Question, earlier: dict[str, Question], report) -> None:
    """show_if may only name an earlier context question, with values that are its options."""
    for ci, cond in enumerate(q.show_if):
        ref = earlier.get(cond.question)
        if ref is None:
            report((ci, "question"), f"{cond.question!r} is not an earlier question of this section")
        elif ref.scored:
            report((ci, "question"), f"{cond.question!r} is scored; only context questions (weight 0) "
                                     "may decide what is shown")
        elif ref.type != "number":
            bad = [v for v in cond.values if v not in ref.by_value]
            if bad:
                report((ci,), f"{bad} are not options of {ref.id!r}")


def _check_criterion(crit: Criterion, section: Section, report) -> None:
    """A tier criterion must name a question of its section, with a test that fits the question's type."""
    q = section.by_id.get(crit.question)
    if q is None:
        report(("question",), f"{crit.question!r} is not a question of this section")
        return
    wanted = {"single": ("min_level", "in_"), "multi": ("includes", "min_count")}.get(q.type, ())
    used = next(n for n in ("min_level", "in_", "includes", "min_count") if getattr(crit, n) is not None)
    if used not in wanted:
        report((), f"{used.rstrip('_')!r} cannot test a {q.type} question")
        return
    values = crit.in_ or crit.includes or ()
    bad = [v for v in values if v not in q.by_value]
    if bad:
        report((), f"{bad} are not options of {q.id!r}")
    if crit.min_level is not None and crit.min_level > q.max_level:
        report(("min_level",), f"no option of {q.id!r} reaches level {crit.min_level}")
    if crit.min_level is not None and all(o.level is None for o in q.options):
        report(("min_level",), f"{q.id!r} has no levels; test it with 'in'")
    if crit.min_count is not None and crit.min_count > len(q.countable):
        report(("min_count",), f"{q.id!r} has only {len(q.countable)} countable options")


def load_question_set(folder: Path, recs: set[str], check_recs: bool = True) -> QuestionSet:
    """Load and check one version folder (`<set>/v<N>/`)."""
    head_doc = load_located(folder / "questionset.yaml")
    header = validate(_SetHeader, head_doc)
    problems: list[str] = []
    if folder.name != f"v{header.version}" or folder.parent.name != header.id:
        problems.append(problem(head_doc.path, head_doc.line_of(("version",)), "version",
                                f"set {header.id} v{header.version} must live in {header.id}/v{header.version}/"))
    digest = hashlib.sha256(head_doc.path.read_bytes())
    sections, known = [], set()
    for si, section_id in enumerate(header.sections):
        path = folder / f"{section_id}.yaml"
        if not path.exists():
            problems.append(problem(head_doc.path, head_doc.line_of(("sections", si)), f"sections[{si}]",
                                    f"no file {path.name} for section {section_id!r}"))
            continue
        digest.update(path.read_bytes())
        try:
            doc = load_located(path)
            section = validate(Section, doc)
        except ContentError as exc:
            problems += exc.problems
            continue
        if section.id != section_id:
            problems.append(problem(path, doc.line_of(("id",)), "id", f"must be {section_id!r} (the file name)"))
        problems += _check_section(section, doc, known, recs if check_recs else None)
        sections.append(section)
    if problems:
        raise ContentError(problems)
    return QuestionSet(header.id, header.version, header.title, header.description, tuple(sections),
                       digest.hexdigest())


def load_content(root: str | Path) -> Content:
    """Load every question-set version under `root` and the catalogs; raise ContentError listing all problems."""
    root = Path(root)
    problems: list[str] = []
    try:
        catalog = load_catalog(root)
    except ContentError as exc:
        problems += exc.problems
        catalog = None
    recs = set(catalog.recommendations) if catalog else set()
    sets: dict[tuple[str, int], QuestionSet] = {}
    for folder in sorted(p.parent for p in root.glob("*/v*/questionset.yaml")):
        try:
            qs = load_question_set(folder, recs, check_recs=catalog is not None)
            sets[(qs.id, qs.version)] = qs
        except ContentError as exc:
            problems += exc.problems
    if not sets and not problems:
        problems.append(problem(root, 1, "", "no question set found (expected <set>/v<N>/questionset.yaml)"))
    if catalog and sets and not problems:
        problems += _check_program_questions(root / "grants.yaml", catalog, sets)
    if problems:
        raise ContentError(problems)
    return Content(sets=sets, catalog=catalog)


def _check_program_questions(path: Path, catalog: Catalog, sets: dict[tuple[str, int], QuestionSet]) -> list[str]:
    """Programs read answers (readiness, eligibility, the town's own cost figure) of the newest versions."""
    latest: dict[str, QuestionSet] = {}
    for (set_id, _version), qs in sorted(sets.items()):
        latest[set_id] = qs
    questions = {qid: q for qs in latest.values() for qid, q in qs.questions.items()}
    doc = load_located(path)
    out = []
    for i, program in enumerate(catalog.grants.values()):
        refs = [(("readiness", j, "question"), r.question) for j, r in enumerate(program.readiness) if r.question]
        if program.eligible_if:
            refs.append((("eligible_if", "question"), program.eligible_if.question))
        if program.town_cost_question:
            refs.append((("town_cost_question",), program.town_cost_question))
        for loc, qid in refs:
            if qid not in questions:
                where = ("programs", i) + loc
                out.append(problem(path, doc.line_of(where), f"programs[{i}] ({program.id})." + ".".join(
                    str(part) if not isinstance(part, int) else f"[{part}]" for part in loc).replace(".[", "["),
                    f"no question {qid!r} in the newest question set"))
        cond = program.eligible_if
        if cond and cond.question in questions:
            unknown = [v for v in cond.not_in if v not in questions[cond.question].by_value]
            if unknown:
                out.append(problem(path, doc.line_of(("programs", i, "eligible_if", "not_in")),
                                   f"programs[{i}] ({program.id}).eligible_if.not_in",
                                   f"{unknown[0]!r} is not an option of {cond.question}"))
    return out


_CACHE: dict[tuple[str, float], Content] = {}
_CHECKED: dict[str, tuple[float, Content]] = {}  # root -> (when its files were last checked, the content)


def cached_content(root: str | Path, recheck_seconds: float = 2.0) -> Content:
    """Parse content once per process (and again only if a file changed): pages and documents share it.

    Files are checked for changes at most every `recheck_seconds` (a stat of every YAML file costs more than
    the rest of a page's content work).
    """
    root_key = str(Path(root).resolve())
    now = time.monotonic()
    last = _CHECKED.get(root_key)
    if last and now - last[0] < recheck_seconds:
        return last[1]
    stamp = max((p.stat().st_mtime for p in Path(root).rglob("*.yaml")), default=0.0)
    key = (root_key, stamp)
    if key not in _CACHE:
        _CACHE.clear()
        _CACHE[key] = load_content(root)
    _CHECKED[root_key] = (now, _CACHE[key])
    return _CACHE[key]


if __name__ == "__main__":  # pragma: no cover - convenience for content editors
    import sys

    try:
        content = load_content(sys.argv[1] if len(sys.argv) > 1 else "questionnaires")
    except ContentError as exc:
        print("\n".join(exc.problems))
        raise SystemExit(1) from None
    for (sid, ver), qs in content.sets.items():
        print(f"{sid} v{ver}: {len(qs.sections)} sections, {len(qs.questions)} questions, sha256 {qs.sha256[:12]}")
