"""State staff's Nutmeg Network funding work: saved scenarios, the per-facility cost model, equity scores."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from muni_assess.extensions import db
from muni_assess.models._base import utcnow


class FundingScenario(db.Model):
    """A named budget + weights + include-unknown choice; results are recomputed from current data."""

    __tablename__ = "funding_scenario"

    id: Mapped[int] = mapped_column(primary_key=True)
    state: Mapped[str] = mapped_column(String(2), index=True)
    name: Mapped[str] = mapped_column(String(120))
    budget: Mapped[int]
    weights: Mapped[dict] = mapped_column(JSON)
    include_unknown: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))

    __table_args__ = (db.UniqueConstraint("state", "name"),)


class FundingCostDefault(db.Model):
    """State staff's estimate of the one-time cost to connect one kind of facility (None: no estimate)."""

    __tablename__ = "funding_cost_default"

    facility: Mapped[str] = mapped_column(String(40), primary_key=True)
    state: Mapped[str] = mapped_column(String(2), primary_key=True)
    cost: Mapped[int | None]
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))


class EquityScore(db.Model):
    """One town's score from the last equity file state staff uploaded (the whole set is replaced)."""

    __tablename__ = "funding_equity_score"

    town_id: Mapped[int] = mapped_column(ForeignKey("town.id", ondelete="CASCADE"), primary_key=True)
    score: Mapped[float]
    source_name: Mapped[str] = mapped_column(String(200), default="")
    uploaded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
