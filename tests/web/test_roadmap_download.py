"""Downloading the roadmap PDF from the results page, as a town, its COG and the state, and who may not."""
from __future__ import annotations

from io import BytesIO

from conftest import CYCLE, PASSWORD, ROOT, build_app, content_with_v2, login, town_id
from pypdf import PdfReader

from muni_assess import contentstore
from muni_assess.extensions import db
from muni_assess.models import Answer, Assessment, Town


def text_of(pdf: bytes) -> str:
    return " ".join(" ".join(p.extract_text() for p in PdfReader(BytesIO(pdf)).pages).split())


def assess(app, town: str, answers: dict, notes: dict | None = None, status: str = "submitted") -> int:
    tid = town_id(app, town)
    with app.app_context():
        qs = contentstore.current_set()
        a = Assessment(town_id=tid, cycle=CYCLE, question_set_id=qs.id, question_set_version=qs.version,
                       content_sha256=qs.sha256, status=status)
        a.answers = [Answer(question_id=k, value=v, note=(notes or {}).get(k, "")) for k, v in answers.items()]
        db.session.add(a)
        db.session.commit()
    return tid


def best_answers(app) -> dict:
    with app.app_context():
        qs = contentstore.current_set()
        out = {}
        for section in qs.sections_for("CT"):
            for q in section.questions:
                if q.type == "multi":
                    out[q.id] = [o.value for o in q.countable]
                elif q.type == "number":
                    out[q.id] = 1000
                else:
                    out[q.id] = max((o for o in q.options if not o.dont_know), key=lambda o: o.level or 0).value
        return out


def test_results_page_offers_the_download_and_it_is_a_private_pdf(app, login_as):
    tid = assess(app, "Andover", {"backup_location": "same_building"})
    editor = login_as("town_editor", town="Andover")
    page = editor.get(f"/towns/{tid}/{CYCLE}/results").get_data(as_text=True)
    href = f"/towns/{tid}/{CYCLE}/roadmap.pdf"
    assert f'href="{href}"' in page and "Download roadmap (PDF)" in page
    response = editor.get(href)
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "no-store"
    assert f'filename=roadmap-andover-ct-{CYCLE}.pdf' in response.headers["Content-Disposition"]
    assert response.data.startswith(b"%PDF-")
    assert "IT improvement roadmap Andover, CT" in text_of(response.data)


def test_two_towns_get_plans_that_differ_where_their_gaps_differ(app, login_as):
    from scoring.content import load_content

    catalog = load_content(ROOT / "questionnaires").catalog
    base = best_answers(app)
    weak_backup = dict(base, backup_location="same_building")
    weak_training = dict(base, hygiene_awareness_training="training_none")
    andover = assess(app, "Andover", weak_backup)
    bolton = assess(app, "Bolton", weak_training)
    cog = login_as("cog_analyst", region="CRCOG")  # both towns are CRCOG members
    one = text_of(cog.get(f"/towns/{andover}/{CYCLE}/roadmap.pdf").data)
    two = text_of(cog.get(f"/towns/{bolton}/{CYCLE}/roadmap.pdf").data)
    offsite, training = (catalog.recommendations[r].title for r in ("backup_offsite_copy", "awareness_training"))
    assert offsite in one and offsite not in two
    assert training in two and training not in one


def test_state_staff_may_download_any_town_and_other_towns_may_not(app, login_as):
    tid = assess(app, "Ansonia", {"backup_location": "same_building"}, notes={"backup_location": "tape in a closet"})
    assert login_as("state_analyst").get(f"/towns/{tid}/{CYCLE}/roadmap.pdf").status_code == 200
    for client in (login_as("town_editor", town="Andover"), login_as("cog_analyst", region="CRCOG")):
        response = client.get(f"/towns/{tid}/{CYCLE}/roadmap.pdf")
        assert response.status_code == 404
        assert b"tape in a closet" not in response.data
    anonymous = app.test_client().get(f"/towns/{tid}/{CYCLE}/roadmap.pdf")
    assert anonymous.status_code == 302 and "/auth/login" in anonymous.headers["Location"]


def test_a_town_that_has_not_started_gets_first_steps(app, login_as):
    tid = town_id(app, "Andover")
    response = login_as("town_editor", town="Andover").get(f"/towns/{tid}/{CYCLE}/roadmap.pdf")
    assert response.status_code == 200
    text = text_of(response.data)
    assert "Andover has not answered any questions yet" in text and "not started" in text


def test_an_implausible_cycle_is_not_found(app, login_as):
    tid = town_id(app, "Andover")
    editor = login_as("town_editor", town="Andover")
    assert editor.get(f"/towns/{tid}/1999/roadmap.pdf").status_code == 404
    assert editor.get(f"/towns/{tid}/{CYCLE + 5}/roadmap.pdf").status_code == 404


def test_an_old_assessment_is_planned_with_its_own_version(tmp_path):
    """v2 rewords a backup question; the roadmap of an assessment answered on v1 still quotes v1."""
    from muni_assess.auth.services import create_user
    from muni_assess.dbsetup import migrate_to_latest
    from muni_assess.seed import seed_reference

    old_prompt = "Where is your farthest backup copy kept?"
    root = content_with_v2(tmp_path, old_prompt, "How far away is the farthest backup copy?")
    app = build_app(f"sqlite:///{tmp_path / 'v.sqlite3'}", QUESTIONNAIRE_DIR=str(root))
    with app.app_context():
        migrate_to_latest()
        seed_reference("CT")
        create_user("ed@andover.example", "town_editor", PASSWORD, town="Andover")
        andover = db.session.scalar(db.select(Town).where(Town.name == "Andover"))
        v1 = contentstore.content().sets[("municipal-it", 1)]
        a = Assessment(town=andover, cycle=CYCLE, question_set_id="municipal-it", question_set_version=1,
                       content_sha256=v1.sha256, status="submitted")
        a.answers = [Answer(question_id="backup_location", value="same_building", note="")]
        db.session.add(a)
        db.session.commit()
        tid = andover.id
    client = app.test_client()
    login(client, "ed@andover.example")
    text = text_of(client.get(f"/towns/{tid}/{CYCLE}/roadmap.pdf").data)
    assert old_prompt in text and "How far away is the farthest backup copy?" not in text
    with app.app_context():
        db.engine.dispose()
