"""Scoring rules of `scoring.engine`, shown with examples taken from the real question set.

Generic tests derive question ids and option values from the loaded content, so they keep working when a
section gains questions; the hand-written examples use literal values from `backup.yaml`, `nutmeg.yaml` and
`cloud.yaml` so that a reader can see the real ladder.
"""
from __future__ import annotations

import copy
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from scoring.content import TIER_NAMES, Question, Section, load_content
from scoring.engine import (
    DONT_KNOW,
    AnswerError,
    clean_answer,
    criterion_holds,
    is_visible,
    level_of,
    score_assessment,
    score_section,
)
from scoring.yamlsource import ContentError

ROOT = Path(__file__).resolve().parents[2] / "questionnaires"
RANK = {"none": 0, "good": 1, "better": 2, "best": 3}


CONTENT = load_content(ROOT)  # parsed once for the module: a load takes most of a second


@pytest.fixture(scope="module")
def content():
    return CONTENT


@pytest.fixture(scope="module")
def qset(content):
    return content.latest("municipal-it")


@pytest.fixture(scope="module")
def backup(qset):
    return qset.section("backup")


# --------------------------------------------------------------------------------------------------------------
# Helpers that build answers from the content itself
# --------------------------------------------------------------------------------------------------------------

def top_option(q: Question) -> str:
    """The value of a single question's highest-level option (first one on ties)."""
    return max((o for o in q.options if not o.dont_know), key=lambda o: o.level or 0).value


def ordered(q: Question, values) -> list[str]:
    return [o.value for o in q.options if o.value in set(values)]


def best_answer(q: Question):
    """The answer that earns full marks: top option, or every countable option."""
    if q.type == "single":
        return top_option(q)
    if q.type == "multi":
        return [o.value for o in q.countable]
    return 0


def worst_answer(q: Question):
    if q.type == "single":
        return min((o for o in q.options if not o.dont_know), key=lambda o: o.level or 0).value
    if q.type == "multi":
        return [DONT_KNOW]
    return DONT_KNOW


def satisfy(section: Section, tiers, answers: dict | None = None) -> dict:
    """Answers meeting every criterion of `tiers`, built from the criteria alone.

    min_level -> the option with the highest level; in -> the first listed value; includes -> those values;
    min_count -> the first N countable options. Multi answers for the same question are merged.
    """
    answers = dict(answers or {})
    for tier in tiers:
        for c in section.tiers[tier].criteria:
            q = section.by_id[c.question]
            if c.min_level is not None:
                answers[q.id] = top_option(q)
            elif c.in_ is not None:
                answers[q.id] = c.in_[0]
            else:
                have = [v for v in answers.get(q.id) or [] if v in {o.value for o in q.countable}]
                more = c.includes if c.includes is not None else [o.value for o in q.countable][: c.min_count]
                answers[q.id] = ordered(q, [*have, *more])
    return make_visible(section, answers)


def _making_true(controller: Question, cond) -> object:
    if cond.in_ is not None:
        value = cond.values[0]
    else:
        value = next(o.value for o in controller.options
                     if o.value not in cond.values and not o.dont_know and not o.exclusive)
    return [value] if controller.type == "multi" else value


def _making_false(controller: Question, cond) -> object:
    if cond.in_ is not None:
        value = next(o.value for o in controller.options if o.value not in cond.values and not o.dont_know)
    else:
        value = cond.values[0]
    return [value] if controller.type == "multi" else value


def make_visible(section: Section, answers: dict) -> dict:
    """Add the context answers that make every question the answers mention shown."""
    answers = dict(answers)
    for q in section.questions:
        if q.id in answers:
            for cond in q.show_if:
                if not is_visible(q, answers):
                    answers[cond.question] = _making_true(section.by_id[cond.question], cond)
    return answers


def all_best(section: Section) -> dict:
    """Every tier criterion met and full marks on every scored question that is then shown."""
    answers = satisfy(section, TIER_NAMES)
    for q in section.scored_questions:
        if is_visible(q, answers):  # the criteria decide the context answers; fill what they show
            answers[q.id] = best_answer(q)
    return answers


