"""Single-use, expiring links: invitations (which create an account) and password resets.

A link carries a random token (256 bits); only its SHA-256 hash is stored, so a copy of the database does not
hold usable links. Tokens are never logged nor put in the audit trail.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from flask import current_app, url_for
from sqlalchemy import func, select, update

from muni_assess import audit, mail
from muni_assess.auth.services import AccountError, create_user, set_password
from muni_assess.extensions import db
from muni_assess.models import ROLES, Invitation, PasswordResetToken, Region, Town, User
from muni_assess.models._base import utcnow


def _new_token() -> tuple[str, str]:
    token = secrets.token_urlsafe(32)
    return token, token_hash(token)


def token_hash(token: str) -> str:
    return hashlib.sha256((token or "").encode()).hexdigest()


def _naive(value: dt.datetime) -> dt.datetime:
    """Compare timestamps as naive UTC (SQLite returns naive, PostgreSQL 'timestamp' too)."""
    return value.replace(tzinfo=None) if value.tzinfo else value


def _now() -> dt.datetime:
    return _naive(utcnow())


def external_url(endpoint: str, **values) -> str:
    base = current_app.config.get("PUBLIC_URL")
    if base:
        return base.rstrip("/") + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)


# --- invitations ---------------------------------------------------------------------------------------

def issue_invitation(inviter: User, email: str, role: str, *, town: Town | None = None,
                     region: Region | None = None, name: str = "") -> tuple[Invitation, str]:
    """Create an invitation and e-mail its link; returns it with the link (shown once to the inviter).

    Who may invite whom is checked by the caller (access.can_invite); this checks the data itself.
    """
    email = email.strip().lower()
    if role not in ROLES:
        raise AccountError("Choose a role.")
    if role == "town_editor" and town is None:
        raise AccountError("A town editor needs a town.")
    if role == "cog_analyst" and region is None:
        raise AccountError("A COG analyst needs a region.")
    if db.session.scalar(select(User.id).where(func.lower(User.email) == email)):
        raise AccountError("An account with that e-mail address already exists.")
    # A new invitation replaces any open one for the same address.
    db.session.execute(update(Invitation).where(Invitation.email == email, Invitation.accepted_at.is_(None),
                                                Invitation.revoked_at.is_(None)).values(revoked_at=_now()))
    token, digest = _new_token()
    days = int(current_app.config["INVITATION_DAYS"])
    invitation = Invitation(token_hash=digest, email=email, name=name.strip(), role=role,
                            town_id=town.id if role == "town_editor" and town else None,
                            region_id=region.id if role == "cog_analyst" and region else None,
                            invited_by_id=inviter.id, created_at=_now(), expires_at=_now() + dt.timedelta(days=days))
    db.session.add(invitation)
    db.session.flush()
    audit.record("invitation.issued", user=inviter, town=town if role == "town_editor" else None,
                 region=region if role == "cog_analyst" else None,
                 detail={"email": email, "role": role, "invitation_id": invitation.id})
    link = external_url("auth.accept_invitation", token=token)
    mail.send(email, "You are invited to muni_assess",
              f"{inviter.name or inviter.email} invited you to muni_assess as {ROLES[role]}.\n\n"
              f"Choose your password here (the link works once, for {days} days):\n{link}\n\n"
              "If you did not expect this, ignore this message.")
    return invitation, link


def open_invitation(token: str) -> Invitation | None:
    """The invitation a link belongs to, while it is unused, unrevoked and unexpired."""
    inv = db.session.scalar(select(Invitation).where(Invitation.token_hash == token_hash(token)))
    if inv is None or inv.accepted_at or inv.revoked_at or _naive(inv.expires_at) < _now():
        return None
    return inv


def accept_invitation(token: str, password: str, name: str = "") -> User:
    inv = open_invitation(token)
    if inv is None:
        raise AccountError("This invitation link has expired or was already used. Ask for a new one.")
    town = db.session.get(Town, inv.town_id) if inv.town_id else None
    region = db.session.get(Region, inv.region_id) if inv.region_id else None
    user = create_user(inv.email, inv.role, password, town=town.name if town else None,
                       region=region.code if region else None, state=town.state if town else "CT",
                       name=(name or inv.name).strip()[:120])
    # Single use even under a double submit: only one request can flip accepted_at from NULL.
    done = db.session.execute(update(Invitation).where(Invitation.id == inv.id, Invitation.accepted_at.is_(None))
                              .values(accepted_at=_now(), user_id=user.id))
    if done.rowcount != 1:
        raise AccountError("This invitation link was already used.")
    audit.record("invitation.accepted", user=user, town=town, region=region,
                 detail={"invitation_id": inv.id, "role": inv.role})
    return user


def revoke_invitation(inv: Invitation, by: User) -> None:
    if inv.accepted_at is None and inv.revoked_at is None:
        inv.revoked_at = _now()
        audit.record("invitation.revoked", user=by, town=inv.town_id, region=inv.region_id,
                     detail={"email": inv.email, "invitation_id": inv.id})


# --- password reset ------------------------------------------------------------------------------------

def request_reset(email: str) -> None:
    """E-mail a reset link if an active account has this address. Says nothing either way (the page shows
    the same message whatever happens)."""
    user = db.session.scalar(select(User).where(func.lower(User.email) == (email or "").strip().lower()))
    if user is None or not user.active:
        return
    db.session.execute(update(PasswordResetToken).where(PasswordResetToken.user_id == user.id,
                                                         PasswordResetToken.used_at.is_(None))
                       .values(used_at=_now()))  # only the newest link works
    token, digest = _new_token()
    minutes = int(current_app.config["PASSWORD_RESET_MINUTES"])
    db.session.add(PasswordResetToken(token_hash=digest, user_id=user.id, created_at=_now(),
                                      expires_at=_now() + dt.timedelta(minutes=minutes)))
    audit.record("password.reset_requested", user=user)
    mail.send(user.email, "Reset your muni_assess password",
              f"Someone (hopefully you) asked to reset the password of {user.email} on muni_assess.\n\n"
              f"Choose a new password here (the link works once, for {minutes} minutes):\n"
              f"{external_url('auth.reset_password', token=token)}\n\n"
              "If you did not ask for this, ignore this message: your password stays as it is.")


def open_reset(token: str) -> PasswordResetToken | None:
    row = db.session.scalar(select(PasswordResetToken).where(PasswordResetToken.token_hash == token_hash(token)))
    if row is None or row.used_at or _naive(row.expires_at) < _now() or not row.user.active:
        return None
    return row


def complete_reset(token: str, password: str) -> User:
    row = open_reset(token)
    if row is None:
        raise AccountError("This reset link has expired or was already used. Ask for a new one.")
    set_password(row.user, password)  # raises AccountError for a weak password (link stays usable)
    done = db.session.execute(update(PasswordResetToken).where(PasswordResetToken.id == row.id,
                                                               PasswordResetToken.used_at.is_(None))
                              .values(used_at=_now()))
    if done.rowcount != 1:
        raise AccountError("This reset link was already used.")
    audit.record("password.reset", user=row.user)
    return row.user
