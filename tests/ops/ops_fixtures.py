"""Fixtures for the operations tests (imported by each module; not a conftest.py, so `from conftest import`
still finds the suite's one). Every app is built on a brand-new database (an SQLite file, or a throwaway
PostgreSQL database beside DATABASE_URL), so backups, restores and migrations never touch the shared one."""

import os

import pytest
from conftest import _fresh_postgres, build_app


@pytest.fixture(name="fresh_app")
def fresh_app_fixture(tmp_path):
    """Factory: fresh_app(migrate=True) -> an app on a new, empty database (dropped after the test)."""
    made = []

    def _make(migrate: bool = True, **overrides):
        base = os.environ.get("DATABASE_URL")
        if base:
            url, drop = _fresh_postgres(base)
        else:
            url, drop = "sqlite:///" + str(tmp_path / f"ops_{len(made)}.sqlite3"), (lambda: None)
        app = build_app(url, **overrides)
        made.append((app, drop))
        if migrate:
            from muni_assess.dbsetup import migrate_to_latest

            with app.app_context():
                migrate_to_latest()
        return app

    yield _make
    from muni_assess.extensions import db

    for app, drop in made:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        drop()
