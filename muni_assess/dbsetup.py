"""Database engine settings that make every acknowledged save durable."""
from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.engine import Engine


def configure_engine(engine: Engine) -> None:
    """SQLite: WAL, synchronous=FULL, foreign keys on, a busy timeout. PostgreSQL needs nothing extra."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection, _record):
        cur = dbapi_connection.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=5000")
        cur.close()
