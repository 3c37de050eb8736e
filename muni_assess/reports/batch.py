"""Writing roadmap PDFs from the command line: one town, or every town of a region across processes."""
from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from muni_assess.documents.files import write_private
from muni_assess.extensions import db
from muni_assess.models import Region, Town
from muni_assess.reports import services


class BatchError(ValueError):
    """A user-facing reason the command cannot run."""


def _town(name: str) -> Town:
    town = db.session.scalar(select(Town).where(Town.name == name, Town.state == current_app.config["STATE"]))
    if town is None:
        raise BatchError(f"No town named {name!r} in {current_app.config['STATE']}. "
                         "Names are spelled as in the reference data.")
    return town


def write_town_roadmap(name: str, cycle: int, out: str) -> Path:
    """Write one town's roadmap to `out` (a .pdf path, or an existing folder)."""
    town = _town(name)
    path = Path(out)
    if path.is_dir():
        path = path / services.roadmap_filename(town, cycle)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_private(path, services.roadmap_document(town, cycle))
    return path


def region_town_ids(code: str) -> list[int]:
    region = db.session.scalar(select(Region).where(db.func.lower(Region.code) == code.lower()))
    if region is None:
        raise BatchError(f"No region {code!r}. Use a short id such as CRCOG or MAPC.")
    return list(db.session.scalars(select(Town.id).where(Town.region_id == region.id).order_by(Town.name)))


_WORKER_APP = None


def _init_worker(config: dict) -> None:
    """Each worker process builds its own app (and database connections) once."""
    global _WORKER_APP
    from muni_assess import create_app

    _WORKER_APP = create_app(config)


def _render(town_id: int, cycle: int, folder: str) -> str:
    with _WORKER_APP.app_context():
        town = db.session.get(Town, town_id)
        path = Path(folder) / services.roadmap_filename(town, cycle)
        pdf = services.roadmap_document(town, cycle)
        db.session.remove()
        write_private(path, pdf)
        return str(path)


def write_region_roadmaps(town_ids: list[int], cycle: int, out: str, jobs: int | None, progress) -> list[str]:
    """Render every town's roadmap into `out/`, one process per core, reporting progress per file."""
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    jobs = max(1, jobs or os.cpu_count() or 1)
    config = {k: current_app.config[k] for k in ("SECRET_KEY", "SQLALCHEMY_DATABASE_URI", "STATE", "CURRENT_CYCLE",
                                                 "QUESTIONNAIRE_DIR", "TESTING")}
    written = []
    # The caller's transaction ends here: on SQLite every transaction takes the write lock (BEGIN IMMEDIATE), and
    # the renderers, in this process or others, open their own sessions.
    db.session.remove()
    if jobs == 1:
        _init_worker(config)
        for town_id in town_ids:
            written.append(_render(town_id, cycle, str(folder)))
            progress(1)
        return written
    db.engine.dispose()  # forked workers must not inherit (and later close) the parent's pooled connections
    with ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker, initargs=(config,)) as pool:
        futures = [pool.submit(_render, town_id, cycle, str(folder)) for town_id in town_ids]
        for future in as_completed(futures):
            written.append(future.result())
            progress(1)
    return sorted(written)
