"""The funding model: the optimizer against brute force, the priority score, candidates and bad input."""
from __future__ import annotations

import itertools
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.funding import (
    DEFAULT_WEIGHTS,
    Candidate,
    FundingInputError,
    TownInput,
    build_candidates,
    check_budget,
    check_weights,
    knapsack,
    parse_equity,
    prioritize,
    priority,
    select,
    sensitivity,
)


def brute_force(weights, values, capacity):
    """The reference answer by enumeration: best value, then least weight, then lexicographically greatest
    inclusion vector (earliest items taken)."""
    best = None
    n = len(weights)
    for mask in itertools.product((1, 0), repeat=n):  # (1, 1, ...) first: lexicographically greatest first
        w = sum(wi for wi, m in zip(weights, mask, strict=True) if m)
        if w > capacity:
            continue
        v = sum(vi for vi, m in zip(values, mask, strict=True) if m)
        if best is None or (v, -w) > (best[0], -best[1]):
            best = (v, w, mask)
    return best


instances = st.integers(0, 15).flatmap(lambda n: st.tuples(
    st.lists(st.integers(1, 40), min_size=n, max_size=n),
    st.lists(st.integers(0, 12), min_size=n, max_size=n),  # small values: many ties
    st.integers(0, 200)))


@settings(max_examples=300, deadline=None)
@given(instances)
def test_knapsack_matches_brute_force(instance):
    weights, values, capacity = instance
    chosen = knapsack(weights, values, capacity)
    total_w = sum(weights[i] for i in chosen)
    assert total_w <= capacity
    best_v, best_w, mask = brute_force(weights, values, capacity)
    assert sum(values[i] for i in chosen) == best_v
    assert total_w == best_w
    assert chosen == [i for i, m in enumerate(mask) if m]  # the same tie-breaking as the reference
    assert knapsack(weights, values, capacity) == chosen  # deterministic


@settings(max_examples=200, deadline=None)
@given(instances, st.lists(st.integers(0, 260), min_size=1, max_size=3))
def test_one_programme_for_several_budgets_answers_as_separate_runs(instance, others):
    """The look-ahead budget shares the main budget's dynamic programme: each answer must be the exact best
    for its own capacity, with the same tie-breaking, as if it had been solved alone."""
    weights, values, capacity = instance
    together = knapsack(weights, values, capacity, also=others)
    assert together == [knapsack(weights, values, c) for c in (capacity, *others)]
    for c, chosen in zip((capacity, *others), together, strict=True):
        _v, _w, mask = brute_force(weights, values, c)
        assert chosen == [i for i, m in enumerate(mask) if m]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.integers(1_000, 90_000), st.integers(0, 100_000)), min_size=0, max_size=12),
       st.integers(1_000, 400_000), st.randoms(use_true_random=False))
def test_selection_never_over_budget_and_ignores_input_order(items, budget, rnd):
    cands = [Candidate(f"T{i:02d}", "town_hall", cost, "test", "candidate") for i, (cost, _p) in enumerate(items)]
    points = [p for _c, p in items]
    sel = select(cands, points, budget, granularity=1000)
    assert sel.total_cost <= budget
    order = list(range(len(cands)))
    rnd.shuffle(order)
    shuffled = sorted(order, key=lambda i: cands[i].key)  # callers sort into canonical order
    again = select([cands[i] for i in shuffled], [points[i] for i in shuffled], budget, granularity=1000)
    assert again.chosen == sel.chosen


def test_costs_round_up_so_the_budget_holds():
    cands = [Candidate("A", "town_hall", 1_001, "t", "candidate"), Candidate("B", "town_hall", 999, "t", "candidate")]
    sel = select(cands, [10, 10], 2_000, granularity=1000)
    assert sel.total_cost <= 2_000 and len(sel.chosen) == 1
    assert select(cands, [10, 10], 2_000, granularity=1).chosen == {("A", "town_hall"), ("B", "town_hall")}


def test_priority_is_a_weighted_mean_with_contributions():
    p, parts = priority({"need": 1, "population": 0.5, "readiness": 0, "leverage": 0, "equity": 0},
                        {"need": 1, "population": 1, "readiness": 0, "leverage": 0, "equity": 0})
    assert p == 75 and parts == {"need": 50, "population": 25, "readiness": 0, "leverage": 0, "equity": 0}
    assert priority({f: 1 for f in DEFAULT_WEIGHTS}, DEFAULT_WEIGHTS)[0] == 100
    assert priority({f: 0 for f in DEFAULT_WEIGHTS}, DEFAULT_WEIGHTS)[0] == 0


@pytest.mark.parametrize("raw,message", [({"need": "-1"}, "zero or more"), ({"need": "lots"}, "must be a number"),
                                          ({f: 0 for f in DEFAULT_WEIGHTS}, "more than zero"),
                                          ({"luck": 3}, "Unknown factor")])
def test_bad_weights_are_named(raw, message):
    with pytest.raises(FundingInputError, match=message):
        check_weights(raw)


@pytest.mark.parametrize("raw", ["0", "-5", "abc", ""])
def test_bad_budgets(raw):
    with pytest.raises(FundingInputError, match="budget"):
        check_budget(raw)
    assert check_budget("$2,000,000") == 2_000_000