SECTION_IDS = [s.id for s in CONTENT.latest("municipal-it").sections]


# --------------------------------------------------------------------------------------------------------------
# The real ladder, literally (backup.yaml)
# --------------------------------------------------------------------------------------------------------------

GOOD = {
    "backup_consistency": "scheduled_all",             # level 3: automatic, all key systems, checked
    "backup_restore_testing": "periodically_tested",   # level 2: tested at least once a year
}
BETTER = {
    **GOOD,
    "backup_location": "near_town",                                           # level 2
    "backup_standards": ["rule_3_2_1", "encrypted", "restricted_access"],
    "backup_restore_testing": "periodically_validated",                       # level 3
}
BEST = {
    **BETTER,
    "backup_location": "far_30_miles",                                        # level 3
    "backup_standards": ["rule_3_2_1", "encrypted", "restricted_access", "versions_kept", "failure_alerts"],
    "backup_sla": "written_sla",                                              # level 3
}
EVERYTHING_TOP = {
    "backup_consistency": "monitored",
    "backup_coverage": ["shared_files", "finance_systems", "department_apps", "email", "cloud_data"],
    "backup_restore_testing": "validated_and_verified",
    "backup_restore_types": ["single_files", "application_data", "full_system", "from_offsite"],
    "backup_location": "near_and_far",
    "backup_standards": ["rule_3_2_1", "encrypted", "restricted_access", "versions_kept", "failure_alerts"],
    "backup_offline_copy": "offline_tested",
    "backup_rpo_rto": "written_tested",
    "backup_recovery_plan": "written_current",
    "backup_sla": "sla_reviewed",
}


class TestBackupLadderLiteral:
    def test_good(self, backup):
        r = score_section(backup, GOOD)
        assert r.tier == "good"
        assert r.reached == ("good",)
        # consistency 3/4 of weight 3 + restore testing 2/4 of weight 3, out of a total weight of 24
        assert r.score == pytest.approx(100 * (3 * 3 / 4 + 3 * 2 / 4) / 24, abs=0.05)

    def test_better(self, backup):
        r = score_section(backup, BETTER)
        assert r.tier == "better"
        assert r.reached == ("good", "better")

    def test_best(self, backup):
        r = score_section(backup, BEST)
        assert r.tier == "best"
        assert r.tier_label == "Best"
        assert r.next_tier is None

    def test_best_criteria_without_good_is_none(self, backup):
        # Everything at its top except consistency, which is one level short of the 'good' criterion.
        answers = {**EVERYTHING_TOP, "backup_consistency": "scheduled_partial"}
        r = score_section(backup, answers)
        assert r.score == pytest.approx(100 * (24 - 3 * 2 / 4) / 24, abs=0.05)  # 93.75
        assert r.score > 90
        assert r.tier == "none"
        assert r.reached == ()
        assert [t.name for t in r.tiers if t.holds] == ["better", "best"]  # met, but gated by 'good'
        assert r.next_tier.name == "good"
        assert [c.criterion.question for c in r.next_tier.unmet] == ["backup_consistency"]

    def test_everything_top_is_best_and_100(self, backup):
        r = score_section(backup, EVERYTHING_TOP)
        assert (r.score, r.uncapped_score, r.tier, r.complete) == (100.0, 100.0, "best", True)
        assert r.gaps == () and r.lowered_by == () and r.follow_ups == ()

    def test_better_needs_all_three_practices(self, backup):
        answers = {**BETTER, "backup_standards": ["rule_3_2_1", "encrypted", "versions_kept", "failure_alerts"]}
        assert score_section(backup, answers).tier == "good"

    def test_best_needs_the_sla(self, backup):
        assert score_section(backup, {**BEST, "backup_sla": "contract_no_terms"}).tier == "better"


# --------------------------------------------------------------------------------------------------------------
# The ladder built from the criteria
# --------------------------------------------------------------------------------------------------------------

