"""Who may see or change which town and region: the one place this is decided.

Every view that touches a town or region calls one of the `require_*` helpers, which answer 404 (not 403)
for a town the user may not see, so that a URL does not even confirm which towns have data.
"""
from __future__ import annotations

from flask import abort
from sqlalchemy import select

from muni_assess.extensions import db
from muni_assess.models import Region, Town, User

ALL_TOWNS_ROLES = ("state_analyst", "admin")


def can_view_town(user: User, town: Town) -> bool:
    """State analysts and admins see every town; a COG analyst their region's; a town editor their own."""
    if not user.is_authenticated:
        return False
    if user.role in ALL_TOWNS_ROLES:
        return True
    if user.role == "cog_analyst":
        return user.region_id is not None and town.region_id == user.region_id
    return user.role == "town_editor" and user.town_id == town.id


def can_edit_answers(user: User, town: Town) -> bool:
    """Answers are changed by the town's own editors (and admins); analysts read them."""
    return can_view_town(user, town) and user.role in ("town_editor", "admin")


def can_reopen(user: User, town: Town) -> bool:
    """A submitted assessment is reopened by the COG or the state, not by the town itself."""
    return can_view_town(user, town) and user.role in ("cog_analyst", "state_analyst", "admin")


def can_prioritize_funding(user: User) -> bool:
    """Nutmeg Network funding priorities (every town's gaps side by side) are for state staff only."""
    return bool(user.is_authenticated) and user.role in ALL_TOWNS_ROLES


def can_view_region(user: User, region: Region) -> bool:
    if not user.is_authenticated:
        return False
    return user.role in ALL_TOWNS_ROLES or (user.role == "cog_analyst" and user.region_id == region.id)


def visible_regions(user: User) -> list[Region]:
    """The regions a user may open, for navigation."""
    query = select(Region).order_by(Region.name)
    if user.role not in ALL_TOWNS_ROLES:
        query = query.where(Region.id == (user.region_id if user.role == "cog_analyst" else -1))
    return list(db.session.scalars(query))


def require_town(user: User, town_id: int) -> Town:
    """The town, or 404 when it does not exist or the user may not see it."""
    town = db.session.get(Town, town_id)
    if town is None or not can_view_town(user, town):
        abort(404)
    return town


def require_region(user: User, code: str) -> Region:
    region = db.session.scalar(select(Region).where(Region.code == code))
    if region is None or not can_view_region(user, region):
        abort(404)
    return region


def can_view_state(user: User) -> bool:
    """The statewide picture (every region side by side) is for state analysts and admins only."""
    return user.is_authenticated and user.role in ALL_TOWNS_ROLES


def require_state(user: User) -> None:
    """404 for anyone who may not see the statewide picture (the page's existence is not confirmed)."""
    if not can_view_state(user):
        abort(404)


def require(allowed: bool) -> None:
    """403 for an action on a town the user can see but may not change."""
    if not allowed:
        abort(403)


# --- accounts and the audit trail (issue 7) --------------------------------------------------------------

def invitable_roles(user: User) -> tuple[str, ...]:
    """Admins invite any role; a COG analyst invites editors for their region's towns; others invite nobody."""
    if not user.is_authenticated:
        return ()
    if user.role == "admin":
        return ("town_editor", "cog_analyst", "state_analyst", "admin")
    if user.role == "cog_analyst" and user.region_id is not None:
        return ("town_editor",)
    return ()


def invitable_towns(user: User) -> list[Town]:
    """The towns a user may invite editors for."""
    if "town_editor" not in invitable_roles(user):
        return []
    query = select(Town).order_by(Town.name)
    if user.role != "admin":
        query = query.where(Town.region_id == user.region_id)
    return list(db.session.scalars(query))


def can_invite(user: User, role: str, town: Town | None = None) -> bool:
    if role not in invitable_roles(user):
        return False
    if user.role == "admin":
        return True
    return role == "town_editor" and town is not None and town.region_id == user.region_id


def can_manage_users(user: User) -> bool:
    """Changing roles, deactivating accounts, resetting two-step verification: administrators only."""
    return user.is_authenticated and user.role == "admin"


def audit_scope(user: User):
    """A WHERE clause limiting audit events to what the user may read, or None when they may read none.

    Admins read everything; a town editor their town's events; a COG analyst the events of their region's
    towns (and of the region itself); a state analyst the town events of every town (not account events).
    """
    from muni_assess.models import AuditEvent

    if not user.is_authenticated:
        return None
    if user.role == "admin":
        return AuditEvent.id.isnot(None)
    if user.role == "state_analyst":
        return AuditEvent.town_id.isnot(None)
    if user.role == "cog_analyst" and user.region_id is not None:
        return AuditEvent.region_id == user.region_id
    if user.role == "town_editor" and user.town_id is not None:
        return AuditEvent.town_id == user.town_id
    return None


def require_audit_scope(user: User):
    """The audit WHERE clause for the user, or 404 when they may read no audit events."""
    scope = audit_scope(user)
    if scope is None:
        abort(404)
    return scope


def require_manage_users(user: User) -> None:
    if not can_manage_users(user):
        abort(404)
