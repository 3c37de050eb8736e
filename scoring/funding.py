"""Nutmeg Network funding priorities: candidates, a weighted priority score, and an exact budget optimizer.

Pure functions over plain values (no Flask, no SQLAlchemy). The flow is
`build_candidates` (towns' answers + known connections + cost model → candidates with normalized factors) →
`prioritize` (weights → priority 0-100 per candidate → exact 0/1 knapsack under the budget).

The optimizer is an exact dynamic programme over the budget in whole cost units ($1,000 or finer). Costs are
rounded *up* to the unit and the budget *down*, so a selection never exceeds the real budget. Among sets of
equal total priority it prefers the cheaper one, then the one that takes candidates earliest in the canonical
order (town, facility), so the same inputs always give the same answer, whatever order they arrive in.
"""
from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

FACILITIES = {"town_hall": "Town hall", "police": "Police or public safety", "fire": "Fire station",
              "library": "Public library", "schools": "Schools", "public_works": "Public works garage"}
# Editable by state staff. Town-hall grants named in public sources ran $19,900-$83,800 (SOURCES.md);
# the other figures are planning assumptions to be replaced with CEN quotes.
DEFAULT_FACILITY_COSTS = {"town_hall": 50_000, "police": 35_000, "fire": 30_000, "library": 25_000,
                          "schools": 40_000, "public_works": 30_000}
FACTORS = ("need", "population", "readiness", "leverage", "equity")
FACTOR_LABELS = {"need": "Need", "population": "Population served", "readiness": "Readiness",
                 "leverage": "Regional leverage", "equity": "Equity"}
DEFAULT_WEIGHTS = {"need": 35.0, "population": 25.0, "readiness": 20.0, "leverage": 10.0, "equity": 10.0}
WEIGHT_REASONS = {
    "need": "The network is worth most where it closes real gaps: the MORE Commission's case rests on off-site "
            "backup and hosting, internet phones and streamed meetings.",
    "population": "A connection serves every resident who deals with town hall; more people served per "
                  "dollar is the plainest measure of public benefit.",
    "readiness": "Money does most when a town can use it now: a plan, a quote or scheduled work means the "
                 "connection gets built and used.",
    "leverage": "Neighbouring and same-region towns on the network can share hosting and services; "
                "connecting clusters makes the shared services of the demonstration projects practical.",
    "equity": "Optional: lets staff favour towns an uploaded equity index (for example distressed "
              "municipalities) marks as most in need of help. Zero for every town until a file is uploaded.",
}
FACTOR_EXPLANATIONS = {
    "need": "Share of four gaps the network's services would close: off-site backup (from the backup "
            "questions), hosting, voice over IP and video streaming (not used over the network). Unknown = 0.5.",
    "population": "The town's 2020 population on a logarithmic scale between the smallest and largest town.",
    "readiness": "Not-connected towns: how far their connection plan has got (0-4 of 4, 80%) and whether the "
                 "cost is a written quote (20%). Facilities of connected towns: 1. Status unknown: 0.",
    "leverage": "Half the share of bordering towns, half the share of same-region towns that are connected "
                "or selected (selections of a first pass count, then the choice is made again).",
    "equity": "The uploaded equity score, scaled so the lowest uploaded score is 0 and the highest 1; towns "
              "not in the file get 0.",
}
STATUS_LABELS = {"connected": "Connected", "selected": "Selected for funding", "candidate": "Candidate, not selected",
                 "unknown": "Status unknown"}
SERVICE_GAPS = ("hosting_backup", "voip", "streaming_video")
PRIORITY_SCALE = 1000  # priority points per priority unit: integer arithmetic keeps ties exact
MAX_CELLS = 400_000_000  # candidates × budget units the optimizer may allocate (bits: ~50 MB)
_BLOCK = 256  # optimizer rows packed into bits together
AUTO_CELLS = 2_000_000  # the finest automatic cost unit keeps the table under this (fast enough for 20+ runs)


class FundingInputError(ValueError):
    """Inputs that cannot give a meaningful answer (no budget, bad weights); the message says what to fix."""


@dataclass(frozen=True)
class TownInput:
    """One town as the funding model sees it; `answers` is None when the town has no assessment."""

    name: str
    region: str
    population: int
    answers: Mapping[str, object] | None = None
    known_source: str | None = None
    known_year: int | None = None
    neighbours: tuple[str, ...] = ()