class TestBackupLadderDerived:
    def test_satisfy_good_only(self, backup):
        assert score_section(backup, satisfy(backup, ["good"])).tier == "good"

    def test_satisfy_good_and_better(self, backup):
        assert score_section(backup, satisfy(backup, ["good", "better"])).tier == "better"

    def test_satisfy_all(self, backup):
        assert score_section(backup, satisfy(backup, TIER_NAMES)).tier == "best"

    def test_better_and_best_without_good(self, backup):
        answers = satisfy(backup, ["better", "best"])
        assert score_section(backup, answers).tier == "none"

    @pytest.mark.parametrize("index", range(2))
    def test_every_best_criterion_but_one_good_criterion(self, backup, index):
        crit = backup.tiers["good"].criteria[index]
        q = backup.by_id[crit.question]
        answers = all_best(backup)
        assert crit.min_level is not None, "backup's good tier is expressed with min_level"
        below = max((o for o in q.options if o.level is not None and o.level < crit.min_level),
                    key=lambda o: o.level)
        answers[q.id] = below.value
        r = score_section(backup, answers)
        assert r.score >= 85
        assert r.tier == "none"
        assert [c.criterion for c in r.next_tier.unmet] == [crit]


@pytest.mark.parametrize("section_id", SECTION_IDS)
class TestEverySectionLadder:
    def test_all_criteria_give_best(self, qset, section_id):
        section = qset.section(section_id)
        assert score_section(section, satisfy(section, TIER_NAMES)).tier == "best"

    def test_full_marks_give_100_and_best(self, qset, section_id):
        section = qset.section(section_id)
        r = score_section(section, all_best(section))
        assert (r.score, r.tier) == (100.0, "best")

    def test_breaking_one_criterion_drops_below_its_tier(self, qset, section_id):
        section = qset.section(section_id)
        for tier in TIER_NAMES:
            for crit in section.tiers[tier].criteria:
                answers = {**all_best(section), crit.question: DONT_KNOW}
                r = score_section(section, answers)
                assert RANK[r.tier] < RANK[tier], (tier, crit.question, r.tier)
                assert not next(c for c in r.tiers[TIER_NAMES.index(tier)].criteria if c.criterion == crit).holds

    def test_lower_tiers_only(self, qset, section_id):
        section = qset.section(section_id)
        r = score_section(section, satisfy(section, ["good"]))
        assert RANK[r.tier] >= RANK["good"]
        assert score_section(section, {}).tier == "none"


# --------------------------------------------------------------------------------------------------------------
# "I don't know"
# --------------------------------------------------------------------------------------------------------------

class TestDontKnow:
    def test_scores_zero_like_the_lowest_level(self, backup):
        dk = score_section(backup, {**GOOD, "backup_restore_testing": DONT_KNOW})
        never = score_section(backup, {**GOOD, "backup_restore_testing": "never_tested"})
        assert dk.score == never.score
        assert dk.score == pytest.approx(100 * (3 * 3 / 4) / 24, abs=0.05)

    def test_counts_as_answered_and_is_a_follow_up_and_a_gap(self, backup):
        r = score_section(backup, {**GOOD, "backup_restore_testing": DONT_KNOW})
        assert r.answered_count == 2
        assert [q.question.id for q in r.follow_ups] == ["backup_restore_testing"]
        assert "backup_restore_testing" in [q.question.id for q in r.gaps]
        res = next(q for q in r.questions if q.question.id == "backup_restore_testing")
        assert (res.level, res.fraction, res.dont_know, res.answered) == (0, 0.0, True, True)
        assert res.answer_label == "I don't know"

    def test_never_satisfies_a_tier_criterion(self, backup):
        r = score_section(backup, {**BEST, "backup_restore_testing": DONT_KNOW})
        assert r.tier == "none"

    def test_multi_dont_know(self, backup):
        r = score_section(backup, {**BEST, "backup_standards": [DONT_KNOW]})
        assert r.tier == "good"
        res = next(q for q in r.questions if q.question.id == "backup_standards")
        assert res.dont_know and res.is_gap and res.answered and res.fraction == 0
        assert res in r.follow_ups

    def test_number_dont_know_is_a_follow_up(self, qset):
        nutmeg = qset.section("nutmeg")
        r = score_section(nutmeg, {"nutmeg_connected": "not_connected", "nutmeg_connection_cost": DONT_KNOW})
        assert [q.question.id for q in r.follow_ups] == ["nutmeg_connection_cost"]

    @pytest.mark.parametrize("section_id", SECTION_IDS)
    def test_no_criterion_anywhere_holds_for_dont_know(self, qset, section_id):
        section = qset.section(section_id)
        for tier in TIER_NAMES:
            for crit in section.tiers[tier].criteria:
                q = section.by_id[crit.question]
                assert not criterion_holds(crit, q, DONT_KNOW, True)
                if q.type == "multi":
                    assert not criterion_holds(crit, q, [DONT_KNOW], True)
                assert not criterion_holds(crit, q, None, True)
                assert not criterion_holds(crit, q, best_answer(q), False)  # hidden
                assert criterion_holds(crit, q, satisfy(section, [tier])[q.id], True)

    @pytest.mark.parametrize("section_id", SECTION_IDS)
    def test_every_dont_know_scores_zero(self, qset, section_id):
        for q in qset.section(section_id).questions:
            assert level_of(q, DONT_KNOW) == (0, 0.0)
            if q.type == "multi":
                assert level_of(q, [DONT_KNOW]) == (0, 0.0)


