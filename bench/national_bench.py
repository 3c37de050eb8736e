"""Time the statewide view and a regional dashboard on a synthetic state of 20,000 towns in 200 regions.

Every town has three cycles of assessments (about 70 answers each: 4 million answer rows), generated from the
real questionnaire content so every answer is valid. The score cache is filled the way a running app fills
it (each distinct answer set scored once by the same code), then both pages are requested through the Flask
test client, signed in as a state analyst, and the medians printed. One region's cache is also invalidated to
time a first view after a whole region's towns changed.

    .venv/bin/python bench/regional_bench.py [--towns 20000] [--regions 200] [--runs 5]
        [--database-url postgresql://postgres@127.0.0.1:5432/bench_regional]   (default: a throwaway SQLite file)
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CYCLES = (2024, 2025, 2026)
TEMPLATES = 40
PASSWORD = "a long bench password 42"


def _args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--towns", type=int, default=20_000)
    parser.add_argument("--regions", type=int, default=200)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--database-url", default=None)
    return parser.parse_args()


def _app(url: str):
    from muni_assess import create_app
    from muni_assess.dbsetup import migrate_to_latest

    app = create_app({"TESTING": True, "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": url, "STATE": "CT",
                      "CURRENT_CYCLE": CYCLES[-1], "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False})
    with app.app_context():
        migrate_to_latest()
    return app


class Writer:
    """Bulk inserts through the DBAPI cursor (executemany in large batches): the fastest portable path."""

    def __init__(self, engine):
        self.raw = engine.raw_connection()
        self.sqlite = engine.dialect.name == "sqlite"
        self.mark = "?" if self.sqlite else "%s"

    def when(self, value: dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.%f") if self.sqlite else value

    def insert(self, table: str, columns: tuple[str, ...], rows, batch: int = 50_000) -> int:
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join([self.mark] * len(columns))})"
        cur, chunk, total = self.raw.cursor(), [], 0
        for row in rows:
            chunk.append(row)
            if len(chunk) >= batch:
                cur.executemany(sql, chunk)
                total, chunk = total + len(chunk), []
        if chunk:
            cur.executemany(sql, chunk)
            total += len(chunk)
        self.raw.commit()
        return total


def _templates(app):
    """Distinct answer sets (low to high maturity) with their cache rows, each scored once."""
    from muni_assess import contentstore
    from muni_assess.demo import demo_answers
    from muni_assess.regional.scores import content_key, needs_by_section
    from scoring.engine import score_assessment

    rng = random.Random(5)
    with app.app_context():
        qs = contentstore.current_set()
        catalog = contentstore.content().catalog
        key = content_key(catalog)
        out = []
        for n in range(TEMPLATES):
            answers = demo_answers(qs, "CT", 0.1 + 0.8 * n / TEMPLATES, rng)
            result = score_assessment(qs, "CT", answers)
            needs = needs_by_section(result, catalog, "CT", 5000)
            sections = [(s.section.id, s.score, s.tier, result.overall, s.answered_count, s.visible_count,
                         " ".join(sorted(needs.get(s.section.id, ())))) for s in result.sections]
            out.append(([(q, json.dumps(v)) for q, v in answers.items()], sections))
        return qs, key, out


def generate(app, towns: int, regions: int) -> None:
    """Regions, towns, three cycles of assessments with answers, and the filled score cache."""
    from muni_assess.extensions import db

    qs, key, templates = _templates(app)
    rng = random.Random(7)
    with app.app_context():
        w = Writer(db.engine)
        w.insert("region", ("id", "code", "name", "state"),
                 ((r, f"R{r:03d}", f"Synthetic Region {r:03d}", "CT") for r in range(1, regions + 1)))
        w.insert("town", ("id", "name", "state", "county", "population", "fips", "region_id"),
                 ((t, f"Town {t:05d}", "CT", "Synthetic", rng.choice((900, 4000, 12000, 30000, 80000)),
                   f"99{t:08d}", 1 + (t - 1) % regions) for t in range(1, towns + 1)))
        plan = []  # (assessment id, town id, cycle, status, updated_at, template)
        aid = 0
        base = dt.datetime(2026, 3, 1)
        for t in range(1, towns + 1):
            for cycle in CYCLES:
                aid += 1
                status = "submitted" if cycle < CYCLES[-1] or rng.random() < 0.7 else "in_progress"
                when = base.replace(year=cycle) + dt.timedelta(minutes=rng.randint(0, 200_000))
                plan.append((aid, t, cycle, status, when, rng.randrange(TEMPLATES)))
        w.insert("assessment", ("id", "town_id", "cycle", "question_set_id", "question_set_version",
                                "content_sha256", "status", "created_at", "updated_at", "submitted_at"),
                 ((a, t, c, qs.id, qs.version, qs.sha256, s, w.when(u), w.when(u), w.when(u) if s == "submitted"
                   else None) for a, t, c, s, u, _ in plan))
        n = w.insert("answer", ("assessment_id", "question_id", "value", "note", "version", "updated_at"),
                     ((a, q, v, "", 1, w.when(u)) for a, _t, _c, _s, u, k in plan for q, v in templates[k][0]))
        w.insert("regional_score", ("assessment_id", "section_id", "score", "tier", "overall", "answered",
                                    "visible", "needs", "source_updated_at", "content_key"),
                 ((a, sid, score, tier, overall, answered, visible, needs if s == "submitted" else "", w.when(u), key)
                  for a, _t, _c, s, u, k in plan for sid, score, tier, overall, answered, visible, needs
                  in templates[k][1]))
        w.raw.close()
        print(f"generated {towns:,} towns in {regions} regions, {len(plan):,} assessments, {n:,} answers")


def _client(app):
    import pyotp

    from muni_assess.auth.services import create_user
    from muni_assess.extensions import db

    with app.app_context():
        user = create_user("bench.state@example.org", "state_analyst", PASSWORD)
        user.mfa_secret, user.mfa_enabled = pyotp.random_base32(), True
        secret = user.mfa_secret
        db.session.commit()
    client = app.test_client()
    response = client.post("/auth/login", data={"email": "bench.state@example.org", "password": PASSWORD})
    if response.headers.get("Location", "").startswith("/auth/two-step"):
        response = client.post("/auth/two-step", data={"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 302, response.status_code
    return client


def _time(client, url: str, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(url)
        out.append(time.perf_counter() - start)
        assert response.status_code == 200, (url, response.status_code)
    return out


def _invalidate_region(app, code: str) -> None:
    from sqlalchemy import text

    from muni_assess.extensions import db

    with app.app_context():
        db.session.execute(text("DELETE FROM regional_score WHERE assessment_id IN (SELECT a.id FROM assessment a "
                                "JOIN town t ON t.id = a.town_id JOIN region r ON r.id = t.region_id "
                                "WHERE r.code = :code)"), {"code": code})
        db.session.commit()


def main() -> None:
    args = _args()
    tmp = tempfile.TemporaryDirectory(prefix="regional_bench_")
    url = args.database_url or f"sqlite:///{tmp.name}/bench.sqlite3"
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    start = time.perf_counter()
    app = _app(url)
    generate(app, args.towns, args.regions)
    print(f"generation: {time.perf_counter() - start:.1f} s")
    client = _client(app)
    region = "R001"
    results = {}
    for label, path in (("regional dashboard (R001)", f"/regions/{region}/"),
                        ("statewide view", "/regions/statewide/")):
        _time(client, path, 1)  # warm-up: templates compiled, caches of the process filled
        results[label] = _time(client, path, args.runs)
    _invalidate_region(app, region)
    cold = _time(client, f"/regions/{region}/", 1)[0]
    towns_per_region = args.towns // args.regions
    print(f"\n{args.towns:,} towns, {args.regions} regions, {len(CYCLES)} cycles; median of {args.runs} runs:")
    for label, times in results.items():
        print(f"  {label:<28} median {statistics.median(times):.3f} s   (min {min(times):.3f}, max {max(times):.3f})")
    print(f"  first view of a region whose {towns_per_region} towns all changed (re-scored): {cold:.3f} s")
    with app.app_context():
        from muni_assess.extensions import db

        db.session.remove()
        db.engine.dispose()
    tmp.cleanup()


if __name__ == "__main__":
    main()
