"""Planning the improvement roadmap from real content: what gets planned, in which order and phase, at what cost."""
from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scoring.content import load_content
from scoring.engine import DONT_KNOW, score_assessment
from scoring.roadmap import PHASES, POLISH, plan_roadmap

ROOT = Path(__file__).resolve().parents[2] / "questionnaires"
CONTENT = load_content(ROOT)
CATALOG = CONTENT.catalog
QSET = CONTENT.latest("municipal-it")
SMALL, MEDIUM, LARGE = 1_500, 20_000, 120_000


def best(q):
    if q.type == "multi":
        return [o.value for o in q.countable]
    if q.type == "number":
        return int(q.max or 1000)
    return max((o for o in q.options if not o.dont_know), key=lambda o: o.level or 0).value


def worst(q):
    if q.type == "multi":
        return [o.value for o in q.options if o.exclusive][:1] or [q.countable[0].value]
    if q.type == "number":
        return int(q.min or 0)
    return min((o for o in q.options if not o.dont_know), key=lambda o: o.level or 0).value


def all_answers(state: str, pick) -> dict:
    return {q.id: pick(q) for s in QSET.sections_for(state) for q in s.questions}


def plan(answers: dict, state: str = "CT", population: int = MEDIUM):
    return plan_roadmap(score_assessment(QSET, state, answers), CATALOG, state, population)


def ids(roadmap) -> list[str]:
    return [i.rec.id for i in roadmap.items]


def option_at(q, level: int) -> str:
    return next(o.value for o in q.options if o.level == level)


class TestSelection:
    def test_every_gap_triggers_its_recommendations_and_satisfied_ones_stay_out(self):
        answers = all_answers("CT", best)
        assert plan(answers).items == ()  # nothing to do when everything is at its best
        answers["backup_restore_testing"] = option_at(QSET.questions["backup_restore_testing"], 0)
        roadmap = plan(answers)
        assert ids(roadmap) == ["backup_restore_tests"]
        item = roadmap.items[0]
        assert [q.question.id for q in item.triggered_by] == ["backup_restore_testing"]
        assert item.phase == "now" and item.position == 1

    def test_dont_know_is_a_gap_to_close_first(self):
        answers = all_answers("CT", best)
        answers["cis_hw_inventory"] = DONT_KNOW
        roadmap = plan(answers)
        assert ids(roadmap) == ["hw_inventory"]
        assert roadmap.items[0].shortfall == 1.0 and roadmap.items[0].phase == "now"

    def test_an_unconfirmed_prerequisite_is_planned_first_and_says_why(self):
        """Secure configuration needs an inventory. A town that has not said whether it keeps one gets the
        inventory planned first; a town that showed it has one does not."""
        answers = all_answers("CT", best)
        for qid in ("cis_hw_inventory", "cis_unauthorized_devices"):
            del answers[qid]
        answers["cis_secure_config"] = option_at(QSET.questions["cis_secure_config"], 0)
        roadmap = plan(answers)
        assert ids(roadmap) == ["hw_inventory", "secure_configuration"]
        inventory, config = roadmap.items
        assert inventory.triggered_by == () and inventory.needed_for == ("secure_configuration",)
        assert config.prerequisite_positions == (1,)

        answers["cis_hw_inventory"] = best(QSET.questions["cis_hw_inventory"])
        assert ids(plan(answers)) == ["secure_configuration"]

    def test_grants_are_only_programs_of_the_towns_state(self):
        ct = plan(all_answers("CT", worst), "CT")
        ma = plan(all_answers("MA", worst), "MA")
        assert {g.id for i in ct.items for g in i.grants} >= {"slcgp", "ct_nutmeg"}
        assert all("CT" in g.states for i in ct.items for g in i.grants)
        assert all("MA" in g.states for i in ma.items for g in i.grants)
        assert "nutmeg_connect" not in ids(ma) and "broadband_connect" in ids(ma)