# --------------------------------------------------------------------------------------------------------------
# Hidden questions
# --------------------------------------------------------------------------------------------------------------

class TestHidden:
    def test_cjis_shown_only_for_police_records(self, qset):
        cloud = qset.section("cloud")
        base = {"cloud_services": ["email"], "cloud_vendor_inventory": "list_all"}
        low = score_section(cloud, {**base, "cloud_cjis": "not_signed"})
        high = score_section(cloud, {**base, "cloud_cjis": "signed_confirmed"})
        assert low.score == high.score
        assert low.visible_count == high.visible_count
        assert "cloud_cjis" not in [q.question.id for q in low.questions]
        police = {**base, "cloud_services": ["email", "police_records"]}
        assert score_section(cloud, {**police, "cloud_cjis": "not_signed"}).score < \
            score_section(cloud, {**police, "cloud_cjis": "signed_confirmed"}).score
        assert score_section(cloud, police).visible_count == low.visible_count + 1

    def test_no_cloud_hides_follow_ups(self, qset):
        cloud = qset.section("cloud")
        answers = {"cloud_services": ["none"], "cloud_vendor_inventory": "list_all",
                   "cloud_provider_standards": "not_checked", "cloud_data_ownership": ["none"]}
        r = score_section(cloud, answers)
        assert [q.question.id for q in r.questions] == ["cloud_services", "cloud_vendor_inventory"]
        assert r.visible_count == 2 and r.complete
        assert r.score == 100.0  # the only visible scored question is at its top
        assert r.tier == "none"  # a hidden question never meets a criterion

    def test_nutmeg_not_connected_hides_connected_questions(self, qset):
        nutmeg = qset.section("nutmeg")
        base = {"nutmeg_connected": "not_connected", "nutmeg_plan_progress": "discussed"}
        low = score_section(nutmeg, {**base, "nutmeg_facilities": ["none"], "nutmeg_bandwidth": "under_100_mbps"})
        high = score_section(nutmeg, {**base, "nutmeg_facilities": ["town_hall", "police", "fire"],
                                      "nutmeg_bandwidth": "gigabit_or_more"})
        assert low == high
        shown = [q.question.id for q in low.questions]
        assert "nutmeg_facilities" not in shown and "nutmeg_plan_progress" in shown

    @pytest.mark.parametrize("section_id", SECTION_IDS)
    def test_hidden_answers_never_count(self, qset, section_id):
        section = qset.section(section_id)
        conditional = [q for q in section.questions if q.show_if]
        for q in conditional:
            hiding = {c.question: _making_false(section.by_id[c.question], c) for c in q.show_if[:1]}
            assert not is_visible(q, hiding)
            a = score_section(section, {**hiding, q.id: best_answer(q)})
            b = score_section(section, {**hiding, q.id: worst_answer(q)})
            c = score_section(section, hiding)
            assert a.score == b.score == c.score
            assert a.visible_count == b.visible_count == c.visible_count
            assert a.answered_count == c.answered_count
            assert q.id not in [r.question.id for r in a.questions]

    def test_a_question_whose_controller_is_hidden_is_hidden(self, tmp_path):
        """show_if may name a context question that has a show_if of its own; the loader accepts that.

        nutmeg_barriers is asked only when the town is not connected. If nutmeg_cost_basis were asked only when
        nutmeg_barriers includes construction_cost, then for a connected town (barriers hidden, its old answer
        kept) cost_basis must be hidden too: a hidden answer "is not counted". Either the loader refuses such a
        chain or the engine hides the question; showing it is wrong.
        """
        root = tmp_path / "questionnaires"
        shutil.copytree(ROOT, root)
        path = root / "municipal-it" / "v1" / "nutmeg.yaml"
        text = path.read_text(encoding="utf-8")
        start = text.index("  - id: nutmeg_cost_basis\n")
        old = "    show_if: {question: nutmeg_connected, not_in: [connected]}\n"
        at = text.index(old, start)
        path.write_text(text[:at] + "    show_if: {question: nutmeg_barriers, in: [construction_cost]}\n"
                        + text[at + len(old):], encoding="utf-8")
        try:
            nutmeg = load_content(root).latest("municipal-it").section("nutmeg")
        except ContentError:
            return  # the loader refuses a show_if chain: fine
        stale = {"nutmeg_connected": "connected", "nutmeg_barriers": ["construction_cost"],
                 "nutmeg_cost_basis": "written_quote"}
        assert not is_visible(nutmeg.by_id["nutmeg_barriers"], stale)
        shown = [q.question.id for q in score_section(nutmeg, stale).questions]
        assert "nutmeg_cost_basis" not in shown, "shown because its hidden controller's stale answer was used"

    def test_real_content_has_conditional_questions(self, qset):
        assert any(q.show_if for q in qset.section("cloud").questions)
        assert any(q.show_if for q in qset.section("nutmeg").questions)


