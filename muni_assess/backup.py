"""Backups of the tool's own data: a consistent, versioned export of every table, and its restore.

A backup is a zip file (mode 0600: it holds password hashes and every town's answers):

- ``manifest.json``: format and format version, app version, the database's Alembic revisions, the dialect it
  was taken from, created_at, and per table its columns, row count and the sha256 of its data file;
- ``tables/<table>.jsonl``: one JSON array per row, in column order, rows ordered by primary key.

Values keep their types: datetimes, dates, times, decimals, bytes, UUIDs and intervals are tagged
(``{"$": "datetime", "v": "..."}``); a JSON column's value is kept as its JSON text, so SQL NULL and JSON
``null`` stay distinct. Tables are found generically: every table of ``db.metadata`` that the database has,
plus any other table the migrations created (reflected), so tables added later are included without changes.

The export reads everything in one transaction (REPEATABLE READ, read only, on PostgreSQL; one SQLite
transaction), so it is a snapshot. A restore checks the whole file first (sha256 and row counts), then the
database (migrated to exactly the backup's revisions, and empty), then loads every table in one transaction
and resets PostgreSQL sequences; any problem leaves the database unchanged.
"""
from __future__ import annotations

import base64
import datetime as dt
import decimal
import hashlib
import io
import json
import os
import tempfile
import uuid
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

FORMAT = "muni-assess-backup"
FORMAT_VERSION = 1
VERSION_TABLE = "alembic_version"
CHUNK = 1000


class BackupError(Exception):
    """A backup cannot be written or restored; the message says why and what to do."""


@dataclass(frozen=True)
class TableInfo:
    name: str
    rows: int
    sha256: str


# --- value encoding -------------------------------------------------------------------------------------

def _encode(value: object) -> object:
    """A column value as JSON: plain JSON types as they are, others tagged with their type."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, dt.datetime):
        return {"$": "datetime", "v": value.isoformat()}
    if isinstance(value, dt.date):
        return {"$": "date", "v": value.isoformat()}
    if isinstance(value, dt.time):
        return {"$": "time", "v": value.isoformat()}
    if isinstance(value, dt.timedelta):
        return {"$": "timedelta", "v": [value.days, value.seconds, value.microseconds]}
    if isinstance(value, decimal.Decimal):
        return {"$": "decimal", "v": str(value)}
    if isinstance(value, bytes | bytearray | memoryview):
        return {"$": "bytes", "v": base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, uuid.UUID):
        return {"$": "uuid", "v": str(value)}
    raise BackupError(f"Cannot back up a value of type {type(value).__name__}.")


_DECODERS = {
    "datetime": dt.datetime.fromisoformat,
    "date": dt.date.fromisoformat,
    "time": dt.time.fromisoformat,
    "timedelta": lambda v: dt.timedelta(days=v[0], seconds=v[1], microseconds=v[2]),
    "decimal": decimal.Decimal,
    "bytes": base64.b64decode,
    "uuid": uuid.UUID,
}


def _decode(value: object, is_json: bool) -> object:
    if is_json:
        if value is None:
            return None  # SQL NULL (the restore table binds None as NULL for JSON columns)
        parsed = json.loads(value["v"])
        return sa.JSON.NULL if parsed is None else parsed
    if isinstance(value, dict):
        return _DECODERS[value["$"]](value["v"])
    return value


def _is_json(column: sa.Column) -> bool:
    return isinstance(column.type, sa.JSON)


# --- which tables --------------------------------------------------------------------------------------

def _tables(conn: Connection) -> list[sa.Table]:
    """Every data table the database has, in foreign-key order: the app's models, then any reflected extras."""
    from muni_assess.extensions import db

    present = set(sa.inspect(conn).get_table_names()) - {VERSION_TABLE}
    known = [t for t in db.metadata.sorted_tables if t.name in present]
    extra = sorted(present - {t.name for t in known})
    if not extra:
        return known
    reflected = sa.MetaData()
    reflected.reflect(bind=conn, only=extra)
    return known + [t for t in reflected.sorted_tables if t.name in extra]


def _order_by(table: sa.Table) -> list[sa.ColumnElement]:
    return list(table.primary_key.columns) or list(table.columns)