@dataclass(frozen=True)
class Candidate:
    """A town connection or a facility that could be funded, with its cost and normalized factors."""

    town: str
    facility: str
    cost: int | None
    cost_source: str
    status: str
    factors: Mapping[str, float] = field(default_factory=dict)

    @property
    def key(self) -> tuple[str, str]:
        return (self.town, self.facility)

    @property
    def label(self) -> str:
        return f"{self.town}: {FACILITIES.get(self.facility, self.facility)}"


@dataclass(frozen=True)
class TownStatus:
    """A town's network status before selection, and where it came from."""

    town: str
    status: str  # connected | candidate | unknown
    basis: str
    source_url: str | None = None


@dataclass(frozen=True)
class Candidates:
    """What `build_candidates` found: costed candidates, uncosted ones, excluded unknown towns, statuses."""

    costed: tuple[Candidate, ...]
    uncosted: tuple[Candidate, ...]
    excluded_unknown: tuple[str, ...]
    statuses: Mapping[str, TownStatus]
    towns: Mapping[str, TownInput]


@dataclass(frozen=True)
class Scored:
    """A candidate with its priority (0-100), each factor's weighted contribution, and whether it is chosen."""

    candidate: Candidate
    priority: float
    contributions: Mapping[str, float]
    selected: bool


@dataclass(frozen=True)
class Selection:
    """The optimizer's answer for one budget."""

    budget: int
    unit: int
    chosen: frozenset[tuple[str, str]]
    total_cost: int
    total_priority: float

    @property
    def left(self) -> int:
        return self.budget - self.total_cost


@dataclass(frozen=True)
class Result:
    """Everything a page, export or brief shows about one scenario."""

    weights: Mapping[str, float]
    scored: tuple[Scored, ...]
    selection: Selection
    candidates: Candidates
    covers_all: bool
    next_in: tuple[Scored, ...] = ()
    next_out: tuple[Scored, ...] = ()
    map_status: Mapping[str, str] = field(default_factory=dict)

    @property
    def selected(self) -> tuple[Scored, ...]:
        return tuple(s for s in self.scored if s.selected)


# --- validation ------------------------------------------------------------------------------------------


def check_weights(raw: Mapping[str, object]) -> dict[str, float]:
    """Weights as floats; raises FundingInputError naming each factor that is non-numeric or negative."""
    weights, problems = {}, []
    for factor in FACTORS:
        value = raw.get(factor, DEFAULT_WEIGHTS[factor])
        try:
            number = float(str(value).strip())
        except ValueError:
            problems.append(f"{FACTOR_LABELS[factor]} weight must be a number, not {str(value)[:20]!r}.")
            continue
        if not math.isfinite(number) or number < 0:
            problems.append(f"{FACTOR_LABELS[factor]} weight must be zero or more.")
            continue
        weights[factor] = number
    unknown = sorted(set(raw) - set(FACTORS))
    if unknown:
        problems.append(f"Unknown factor(s): {', '.join(unknown)}; use {', '.join(FACTORS)}.")
    if not problems and sum(weights.values()) <= 0:
        problems.append("At least one weight must be more than zero.")
    if problems:
        raise FundingInputError(" ".join(problems))
    return weights


def check_budget(budget: object) -> int:
    """A budget in whole dollars; raises FundingInputError for zero, negative or non-numeric budgets."""
    try:
        value = float(str(budget).replace(",", "").replace("$", "").strip())
    except ValueError:
        raise FundingInputError("The budget must be an amount in dollars, such as 2,000,000.") from None
    if not math.isfinite(value) or value <= 0:
        raise FundingInputError("The budget must be more than $0.")
    return int(value)


# --- candidates and factors ---------------------------------------------------------------------------------


def _number(value: object) -> int | None:
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) and value > 0 else None


def _town_status(town: TownInput) -> TownStatus:
    connected = (town.answers or {}).get("nutmeg_connected")
    if connected in ("not_connected", "in_progress"):
        basis = "in progress" if connected == "in_progress" else "not connected"
        if town.known_source:
            basis += f" (a public source names a {town.known_year or ''} connection grant)".replace("a  ", "a ")
        return TownStatus(town.name, "candidate", f"Town's assessment: {basis}", town.known_source)
    if connected == "connected":
        return TownStatus(town.name, "connected", "Town's assessment", town.known_source)
    if town.known_source:
        year = f" ({town.known_year})" if town.known_year else ""
        return TownStatus(town.name, "connected", f"Public source: connection grant{year}", town.known_source)
    basis = "Town answered \"I don't know\"" if connected == "dont_know" else "No assessment answer"
    return TownStatus(town.name, "unknown", basis)


