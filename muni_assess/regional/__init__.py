"""Regions and their member towns, for COG and state staff: dashboards, the statewide view, exports."""
from flask import Blueprint

from muni_assess.documents.exports import cell_text, cell_value

bp = Blueprint("regional", __name__, url_prefix="/regions")


@bp.app_template_filter("cell_text")
def _cell_text(value):
    return cell_text(value)


@bp.app_template_filter("sort_key")
def _sort_key(value):
    """What a sortable column sorts on: the number itself, or the text (blanks sort first)."""
    value = cell_value(value)
    if value is None:
        return ""
    return value if isinstance(value, (int, float)) else cell_text(value)


from muni_assess.regional import models, views  # noqa: E402,F401
