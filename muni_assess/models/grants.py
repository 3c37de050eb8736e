"""Grant-application drafts a town saves and edits, and admin-edited facts of grant programs."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from muni_assess.extensions import db
from muni_assess.models._base import utcnow
from muni_assess.models.org import Town
from muni_assess.models.user import User


class GrantDraft(db.Model):
    """One application draft: the program, the roadmap items it asks for, and its sections.

    `sections` maps a section id to {"text": what the user sees and edits, "generated": the text the app
    last wrote for it, "edited": whether the user changed it}. When the assessment changes, the app offers
    to refresh a section whose generated text would differ; it never overwrites the user's text on its own.
    """

    __tablename__ = "grant_draft"

    id: Mapped[int] = mapped_column(primary_key=True)
    town_id: Mapped[int] = mapped_column(ForeignKey("town.id"), index=True)
    cycle: Mapped[int]
    program_id: Mapped[str] = mapped_column(String(60))
    item_ids: Mapped[list] = mapped_column(JSON, default=list)
    sections: Mapped[dict] = mapped_column(JSON, default=dict)
    quotes: Mapped[dict] = mapped_column(JSON, default=dict)
    acknowledged_ineligible: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    version: Mapped[int] = mapped_column(default=1)

    town: Mapped[Town] = relationship()
    updated_by: Mapped[User | None] = relationship(foreign_keys=[updated_by_id])

    # A save based on a page older than the stored draft is refused rather than overwriting another edit.
    __mapper_args__ = {"version_id_col": version}


class GrantProgramFact(db.Model):
    """An administrator's correction of a changeable program fact (window, award cap, cost share)."""

    __tablename__ = "grant_program_fact"
    __table_args__ = (UniqueConstraint("program_id", "field"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[str] = mapped_column(String(60), index=True)
    field: Mapped[str] = mapped_column(String(40))
    value: Mapped[object] = mapped_column(JSON)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
