"""A broken grants.yaml is refused with file, line and field, like every other content file."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from scoring.content import load_content
from scoring.yamlsource import ContentError

ROOT = Path(__file__).resolve().parents[2] / "questionnaires"


def broken(tmp_path, old: str, new: str) -> list[str]:
    root = tmp_path / "q"
    shutil.copytree(ROOT, root)
    path = root / "grants.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(ContentError) as exc:
        load_content(root)
    return exc.value.problems


def test_a_readiness_check_on_an_unknown_question(tmp_path):
    [message] = broken(tmp_path, "question: hygiene_incident_plan", "question: hygiene_incident_plans")
    assert "grants.yaml:" in message and "programs[0] (slcgp).readiness[0].question" in message
    assert "no question 'hygiene_incident_plans'" in message


def test_a_cost_share_rule_without_its_percent(tmp_path):
    [message] = broken(tmp_path, "      rule: percent_of_total\n      percent: 40\n", "      rule: percent_of_total\n")
    assert "programs[0] (slcgp).cost_share" in message and "needs a percent" in message


def test_an_eligibility_option_that_does_not_exist(tmp_path):
    [message] = broken(tmp_path, "not_in: [connected]", "not_in: [conected]")
    assert "eligible_if.not_in" in message and "'conected' is not an option of nutmeg_connected" in message


def test_an_unknown_draft_section(tmp_path):
    problems = broken(tmp_path, "sections: [summary, applicant, need, description, goals, budget, justification, "
                                "timeline, evaluation,", "sections: [summary, applicant, nede, description, goals, "
                                "budget, justification, timeline, evaluation,")
    assert any("sections[2]" in p for p in problems)
