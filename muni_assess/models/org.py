"""Regions (COGs / regional planning agencies) and towns: public reference data."""
from __future__ import annotations

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from muni_assess.extensions import db


class Region(db.Model):
    __tablename__ = "region"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    state: Mapped[str] = mapped_column(String(2), index=True)
    towns: Mapped[list[Town]] = relationship(back_populates="region", order_by="Town.name")

    def __repr__(self) -> str:
        return f"<Region {self.code}>"


class Town(db.Model):
    __tablename__ = "town"
    __table_args__ = (UniqueConstraint("state", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    state: Mapped[str] = mapped_column(String(2), index=True)
    county: Mapped[str] = mapped_column(String(60))
    population: Mapped[int]
    fips: Mapped[str] = mapped_column(String(10), unique=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id"), index=True)
    region: Mapped[Region] = relationship(back_populates="towns")

    def __repr__(self) -> str:
        return f"<Town {self.name}, {self.state}>"
