"""Query discipline: the SQL statements a town page runs do not grow with its answers or with the towns around it.

Each page is loaded twice, once with few answers and once with every answer (and more towns of the region
assessed); the statement counts must be equal.
"""
from __future__ import annotations

from contextlib import contextmanager

import pytest
from conftest import CYCLE, town_id
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
