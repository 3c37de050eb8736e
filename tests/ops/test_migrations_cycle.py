"""Every migration upgrades and downgrades cleanly: head -> base -> head on a brand-new database (SQLite, or
PostgreSQL when DATABASE_URL is set), and the history has exactly one head, so the standard `flask db upgrade`
(what an operator types) works. Generic over whatever revisions exist."""
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


def stamped(conn) -> list[str]:
    return sorted(conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalars())


def script_heads(app) -> list[str]:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(app.extensions["migrate"].directory))
    return ScriptDirectory.from_config(config).get_heads()


def test_history_has_a_single_head(fresh_app):
    """Parallel feature branches must be merged: with two heads `flask db upgrade` stops with an error."""
    app = fresh_app(migrate=False)
    heads = script_heads(app)
    assert len(heads) == 1, f"the migrations have several heads {heads}: add a merge revision"


def test_upgrade_downgrade_upgrade(fresh_app):
    from flask_migrate import downgrade, upgrade

    app = fresh_app(migrate=False)
    (head,) = script_heads(app)
    with app.app_context():
        directory = app.extensions["migrate"].directory
        upgrade(directory=directory, revision="head")
        with db.engine.connect() as conn:
            first = schema(conn)
            assert stamped(conn) == [head]
        missing = {t.name for t in db.metadata.sorted_tables} - set(first)
        assert not missing, f"models without a migration: {sorted(missing)}"

        downgrade(directory=directory, revision="base")
        with db.engine.connect() as conn:
            left = schema(conn)
            assert stamped(conn) == []
        assert left == {}, f"tables left after downgrading to base: {sorted(left)}"

        upgrade(directory=directory, revision="head")
        with db.engine.connect() as conn:
            again = schema(conn)
            assert stamped(conn) == [head]
        assert again == first
        db.engine.dispose()


def test_flask_db_upgrade_command_migrates_a_new_database(fresh_app):
    """The operator's command, `flask db upgrade` (here `muni-assess db upgrade`), with no revision argument."""
    app = fresh_app(migrate=False)
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output + repr(result.exception)
    with app.app_context():
        with db.engine.connect() as conn:
            tables = set(sa.inspect(conn).get_table_names())
            assert stamped(conn) == script_heads(app)
        assert {t.name for t in db.metadata.sorted_tables} <= tables
        db.engine.dispose()


def test_a_database_left_at_the_old_parallel_heads_upgrades_to_the_single_head(fresh_app):
    """Databases migrated before the merge revision are stamped with the four feature heads; they upgrade."""
    from flask_migrate import upgrade

    app = fresh_app(migrate=False)
    (head,) = script_heads(app)
    with app.app_context():
        directory = app.extensions["migrate"].directory
        for branch in ("0002", "0003", "0004", "0005"):
            upgrade(directory=directory, revision=branch)
        with db.engine.connect() as conn:
            assert stamped(conn) == ["0002", "0003", "0004", "0005"]
        upgrade(directory=directory, revision="head")
        with db.engine.connect() as conn:
            assert stamped(conn) == [head]
        db.engine.dispose()
