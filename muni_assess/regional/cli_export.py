"""`muni-assess export`: the same downloads as the pages, written to a file (the commit and audit are here)."""
from __future__ import annotations

from pathlib import Path

from flask import current_app
from sqlalchemy import func, select

from muni_assess.documents.files import write_private
from muni_assess.extensions import db
from muni_assess.models import Region
from muni_assess.regional import exporting, services
from muni_assess.regional.exporting import ExportError


def write(region_code: str | None, fmt: str, cycle: int, out: str) -> tuple[Path, str]:
    """Build the region's (or, with no code, the state's) export and write it with owner-only permissions."""
    state = current_app.config["STATE"]
    filters = services.Filters()
    if region_code:
        region = db.session.scalar(select(Region).where(func.upper(Region.code) == region_code.upper(),
                                                        Region.state == state))
        if region is None:
            raise ExportError(f"No region {region_code!r} in {state}.")
        picture = services.region_picture(region, cycle, filters)
    else:
        region = None
        picture = services.state_picture(state, cycle, filters)
    data, _mimetype, _name = exporting.export(picture, fmt, None, region.code if region else state)
    path = Path(out)
    if not path.parent.is_dir():
        raise ExportError(f"The folder {path.parent} does not exist.")
    write_private(path, data)  # security-sensitive: owner only
    exporting.audit(fmt, picture, region=region)
    db.session.commit()
    return path, f"{picture.towns} towns, {picture.assessed} submitted in {cycle}"
