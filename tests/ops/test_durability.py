"""Durable saves: SQLite runs in WAL mode with synchronous=FULL and foreign keys on; an acknowledged autosave is
committed, so a separate connection that shares nothing with the app (not its pool, not its driver settings)
reads it at once, on SQLite and on PostgreSQL."""
from __future__ import annotations

import sqlite3

import pytest
from conftest import CYCLE, csrf_token, town_id

from muni_assess.extensions import db


def test_sqlite_connections_use_wal_synchronous_full_and_foreign_keys(app, database_url):
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite settings")
    with app.app_context(), db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL: fsync at every commit
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000


def read_answer_elsewhere(database_url: str, tid: int, question: str):
    """The stored value, read through a new connection of the plain driver."""
    sql = ("SELECT a.value, a.version FROM answer a JOIN assessment s ON s.id = a.assessment_id "
           "WHERE s.town_id = {p} AND s.cycle = {p} AND a.question_id = {p}")
    if database_url.startswith("sqlite"):
        conn = sqlite3.connect(database_url.removeprefix("sqlite:///"))
        try:
            return conn.execute(sql.format(p="?"), (tid, CYCLE, question)).fetchone()
        finally:
            conn.close()
    import psycopg

    with psycopg.connect(database_url.replace("postgresql+psycopg://", "postgresql://")) as conn:
        return conn.execute(sql.format(p="%s"), (tid, CYCLE, question)).fetchone()


def test_an_acknowledged_autosave_is_already_committed(app, login_as, database_url):
    editor = login_as("town_editor", town="Andover")
    tid = town_id(app, "Andover")
    token = csrf_token(editor, f"/towns/{tid}/{CYCLE}/")
    editor.post(f"/towns/{tid}/{CYCLE}/start", data={"csrf_token": token})
    headers = {"X-Requested-With": "fetch", "X-CSRFToken": token}
    for version, value in enumerate(("no_backup", "monitored")):
        response = editor.post(f"/towns/{tid}/{CYCLE}/answers/backup_consistency", headers=headers,
                               data={"value": value, "version": version})
        assert response.status_code == 200 and response.get_json()["status"] == "saved"
        stored = read_answer_elsewhere(database_url, tid, "backup_consistency")
        assert stored is not None and stored[1] == response.get_json()["version"] == version + 1
        assert value in str(stored[0])