# --------------------------------------------------------------------------------------------------------------
# caps_section_at
# --------------------------------------------------------------------------------------------------------------

class TestCaps:
    def test_no_backup_caps_backup_at_10(self, backup):
        r = score_section(backup, {**EVERYTHING_TOP, "backup_consistency": "no_backup"})
        assert r.uncapped_score == pytest.approx(100 * 21 / 24, abs=0.05)  # 87.5
        assert r.score == 10
        assert r.capped_by is not None
        assert r.capped_by.question.id == "backup_consistency"
        assert r.capped_by.cap == 10
        assert r.capped_by.answer_label == "We do not back up"

    def test_cap_above_the_score_does_not_apply(self, backup):
        r = score_section(backup, {"backup_consistency": "no_backup"})
        assert (r.score, r.uncapped_score, r.capped_by) == (0.0, 0.0, None)

    @pytest.mark.parametrize(("status", "cap"), [("not_connected", 25), ("in_progress", 50), (DONT_KNOW, 25)])
    def test_nutmeg_connection_caps(self, qset, status, cap):
        nutmeg = qset.section("nutmeg")
        r = score_section(nutmeg, {"nutmeg_connected": status, "nutmeg_plan_progress": "work_scheduled"})
        assert r.uncapped_score == 100.0
        assert r.score == cap
        assert r.capped_by.question.id == "nutmeg_connected"

    def test_connected_is_uncapped(self, qset):
        nutmeg = qset.section("nutmeg")
        r = score_section(nutmeg, all_best(nutmeg))
        assert r.capped_by is None
        assert r.score == 100.0

    def test_lowest_cap_wins(self, backup):
        # The real content has one capping option per section, so add a second cap to a copy of backup.
        data = backup.model_dump(by_alias=True, exclude_none=True)
        location = next(q for q in data["questions"] if q["id"] == "backup_location")
        next(o for o in location["options"] if o["value"] == "same_device")["caps_section_at"] = 30
        twice = Section.model_validate(data)
        one = score_section(twice, {**EVERYTHING_TOP, "backup_location": "same_device"})
        assert (one.score, one.capped_by.question.id) == (30, "backup_location")
        both = score_section(twice, {**EVERYTHING_TOP, "backup_location": "same_device",
                                     "backup_consistency": "no_backup"})
        assert (both.score, both.capped_by.question.id) == (10, "backup_consistency")


