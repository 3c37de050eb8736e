"""Database engine settings that make every acknowledged save durable."""
from __future__ import annotations

import os

from sqlalchemy import event
from sqlalchemy.engine import Engine


def configure_engine(engine: Engine) -> None:
    """SQLite: WAL, synchronous=FULL, foreign keys, busy timeout, and explicit transactions.

    Python's sqlite3 driver starts and ends transactions on its own schedule, which breaks SAVEPOINT (used to
    detect concurrent edits) and can leave a pooled connection inside a stale transaction. As SQLAlchemy's
    documentation recommends, the driver's handling is switched off and every transaction begins explicitly;
    BEGIN IMMEDIATE takes the write lock up front, so two writers queue (busy_timeout) instead of failing.
    PostgreSQL: a connection attempt gives up after 10 seconds, so a database that is down answers 503 quickly
    instead of hanging every worker (libpq's PGCONNECT_TIMEOUT or a connect_timeout in the URL still win).
    """
    if engine.dialect.name == "postgresql":
        @event.listens_for(engine, "do_connect")
        def _timeout(_dialect, _record, _cargs, cparams):
            if "PGCONNECT_TIMEOUT" not in os.environ:
                cparams.setdefault("connect_timeout", 10)
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cur = dbapi_connection.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=10000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def migrate_to_latest() -> None:
    """Run every Alembic migration up to the single head (the same as `flask db upgrade`)."""
    from flask import current_app
    from flask_migrate import upgrade

    upgrade(directory=current_app.extensions["migrate"].directory, revision="head")
