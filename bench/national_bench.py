"""National scale on PostgreSQL: 20,000 synthetic towns in 200 regions, each with three cycles of complete
assessments (about 3.5 million answers); times the statewide view, a regional view, a town's results page (peer
benchmarks over the whole state), scoring every assessment against reading its answers, and the funding
optimizer on every town's candidates. Run by hand (`make bench`); prints one table.

The data is generated from the real questionnaire (every answer valid): 1,000 distinct answer sets of every
maturity, each assessment taking one at random, loaded with COPY into a throwaway database beside
DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/test), which is dropped afterwards. The regional
score cache is filled for the generated data the way the app fills it (each answer set scored once by the
same code). Pages are requested through the Flask test client, signed in, and timed end to end.

    .venv/bin/python bench/national_bench.py [--towns 20000] [--regions 200] [--runs 5] [--database-url URL]

Aims: statewide view under 2 s and regional view under 0.3 s with statements independent of the number of
towns (issue 5); scoring all assessments costs no more than twice reading their answers (issue 9); the
optimizer under 1 s for 20,000 candidates (issue 6; `funding_bench.py` times it alone).
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import time

from benchlib import median, migrated_app, postgres_base, print_table, throwaway_postgres, timed, verdict

CYCLES = (2024, 2025, 2026)
TEMPLATES = 1000
PASSWORD = "a long bench password 42"


def _args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--towns", type=int, default=20_000)
    parser.add_argument("--regions", type=int, default=200)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--database-url", default=None, help="PostgreSQL server (default: DATABASE_URL or local)")
    return parser.parse_args()


def _templates(app, count: int):
    """Distinct answer sets (low to high maturity) with the regional cache rows of each, scored once."""
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
        for n in range(count):
            answers = demo_answers(qs, "CT", 0.05 + 0.9 * n / count, rng)
            result = score_assessment(qs, "CT", answers)
            needs = needs_by_section(result, catalog, "CT", 5000)
            sections = [(s.section.id, s.score, s.tier, result.overall, s.answered_count, s.visible_count,
                         " ".join(sorted(needs.get(s.section.id, ())))) for s in result.sections]
            out.append(([(q, json.dumps(v)) for q, v in answers.items()], sections))
        return qs, key, out


def _copy(cur, table: str, columns: tuple[str, ...], rows) -> int:
    n = 0
    with cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
            n += 1
    return n


def generate(app, towns: int, regions: int) -> dict:
    """Regions, towns, three cycles of assessments with answers, and the filled score cache, by COPY."""
    from muni_assess.extensions import db

    qs, key, templates = _templates(app, TEMPLATES)
    rng = random.Random(7)
    plan = []  # (assessment id, town id, cycle, status, updated_at, template)
    base = dt.datetime(2026, 3, 1)
    for t in range(1, towns + 1):
        for cycle in CYCLES:
            status = "submitted" if cycle < CYCLES[-1] or rng.random() < 0.7 else "in_progress"
            when = base.replace(year=cycle) + dt.timedelta(minutes=rng.randint(0, 200_000))
            plan.append((len(plan) + 1, t, cycle, status, when, rng.randrange(TEMPLATES)))
    with app.app_context():
        raw = db.engine.raw_connection()
        cur = raw.cursor()
        counts = {
            "region": _copy(cur, "region", ("id", "code", "name", "state"),
                            ((r, f"R{r:03d}", f"Synthetic Region {r:03d}", "CT") for r in range(1, regions + 1))),
            "town": _copy(cur, "town", ("id", "name", "state", "county", "population", "fips", "region_id"),
                          ((t, f"Town {t:05d}", "CT", "Synthetic", rng.choice((900, 4000, 12000, 30000, 80000)),
                            f"99{t:08d}", 1 + (t - 1) % regions) for t in range(1, towns + 1))),
            "assessment": _copy(cur, "assessment", (
                "id", "town_id", "cycle", "question_set_id", "question_set_version", "content_sha256", "status",
                "created_at", "updated_at", "submitted_at"),
                ((a, t, c, qs.id, qs.version, qs.sha256, s, u, u, u if s == "submitted" else None)
                 for a, t, c, s, u, _k in plan)),
            "answer": _copy(cur, "answer", ("assessment_id", "question_id", "value", "note", "version", "updated_at"),
                            ((a, q, v, "", 1, u) for a, _t, _c, _s, u, k in plan for q, v in templates[k][0])),
            "regional_score": _copy(cur, "regional_score", (
                "assessment_id", "section_id", "score", "tier", "overall", "answered", "visible", "needs",
                "source_updated_at", "content_key"),
                ((a, sid, score, tier, overall, answered, visible, needs if s == "submitted" else "", u, key)
                 for a, _t, _c, s, u, k in plan
                 for sid, score, tier, overall, answered, visible, needs in templates[k][1])),
        }
        for table in ("region", "town", "assessment", "answer"):  # the app can insert after the bulk load
            cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        raw.commit()
        raw.autocommit = True
        cur.execute("ANALYZE")  # what autovacuum would soon do: plans for 3.5 million rows, not an empty table
        raw.close()
    return counts


def _client(app, email: str, role: str, town: str | None = None):
    import pyotp

    from muni_assess.auth.services import create_user
    from muni_assess.extensions import db

    with app.app_context():
        user = create_user(email, role, PASSWORD, town=town)
        if role == "state_analyst":
            user.mfa_secret, user.mfa_enabled = pyotp.random_base32(), True
        secret = user.mfa_secret
        db.session.commit()
    client = app.test_client()
    response = client.post("/auth/login", data={"email": email, "password": PASSWORD})
    if response.headers.get("Location", "").startswith("/auth/two-step"):
        response = client.post("/auth/two-step", data={"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 302, response.status_code
    return client


def _page(app, client, url: str, runs: int) -> tuple[list[float], int]:
    """Wall times of `runs` views after a warm-up view, and the SQL statements of one view."""
    from sqlalchemy import event

    from muni_assess.extensions import db

    assert client.get(url).status_code == 200, url  # warm-up: templates compiled, caches of the process filled
    with app.app_context():
        engine = db.engine
    seen = []

    def count(*_args):
        seen.append(1)

    event.listen(engine, "before_cursor_execute", count)
    assert client.get(url).status_code == 200
    event.remove(engine, "before_cursor_execute", count)
    return timed(lambda: client.get(url), runs), len(seen)


def _invalidate_region(app, code: str) -> int:
    from sqlalchemy import text

    from muni_assess.extensions import db

    with app.app_context():
        gone = db.session.execute(text(
            "DELETE FROM regional_score WHERE assessment_id IN (SELECT a.id FROM assessment a JOIN town t ON "
            "t.id = a.town_id JOIN region r ON r.id = t.region_id WHERE r.code = :code AND a.cycle >= :cycle)"),
            {"code": code, "cycle": CYCLES[-2]}).rowcount
        db.session.commit()
    return gone


def score_everything(app) -> tuple[float, float, int]:
    """Seconds to read every assessment's answers, seconds to score them all, and how many there were."""
    from sqlalchemy import select

    from muni_assess import contentstore
    from muni_assess.extensions import db
    from muni_assess.models import Assessment, Town
    from muni_assess.regional.scores import read_answers
    from scoring.engine import score_assessment

    with app.app_context():
        metas = db.session.execute(select(Assessment.id, Assessment.question_set_id, Assessment.question_set_version,
                                          Town.state).join(Town)).all()
        start = time.perf_counter()
        answers = read_answers(select(Assessment.id).scalar_subquery())
        read = time.perf_counter() - start
        start = time.perf_counter()
        for aid, set_id, version, state in metas:
            score_assessment(contentstore.set_for(set_id, version), state, answers.get(aid, {}))
        scored = time.perf_counter() - start
        db.session.rollback()
    return read, scored, len(metas)


