"""Use cases for accounts: sign-in checks and user creation."""
from __future__ import annotations

from sqlalchemy import func, select

from muni_assess.extensions import db
from muni_assess.models import ROLES, Region, Town, User
from muni_assess.models._base import utcnow
from muni_assess.passwords import hash_password, password_problem, verify_password


class AccountError(ValueError):
    """A user-facing reason an account could not be created."""


def authenticate(email: str, password: str) -> User | None:
    """The active user with this email and password, or None (same answer and cost for every failure)."""
    user = db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
    ok = verify_password(user.password_hash if user else None, password)
    if not (ok and user and user.active):
        return None
    user.last_login_at = utcnow()
    return user


def create_user(email: str, role: str, password: str, *, town: str | None = None, region: str | None = None,
                state: str = "CT", name: str = "") -> User:
    """Create an account after checking the role's scope (a town editor needs a town, a COG analyst a region)."""
    email = email.strip().lower()
    if role not in ROLES:
        raise AccountError(f"Role must be one of: {', '.join(ROLES)}.")
    if "@" not in email:
        raise AccountError("Give a valid email address.")
    if db.session.scalar(select(User).where(User.email == email)):
        raise AccountError(f"An account for {email} already exists.")
    if problem := password_problem(password):
        raise AccountError(problem)
    user = User(email=email, role=role, name=name, password_hash=hash_password(password))
    _assign_scope(user, town, region, state)
    db.session.add(user)
    db.session.flush()
    return user


def _assign_scope(user: User, town: str | None, region: str | None, state: str) -> None:
    """A town editor belongs to a town and a COG analyst to a region; others see by role alone."""
    if user.role == "town_editor":
        if not town:
            raise AccountError("A town editor needs --town (the town's name as in the reference data).")
        user.town = db.session.scalar(select(Town).where(Town.name == town, Town.state == state))
        if user.town is None:
            raise AccountError(f"No town named {town!r} in {state}. Names are spelled as in the reference data.")
    elif user.role == "cog_analyst":
        if not region:
            raise AccountError("A COG analyst needs --region (the region's short id, e.g. CRCOG).")
        user.region = db.session.scalar(select(Region).where(func.lower(Region.code) == region.lower()))
        if user.region is None:
            raise AccountError(f"No region {region!r}. Use a short id such as CRCOG or MAPC.")
