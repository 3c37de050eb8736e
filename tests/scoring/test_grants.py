"""Grant matching from real content: which programs a town sees, eligibility and why, budgets and cost shares."""
from __future__ import annotations

from pathlib import Path

import pytest
from conftest import best as best_value
from conftest import worst as worst_value
from hypothesis import given
from hypothesis import strategies as st

from scoring.catalog import CostShare
from scoring.content import load_content
from scoring.engine import DONT_KNOW, score_assessment
from scoring.grants import budget_for, fit_program, rank_programs, split_cost, with_facts
from scoring.roadmap import plan_roadmap

ROOT = Path(__file__).resolve().parents[2] / "questionnaires"
CONTENT = load_content(ROOT)
CATALOG = CONTENT.catalog
QSET = CONTENT.latest("municipal-it")


def pick(q, good: bool):
    return best_value(q) if good else worst_value(q)


def town(state: str, best: bool = False, **changes):
    answers = {q.id: pick(q, best) for s in QSET.sections_for(state) for q in s.questions}
    answers.update(changes)
    result = score_assessment(QSET, state, answers)
    return result, plan_roadmap(result, CATALOG, state, 20_000)


class TestCostShare:
    @pytest.mark.parametrize(("rule", "percent", "total", "cap", "expected"), [
        ("none", 0, 80_000, None, (80_000, 0)),
        ("none", 0, 250_000, 200_000, (200_000, 50_000)),  # above the cap the town pays the rest
        ("percent_of_total", 40, 100_000, None, (60_000, 40_000)),  # SLCGP: town pays 40% of the project
        ("percent_of_total", 30, 1_001, None, (701, 300)),  # whole dollars that still add up
        ("percent_of_total", 40, 500_000, 100_000, (100_000, 400_000)),
        ("percent_of_award", 25, 125_000, None, (100_000, 25_000)),  # town adds 25% of the award on top
        ("percent_of_award", 25, 500_000, 100_000, (100_000, 400_000)),
        ("percent_of_total", 40, 0, None, (0, 0)),
    ])
    def test_rules(self, rule, percent, total, cap, expected):
        assert split_cost(total, CostShare(rule=rule, percent=percent), cap) == expected

    @given(st.integers(0, 10**8), st.sampled_from(["none", "percent_of_total", "percent_of_award"]),
           st.integers(1, 90), st.one_of(st.none(), st.integers(0, 10**7)))
    def test_split_always_adds_up_and_respects_cap(self, total, rule, percent, cap):
        share = CostShare(rule=rule, percent=0 if rule == "none" else percent)
        award, match = split_cost(total, share, cap)
        assert award + match == total and award >= 0 and match >= 0
        if cap is not None:
            assert award <= cap

    def test_a_rule_and_its_percent_must_agree(self):
        with pytest.raises(ValueError):
            CostShare(rule="none", percent=10)
        with pytest.raises(ValueError):
            CostShare(rule="percent_of_total", percent=0)


class TestPrograms:
    def test_each_state_sees_only_its_programs(self):
        ct = {f.program.id for f in rank_programs(*town("CT"), CATALOG, "CT")}
        ma = {f.program.id for f in rank_programs(*town("MA"), CATALOG, "MA")}
        assert ct == {"slcgp", "ct_nutmeg"}
        assert ma == {"slcgp", "ma_cc_it", "ma_er", "ma_cyber_resilient", "ma_awareness"}

    def test_budget_totals_are_the_sum_of_the_lines(self):
        result, roadmap = town("CT")
        fit = fit_program(CATALOG.grants["slcgp"], result, roadmap)
        lines = fit.budget.lines
        assert len(lines) == len(fit.items) > 3
        years = CATALOG.grants["slcgp"].performance_years
        for line, item in zip(lines, fit.items, strict=True):
            assert line.amount == item.one_time[1] + item.yearly[1] * years
        assert fit.budget.total == sum(line.amount for line in lines)
        award, match = fit.budget.split
        assert award == min(round(fit.budget.total * 0.6), 100_000) and award + match == fit.budget.total

    def test_slcgp_funds_only_items_that_map_to_an_objective(self):
        fit = fit_program(CATALOG.grants["slcgp"], *town("CT"))
        assert all(i.rec.tags.slcgp for i in fit.items)
        assert all("objectives" in why or "staff time" in why or "yearly" in why for _, why in fit.excluded)

    def test_a_connected_town_is_not_eligible_for_connection_funding_and_is_told_why(self):
        result, roadmap = town("CT", best=True)
        fit = fit_program(CATALOG.grants["ct_nutmeg"], result, roadmap)
        assert not fit.eligible
        assert any("already connected" in r for r in fit.reasons)

    def test_an_unconnected_town_with_no_cost_figure_gets_a_flagged_line_not_zero(self):
        result, roadmap = town("CT", nutmeg_connection_cost=DONT_KNOW)
        fit = fit_program(CATALOG.grants["ct_nutmeg"], result, roadmap, DONT_KNOW)
        assert fit.eligible
        line = next(line for line in fit.budget.lines if line.rec_id == "nutmeg_connect")
        assert line.amount is None and "No cost estimate" in line.flag
        assert fit.budget.missing == (line,)
        assert any(c.text.startswith("A cost figure for") and c.done is False for c in fit.readiness)

    def test_the_towns_own_figure_is_used_when_it_gave_one(self):
        result, roadmap = town("CT", nutmeg_connection_cost=42_000)
        fit = fit_program(CATALOG.grants["ct_nutmeg"], result, roadmap, 42_000)
        line = next(line for line in fit.budget.lines if line.rec_id == "nutmeg_connect")
        assert (line.amount, line.basis) == (42_000, "the town's own figure from its assessment")

    def test_quotes_replace_estimates(self):
        result, roadmap = town("CT")
        fit = fit_program(CATALOG.grants["slcgp"], result, roadmap)
        first = fit.items[0].rec.id
        budget = budget_for(fit.program, fit.items, "town", quotes={first: 1234})
        assert budget.lines[0].amount == 1234 and budget.lines[0].basis == "quote entered by the town"
        assert budget.total == fit.budget.total - fit.budget.lines[0].amount + 1234

    def test_readiness_reads_the_answers(self):
        good = fit_program(CATALOG.grants["slcgp"], *town("CT", hygiene_incident_plan="irp_current"))
        bad = fit_program(CATALOG.grants["slcgp"], *town("CT", hygiene_incident_plan="irp_none"))
        plan = "A written cyber incident response plan"
        assert next(c for c in good.readiness if c.text == plan).done is True
        assert next(c for c in bad.readiness if c.text == plan).done is False
        assert any(c.done is None and "vote" in c.text for c in bad.readiness)  # the match needs a vote

    def test_unverified_facts_say_check_with_the_program_until_an_admin_confirms(self):
        program = CATALOG.grants["slcgp"]
        fit = fit_program(program, *town("CT"))
        assert any(n.startswith("Cost share: check with the program") for n in fit.notes)
        edited = with_facts(program, {"cost_share_rule": "percent_of_total", "cost_share_percent": 30,
                                      "award_max": 150_000})
        refit = fit_program(edited, *town("CT"))
        assert not any(n.startswith("Cost share") for n in refit.notes)
        assert refit.budget.split[0] == min(round(refit.budget.total * 0.7), 150_000)
