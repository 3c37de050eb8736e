"""The town assessment: dashboard, section pages, autosave, results, submit and reopen."""
from flask import Blueprint

bp = Blueprint("assess", __name__, url_prefix="/towns")

from muni_assess.assess import views  # noqa: E402,F401
