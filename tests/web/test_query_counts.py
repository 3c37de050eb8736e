"""Query discipline: the SQL statements a main page runs do not grow with the number of answers, towns or
sections.

Each page is loaded twice, once small (few answers, few towns assessed, fewer sections) and once large (every
answer, more towns, more sections); the statement counts must be equal. The regional dashboard and the
statewide view are checked the same way in tests/regional/test_queries_and_a11y.py.
"""
from __future__ import annotations

import os
import shutil
from contextlib import contextmanager

import pytest
from conftest import CYCLE, PASSWORD, ROOT, _fresh_postgres, build_app, login, town_id
from sqlalchemy import event

from muni_assess import contentstore
from muni_assess.extensions import db
from muni_assess.models import Answer, Assessment


@contextmanager
def counting(app):
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def fill(app, name: str, share: float, status="in_progress") -> int:
    tid = town_id(app, name)
    with app.app_context():
        qs = contentstore.current_set()
        questions = [q for s in qs.sections_for("CT") for q in s.questions]
        keep = questions[: max(1, int(len(questions) * share))]
        a = db.session.scalar(db.select(Assessment).where(Assessment.town_id == tid, Assessment.cycle == CYCLE))
        if a is None:
            a = Assessment(town_id=tid, cycle=CYCLE, question_set_id=qs.id, question_set_version=qs.version,
                           content_sha256=qs.sha256, status=status)
            db.session.add(a)
        have = {r.question_id for r in a.answers}
        for q in keep:
            if q.id in have:
                continue
            value = ([q.countable[0].value] if q.type == "multi" else 1000 if q.type == "number"
                     else q.options[0].value)
            a.answers.append(Answer(question_id=q.id, value=value, note="n"))
        db.session.commit()
    return tid


PAGES = ["/towns/{tid}/{cycle}/", "/towns/{tid}/{cycle}/sections/backup", "/towns/{tid}/{cycle}/results",
         "/towns/{tid}/{cycle}/grants"]


@pytest.mark.parametrize("path", PAGES)
def test_town_pages_run_the_same_number_of_statements_however_many_answers(app, login_as, path):
    tid = fill(app, "Andover", 0.1)
    editor = login_as("town_editor", town="Andover")
    url = path.format(tid=tid, cycle=CYCLE)
    editor.get(url)  # warm caches (content, templates)
    with counting(app) as few:
        assert editor.get(url).status_code == 200
    fill(app, "Andover", 1.0)
    for other in ("Bolton", "Coventry", "Hebron", "Marlborough", "Tolland"):
        fill(app, other, 1.0, status="submitted")
    editor.get(url)  # caches refreshed once after a change (e.g. regional scores) are not the steady state
    with counting(app) as many:
        assert editor.get(url).status_code == 200
    assert len(many) == len(few), "\n".join(many)


def test_funding_page_runs_the_same_number_of_statements_however_many_towns_answered(app, login_as):
    fill(app, "Andover", 1.0, status="submitted")
    state = login_as("state_analyst")
    url = "/state/funding/"
    state.get(url)  # warm caches (content, templates, town boundaries)
    with counting(app) as few:
        assert state.get(url).status_code == 200
    for other in ("Bolton", "Coventry", "Hebron", "Marlborough", "Tolland", "Ashford", "Vernon", "Somers",
                  "Stafford", "Union", "Mansfield", "Columbia"):
        fill(app, other, 1.0, status="submitted")
    with counting(app) as many:
        assert state.get(url).status_code == 200
    assert len(many) == len(few), "\n".join(many)


@pytest.fixture
def two_versions_app(tmp_path):
    """An app whose content holds v1 as shipped (seven Connecticut sections) and a v2 without the data-standards
    section (six), on a database of its own (SQLite, or a throwaway PostgreSQL database beside DATABASE_URL)."""
    from muni_assess.dbsetup import migrate_to_latest
    from muni_assess.seed import seed_reference

    root = tmp_path / "questionnaires"
    shutil.copytree(ROOT / "questionnaires", root)
    v2 = root / "municipal-it" / "v2"
    shutil.copytree(root / "municipal-it" / "v1", v2)
    head = v2 / "questionset.yaml"
    text = head.read_text().replace("version: 1", "version: 2", 1)
    assert "\n  - data\n" in text
    head.write_text(text.replace("\n  - data\n", "\n", 1))
    (v2 / "data.yaml").unlink()
    base = os.environ.get("DATABASE_URL")
    url, drop = _fresh_postgres(base) if base else (f"sqlite:///{tmp_path / 'versions.sqlite3'}", lambda: None)
    made = build_app(url, QUESTIONNAIRE_DIR=str(root))
    with made.app_context():
        migrate_to_latest()
        seed_reference("CT")
        db.session.commit()
    yield made
    with made.app_context():
        db.session.remove()
        db.engine.dispose()
    drop()


def _complete(app, name: str, version: int) -> int:
    """A submitted assessment of `name` on the given question-set version, every question answered."""
    from muni_assess.auth.services import create_user

    tid = town_id(app, name)
    with app.app_context():
        qs = contentstore.content().get("municipal-it", version)
        a = Assessment(town_id=tid, cycle=CYCLE, question_set_id=qs.id, question_set_version=qs.version,
                       content_sha256=qs.sha256, status="submitted")
        a.answers = [Answer(question_id=q.id, value=[q.countable[0].value] if q.type == "multi" else
                            1000 if q.type == "number" else q.options[0].value, note="n")
                     for s in qs.sections_for("CT") for q in s.questions]
        db.session.add(a)
        create_user(f"editor.{tid}@example.org", "town_editor", PASSWORD, town=name)
        db.session.commit()
        assert len(qs.sections_for("CT")) == {1: 7, 2: 6}[version]
    return tid


@pytest.mark.parametrize("path", PAGES)
def test_town_pages_run_the_same_number_of_statements_however_many_sections(two_versions_app, path):
    app = two_versions_app
    counts = []
    for name, version in (("Andover", 2), ("Bolton", 1)):  # six sections, then seven
        tid = _complete(app, name, version)
        client = app.test_client()
        login(client, f"editor.{tid}@example.org")
        url = path.format(tid=tid, cycle=CYCLE)
        client.get(url)  # warm caches (content, templates, the regional score cache)
        with counting(app) as seen:
            assert client.get(url).status_code == 200
        counts.append(seen)
    assert len(counts[0]) == len(counts[1]), "\n".join(counts[1])
