"""SQLAlchemy 2 typed models, one module per aggregate."""
from muni_assess.models.account import Invitation, PasswordResetToken
from muni_assess.models.assessment import Answer, Assessment
from muni_assess.models.audit import AuditEvent
from muni_assess.models.funding import EquityScore, FundingCostDefault, FundingScenario
from muni_assess.models.grants import GrantDraft, GrantProgramFact
from muni_assess.models.org import Region, Town
from muni_assess.models.user import ROLES, User

__all__ = ["Answer", "Assessment", "GrantDraft", "GrantProgramFact", "Region", "Town", "User", "ROLES", "AuditEvent",
           "Invitation",
           "PasswordResetToken", "FundingScenario", "FundingCostDefault", "EquityScore"]
