"""Use cases of the accounts administration: audit trail queries, role and status changes."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from muni_assess import audit
from muni_assess.auth import mfa
from muni_assess.auth.services import AccountError
from muni_assess.extensions import db
from muni_assess.models import ROLES, AuditEvent, Invitation, Region, Town, User

PAGE_SIZE = 50


@dataclass
class AuditPage:
    events: list[AuditEvent]
    page: int
    pages: int
    total: int


def audit_events(scope, *, town_id: int | None = None, action: str | None = None, page: int = 1) -> AuditPage:
    """Events the scope allows, newest first, optionally for one town and one action."""
    query = select(AuditEvent).where(scope)
    if town_id:
        query = query.where(AuditEvent.town_id == town_id)
    if action:
        query = query.where(AuditEvent.action == action)
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(1, page), pages)
    events = list(db.session.scalars(query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
                                     .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)))
    return AuditPage(events, page, pages, total)


def audit_actions(scope) -> dict[str, str]:
    """Known actions, plus any other action recorded in the scope (features add their own), with labels."""
    seen = db.session.scalars(select(AuditEvent.action).where(scope).distinct())
    return {**audit.ACTION_LABELS, **{a: audit.label(a) for a in sorted(seen) if a not in audit.ACTION_LABELS}}


def audit_towns(scope) -> list[Town]:
    """Towns that appear in the events the scope allows (for the filter)."""
    ids = select(AuditEvent.town_id).where(scope, AuditEvent.town_id.isnot(None)).distinct()
    return list(db.session.scalars(select(Town).where(Town.id.in_(ids)).order_by(Town.name)))


def open_invitations(user: User) -> list[Invitation]:
    """Invitations still waiting: all of them for an admin, one's own for a COG analyst."""
    query = select(Invitation).where(Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None))
    if user.role != "admin":
        query = query.where(Invitation.invited_by_id == user.id)
    return list(db.session.scalars(query.order_by(Invitation.created_at.desc()).limit(200)))


def all_users() -> list[User]:
    return list(db.session.scalars(select(User).order_by(User.role, User.email)))


def update_user(admin: User, user: User, role: str, town_id: int | None, region_id: int | None,
                active: bool) -> None:
    """Change a user's role, scope or status; every change is audited and ends the user's sessions."""
    if role not in ROLES:
        raise AccountError("Choose a role.")
    town = db.session.get(Town, town_id) if town_id else None
    region = db.session.get(Region, region_id) if region_id else None
    if role == "town_editor" and town is None:
        raise AccountError("A town editor needs a town.")
    if role == "cog_analyst" and region is None:
        raise AccountError("A COG analyst needs a region.")
    if user.id == admin.id and (role != "admin" or not active):
        raise AccountError("You cannot remove your own administrator role or deactivate yourself.")
    before = {"role": user.role, "town_id": user.town_id, "region_id": user.region_id}
    user.role = role
    user.town_id = town.id if role == "town_editor" else None
    user.region_id = region.id if role == "cog_analyst" else None
    after = {"role": user.role, "town_id": user.town_id, "region_id": user.region_id}
    changed = False
    if before != after:
        audit.record("user.role_change", user=admin, town=user.town_id, region=user.region_id,
                     detail={"account": user.email, "old": before, "new": after})
        changed = True
    if user.active != active:
        user.active = active
        audit.record("user.activated" if active else "user.deactivated", user=admin, detail={"account": user.email})
        changed = True
    if changed:
        user.session_epoch = (user.session_epoch or 0) + 1  # new rights apply from the next sign-in


def reset_mfa(admin: User, user: User) -> None:
    """For a user who lost their authenticator and recovery codes (after checking who they are)."""
    mfa.reset(user)
    user.session_epoch = (user.session_epoch or 0) + 1
    audit.record("mfa.disabled", user=admin, detail={"account": user.email, "by_admin": True})
