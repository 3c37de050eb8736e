"""Every migration upgrades and downgrades cleanly: heads -> base -> heads on a brand-new database (SQLite, or
PostgreSQL when DATABASE_URL is set). Generic over whatever revisions and branches exist."""
from __future__ import annotations

import sqlalchemy as sa
from ops_fixtures import fresh_app_fixture  # noqa: F401  (the fresh_app fixture)

from muni_assess.extensions import db


def schema(conn) -> dict:
    """Tables with their columns, indexes, unique constraints and foreign keys (what the migrations built)."""
    insp = sa.inspect(conn)
    out = {}
    for name in sorted(insp.get_table_names()):
        if name == "alembic_version":
            continue
        out[name] = {
            "columns": sorted((c["name"], str(c["type"]), c["nullable"]) for c in insp.get_columns(name)),
            "indexes": sorted((i["name"], tuple(i["column_names"]), bool(i["unique"])) for i in insp.get_indexes(name)),
            "uniques": sorted((u["name"], tuple(u["column_names"])) for u in insp.get_unique_constraints(name)),
            "fks": sorted((f["name"], tuple(f["constrained_columns"]), f["referred_table"])
                          for f in insp.get_foreign_keys(name)),
        }
    return out


def test_upgrade_downgrade_upgrade(fresh_app):
    from flask_migrate import downgrade, upgrade

    app = fresh_app(migrate=False)
    with app.app_context():
        directory = app.extensions["migrate"].directory
        upgrade(directory=directory, revision="heads")
        with db.engine.connect() as conn:
            first = schema(conn)
        missing = {t.name for t in db.metadata.sorted_tables} - set(first)
        assert not missing, f"models without a migration: {sorted(missing)}"

        downgrade(directory=directory, revision="base")
        with db.engine.connect() as conn:
            left = schema(conn)
            versions = conn.execute(sa.text("SELECT count(*) FROM alembic_version")).scalar()
        assert left == {}, f"tables left after downgrading to base: {sorted(left)}"
        assert versions == 0

        upgrade(directory=directory, revision="heads")
        with db.engine.connect() as conn:
            again = schema(conn)
        assert again == first
        db.engine.dispose()
