"""Seeding use cases: reference data (regions and towns) for the deployment's state. Idempotent."""
from __future__ import annotations

from sqlalchemy import select

from muni_assess import reference
from muni_assess.extensions import db
from muni_assess.models import Region, Town


def seed_reference(state: str) -> tuple[int, int]:
    """Insert or update the state's regions and towns; returns (regions, towns) now present."""
    regions = {r.code: r for r in db.session.scalars(select(Region).where(Region.state == state))}
    for code, name in reference.REGION_NAMES[state].items():
        region = regions.get(code) or Region(code=code, state=state)
        region.name = name
        db.session.add(region)
        regions[code] = region
    db.session.flush()
    existing = {t.fips: t for t in db.session.scalars(select(Town).where(Town.state == state))}
    records = reference.towns(state)
    for rec in records:
        town = existing.get(rec.fips) or Town(fips=rec.fips, state=state)
        town.name, town.county, town.population = rec.name, rec.county, rec.population
        town.region = regions[rec.region_code]
        db.session.add(town)
    db.session.flush()
    return len(regions), len(records)
