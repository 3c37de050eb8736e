"""Documents a town takes away: the improvement roadmap PDF (grant drafts join later)."""
from flask import Blueprint

bp = Blueprint("reports", __name__, url_prefix="/towns")

from muni_assess.reports import views  # noqa: E402,F401
