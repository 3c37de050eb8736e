"""Time the roadmap: one complete town (planning and PDF), and a batch for all 169 Connecticut towns.

Run by hand (`make bench`); figures go in the closing note, not in tests. Uses a throwaway SQLite file in which
every town has a complete, randomly answered assessment.

    .venv/bin/python bench/roadmap_bench.py [--repeat 15] [--jobs N]

Aims (issue #3): under 0.3 s per roadmap and under 30 s for the 169-town batch on a 2-core machine.
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
from pathlib import Path

CYCLE = 2026


def build(db_path: Path):
    from muni_assess import contentstore, create_app
    from muni_assess.dbsetup import migrate_to_latest
    from muni_assess.demo import demo_answers
    from muni_assess.extensions import db
    from muni_assess.models import Answer, Assessment, Town
    from muni_assess.seed import seed_reference

    app = create_app({"SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{db_path}", "STATE": "CT",
                      "CURRENT_CYCLE": CYCLE})
    with app.app_context():
        migrate_to_latest()
        seed_reference("CT")
        qs = contentstore.current_set()
        rng = random.Random(7)
        for town in db.session.scalars(db.select(Town).order_by(Town.name)):
            answers = demo_answers(qs, "CT", rng.uniform(0.2, 0.9), rng)
            a = Assessment(town=town, cycle=CYCLE, question_set_id=qs.id, question_set_version=qs.version,
                           content_sha256=qs.sha256, status="submitted")
            a.answers = [Answer(question_id=k, value=v, note="") for k, v in answers.items()]
            db.session.add(a)
        db.session.commit()
    return app


def timed(fn, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--batch-repeat", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=os.cpu_count())
    args = parser.parse_args()

    from muni_assess.documents.roadmap_pdf import roadmap_pdf
    from muni_assess.extensions import db
    from muni_assess.models import Town
    from muni_assess.reports import batch, services

    with tempfile.TemporaryDirectory() as tmp:
        app = build(Path(tmp) / "bench.sqlite3")
        with app.app_context():
            town = db.session.scalar(db.select(Town).where(Town.name == "Bristol"))
            services.roadmap_document(town, CYCLE)  # warm-up: fonts, content cache
            data = services.roadmap_input(town, CYCLE)
            pages = len(__import__("pypdf").PdfReader(__import__("io").BytesIO(roadmap_pdf(data))).pages)
            plan = timed(lambda: services.roadmap_input(town, CYCLE), args.repeat)
            render = timed(lambda: roadmap_pdf(data), args.repeat)
            whole = timed(lambda: services.roadmap_document(town, CYCLE), args.repeat)
            ids = list(db.session.scalars(db.select(Town.id).order_by(Town.name)))
            runs = []
            for n in range(args.batch_repeat):
                out = Path(tmp) / f"batch{n}"
                runs += timed(lambda out=out: batch.write_region_roadmaps(ids, CYCLE, str(out), args.jobs,
                                                                         progress=lambda _n: None), 1)
                assert len(list(out.iterdir())) == len(ids)
            db.engine.dispose()

    print(f"machine: {os.cpu_count()} cores; one complete roadmap for Bristol ({len(data.roadmap.items)} actions, "
          f"{pages} pages)")
    print(f"  load + plan      median {statistics.median(plan) * 1000:7.1f} ms  (n={args.repeat})")
    print(f"  PDF render       median {statistics.median(render) * 1000:7.1f} ms")
    print(f"  whole roadmap    median {statistics.median(whole) * 1000:7.1f} ms   aim < 300 ms")
    print(f"batch of {len(ids)} towns, {args.jobs} processes: median {statistics.median(runs):.1f} s "
          f"(runs: {', '.join(f'{r:.1f}' for r in runs)})   aim < 30 s")


if __name__ == "__main__":
    main()