def _missing_facilities(answers: Mapping[str, object]) -> list[str]:
    have = answers.get("nutmeg_facilities")
    if not isinstance(have, list) or "dont_know" in have:
        return []  # unknown facilities are never assumed unconnected
    return [f for f in FACILITIES if f not in have]


def _town_candidates(town: TownInput, status: TownStatus, costs: Mapping[str, int | None]) -> list[Candidate]:
    answers = town.answers or {}
    if status.status == "connected":
        if answers.get("nutmeg_connected") != "connected":
            return []
        return [Candidate(town.name, f, costs.get(f), "cost model", "connected") for f in _missing_facilities(answers)]
    own = _number(answers.get("nutmeg_connection_cost"))
    cost, source = (own, "town's figure") if own else (costs.get("town_hall"), "cost model")
    return [Candidate(town.name, "town_hall", cost, source, status.status)]


def _need(answers: Mapping[str, object] | None) -> float:
    if not answers:
        return 0.5
    location = answers.get("backup_location")
    offsite = {"same_device": 1.0, "same_building": 1.0, "near_town": 0.5, "far_30_miles": 0.0,
               "near_and_far": 0.0}.get(location, 0.5)
    services = answers.get("nutmeg_services") if answers.get("nutmeg_connected") == "connected" else []
    if not isinstance(services, list) or "dont_know" in services:
        gaps = [0.5] * len(SERVICE_GAPS)
    else:
        gaps = [0.0 if s in services else 1.0 for s in SERVICE_GAPS]
    return (offsite + sum(gaps)) / 4


def _readiness(candidate: Candidate, answers: Mapping[str, object] | None) -> float:
    if candidate.status == "connected":
        return 1.0
    if candidate.status == "unknown" or not answers:
        return 0.0
    plan = {"no_plan": 0, "discussed": 1, "estimate_obtained": 2, "funding_identified": 3,
            "work_scheduled": 4}.get(answers.get("nutmeg_plan_progress"), 0)
    quote = {"written_quote": 1.0, "rough_estimate": 0.5}.get(answers.get("nutmeg_cost_basis"), 0.0)
    return 0.8 * plan / 4 + 0.2 * quote


def _leverage(town: TownInput, on_network: set[str], region_towns: Mapping[str, list[str]]) -> float:
    return _Leverage(on_network, region_towns).of(town)


class _Leverage:
    """Leverage of any town against one set of towns on the network. The same-region share comes from a count
    per region made once (a town's own entry taken off), so a state of 20,000 towns costs one pass over its
    towns rather than one pass over a region per town; bordering towns are few and counted directly."""

    def __init__(self, on_network: set[str], region_towns: Mapping[str, list[str]]):
        self.on_network = on_network
        self.regions = {r: (len(names), sum(n in on_network for n in names), Counter(names))
                        for r, names in region_towns.items()}

    def of(self, town: TownInput) -> float:
        name, on = town.name, self.on_network
        neighbours = [n for n in town.neighbours if n != name]
        near = sum(n in on for n in neighbours) / len(neighbours) if neighbours else 0.0
        size, connected, entries = self.regions.get(town.region, (0, 0, Counter()))
        mine = entries[name]  # the town's own entries are not its neighbours
        size, connected = size - mine, connected - (mine if name in on else 0)
        return 0.5 * near + 0.5 * (connected / size if size else 0.0)


def _population_scale(towns: Sequence[TownInput]):
    logs = [math.log10(max(t.population, 1)) for t in towns] or [0.0]
    low, high = min(logs), max(logs)
    return lambda p: 0.0 if high == low else (math.log10(max(p, 1)) - low) / (high - low)


def _equity_scale(equity: Mapping[str, float]):
    if not equity:
        return lambda _name: 0.0
    low, high = min(equity.values()), max(equity.values())
    return lambda name: 0.0 if name not in equity else (1.0 if high == low else (equity[name] - low) / (high - low))


