"""Accounts and roles. Who may see which town is decided in muni_assess/access.py, not here."""
from __future__ import annotations

import datetime as dt

from flask_login import UserMixin
from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from muni_assess.extensions import db
from muni_assess.models._base import utcnow
from muni_assess.models.org import Region, Town

ROLES = {
    "town_editor": "Town editor",
    "cog_analyst": "COG analyst",
    "state_analyst": "State analyst",
    "admin": "Administrator",
}


class User(UserMixin, db.Model):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20))
    town_id: Mapped[int | None] = mapped_column(ForeignKey("town.id"), index=True)
    region_id: Mapped[int | None] = mapped_column(ForeignKey("region.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[dt.datetime | None]
    # Security (migration 0004): TOTP two-step verification, recovery codes (hashes), sign-out everywhere.
    mfa_enabled: Mapped[bool] = mapped_column(default=False, server_default=sa_false())
    mfa_secret: Mapped[str | None] = mapped_column(String(64))
    mfa_last_counter: Mapped[int | None]  # the last TOTP time-step accepted: a code works only once
    mfa_recovery_hashes: Mapped[list | None] = mapped_column(JSON)
    password_changed_at: Mapped[dt.datetime | None]
    session_epoch: Mapped[int] = mapped_column(default=0, server_default="0")  # bumped by "sign out everywhere"

    town: Mapped[Town | None] = relationship()
    region: Mapped[Region | None] = relationship()

    @property
    def is_active(self) -> bool:  # Flask-Login: deactivated accounts cannot sign in
        return self.active

    @property
    def role_label(self) -> str:
        return ROLES.get(self.role, self.role)

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role}>"