def _select_columns(table: sa.Table) -> list[sa.ColumnElement]:
    """The table's columns; a JSON column also says whether it is SQL NULL (as opposed to JSON null)."""
    cols: list[sa.ColumnElement] = []
    for c in table.columns:
        cols.append(c)
        if _is_json(c):
            cols.append(c.is_(None).label(f"{c.name}__is_null"))
    return cols


def _row_values(table: sa.Table, row: sa.Row) -> list:
    out, mapping = [], row._mapping
    for c in table.columns:
        value = mapping[c]
        if _is_json(c):
            out.append(None if mapping[f"{c.name}__is_null"] else
                       {"$": "json", "v": json.dumps(value, ensure_ascii=False, sort_keys=True)})
        else:
            out.append(_encode(value))
    return out


def revisions(conn: Connection) -> list[str]:
    """The Alembic revisions the database is at (several when feature branches are not merged)."""
    if not sa.inspect(conn).has_table(VERSION_TABLE):
        return []
    return sorted(conn.execute(sa.text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars())


def _app_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("muni-assess")
    except PackageNotFoundError:
        return "unknown"


# --- backup ----------------------------------------------------------------------------------------------

def _snapshot(engine: Engine) -> Connection:
    if engine.dialect.name == "postgresql":
        conn = engine.connect().execution_options(isolation_level="REPEATABLE READ")
        conn.begin()
        conn.execute(sa.text("SET TRANSACTION READ ONLY"))
        return conn
    conn = engine.connect()
    conn.begin()
    return conn


def table_lines(conn: Connection, table: sa.Table) -> Iterator[bytes]:
    """A table's rows as JSON lines (what a backup stores), in primary-key order."""
    query = sa.select(*_select_columns(table)).order_by(*_order_by(table))
    for row in conn.execution_options(yield_per=CHUNK).execute(query):
        yield (json.dumps(_row_values(table, row), ensure_ascii=False, separators=(",", ":")) + "\n").encode()


def write_backup(engine: Engine, out: str | os.PathLike) -> dict:
    """Write a backup of every table to `out` (atomically, mode 0600); return its manifest."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".backup-", suffix=".zip", dir=out.parent)
    try:
        with os.fdopen(fd, "wb") as fh, zipfile.ZipFile(fh, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            manifest = _write_tables(engine, zf)
            zf.writestr("manifest.json", json.dumps(manifest, indent=2, sort_keys=True))
        os.chmod(tmp, 0o600)
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return manifest


def _write_tables(engine: Engine, zf: zipfile.ZipFile) -> dict:
    conn = _snapshot(engine)
    try:
        heads = revisions(conn)
        if not heads:
            raise BackupError("The database has no schema yet: run `muni-assess init-db` first.")
        tables = []
        for table in _tables(conn):
            digest, rows = hashlib.sha256(), 0
            with zf.open(f"tables/{table.name}.jsonl", "w") as member:
                for line in table_lines(conn, table):
                    digest.update(line)
                    member.write(line)
                    rows += 1
            tables.append({"name": table.name, "columns": [c.name for c in table.columns], "rows": rows,
                           "sha256": digest.hexdigest()})
    finally:
        conn.rollback()
        conn.close()
    return {"format": FORMAT, "format_version": FORMAT_VERSION, "app_version": _app_version(),
            "alembic_revisions": heads, "dialect": engine.dialect.name,
            "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "tables": tables}


# --- restore ---------------------------------------------------------------------------------------------

def read_backup(path: str | os.PathLike) -> tuple[dict, dict[str, bytes]]:
    """The manifest and each table's data, after checking format, sha256 and row counts. Raises BackupError."""
    try:
        with zipfile.ZipFile(path) as zf:
            manifest = json.loads(zf.read("manifest.json"))
            _check_manifest(manifest)
            data = {t["name"]: zf.read(f"tables/{t['name']}.jsonl") for t in manifest["tables"]}
    except (OSError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise BackupError(f"{path} is not a readable muni-assess backup ({type(exc).__name__}); "
                          "nothing was restored.") from None
    for table in manifest["tables"]:
        blob = data[table["name"]]
        if hashlib.sha256(blob).hexdigest() != table["sha256"] or blob.count(b"\n") != table["rows"]:
            raise BackupError(f"The backup is damaged or was altered: table {table['name']} does not match its "
                              "checksum in the manifest. Nothing was restored.")
    return manifest, data


def _check_manifest(manifest: dict) -> None:
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ValueError("not a muni-assess backup")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(f"This backup uses format version {manifest.get('format_version')!r}; this version of "
                          f"muni-assess reads version {FORMAT_VERSION}. Nothing was restored.")
    for table in manifest["tables"]:
        if not str(table["name"]).replace("_", "").isalnum():
            raise ValueError("bad table name")


def restore_backup(engine: Engine, path: str | os.PathLike) -> dict[str, int]:
    """Load a backup into an empty database at the same revisions, in one transaction; rows per table."""
    manifest, data = read_backup(path)
    with engine.begin() as conn:
        _check_target(conn, manifest)
        by_name = {t.name: t for t in _tables(conn)}
        counts = {}
        for entry in manifest["tables"]:
            table = by_name[entry["name"]]
            try:
                counts[table.name] = _load_table(conn, table, entry["columns"], data[entry["name"]])
            except (sa.exc.DBAPIError, ValueError, TypeError, KeyError) as exc:
                raise BackupError(f"The rows of table {table.name} could not be loaded ({type(exc).__name__}); "
                                  "the backup does not fit this database. Nothing was restored.") from None
        _reset_sequences(conn, [by_name[e["name"]] for e in manifest["tables"]])
    return counts


def _check_target(conn: Connection, manifest: dict) -> None:
    have = revisions(conn)
    if not have:
        raise BackupError("The database has no schema yet: run `muni-assess init-db` (without `seed`) first, "
                          "then restore.")
    want = sorted(manifest["alembic_revisions"])
    if have != want:
        raise BackupError(f"The backup was taken at database revision(s) {', '.join(want)}, but this database is "
                          f"at {', '.join(have)}. Restore with the muni-assess version that wrote the backup, or "
                          "migrate a database to the backup's revisions. Nothing was restored.")
    tables = {t.name: t for t in _tables(conn)}
    for entry in manifest["tables"]:
        table = tables.get(entry["name"])
        if table is None or {c.name for c in table.columns} != set(entry["columns"]):
            raise BackupError(f"Table {entry['name']} in the backup does not match this database's schema. "
                              "Nothing was restored.")
    busy = [f"{t.name} ({n} rows)" for t, n in ((t, _count(conn, t)) for t in tables.values()) if n]
    if busy:
        raise BackupError("The database is not empty: " + ", ".join(busy) + ". Restore only into a new, "
                          "empty database migrated with `muni-assess init-db` (do not run `seed`). "
                          "Nothing was restored.")


def _count(conn: Connection, table: sa.Table) -> int:
    return conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()


def _insert_table(table: sa.Table) -> sa.TableClause:
    """A lightweight copy of the table whose JSON columns bind None as SQL NULL (JSON null is JSON.NULL)."""
    cols = []
    for c in table.columns:
        col_type = type(c.type)(none_as_null=True) if _is_json(c) else c.type
        cols.append(sa.column(c.name, col_type))
    return sa.table(table.name, *cols)


def _load_table(conn: Connection, table: sa.Table, columns: list[str], blob: bytes) -> int:
    target = _insert_table(table)
    json_cols = [_is_json(table.c[name]) for name in columns]
    total = 0
    for chunk in _chunks(io.BytesIO(blob), CHUNK):
        rows = [{name: _decode(v, j) for name, v, j in zip(columns, json.loads(line), json_cols, strict=True)}
                for line in chunk]
        conn.execute(sa.insert(target), rows)
        total += len(rows)
    return total


def _chunks(lines: Iterable[bytes], size: int) -> Iterator[list[bytes]]:
    chunk: list[bytes] = []
    for line in lines:
        chunk.append(line)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _reset_sequences(conn: Connection, tables: list[sa.Table]) -> None:
    """PostgreSQL: move each serial/identity sequence past the restored ids, so new rows do not collide."""
    if conn.dialect.name != "postgresql":
        return
    quote = conn.dialect.identifier_preparer.quote
    for table in tables:
        for column in table.primary_key.columns:
            if not isinstance(column.type, sa.Integer):
                continue
            seq = conn.execute(sa.text("SELECT pg_get_serial_sequence(:t, :c)"),
                               {"t": quote(table.name), "c": column.name}).scalar()
            if seq:
                conn.execute(sa.text(f"SELECT setval(:s, COALESCE((SELECT MAX({quote(column.name)}) FROM "
                                     f"{quote(table.name)}), 1), (SELECT COUNT(*) FROM {quote(table.name)}) > 0)"),
                             {"s": seq})