def build_candidates(towns: Sequence[TownInput], costs: Mapping[str, int | None] | None = None,
                     include_unknown: bool = False, equity: Mapping[str, float] | None = None) -> Candidates:
    """Every not-connected town and facility (and unknown towns if asked) with cost and factors.

    Leverage here counts towns already connected; `prioritize` recounts it with a first selection.
    """
    costs = DEFAULT_FACILITY_COSTS if costs is None else costs
    statuses = {t.name: _town_status(t) for t in towns}
    excluded = tuple(sorted(t.name for t in towns if statuses[t.name].status == "unknown" and not include_unknown))
    population, equity_of = _population_scale(towns), _equity_scale(equity or {})
    on_network = {name for name, s in statuses.items() if s.status == "connected"}
    regions: dict[str, list[str]] = {}
    for t in towns:
        regions.setdefault(t.region, []).append(t.name)
    leverage = _Leverage(on_network, regions)
    found = []
    for town in sorted(towns, key=lambda t: t.name):
        if town.name in excluded:
            continue
        for c in _town_candidates(town, statuses[town.name], costs):
            factors = {"need": _need(town.answers), "population": population(town.population),
                       "readiness": _readiness(c, town.answers),
                       "leverage": leverage.of(town), "equity": equity_of(town.name)}
            found.append(replace(c, factors=factors))
    return Candidates(costed=tuple(c for c in found if c.cost), uncosted=tuple(c for c in found if not c.cost),
                      excluded_unknown=excluded, statuses=statuses, towns={t.name: t for t in towns})


def _town_leverage(cands: Candidates, also_connected: set[str]) -> dict[str, float]:
    """Each candidate town's leverage as if the towns in `also_connected` were on the network too."""
    on_network = {n for n, s in cands.statuses.items() if s.status == "connected"} | also_connected
    regions: dict[str, list[str]] = {}
    for t in cands.towns.values():
        regions.setdefault(t.region, []).append(t.name)
    leverage = _Leverage(on_network, regions)
    return {name: leverage.of(cands.towns[name]) for name in {c.town for c in (*cands.costed, *cands.uncosted)}}


def with_leverage(cands: Candidates, also_connected: set[str]) -> Candidates:
    """The candidates with leverage recounted as if the towns in `also_connected` were on the network."""
    lev = _town_leverage(cands, also_connected)

    def redo(c: Candidate) -> Candidate:
        return replace(c, factors={**c.factors, "leverage": lev[c.town]})

    return replace(cands, costed=tuple(redo(c) for c in cands.costed), uncosted=tuple(redo(c) for c in cands.uncosted))


# --- priority -------------------------------------------------------------------------------------------------


def priority(factors: Mapping[str, float], weights: Mapping[str, float]) -> tuple[float, dict[str, float]]:
    """Priority 0-100 = weighted mean of the 0-1 factors; also each factor's contribution in points."""
    total = sum(weights.values())
    parts = {f: 100 * weights.get(f, 0.0) * factors.get(f, 0.0) / total for f in FACTORS}
    return round(sum(parts.values()), 3), {f: round(v, 3) for f, v in parts.items()}


# --- optimizer --------------------------------------------------------------------------------------------------


