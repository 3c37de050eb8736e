"""Shared pieces of the benchmarks: the machine line, one printed table per script, medians, throwaway databases.

Every script prints exactly one table: what was measured, the figure, the aim, and whether the aim is met.
The machines this runs on are shared, so each table starts with the load average, and aims are read from
medians (and, for page throughput, from ratios measured in the same run).
"""
from __future__ import annotations

import datetime as dt
import os
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"


def machine() -> str:
    """Cores, load average and time: the context every figure needs on a shared machine."""
    load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    return (f"{os.cpu_count()} cores, load average {load} (1 / 5 / 15 min), "
            f"{dt.datetime.now().astimezone().isoformat(timespec='minutes')}")


def timed(fn: Callable[[], object], repeat: int) -> list[float]:
    """Wall-clock seconds of `repeat` calls."""
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def median(values: list[float]) -> float:
    return statistics.median(values)


def verdict(value: float, aim: float | None, at_least: bool = False) -> str:
    """'met' or 'missed by N%' against an upper (default) or lower bound; '' without an aim."""
    if aim is None:
        return ""
    ok = value >= aim if at_least else value <= aim
    if ok:
        return "met"
    short = (aim - value) / aim if at_least else (value - aim) / aim
    return f"MISSED by {short:.0%}"


def print_table(title: str, header: list[str], rows: list[list[object]], notes: list[str] = ()) -> None:
    """One table: a title line, the machine line, aligned columns, then notes."""
    cells = [[str(c) for c in header]] + [["" if c is None else str(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]

    def line(row: list[str]) -> str:
        return "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True)))

    rule = "-" * len(line(cells[0]))
    print(f"\n== {title}")
    print(f"   {machine()}")
    print(rule)
    print(line(cells[0]))
    print(rule)
    for row in cells[1:]:
        print(line(row))
    print(rule)
    for note in notes:
        print(f"   {note}")
    sys.stdout.flush()


def postgres_base(url: str | None = None) -> str:
    """The PostgreSQL server to make throwaway databases on: `url`, DATABASE_URL, or the local default."""
    base = url or os.environ.get("DATABASE_URL") or DEFAULT_POSTGRES
    return base.replace("postgresql+psycopg://", "postgresql://").replace("postgres://", "postgresql://")


@contextmanager
def throwaway_postgres(base: str, prefix: str = "muni_bench"):
    """A new, empty database beside `base` (SQLAlchemy URL yielded), dropped afterwards whatever happens."""
    import psycopg

    parts = urlsplit(postgres_base(base))
    name = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = urlunsplit(parts)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield "postgresql+psycopg://" + urlunsplit(parts._replace(path="/" + name)).removeprefix("postgresql://")
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def quiet_migrations():
    """Alembic's env.py configures logging at INFO on every run; the tables are easier to read without it."""
    import logging

    logging.disable(logging.INFO)
    try:
        yield
    finally:
        logging.disable(logging.NOTSET)


def migrated_app(config: dict):
    """The app on `config`'s database, migrated to the latest revision."""
    from muni_assess import create_app
    from muni_assess.dbsetup import migrate_to_latest

    app = create_app(config)
    with app.app_context(), quiet_migrations():
        migrate_to_latest()
    return app
