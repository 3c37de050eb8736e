"""The landing route that sends each role to its home page."""
from flask import Blueprint

bp = Blueprint("main", __name__)

from muni_assess.main import views  # noqa: E402,F401