def knapsack(weights: Sequence[int], values: Sequence[int], capacity: int,
             also: Sequence[int] = ()) -> list[int] | list[list[int]]:
    """Indices of the exact best 0/1 subset: greatest total value within capacity, then least total weight,
    then earliest items taken first (lexicographically greatest choice in the given order).

    Dynamic programme over suffixes, vectorized over capacity with numpy; one row of bits per item records
    whether taking it is at least as good (packed eight to a byte, so 20,000 towns' candidates at $1,000 steps
    need about 8 MB), and the set is read back from the first item on. With `also` (smaller capacities), one
    programme answers them too: the table for a capacity holds every smaller one, and with any weight factor
    above the largest total weight the comparisons, hence the answers, are those of separate runs. It then
    returns one list per capacity, `capacity` first.
    """
    n = len(weights)
    wanted = [capacity, *also]
    top = max(wanted)
    if n == 0 or top < 0:
        return [[] for _ in wanted] if also else []
    w = np.asarray(weights, dtype=np.int64)
    if (w < 0).any() or (np.asarray(values) < 0).any():
        raise FundingInputError("Costs and priorities must not be negative.")
    keys = np.asarray(values, dtype=np.int64) * (top + 1) - w  # value first, then the cheaper set
    best = np.zeros(top + 1, dtype=np.int64)
    take = np.zeros((n, (top + 8) // 8), dtype=np.uint8)
    block = np.zeros((min(n, _BLOCK), top + 1), dtype=bool)  # rows are packed a block at a time
    for i in range(n - 1, -1, -1):
        row = block[i % _BLOCK]
        wi = int(w[i])
        if wi > top or keys[i] < 0:
            row[:] = False
        else:
            with_item = best[:top + 1 - wi] + keys[i]
            row[:wi] = False
            np.greater_equal(with_item, best[wi:], out=row[wi:])
            np.maximum(best[wi:], with_item, out=best[wi:])
        if i % _BLOCK == 0:  # rows i .. i + _BLOCK - 1 are done
            done = min(_BLOCK, n - i)
            take[i:i + done] = np.packbits(block[:done], axis=1)
    answers = []
    for c in wanted:
        chosen = []
        for i in range(n if c >= 0 else 0):
            if take[i, c >> 3] >> (7 - (c & 7)) & 1:  # packbits puts the first cell in the highest bit
                chosen.append(i)
                c -= int(w[i])
        answers.append(chosen)
    return answers if also else answers[0]


def cost_unit(n: int, budget: int, granularity: int | None = None) -> int:
    """The cost unit: the one given, else the finest of $1, $10, $100, $1,000 that keeps the table small."""
    if granularity:
        return granularity
    for unit in (1, 10, 100, 1000):
        if n * (budget // unit + 1) <= AUTO_CELLS:
            return unit
    return 1000


def select(cands: Sequence[Candidate], points: Sequence[int], budget: int,
           granularity: int | None = None) -> Selection:
    """The exact best set of candidates for the budget (candidates must be in canonical order)."""
    return select_budgets(cands, points, (budget,), granularity)[0]


def select_budgets(cands: Sequence[Candidate], points: Sequence[int], budgets: Sequence[int],
                   granularity: int | None = None) -> list[Selection]:
    """`select` for several budgets; those that come to the same cost unit share one dynamic programme."""
    total = sum(c.cost for c in cands)
    plans = []
    for budget in budgets:
        unit = cost_unit(len(cands), min(budget, total), granularity)  # a budget above every cost needs no
        plans.append((unit, budget))                                      # bigger table
    out: dict[int, Selection] = {}
    for unit in dict.fromkeys(u for u, _b in plans):
        mine = [k for k, (u, _b) in enumerate(plans) if u == unit]
        units = [-(-c.cost // unit) for c in cands]
        # the same optimum: no set can weigh more than all of them
        caps = [min(budgets[k] // unit, sum(units)) for k in mine]
        if len(cands) * (max(caps) + 1) > MAX_CELLS:
            raise FundingInputError(f"Too many candidates ({len(cands):,}) for this budget at ${unit:,} cost steps.")
        found = knapsack(units, points, caps[0], also=caps[1:]) if len(caps) > 1 else [knapsack(units, points,
                                                                                              caps[0])]
        for k, idx in zip(mine, found, strict=True):
            chosen = [cands[i] for i in idx]
            out[k] = Selection(budgets[k], unit, frozenset(c.key for c in chosen), sum(c.cost for c in chosen),
                               round(sum(points[i] for i in idx) / PRIORITY_SCALE, 3))
    return [out[k] for k in range(len(budgets))]


class _Table:
    """The costed candidates in canonical order with their factors as a matrix, for the passes that need only
    the selection (the first pass, and every sensitivity trial): priorities for all candidates in a few numpy
    operations, with exactly the arithmetic of `priority` (same operations in the same order, Python's
    rounding), so the points and therefore the selection are identical."""

    def __init__(self, cands: Candidates):
        self.cands = cands
        self.order = sorted(cands.costed, key=lambda c: c.key)
        self.factors = np.array([[c.factors.get(f, 0.0) for f in FACTORS] for c in self.order], dtype=np.float64)
        self.factors = self.factors.reshape(len(self.order), len(FACTORS))

    def _parts(self, weights: Mapping[str, float], leverage: Mapping[str, float] | None = None):
        factors = self.factors
        if leverage is not None:
            factors = factors.copy()
            factors[:, FACTORS.index("leverage")] = [leverage[c.town] for c in self.order]
        total = sum(weights.values())
        parts = [100 * weights.get(f, 0.0) * factors[:, j] / total for j, f in enumerate(FACTORS)]
        summed = np.zeros(len(self.order), dtype=np.float64)
        for part in parts:  # sum(parts.values()) adds the parts left to right, from 0
            summed = summed + part
        return parts, [round(p, 3) for p in summed.tolist()]

    def points(self, weights: Mapping[str, float], leverage: Mapping[str, float] | None = None) -> list[int]:
        return [round(p * PRIORITY_SCALE) for p in self._parts(weights, leverage)[1]]

    def rows(self, weights: Mapping[str, float]) -> list[tuple[Candidate, float, dict]]:
        """(candidate, priority, contributions) as `priority` gives them, in canonical order."""
        parts, priorities = self._parts(weights)
        rounded = zip(*([round(v, 3) for v in part.tolist()] for part in parts), strict=True)
        return [(c, p, dict(zip(FACTORS, values, strict=True)))
                for c, p, values in zip(self.order, priorities, rounded, strict=True)]

    def choose(self, weights: Mapping[str, float], budget: int, granularity: int | None) -> Selection:
        """The selection `prioritize` makes: a first pass, leverage recounted with its towns, a second pass."""
        first = select(self.order, self.points(weights), budget, granularity)
        leverage = _town_leverage(self.cands, {town for town, _f in first.chosen})
        return select(self.order, self.points(weights, leverage), budget, granularity)


def _map_status(cands: Candidates, chosen: frozenset) -> dict[str, str]:
    picked = {town for town, _f in chosen}
    return {name: "selected" if name in picked else s.status for name, s in cands.statuses.items()}


def prioritize(cands: Candidates, weights: Mapping[str, float], budget: int,
               granularity: int | None = None, look_ahead: float = 0.10) -> Result:
    """Score and choose: two passes so regional leverage counts towns the first pass selected; also the
    candidates that would enter (or leave) with `look_ahead` more budget."""
    weights = check_weights(weights)
    budget = check_budget(budget)
    table = _Table(cands)
    first = select(table.order, table.points(weights), budget, granularity)
    cands = with_leverage(cands, {town for town, _f in first.chosen})
    rows = _Table(cands).rows(weights)
    selection, more = select_budgets([r[0] for r in rows], [round(p * PRIORITY_SCALE) for _c, p, _ in rows],
                                     (budget, int(budget * (1 + look_ahead))), granularity)
    scored = tuple(Scored(c, p, parts, c.key in selection.chosen) for c, p, parts in rows)
    total = sum(c.cost for c in cands.costed)
    by_key = {s.candidate.key: s for s in scored}
    next_in = tuple(sorted((by_key[k] for k in more.chosen - selection.chosen), key=lambda s: -s.priority))
    next_out = tuple(by_key[k] for k in sorted(selection.chosen - more.chosen))
    return Result(weights, scored, selection, cands, covers_all=budget >= total, next_in=next_in,
                  next_out=next_out, map_status=_map_status(cands, selection.chosen))


@dataclass(frozen=True)
class Change:
    """How the selection moves when one weight moves."""

    factor: str
    old: float
    new: float
    enters: tuple[str, ...]
    leaves: tuple[str, ...]


def sensitivity(cands: Candidates, result: Result, step: float = 10.0,
                granularity: int | None = None) -> list[Change]:
    """For each factor, the selection with its weight `step` higher and `step` lower (not below zero)."""
    changes = []
    table = _Table(cands)  # each trial needs only its selection: no rows, explanations or look-ahead
    label = {s.candidate.key: s.candidate.label for s in result.scored}
    for factor in FACTORS:
        old = result.weights[factor]
        for new in (old + step, max(0.0, old - step)):
            trial = {**result.weights, factor: new}
            if new == old or sum(trial.values()) <= 0:
                continue
            other = table.choose(check_weights(trial), check_budget(result.selection.budget), granularity).chosen
            now = result.selection.chosen
            changes.append(Change(factor, old, new, tuple(label[k] for k in sorted(other - now)),
                                  tuple(label[k] for k in sorted(now - other))))
    return changes


def parse_equity(rows: Sequence[Mapping[str, str]], town_names: set[str]) -> tuple[dict[str, float], list[str]]:
    """Equity scores by town from CSV rows (`town`, `score`); the problems found, each naming its row.

    Nothing is to be imported when any problem is found; the caller decides that.
    """
    scores, problems = {}, []
    lookup = {n.lower(): n for n in town_names}
    for i, row in enumerate(rows, start=2):  # row 1 is the header
        name = (row.get("town") or "").strip()
        raw = (row.get("score") or "").strip()
        town = lookup.get(name.lower())
        try:
            score = float(raw)
            bad_score = not math.isfinite(score) or score < 0
        except ValueError:
            bad_score = True
        if town is None:
            problems.append(f"Row {i}: {name[:40]!r} is not a town of this state.")
        elif town in scores:
            problems.append(f"Row {i}: {town} appears more than once.")
        elif bad_score:
            problems.append(f"Row {i}: the score for {town} must be a number of 0 or more, not {raw[:20]!r}.")
        else:
            scores[town] = score
    if not rows:
        problems.append("The file has no data rows.")
    return scores, problems
