"""Accounts administration: invitations (admins, and COG analysts for their towns' editors), users and roles
(admins), and the audit trail (each role sees the events of what it may see)."""
from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from muni_assess.admin import views  # noqa: E402,F401
