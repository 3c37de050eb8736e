"""Password reset: the same answer whether or not the account exists, a single-use expiring link sent through
the mail abstraction (instance/outbox/ without MAIL_SERVER), never logged; a reset ends every session."""
from __future__ import annotations

import datetime as dt
import logging
import re
from pathlib import Path

import pytest
from conftest import csrf_token, login

from muni_assess.extensions import db
from muni_assess.models import AuditEvent, PasswordResetToken

NEW = "plum tractor oboe seven"


@pytest.fixture(autouse=True)
def outbox(app, tmp_path):
    app.config["OUTBOX_DIR"] = str(tmp_path / "outbox")
    yield tmp_path / "outbox"
    app.config.pop("OUTBOX_DIR", None)


def ask(client, email):
    token = csrf_token(client, "/auth/reset")
    return client.post("/auth/reset", data={"csrf_token": token, "email": email})


def reset_path(outbox: Path) -> str:
    mails = sorted(outbox.glob("*.eml"))
    assert len(mails) == 1
    return re.search(r"http://localhost(/auth/reset/[\w-]+)", mails[0].read_text()).group(1)


def test_same_answer_whether_or_not_the_account_exists(app, client, users, outbox):
    _, email = users.make("town_editor", town="Andover")
    known, unknown = ask(client, email), ask(client, "nobody@example.org")
    assert known.status_code == unknown.status_code == 200
    strip = lambda r: re.sub(r'name="csrf-token" content="[^"]+"', "", r.get_data(as_text=True))  # noqa: E731
    assert strip(known) == strip(unknown)
    assert len(list(outbox.glob("*.eml"))) == 1  # only the real account got mail


def test_reset_link_works_once_ends_sessions_and_is_never_logged(app, client, users, outbox, caplog):
    _, email = users.make("town_editor", town="Andover")
    elsewhere = app.test_client()
    login(elsewhere, email)
    with caplog.at_level(logging.DEBUG):
        ask(client, email)
    path = reset_path(outbox)
    token = path.rsplit("/", 1)[1]
    assert token not in caplog.text
    with app.app_context():
        row = db.session.scalar(db.select(PasswordResetToken))
        assert row.token_hash != token and token not in row.token_hash
    page = client.get(path)
    assert page.status_code == 200
    form = {"csrf_token": csrf_token(client, path), "password": "password12345", "confirm": "password12345"}
    assert client.post(path, data=form).status_code == 400  # weak: refused, link still usable
    form.update(password=NEW, confirm=NEW)
    assert client.post(path, data=form).status_code == 302
    assert client.get(path).status_code == 404
    assert elsewhere.get("/").headers["Location"].startswith("/auth/login")
    login(app.test_client(), email, NEW)
    with app.app_context():
        acts = {e.action for e in db.session.scalars(db.select(AuditEvent))}
        assert {"password.reset_requested", "password.reset"} <= acts
        assert all(token not in repr(e.detail) for e in db.session.scalars(db.select(AuditEvent)))


def test_expired_reset_link_is_refused(app, client, users, outbox):
    _, email = users.make("town_editor", town="Andover")
    ask(client, email)
    path = reset_path(outbox)
    with app.app_context():
        row = db.session.scalar(db.select(PasswordResetToken))
        row.expires_at = dt.datetime(2000, 1, 1)
        db.session.commit()
    assert client.get(path).status_code == 404


def test_a_newer_link_replaces_the_older(app, client, users, outbox):
    _, email = users.make("town_editor", town="Andover")
    ask(client, email)
    first = reset_path(outbox)
    for f in outbox.glob("*.eml"):
        f.unlink()
    ask(client, email)
    assert client.get(first).status_code == 404
    assert client.get(reset_path(outbox)).status_code == 200
