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


def require(allowed: bool) -> None:
    """403 for an action on a town the user can see but may not change."""
    if not allowed:
        abort(403)