# --------------------------------------------------------------------------------------------------------------
# Unanswered questions and completeness
# --------------------------------------------------------------------------------------------------------------

class TestUnanswered:
    def test_unanswered_scored_questions_count_as_zero(self, backup):
        r = score_section(backup, {"backup_consistency": "monitored"})
        assert r.score == pytest.approx(100 * 3 / 24, abs=0.05)
        assert r.answered_count == 1
        assert r.visible_count == len(backup.questions)
        assert not r.complete

    def test_complete_when_every_visible_question_answered(self, backup):
        answers = {q.id: worst_answer(q) for q in backup.questions}
        r = score_section(backup, answers)
        assert r.complete and r.answered_count == r.visible_count

    def test_empty_answers(self, qset):
        for section in qset.sections:
            r = score_section(section, {})
            assert (r.score, r.tier, r.answered_count) == (0.0, "none", 0)
            assert r.visible_count == sum(1 for q in section.questions if not q.show_if)


# --------------------------------------------------------------------------------------------------------------
# Explanations
# --------------------------------------------------------------------------------------------------------------

class TestExplanations:
    def test_raised_by_largest_points_first(self, backup):
        r = score_section(backup, GOOD)
        assert [(q.question.id, q.points) for q in r.raised_by] == [
            ("backup_consistency", 2.25), ("backup_restore_testing", 1.5)]

    def test_lowered_by_largest_loss_first_then_id(self, backup):
        r = score_section(backup, GOOD)
        assert [q.question.id for q in r.lowered_by] == [
            "backup_location", "backup_offline_copy",                          # lose 3 each (weight 3)
            "backup_coverage", "backup_recovery_plan", "backup_restore_types",  # lose 2 each ...
            "backup_rpo_rto", "backup_sla", "backup_standards",                # ... sorted by id
            "backup_restore_testing",                                          # loses 1.5
            "backup_consistency",                                              # loses 0.75
        ]

    def test_next_tier_lists_unmet_labels(self, backup):
        r = score_section(backup, GOOD)
        assert r.next_tier.name == "better"
        assert [c.criterion.label for c in r.next_tier.unmet] == [c.label for c in backup.tiers["better"].criteria]
        r = score_section(backup, {**BETTER, "backup_sla": "sla_reviewed"})
        assert r.next_tier.name == "best"
        assert [c.criterion.label for c in r.next_tier.unmet] == [
            "A backup copy is kept at a location at least 30 miles away",
            "All five backup practices are followed (3-2-1, encryption, restricted access, older versions kept, "
            "failure alerts)",
        ]

    def test_next_tier_description_is_the_tier_description(self, backup):
        r = score_section(backup, {})
        assert r.next_tier.name == "good"
        assert r.next_tier.description == backup.tiers["good"].description

    def test_context_questions_never_raise_or_lower(self, qset):
        nutmeg = qset.section("nutmeg")
        r = score_section(nutmeg, all_best(nutmeg))
        ids = {q.question.id for q in r.raised_by + r.lowered_by}
        assert "nutmeg_connected" not in ids
        assert ids == {q.id for q in nutmeg.scored_questions if is_visible(q, all_best(nutmeg))}

    @pytest.mark.parametrize("section_id", SECTION_IDS)
    def test_points_add_up_to_the_score(self, qset, section_id):
        section = qset.section(section_id)
        answers = satisfy(section, ["good"])
        r = score_section(section, answers)
        scored = [q for q in r.questions if q.question.scored]
        total = sum(q.question.weight for q in scored)
        if total:
            assert r.uncapped_score == pytest.approx(100 * sum(q.points for q in r.raised_by) / total, abs=0.05)
            assert sum(q.points for q in r.raised_by) + sum(q.lost for q in r.lowered_by) == pytest.approx(total)


