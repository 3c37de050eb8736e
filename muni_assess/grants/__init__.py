"""Grant readiness, matching programs and application drafts for a town; program facts for administrators."""
from flask import Blueprint

bp = Blueprint("grants", __name__)

from muni_assess.grants import views  # noqa: E402,F401
