"""Content versions and state deployments: an assessment keeps the question-set version it was answered
against, and a Massachusetts deployment asks about broadband instead of the Nutmeg Network."""
from __future__ import annotations

import html

import pytest
from conftest import CYCLE, PASSWORD, build_app, content_with_v2, csrf_token, login

from muni_assess.extensions import db
from muni_assess.models import Assessment, Town


@pytest.fixture
def two_versions(tmp_path):
    """A questionnaire folder holding v1 as shipped and a v2 whose backup wording changed."""
    return content_with_v2(tmp_path, "How are the town's important files and systems backed up?",
                           "How, and how often, is the town's data backed up?")


def _migrated_app(url, **config):
    from muni_assess.dbsetup import migrate_to_latest
    from muni_assess.seed import seed_reference

    app = build_app(url, **config)
    with app.app_context():
        migrate_to_latest()
        seed_reference(app.config["STATE"])
        db.session.commit()
    return app


def test_old_assessment_keeps_its_version_new_ones_get_the_latest(tmp_path, two_versions):
    app = _migrated_app(f"sqlite:///{tmp_path / 'v.sqlite3'}", QUESTIONNAIRE_DIR=str(two_versions))
    from muni_assess.auth.services import create_user

    with app.app_context():
        create_user("ed@andover.example", "town_editor", PASSWORD, town="Andover")
        andover = db.session.scalar(db.select(Town).where(Town.name == "Andover"))
        db.session.add(Assessment(town=andover, cycle=CYCLE - 1, question_set_id="municipal-it",
                                  question_set_version=1, content_sha256="0" * 64, status="submitted"))
        db.session.commit()
        tid = andover.id
    client = app.test_client()
    login(client, "ed@andover.example")
    old = html.unescape(client.get(f"/towns/{tid}/{CYCLE - 1}/sections/backup").get_data(as_text=True))
    assert "How are the town's important files and systems backed up?" in old
    assert "version 1 of the questionnaire" in old
    assert client.get(f"/towns/{tid}/{CYCLE - 1}/results").status_code == 200
    token = csrf_token(client, f"/towns/{tid}/{CYCLE}/")
    client.post(f"/towns/{tid}/{CYCLE}/start", data={"csrf_token": token, "from_previous": "no"})
    new = html.unescape(client.get(f"/towns/{tid}/{CYCLE}/sections/backup").get_data(as_text=True))
    assert "How, and how often, is the town's data backed up?" in new
    with app.app_context():
        versions = dict(db.session.execute(db.select(Assessment.cycle, Assessment.question_set_version)).all())
    assert versions == {CYCLE - 1: 1, CYCLE: 2}


def test_massachusetts_deployment(tmp_path):
    app = _migrated_app(f"sqlite:///{tmp_path / 'ma.sqlite3'}", STATE="MA")
    runner = app.test_cli_runner()
    seeded = runner.invoke(args=["seed"])
    assert "MA: 13 regions and 351 towns" in seeded.output
    made = runner.invoke(args=["create-user", "--email", "it@ashfield.example", "--role", "town_editor",
                               "--town", "Ashfield", "--password", PASSWORD])
    assert made.exit_code == 0, made.output
    assert runner.invoke(args=["create-user", "--email", "x@y.example", "--role", "town_editor", "--town",
                               "Andover", "--password", PASSWORD]).exit_code == 0  # Andover, MA exists too
    client = app.test_client()
    login(client, "it@ashfield.example")
    with app.app_context():
        tid = db.session.scalar(db.select(Town.id).where(Town.name == "Ashfield", Town.state == "MA"))
    token = csrf_token(client, f"/towns/{tid}/{CYCLE}/")
    client.post(f"/towns/{tid}/{CYCLE}/start", data={"csrf_token": token})
    board = client.get(f"/towns/{tid}/{CYCLE}/").get_data(as_text=True)
    assert "Franklin Regional Council of Governments" in board
    assert "Broadband" in board or "broadband" in board
    assert "Nutmeg" not in board
    assert client.get(f"/towns/{tid}/{CYCLE}/sections/nutmeg").status_code == 404
    page = client.get(f"/towns/{tid}/{CYCLE}/sections/broadband").get_data(as_text=True)
    assert "Nutmeg" not in page and "broadband_connected" in page
    grants = html.unescape(client.get(f"/towns/{tid}/{CYCLE}/grants").get_data(as_text=True))
    for program in ("Community Compact", "Efficiency and Regionalization", "Cyber Resilient Massachusetts",
                    "State and Local Cybersecurity Grant Program"):
        assert program in grants
    assert "Nutmeg" not in grants and "Connecticut Education Network" not in grants
    assert client.get(f"/towns/{tid}/{CYCLE}/grants/ct_nutmeg/new").status_code == 404