# --------------------------------------------------------------------------------------------------------------
# Overall readiness and state-specific sections
# --------------------------------------------------------------------------------------------------------------

class TestOverall:
    def test_sections_for_ct_and_ma(self, qset):
        ct = [s.id for s in qset.sections_for("CT")]
        ma = [s.id for s in qset.sections_for("MA")]
        assert "nutmeg" in ct and "broadband" not in ct
        assert "broadband" in ma and "nutmeg" not in ma
        assert [s for s in ct if s != "nutmeg"] == [s for s in ma if s != "broadband"]

    @pytest.mark.parametrize("state", ["CT", "MA"])
    def test_weighted_mean_of_section_scores(self, qset, state):
        answers = {**EVERYTHING_TOP}
        for s in qset.sections_for(state):
            answers.update(satisfy(s, ["good"]))
        result = score_assessment(qset, state, answers)
        weights = {s.section.id: s.section.weight for s in result.sections}
        expected = sum(s.score * weights[s.section.id] for s in result.sections) / sum(weights.values())
        assert result.overall == pytest.approx(expected, abs=0.05)
        assert [s.section.id for s in result.sections] == [s.id for s in qset.sections_for(state)]

    @pytest.mark.parametrize("state", ["CT", "MA"])
    def test_backup_only_at_100(self, qset, state):
        result = score_assessment(qset, state, EVERYTHING_TOP)
        assert result.section("backup").score == 100
        total_weight = sum(s.weight for s in qset.sections_for(state))
        assert result.overall == pytest.approx(100 * qset.section("backup").weight / total_weight, abs=0.05)
        # The real weights: backup 2 out of strategy 1, backup 2, hygiene 2, cis_top5 2, nutmeg|broadband 1,
        # cloud 1, data 1 = 10, so backup alone at 100 gives 20.
        assert result.overall == 20.0

    def test_weight_matters(self, qset):
        # A heavier section moves the overall figure more than a lighter one at the same score.
        backup_full = score_assessment(qset, "CT", all_best(qset.section("backup"))).overall
        cloud_full = score_assessment(qset, "CT", all_best(qset.section("cloud"))).overall
        assert qset.section("backup").weight > qset.section("cloud").weight
        assert backup_full > cloud_full

    def test_ct_answers_to_broadband_are_ignored(self, qset):
        base = score_assessment(qset, "CT", {})
        extra = score_assessment(qset, "CT", all_best(qset.section("broadband")))
        assert base.overall == extra.overall == 0.0
        assert extra.section("broadband") is None

    def test_assessment_counts_and_follow_ups(self, qset):
        result = score_assessment(qset, "CT", {"backup_consistency": DONT_KNOW, "strategy_it_plan": "no_plan"})
        assert result.answered_count == 2
        assert [q.question.id for q in result.follow_ups] == ["backup_consistency"]
        assert result.percent_complete == round(100 * 2 / result.visible_count)


# --------------------------------------------------------------------------------------------------------------
# clean_answer
# --------------------------------------------------------------------------------------------------------------

