"""`muni-assess backup` / `restore`: a round trip keeps every row of every table, typed values included; a
damaged, foreign or mismatched backup, or a non-empty database, is refused with a clear message and nothing
changes."""
from __future__ import annotations

import datetime as dt
import json
import stat
import zipfile

import pytest
import sqlalchemy as sa
from conftest import CYCLE
from ops_fixtures import fresh_app_fixture  # noqa: F401  (the fresh_app fixture)

from muni_assess.backup import BackupError, restore_backup, table_lines, write_backup
from muni_assess.extensions import db


def seed_everything(app) -> None:
    """Reference data, demo accounts and assessments, plus answers with awkward values."""
    from muni_assess.demo import seed_demo
    from muni_assess.models import Answer, Assessment
    from muni_assess.seed import seed_reference

    with app.app_context():
        seed_reference("CT")
        seed_demo("CT", CYCLE)
        db.session.flush()
        assessment = db.session.scalars(sa.select(Assessment).order_by(Assessment.id)).first()
        assessment.submitted_at = dt.datetime(2026, 3, 4, 5, 6, 7, 891011)
        db.session.add_all([
            Answer(assessment=assessment, question_id="ops_json_null", value=None, note="Zoë — 東京 <b>&amp;</b>"),
            Answer(assessment=assessment, question_id="ops_nested", value={"a": [1, 2.5, None, "ü"], "b": {}},
                   note="line one\nline two 'quoted' \"double\" \\ back"),
            Answer(assessment=assessment, question_id="ops_number", value=12345678901234, note=""),
        ])
        db.session.commit()
        # an answer whose value is SQL NULL (not JSON null): the two must stay distinct
        db.session.execute(sa.text("UPDATE answer SET value = NULL WHERE question_id = 'ops_number'"))
        db.session.commit()


def dump(app) -> dict[str, list[bytes]]:
    """Every table's rows, typed values encoded exactly (the comparison a round trip must pass)."""
    with app.app_context(), db.engine.connect() as conn:
        from muni_assess.backup import _tables

        return {t.name: list(table_lines(conn, t)) for t in _tables(conn)}


def plain_rows(app) -> dict[str, list[tuple]]:
    with app.app_context(), db.engine.connect() as conn:
        from muni_assess.backup import _order_by, _tables

        return {t.name: [tuple(r) for r in conn.execute(sa.select(t).order_by(*_order_by(t)))]
                for t in _tables(conn)}


