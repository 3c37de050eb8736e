"""A town's assessment for one yearly cycle, and its answers (one row per question, versioned)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from muni_assess.extensions import db
from muni_assess.models._base import utcnow
from muni_assess.models.org import Town
from muni_assess.models.user import User

IN_PROGRESS = "in_progress"
SUBMITTED = "submitted"


class Assessment(db.Model):
    __tablename__ = "assessment"
    __table_args__ = (UniqueConstraint("town_id", "cycle"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    town_id: Mapped[int] = mapped_column(ForeignKey("town.id"), index=True)
    cycle: Mapped[int] = mapped_column(index=True)
    question_set_id: Mapped[str] = mapped_column(String(60))
    question_set_version: Mapped[int]
    content_sha256: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(20), default=IN_PROGRESS)
    started_from_cycle: Mapped[int | None]
    last_section_id: Mapped[str | None] = mapped_column(String(60))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[dt.datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    town: Mapped[Town] = relationship()
    answers: Mapped[list[Answer]] = relationship(back_populates="assessment", cascade="all, delete-orphan")
    submitted_by: Mapped[User | None] = relationship(foreign_keys=[submitted_by_id])

    @property
    def is_submitted(self) -> bool:
        return self.status == SUBMITTED


class Answer(db.Model):
    __tablename__ = "answer"
    __table_args__ = (UniqueConstraint("assessment_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessment.id", ondelete="CASCADE"), index=True)
    question_id: Mapped[str] = mapped_column(String(80))
    value: Mapped[object | None] = mapped_column(JSON)
    note: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    assessment: Mapped[Assessment] = relationship(back_populates="answers")
    updated_by: Mapped[User | None] = relationship()

    # Optimistic concurrency: every UPDATE says "WHERE version = the version I read" and bumps it, so two
    # people saving the same answer at once can never silently overwrite each other.
    __mapper_args__ = {"version_id_col": version}
