"""A cache of each assessment's section scores and roadmap needs, so regional pages never re-score answers.

A row is valid while `source_updated_at` equals the assessment's `updated_at` (every save, submit and reopen
bumps it) and `content_key` matches the content and catalog it was computed with; anything else is recomputed
by `muni_assess.regional.scores.refresh` before a page reads it. Deleting an assessment deletes its rows.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Float, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from muni_assess.extensions import db


class RegionalScore(db.Model):
    __tablename__ = "regional_score"

    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessment.id", ondelete="CASCADE"), primary_key=True)
    section_id: Mapped[str] = mapped_column(String(60), primary_key=True)
    score: Mapped[float] = mapped_column(Float)
    tier: Mapped[str] = mapped_column(String(10))
    overall: Mapped[float] = mapped_column(Float)
    answered: Mapped[int]
    visible: Mapped[int]
    needs: Mapped[str] = mapped_column(Text, default="")
    source_updated_at: Mapped[dt.datetime]
    content_key: Mapped[str] = mapped_column(String(32))