def cli(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


def test_round_trip_keeps_every_row_of_every_table(fresh_app, tmp_path):
    source = fresh_app()
    seed_everything(source)
    out = tmp_path / "nested" / "backup.zip"
    result = cli(source, "backup", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "Wrote" in result.output and "tables" in result.output
    assert stat.S_IMODE(out.stat().st_mode) == 0o600  # answers and password hashes: owner only

    with zipfile.ZipFile(out) as zf:
        manifest = json.loads(zf.read("manifest.json"))
    names = [t["name"] for t in manifest["tables"]]
    assert {"region", "town", "user_account", "assessment", "answer"} <= set(names)
    assert names.index("assessment") < names.index("answer")  # foreign-key order
    assert manifest["format"] == "muni-assess-backup" and manifest["alembic_revisions"]
    assert all(len(t["sha256"]) == 64 for t in manifest["tables"])
    assert {t["name"]: t["rows"] for t in manifest["tables"]}["answer"] > 1000

    target = fresh_app()
    result = cli(target, "restore", str(out))
    assert result.exit_code == 0, result.output
    assert "Restored" in result.output
    before, after = dump(source), dump(target)
    assert before.keys() == after.keys()
    for name in before:
        assert before[name] == after[name], f"table {name} differs after restore"
    assert plain_rows(source) == plain_rows(target)
    with target.app_context():
        nulls = dict(db.session.execute(sa.text(
            "SELECT question_id, value IS NULL FROM answer WHERE question_id IN ('ops_json_null', 'ops_number')"))
            .all())
        assert nulls == {"ops_json_null": False, "ops_number": True}


def test_restored_database_keeps_working(fresh_app, tmp_path):
    """New rows after a restore get fresh ids (PostgreSQL sequences are moved past the restored ids)."""
    from muni_assess.auth.services import create_user
    from muni_assess.models import User

    source = fresh_app()
    seed_everything(source)
    write_backup_via(source, tmp_path / "b.zip")
    target = fresh_app()
    with target.app_context():
        restore_backup(db.engine, tmp_path / "b.zip")
        highest = db.session.scalar(sa.select(sa.func.max(User.id)))
        user = create_user("after.restore@example.org", "state_analyst", "a long test password 42")
        db.session.commit()
        assert user.id > highest


def write_backup_via(app, path):
    with app.app_context():
        return write_backup(db.engine, path)


def test_refuses_a_database_that_is_not_empty(fresh_app, tmp_path):
    from muni_assess.seed import seed_reference

    source = fresh_app()
    seed_everything(source)
    write_backup_via(source, tmp_path / "b.zip")
    target = fresh_app()
    with target.app_context():
        seed_reference("CT")
        db.session.commit()
    before = dump(target)
    result = cli(target, "restore", str(tmp_path / "b.zip"))
    assert result.exit_code != 0
    assert "The database is not empty" in result.output and "Nothing was restored" in result.output
    assert dump(target) == before


def rewrite(src, dst, change) -> None:
    """Copy a backup zip, passing each member's bytes through change(name, data)."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for item in zin.infolist():
            zout.writestr(item.filename, change(item.filename, zin.read(item.filename)))


def test_refuses_a_tampered_or_corrupt_backup(fresh_app, tmp_path):
    source = fresh_app()
    seed_everything(source)
    good = tmp_path / "good.zip"
    write_backup_via(source, good)
    tampered = tmp_path / "tampered.zip"
    rewrite(good, tampered, lambda n, d: d.replace(b"Andover", b"Andovex") if n == "tables/town.jsonl" else d)
    garbage = tmp_path / "garbage.zip"
    garbage.write_bytes(good.read_bytes()[: len(good.read_bytes()) // 2])
    target = fresh_app()
    res = cli(target, "restore", str(tampered))
    assert res.exit_code != 0 and "damaged or was altered: table town" in res.output
    res = cli(target, "restore", str(garbage))
    assert res.exit_code != 0 and "is not a readable muni-assess backup" in res.output
    assert "Traceback" not in res.output
    assert all(not rows for rows in dump(target).values())


def test_refuses_a_backup_from_other_revisions(fresh_app, tmp_path):
    source = fresh_app()
    seed_everything(source)
    good = tmp_path / "good.zip"
    write_backup_via(source, good)
    other = tmp_path / "other.zip"

    def change(name, data):
        if name != "manifest.json":
            return data
        manifest = json.loads(data)
        manifest["alembic_revisions"] = ["9999_from_the_future"]
        return json.dumps(manifest).encode()

    rewrite(good, other, change)
    target = fresh_app()
    res = cli(target, "restore", str(other))
    assert res.exit_code != 0
    assert "9999_from_the_future" in res.output and "Nothing was restored" in res.output
    unmigrated = fresh_app(migrate=False)
    res = cli(unmigrated, "restore", str(good))
    assert res.exit_code != 0 and "init-db" in res.output


def test_restore_is_all_or_nothing(fresh_app, tmp_path):
    """A backup whose last table does not fit (checksums recomputed, so only the database can object) leaves
    the target empty: every earlier table's rows are rolled back too."""
    import hashlib

    source = fresh_app()
    seed_everything(source)
    good = tmp_path / "good.zip"
    write_backup_via(source, good)
    bad = tmp_path / "bad.zip"
    with zipfile.ZipFile(good) as zf:
        manifest = json.loads(zf.read("manifest.json"))
        entry = next(t for t in manifest["tables"] if t["name"] == "answer")
        lines = zf.read("tables/answer.jsonl").splitlines(keepends=True)
    idx = entry["columns"].index("assessment_id")
    row = json.loads(lines[0])
    row[idx], row[0] = 987654321, 987654321  # an answer of an assessment that does not exist
    blob = b"".join(lines) + (json.dumps(row) + "\n").encode()
    entry["rows"], entry["sha256"] = entry["rows"] + 1, hashlib.sha256(blob).hexdigest()

    def change(name, data):
        return {"manifest.json": json.dumps(manifest).encode(), "tables/answer.jsonl": blob}.get(name, data)

    rewrite(good, bad, change)
    target = fresh_app()
    with target.app_context(), pytest.raises(BackupError, match="table answer could not be loaded"):
        restore_backup(db.engine, bad)
    assert all(not rows for rows in dump(target).values())
