"""Regions and their member towns, for COG and state staff."""
from flask import Blueprint

bp = Blueprint("regional", __name__, url_prefix="/regions")

from muni_assess.regional import views  # noqa: E402,F401