def funding(app, runs: int) -> tuple[float, list[float], int]:
    """Seconds to read and build every town's candidates, the optimizer runs (two passes and the look-ahead,
    as the page does), and the number of costed candidates."""
    from muni_assess.extensions import db
    from muni_assess.funding import services
    from scoring.funding import DEFAULT_WEIGHTS, prioritize

    with app.app_context():
        start = time.perf_counter()
        cands = services.candidates("CT", CYCLES[-1], include_unknown=False)
        build = time.perf_counter() - start
        db.session.rollback()
    return build, timed(lambda: prioritize(cands, DEFAULT_WEIGHTS, 2_000_000, granularity=1_000), runs), \
        len(cands.costed)


def main() -> None:
    args = _args()
    with throwaway_postgres(postgres_base(args.database_url), "muni_bench_national") as url:
        app = migrated_app({"TESTING": True, "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": url, "STATE": "CT",
                            "CURRENT_CYCLE": CYCLES[-1], "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False})
        start = time.perf_counter()
        counts = generate(app, args.towns, args.regions)
        generation = time.perf_counter() - start
        state = _client(app, "bench.state@example.org", "state_analyst")
        editor = _client(app, "bench.editor@example.org", "town_editor", town="Town 00042")
        pages = {"statewide": _page(app, state, "/regions/statewide/", args.runs),
                 "regional": _page(app, state, "/regions/R001/", args.runs),
                 "results": _page(app, editor, f"/towns/42/{CYCLES[-1]}/results", args.runs)}
        changed = _invalidate_region(app, "R001") // 7
        cold = timed(lambda: state.get("/regions/R001/"), 1)[0]
        read, scored, assessments = score_everything(app)
        build, optimize, candidates = funding(app, args.runs)
        with app.app_context():
            from muni_assess.extensions import db

            db.session.remove()
            db.engine.dispose()
    (sw, sw_n), (rg, rg_n), (rs, rs_n) = pages["statewide"], pages["regional"], pages["results"]
    per_region = args.towns // args.regions
    rows = [
        ["generate and load by COPY (then ANALYZE)", f"{generation:.0f} s", 1, "minutes, not hours",
         "met" if generation < 1800 else "MISSED"],
        [f"statewide view, {args.towns:,} towns ({sw_n} SQL statements)", f"{median(sw):.2f} s", args.runs, "< 2 s",
         verdict(median(sw), 2.0)],
        [f"regional view, {per_region} towns ({rg_n} SQL statements)", f"{median(rg):.3f} s", args.runs, "< 0.3 s",
         verdict(median(rg), 0.3)],
        [f"town results page with state peer benchmarks ({rs_n} SQL statements)", f"{median(rs):.3f} s", args.runs,
         "", ""],
        [f"regional view after its {changed} assessments changed (re-scored)", f"{cold:.2f} s", 1, "", ""],
        [f"read answers of {assessments:,} assessments ({counts['answer']:,} rows)", f"{read:.1f} s", 1, "", ""],
        [f"score all {assessments:,} assessments", f"{scored:.1f} s", 1, "", ""],
        ["  ratio scoring / reading", f"{scored / read:.2f}", "", "<= 2", verdict(scored / read, 2.0)],
        ["  ratio (reading + scoring) / reading", f"{(read + scored) / read:.2f}", "", "<= 2",
         verdict((read + scored) / read, 2.0)],
        [f"funding: read and build candidates of {args.towns:,} towns", f"{build:.2f} s", 1, "", ""],
        [f"funding optimizer, {candidates:,} candidates, $2,000,000 at $1,000 (2 passes + look-ahead)",
         f"{median(optimize):.2f} s", args.runs, "< 1 s", verdict(median(optimize), 1.0)],
    ]
    print_table(f"National scale (PostgreSQL; {args.towns:,} towns, {args.regions} regions, {len(CYCLES)} cycles, "
                f"{counts['assessment']:,} assessments)", ["measure", "figure", "runs", "aim", ""], rows,
                ["Page times are medians through the Flask test client, signed in, after one warm-up view.",
                 "Statement counts are those of one view; tests/regional/test_queries_and_a11y.py and "
                 "tests/web/test_query_counts.py check they do not grow with towns, sections or answers."])


if __name__ == "__main__":
    main()