class TestCleanAnswer:
    def q(self, qset, qid):
        return qset.questions[qid]

    def test_single_accepts_an_option_and_dont_know(self, qset):
        q = self.q(qset, "backup_consistency")
        assert clean_answer(q, "monitored") == "monitored"
        assert clean_answer(q, DONT_KNOW) == DONT_KNOW

    @pytest.mark.parametrize("raw", ["weekly_tape", "", None, 3, ["monitored"]])
    def test_single_refuses_other_values(self, qset, raw):
        with pytest.raises(AnswerError, match="is not one of the choices"):
            clean_answer(self.q(qset, "backup_consistency"), raw)

    def test_single_message_names_the_value(self, qset):
        with pytest.raises(AnswerError) as exc:
            clean_answer(self.q(qset, "backup_consistency"), "weekly_tape")
        assert "weekly_tape" in str(exc.value)

    def test_multi_orders_like_the_options(self, qset):
        q = self.q(qset, "backup_standards")
        assert clean_answer(q, ["failure_alerts", "rule_3_2_1"]) == ["rule_3_2_1", "failure_alerts"]
        assert clean_answer(q, "encrypted") == ["encrypted"]
        assert clean_answer(q, ["none"]) == ["none"]
        assert clean_answer(q, [DONT_KNOW]) == [DONT_KNOW]

    @pytest.mark.parametrize("raw", [["none", "encrypted"], ["encrypted", "none"], [DONT_KNOW, "encrypted"],
                                     ["none", DONT_KNOW]])
    def test_multi_refuses_exclusive_with_others(self, qset, raw):
        with pytest.raises(AnswerError, match="cannot be combined with other choices"):
            clean_answer(self.q(qset, "backup_standards"), raw)

    def test_multi_exclusive_message_names_the_label(self, qset):
        with pytest.raises(AnswerError) as exc:
            clean_answer(self.q(qset, "backup_standards"), ["encrypted", "none"])
        assert "None of these" in str(exc.value)

    @pytest.mark.parametrize("raw", [[], None, [3], ["encrypted", "tape"]])
    def test_multi_refuses_empty_and_unknown(self, qset, raw):
        with pytest.raises(AnswerError):
            clean_answer(self.q(qset, "backup_standards"), raw)

    @pytest.mark.parametrize(("raw", "expected"), [
        ("25,000", 25000), ("$1,200", 1200), (" 300 ", 300), ("12.5", 12.5), (0, 0), (42, 42), ("0", 0),
        (DONT_KNOW, DONT_KNOW),
    ])
    def test_number_parsing(self, qset, raw, expected):
        value = clean_answer(self.q(qset, "nutmeg_connection_cost"), raw)
        assert value == expected
        assert type(value) is type(expected)

    @pytest.mark.parametrize(("raw", "message"), [
        ("abc", "Enter a number"), ("", "Enter a number"), ("nan", "Enter a number"), ("inf", "Enter a number"),
        ("-1", "at least 0"), ("-$5", "at least 0"), ("1,2,3", "Enter a number"), ("12,34", "Enter a number"),
        ("1e5", "Enter a number"),
    ])
    def test_number_refusals(self, qset, raw, message):
        with pytest.raises(AnswerError, match=message):
            clean_answer(self.q(qset, "nutmeg_connection_cost"), raw)

    def test_every_number_question_has_a_minimum(self, qset):
        numbers = [q for q in qset.questions.values() if q.type == "number"]
        assert numbers
        for q in numbers:
            assert q.min is not None
            with pytest.raises(AnswerError):
                clean_answer(q, q.min - 1)


# --------------------------------------------------------------------------------------------------------------
# Purity
# --------------------------------------------------------------------------------------------------------------

class TestPurity:
    @pytest.mark.parametrize("state", ["CT", "MA"])
    def test_identical_input_identical_result(self, qset, state):
        answers = {**EVERYTHING_TOP, "backup_consistency": "no_backup", "cloud_services": ["email"],
                   "nutmeg_connected": "in_progress", "broadband_connected": DONT_KNOW}
        frozen = copy.deepcopy(answers)
        first = score_assessment(qset, state, answers)
        second = score_assessment(qset, state, copy.deepcopy(answers))
        assert first == second
        assert repr(first) == repr(second)
        assert answers == frozen  # the input is not modified

    def test_fresh_load_scores_the_same(self, qset):
        again = load_content(ROOT).latest("municipal-it")
        assert again.sha256 == qset.sha256
        assert score_assessment(again, "CT", BEST).overall == score_assessment(qset, "CT", BEST).overall

    def test_scoring_imports_no_web_stack(self):
        code = ("import sys, scoring.engine, scoring.content, scoring.yamlsource; "
                "bad = sorted(m for m in sys.modules if m.split('.')[0] in {'flask', 'sqlalchemy', 'muni_assess', "
                "'flask_sqlalchemy', 'werkzeug'}); print(','.join(bad))")
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                             cwd=ROOT.parent)
        assert out.stdout.strip() == ""
