"""The content says what the seed documents say: MassIT's backup ladder, the CIS top 5, Nutmeg and broadband."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from scoring.content import load_content

ROOT = Path(__file__).resolve().parents[2] / "questionnaires"
MASSIT_SLIDES = Path(__file__).resolve().parents[3] / "shared" / "seeds" / "001_eefcb618002df300.txt"
REQUIRED_SECTIONS = ("strategy", "backup", "hygiene", "cis_top5", "nutmeg", "broadband", "cloud", "data")
FACILITIES = ("town_hall", "police", "fire", "library", "schools", "public_works")


@pytest.fixture(scope="module")
def qset():
    return load_content(ROOT).latest("municipal-it")


def collapse(text: str) -> str:
    return " ".join(text.split())


def slide(text: str, heading: str) -> str:
    """The text under a `## <heading>` slide title, up to the next heading."""
    m = re.search(rf"^## {re.escape(heading)}\s*$(.*?)(?=^#)", text, re.M | re.S)
    assert m, f"no slide titled {heading!r} in {MASSIT_SLIDES.name}"
    return collapse(m[1])


@pytest.mark.parametrize("tier", ["good", "better", "best"])
def test_backup_tiers_quote_the_massit_slides(qset, tier):
    if not MASSIT_SLIDES.exists():
        pytest.skip(f"seed document {MASSIT_SLIDES} is not available")
    expected = slide(MASSIT_SLIDES.read_text(encoding="utf-8"), tier.capitalize())
    assert expected.startswith("Data is")  # the slide was found, not an empty match
    assert collapse(qset.section("backup").tiers[tier].description) == expected


def test_backup_cites_massit(qset):
    assert any("MassIT" in s and "Getting IT Right" in s for s in qset.section("backup").sources)


def cis_controls(section) -> set[int]:
    return {int(tag.split(".")[0]) for q in section.questions for tag in q.tags.cis}


def test_cis_top5_covers_all_five_controls(qset):
    section = qset.section("cis_top5")
    controls = cis_controls(section)
    # Count (1 hardware, 2 software), Configure (4), Patch (7), Control admin privileges (5 or 6, v8 numbering)
    for control in (1, 2, 4, 7):
        assert control in controls, f"no question tagged with a CIS control {control} safeguard"
    assert controls & {5, 6}, "no question tagged with a CIS control 5 or 6 safeguard (admin privileges)"


def test_cis_top5_five_massit_questions_are_scored_and_tiered(qset):
    section = qset.section("cis_top5")
    tiered = {c.question for t in section.tiers.values() for c in t.criteria}
    for control in (1, 2, 4, 7):
        questions = [q for q in section.questions if any(t.split(".")[0] == str(control) for t in q.tags.cis)]
        assert any(q.scored and q.id in tiered for q in questions), control


def test_nutmeg_is_connecticut_only_and_captures_connection_status(qset):
    nutmeg = qset.section("nutmeg")
    assert nutmeg.states == ("CT",)
    status = [q for q in nutmeg.questions
              if q.type == "single" and not q.scored and {"connected", "not_connected"} <= set(q.by_value)]
    assert len(status) == 1, "one context question records whether the town is connected"
    assert nutmeg.questions[0] is status[0], "connection status is asked first; it decides what follows"
    assert any(q.show_if and q.show_if[0].question == status[0].id for q in nutmeg.questions)


def test_nutmeg_captures_facilities(qset):
    nutmeg = qset.section("nutmeg")
    facilities = [q for q in nutmeg.questions if q.type == "multi" and set(FACILITIES) <= set(q.by_value)]
    assert len(facilities) == 1
    assert facilities[0].scored


def test_nutmeg_captures_connection_cost(qset):
    nutmeg = qset.section("nutmeg")
    cost = [q for q in nutmeg.questions if q.type == "number" and q.unit == "dollars" and "cost" in q.prompt.lower()]
    assert len(cost) == 1
    assert cost[0].min == 0 and not cost[0].scored


def test_broadband_is_massachusetts_only_and_never_mentions_nutmeg(qset):
    broadband = qset.section("broadband")
    assert broadband.states == ("MA",)
    dumped = json.dumps(broadband.model_dump(mode="json", by_alias=True))
    assert "nutmeg" not in dumped.lower()
    assert "nutmeg" not in (ROOT / "municipal-it" / "v1" / "broadband.yaml").read_text(encoding="utf-8").lower()


def test_broadband_asks_the_same_facilities_as_nutmeg(qset):
    facilities = [q for q in qset.section("broadband").questions
                  if q.type == "multi" and set(FACILITIES) <= set(q.by_value)]
    assert len(facilities) == 1


def test_every_required_section_exists(qset):
    ids = [s.id for s in qset.sections]
    missing = [s for s in REQUIRED_SECTIONS if s not in ids]
    assert missing == []
    for s in qset.sections:
        assert s.questions and s.scored_questions, s.id
