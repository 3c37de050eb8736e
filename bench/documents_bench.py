"""Documents: median time for one complete roadmap PDF, one grant DOCX and one regional XLSX, and the roadmap
batch for all 169 Connecticut towns with one process per core. Run by hand (`make bench`); prints one table.

Every town has a complete, randomly answered, submitted assessment (answers generated from the questionnaire
itself, so they are valid). The database is a throwaway PostgreSQL database beside DATABASE_URL when that is
set (what `make bench` does), otherwise a throwaway SQLite file.

    .venv/bin/python bench/documents_bench.py [--repeat 15] [--batch-repeat 3] [--jobs N] [--sqlite]

Aims: under 0.3 s per roadmap and under 30 s for the 169-town batch on a 2-core machine (issue 3). The grant
DOCX (same town) and the regional XLSX (the largest region) have no aim of their own.
"""
from __future__ import annotations

import argparse
import contextlib
import io
import os
import random
import tempfile
from pathlib import Path

from benchlib import median, migrated_app, print_table, throwaway_postgres, timed, verdict

CYCLE = 2026
TOWN, REGION, PROGRAM = "Bristol", "CRCOG", "slcgp"  # CRCOG: the largest Connecticut region (38 towns)


def build(url: str):
    """Migrate, seed CT, and give every town a complete, submitted assessment."""
    from muni_assess import contentstore
    from muni_assess.demo import demo_answers
    from muni_assess.extensions import db
    from muni_assess.models import Answer, Assessment, Town
    from muni_assess.seed import seed_reference

    app = migrated_app({"SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": url, "STATE": "CT", "CURRENT_CYCLE": CYCLE})
    with app.app_context():
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


def measure(app, args, tmp: Path) -> tuple[list[list[object]], dict]:
    from pypdf import PdfReader

    from muni_assess.documents.grant_docs import grant_docx
    from muni_assess.documents.roadmap_pdf import roadmap_pdf
    from muni_assess.extensions import db
    from muni_assess.grants import services as grants
    from muni_assess.models import Region, Town
    from muni_assess.regional import exporting
    from muni_assess.regional import services as regional
    from muni_assess.reports import batch, services

    with app.app_context():
        town = db.session.scalar(db.select(Town).where(Town.name == TOWN))
        region = db.session.scalar(db.select(Region).where(Region.code == REGION))
        # warm-up: fonts, content, the regional score cache (filled by the first regional view)
        data = services.roadmap_input(town, CYCLE)
        pdf = roadmap_pdf(data)
        docx = grant_docx(grants.fresh_document(town, CYCLE, PROGRAM, None))
        xlsx = exporting.export(regional.region_picture(region, CYCLE, regional.Filters()), "xlsx", None, REGION)[0]
        db.session.commit()
        facts = {"actions": len(data.roadmap.items), "pages": len(PdfReader(io.BytesIO(pdf)).pages),
                 "docx_kb": len(docx) // 1024, "xlsx_kb": len(xlsx) // 1024,
                 "region_towns": len(region.towns)}
        plan = timed(lambda: services.roadmap_input(town, CYCLE), args.repeat)
        render = timed(lambda: roadmap_pdf(data), args.repeat)
        whole = timed(lambda: services.roadmap_document(town, CYCLE), args.repeat)
        draft = timed(lambda: grant_docx(grants.fresh_document(town, CYCLE, PROGRAM, None)), args.repeat)
        sheet = timed(lambda: exporting.export(regional.region_picture(region, CYCLE, regional.Filters()), "xlsx",
                                               None, REGION), args.repeat)
        db.session.rollback()
        ids = list(db.session.scalars(db.select(Town.id).order_by(Town.name)))
        runs = []
        for n in range(args.batch_repeat):
            out = tmp / f"batch{n}"
            runs += timed(lambda out=out: batch.write_region_roadmaps(ids, CYCLE, str(out), args.jobs,
                                                                     progress=lambda _n: None), 1)
            assert len(list(out.iterdir())) == len(ids)
        db.engine.dispose()
    rows = [
        [f"roadmap PDF, {TOWN}: load + plan", f"{median(plan) * 1000:.0f} ms", args.repeat, "", ""],
        [f"roadmap PDF, {TOWN}: render ({facts['pages']} pages, {facts['actions']} actions)",
         f"{median(render) * 1000:.0f} ms", args.repeat, "", ""],
        [f"roadmap PDF, {TOWN}: whole", f"{median(whole) * 1000:.0f} ms", args.repeat, "< 300 ms",
         verdict(median(whole), 0.3)],
        [f"grant DOCX, {TOWN}, {PROGRAM} with every fundable action ({facts['docx_kb']} kB)",
         f"{median(draft) * 1000:.0f} ms", args.repeat, "", ""],
        [f"regional XLSX, {REGION} ({facts['region_towns']} towns, {facts['xlsx_kb']} kB)",
         f"{median(sheet) * 1000:.0f} ms", args.repeat, "", ""],
        [f"roadmap batch, {len(ids)} towns, {args.jobs} processes", f"{median(runs):.1f} s", args.batch_repeat,
         "< 30 s", verdict(median(runs), 30)],
    ]
    return rows, facts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--batch-repeat", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=os.cpu_count())
    parser.add_argument("--sqlite", action="store_true", help="use a throwaway SQLite file even with DATABASE_URL")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="documents_bench_") as tmp_name:
        tmp = Path(tmp_name)
        if os.environ.get("DATABASE_URL") and not args.sqlite:
            database = throwaway_postgres(os.environ["DATABASE_URL"], "muni_bench_docs")
            engine = "PostgreSQL"
        else:
            database = contextlib.nullcontext(f"sqlite:///{tmp / 'bench.sqlite3'}")
            engine = "SQLite"
        with database as url:
            rows, _facts = measure(build(url), args, tmp)
    print_table(f"Documents ({engine}; medians of the runs shown)", ["document", "median", "runs", "aim", ""], rows,
                ["Whole roadmap = read the assessment, plan, render the PDF (what the download does).",
                 "Batch = `muni-assess roadmap --region`: every town's PDF written to a folder, one process per core."])


if __name__ == "__main__":
    main()
