"""Funding fixtures: towns whose assessments say they are not connected (with costs), and some connected ones."""
from __future__ import annotations

import pytest

NOT_CONNECTED = ["Andover", "Bolton", "Columbia", "Coventry", "Hebron", "Marlborough", "Tolland", "Vernon",
                 "Ellington", "Somers", "Stafford", "Union", "Willington", "Mansfield", "Ashford", "Chaplin",
                 "Hampton", "Scotland", "Canterbury", "Sprague", "Lisbon", "Griswold", "Voluntown", "Sterling",
                 "Plainfield", "Killingly", "Brooklyn", "Pomfret", "Eastford", "Woodstock", "Thompson", "Putnam"]
PLANS = ("no_plan", "discussed", "estimate_obtained", "funding_identified", "work_scheduled")
BACKUPS = ("same_device", "same_building", "near_town", "far_30_miles", "near_and_far")


def make_assessment(app, town: str, answers: dict, cycle: int | None = None) -> None:
    from muni_assess import contentstore
    from muni_assess.extensions import db
    from muni_assess.models import Answer, Assessment, Town

    with app.app_context():
        qs = contentstore.current_set()
        cycle = cycle or app.config["CURRENT_CYCLE"]
        tid = db.session.scalar(db.select(Town.id).where(Town.name == town))
        a = Assessment(town_id=tid, cycle=cycle, question_set_id=qs.id, question_set_version=qs.version,
                       content_sha256=qs.sha256, status="submitted")
        a.answers = [Answer(question_id=q, value=v) for q, v in answers.items()]
        db.session.add(a)
        db.session.commit()


@pytest.fixture
def nutmeg_towns(app):
    """32 not-connected towns ($55,000-$117,000 each, about $2.7 million in all) and two connected towns."""
    for i, town in enumerate(NOT_CONNECTED):
        make_assessment(app, town, {"nutmeg_connected": "not_connected", "nutmeg_connection_cost": 55_000 + i * 2_000,
                                    "nutmeg_plan_progress": PLANS[i % 5], "nutmeg_cost_basis": "written_quote",
                                    "backup_location": BACKUPS[(i * 3) % 5]})
    make_assessment(app, "Hartford", {"nutmeg_connected": "connected",
                                      "nutmeg_facilities": ["town_hall", "police", "fire", "library", "schools"],
                                      "nutmeg_services": ["voip"]})
    make_assessment(app, "Windsor", {"nutmeg_connected": "connected", "nutmeg_facilities": ["dont_know"]})
    return NOT_CONNECTED
