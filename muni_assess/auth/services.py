"""Use cases for accounts: sign-in checks and user creation (two-step verification: mfa.py; invitations and
password resets: links.py)."""
from __future__ import annotations

from sqlalchemy import func, select

from muni_assess import audit
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
        # The e-mail tried, never the password. The caller commits (so the event survives a failed sign-in).
        audit.record("auth.sign_in_failed", user=user, detail={"email": email.strip().lower()[:254]})
        return None
    return user


def signed_in(user: User, method: str = "password") -> None:
    """Record a completed sign-in (after the second step, when the user has one)."""
    user.last_login_at = utcnow()
    audit.record("auth.sign_in", user=user, detail={"method": method})


def sign_out_everywhere(user: User) -> None:
    """End every session of this user on every device (their session epoch moves on)."""
    user.session_epoch = (user.session_epoch or 0) + 1
    audit.record("auth.sign_out_everywhere", user=user)


def set_password(user: User, password: str) -> None:
    """Set a new password (checked against the rules) and end the user's other sessions."""
    if problem := password_problem(password, _context(user.email)):
        raise AccountError(problem)
    user.password_hash = hash_password(password)
    user.password_changed_at = utcnow()
    user.session_epoch = (user.session_epoch or 0) + 1


def change_password(user: User, current: str, new: str) -> None:
    if not verify_password(user.password_hash, current):
        raise AccountError("Your current password is not right.")
    set_password(user, new)
    audit.record("password.changed", user=user)


def _context(email: str) -> tuple[str, ...]:
    """Context-specific words a password must not be little more than (NIST SP 800-63B)."""
    email = email.strip().lower()
    return (email, email.split("@", 1)[0])


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
    if problem := password_problem(password, _context(email)):
        raise AccountError(problem)
    user = User(email=email, role=role, name=name, password_hash=hash_password(password), password_changed_at=utcnow())
    _assign_scope(user, town, region, state)
    db.session.add(user)
    db.session.flush()
    audit.record("user.created", town=user.town, region=user.region,
                 detail={"account": email, "role": role})  # by the signed-in user, or none (command line)
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