class TestOrder:
    def test_prerequisites_come_first_even_when_they_cost_more(self):
        answers = all_answers("CT", worst)
        answers["cloud_services"] = best(QSET.questions["cloud_services"])  # a town in the cloud, doing it badly
        answers["nutmeg_connected"] = best(QSET.questions["nutmeg_connected"])  # connected, using no services
        roadmap = plan(answers)
        order = ids(roadmap)
        assert order.index("hw_inventory") < order.index("secure_configuration")  # inventory before configuration
        assert order.index("backup_restore_tests") < order.index("cloud_contract_terms")  # tested backups first
        assert order.index("backup_restore_tests") < order.index("shared_hosted_services")

    def test_free_items_lead_their_phase_and_are_quick_wins(self):
        roadmap = plan(all_answers("CT", worst))
        for phase in PHASES:
            items = roadmap.phase(phase)
            free_first = [i for i in items if not i.planned_prerequisites]
            assert [i.quick_win for i in free_first] == sorted((i.quick_win for i in free_first), reverse=True)
        assert roadmap.quick_wins and all(i.one_time == (0, 0) == i.yearly for i in roadmap.quick_wins)

    def test_a_polishing_gap_waits_one_phase(self):
        """An answer one step below the best (level 3 of 4) is finished a phase later than a missing one."""
        q = QSET.questions["backup_consistency"]
        answers = all_answers("CT", best)
        answers[q.id] = option_at(q, 0)
        assert plan(answers).items[0].phase == "now"
        answers[q.id] = option_at(q, 3)
        polish = plan(answers).items[0]
        assert polish.shortfall <= POLISH and polish.phase == "next"

    def test_identical_input_gives_an_identical_plan(self):
        answers = all_answers("CT", worst)
        assert plan(answers) == plan(dict(reversed(list(answers.items()))))


class TestCostsAndMoves:
    def test_costs_scale_with_town_size(self):
        answers = all_answers("CT", worst)
        small, large = plan(answers, population=SMALL), plan(answers, population=LARGE)
        assert (small.band.id, large.band.id) == ("small", "large")
        assert set(ids(small)) == set(ids(large))  # the same work; value per dollar may order it differently
        assert small.totals()[0][1] < large.totals()[0][1]

    def test_each_item_says_which_tier_it_moves_the_town_to(self):
        q = QSET.questions["backup_location"]
        answers = all_answers("CT", best)
        answers[q.id] = option_at(q, 0)
        roadmap = plan(answers)
        [item] = roadmap.items
        assert [m.text for m in item.moves] == ["Backup and recovery: from Good to Best"]

    def test_no_answers_gives_the_first_steps(self):
        roadmap = plan({})
        assert roadmap.no_answers
        first = {r.id for r in CATALOG.recommendations.values() if r.first_step}
        assert first <= set(ids(roadmap))
        extra = set(ids(roadmap)) - first
        assert all(roadmap.item(rid).needed_for for rid in extra)  # only prerequisites of first steps


def answer_sets():
    """Random answers for a random deployment: each question unanswered, "I don't know" or a valid value."""
    def for_state(state):
        questions = [q for s in QSET.sections_for(state) for q in s.questions]
        options = {q.id: st.one_of(st.none(), st.just(DONT_KNOW), st.sampled_from([best(q), worst(q)]),
                                   st.sampled_from([o.value for o in q.options if not o.dont_know]) if q.type ==
                                   "single" else st.just(worst(q)))
                   for q in questions}
        return st.tuples(st.just(state), st.fixed_dictionaries(options),
                         st.sampled_from([SMALL, MEDIUM, LARGE]))
    return st.sampled_from(["CT", "MA"]).flatmap(for_state)


@given(answer_sets())
@settings(max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
def test_plan_properties(drawn):
    state, answers, population = drawn
    answers = {k: v for k, v in answers.items() if v is not None}
    result = score_assessment(QSET, state, answers)
    roadmap = plan_roadmap(result, CATALOG, state, population)
    order = ids(roadmap)
    assert len(order) == len(set(order)), "an item is repeated"
    where = {rid: n for n, rid in enumerate(order)}
    for item in roadmap.items:
        assert item.position == where[item.rec.id] + 1
        for pre in item.rec.prerequisites:
            if pre in where:
                assert where[pre] < where[item.rec.id], f"{item.rec.id} before its prerequisite {pre}"
    assert [PHASES.index(i.phase) for i in roadmap.items] == sorted(PHASES.index(i.phase) for i in roadmap.items)
    (once_low, once_high), (yearly_low, yearly_high) = roadmap.totals("now")
    now = roadmap.phase("now")
    assert (once_low, once_high) == (sum(i.one_time[0] for i in now), sum(i.one_time[1] for i in now))
    assert (yearly_low, yearly_high) == (sum(i.yearly[0] for i in now), sum(i.yearly[1] for i in now))
    gaps = {rid for s in result.sections for q in s.questions if q.answered and q.is_gap
            for rid in q.question.recommendations}
    if result.answered_count:
        assert gaps <= set(order), "a gap's recommendation is missing"
        assert all(roadmap.item(rid).needed_for for rid in set(order) - gaps), "an item nothing asked for"