def towns():
    return [
        TownInput("Alpha", "R1", 50_000, {"nutmeg_connected": "not_connected", "nutmeg_connection_cost": 80_000,
                                          "nutmeg_plan_progress": "work_scheduled",
                                          "nutmeg_cost_basis": "written_quote",
                                          "backup_location": "same_building"}, neighbours=("Beta",)),
        TownInput("Beta", "R1", 2_000, {"nutmeg_connected": "not_connected", "nutmeg_plan_progress": "no_plan",
                                        "backup_location": "near_and_far"}, neighbours=("Alpha", "Gamma")),
        TownInput("Gamma", "R1", 10_000, {"nutmeg_connected": "connected", "nutmeg_facilities": ["town_hall"],
                                          "nutmeg_services": ["voip"]}, neighbours=("Beta",)),
        TownInput("Delta", "R2", 8_000, None, known_source="https://example.org/grant", known_year=2014),
        TownInput("Epsilon", "R2", 9_000, None),
        TownInput("Zeta", "R2", 9_000, {"nutmeg_connected": "connected", "nutmeg_facilities": ["dont_know"]}),
    ]


def test_candidates_statuses_and_costs():
    c = build_candidates(towns(), include_unknown=False)
    keys = {x.key for x in c.costed}
    assert ("Alpha", "town_hall") in keys and ("Beta", "town_hall") in keys
    assert {f for t, f in keys if t == "Gamma"} == {"police", "fire", "library", "schools", "public_works"}
    assert not any(t in ("Delta", "Zeta") for t, _f in keys)  # known connection; unknown facilities not assumed
    assert c.excluded_unknown == ("Epsilon",)
    assert c.statuses["Delta"].status == "connected" and c.statuses["Delta"].source_url == "https://example.org/grant"
    costs = {x.key: (x.cost, x.cost_source) for x in c.costed}
    assert costs[("Alpha", "town_hall")] == (80_000, "town's figure")
    assert costs[("Beta", "town_hall")] == (50_000, "cost model")
    with_unknown = build_candidates(towns(), include_unknown=True)
    assert ("Epsilon", "town_hall") in {x.key for x in with_unknown.costed} and not with_unknown.excluded_unknown


def test_uncosted_candidates_are_set_apart():
    c = build_candidates(towns(), costs={"town_hall": None})
    assert ("Beta", "town_hall") in {x.key for x in c.uncosted}
    assert ("Alpha", "town_hall") in {x.key for x in c.costed}  # the town's own figure


def test_factors_are_normalized_and_explained():
    c = build_candidates(towns(), equity={"Alpha": 3, "Beta": 1})
    for cand in c.costed:
        assert all(0 <= v <= 1 for v in cand.factors.values())
    alpha = next(x for x in c.costed if x.key == ("Alpha", "town_hall"))
    beta = next(x for x in c.costed if x.key == ("Beta", "town_hall"))
    assert alpha.factors["readiness"] == 1.0 and beta.factors["readiness"] == 0.0
    assert alpha.factors["need"] == 1.0 and beta.factors["need"] == 0.75
    assert alpha.factors["equity"] == 1.0 and beta.factors["equity"] == 0.0


def test_prioritize_selects_within_budget_and_looks_ahead():
    c = build_candidates(towns())
    result = prioritize(c, DEFAULT_WEIGHTS, 120_000)
    assert result.selection.total_cost <= 120_000
    assert result.selection.left == 120_000 - result.selection.total_cost
    assert all(s.selected == (s.candidate.key in result.selection.chosen) for s in result.scored)
    assert result.map_status["Delta"] == "connected" and result.map_status["Epsilon"] == "unknown"
    assert not result.covers_all
    everything = prioritize(c, DEFAULT_WEIGHTS, 10_000_000)
    assert everything.covers_all and len(everything.selected) == len(c.costed)


def test_weight_change_changes_selection_and_sensitivity_reports_it():
    c = build_candidates(towns())
    a = prioritize(c, {**DEFAULT_WEIGHTS, "readiness": 100}, 80_000)
    b = prioritize(c, {**DEFAULT_WEIGHTS, "readiness": 0, "population": 0, "need": 100}, 80_000)
    assert a.selection.chosen != b.selection.chosen
    changes = sensitivity(c, a)
    assert {ch.factor for ch in changes} >= {"need", "readiness"}


def test_equity_csv_rows_named():
    scores, problems = parse_equity([{"town": "alpha", "score": "2"}, {"town": "Nowhere", "score": "1"},
                                     {"town": "Beta", "score": "x"}, {"town": "Alpha", "score": "1"}],
                                    {"Alpha", "Beta"})
    assert scores == {"Alpha": 2.0}
    assert problems == ["Row 3: 'Nowhere' is not a town of this state.",
                        "Row 4: the score for Beta must be a number of 0 or more, not 'x'.",
                        "Row 5: Alpha appears more than once."]


def test_large_instance_is_fast_enough():
    import time

    rng = random.Random(1)
    cands = [Candidate(f"T{i:05d}", "town_hall", rng.randrange(5_000, 150_000), "t", "candidate")
             for i in range(20_000)]
    start = time.perf_counter()
    sel = select(cands, [rng.randrange(100_000) for _ in cands], 2_000_000, granularity=1000)
    assert time.perf_counter() - start < 3  # bench/funding_bench.py measures it properly (aim: < 1 s)
    assert sel.total_cost <= 2_000_000


def test_a_budget_above_every_cost_selects_everything_without_a_huge_table():
    cands = [Candidate(f"T{i}", "town_hall", 50_000 + i, "t", "candidate") for i in range(50)]
    sel = select(cands, [1] * 50, 10**12)
    assert len(sel.chosen) == 50 and sel.left == 10**12 - sum(c.cost for c in cands)
