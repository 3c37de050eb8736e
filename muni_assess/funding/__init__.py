"""Nutmeg Network funding priorities under a budget: state staff only."""
from flask import Blueprint

bp = Blueprint("funding", __name__, url_prefix="/state/funding")

from muni_assess.funding import views  # noqa: E402,F401
