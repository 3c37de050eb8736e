"""SQLAlchemy 2 typed models, one module per aggregate."""
from muni_assess.models.assessment import Answer, Assessment
from muni_assess.models.org import Region, Town
from muni_assess.models.user import ROLES, User

__all__ = ["Answer", "Assessment", "Region", "Town", "User", "ROLES"]
