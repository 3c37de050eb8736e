"""Region pages: the list of regions (state staff) and one region's towns (COG and state staff)."""
from flask import abort, current_app, render_template, request
from flask_login import current_user, login_required

from muni_assess import access
from muni_assess.regional import bp, services


def _cycle() -> int:
    cycle = request.args.get("cycle", type=int) or current_app.config["CURRENT_CYCLE"]
    if not 2000 <= cycle <= current_app.config["CURRENT_CYCLE"] + 1:
        abort(404)
    return cycle


@bp.route("/")
@login_required
def regions():
    regions = [r for r in access.visible_regions(current_user) if r.state == current_app.config["STATE"]]
    if not regions:
        abort(404)
    cycle = _cycle()
    return render_template("regional/regions.html", regions=regions, cycle=cycle,
                           counts=services.region_counts(cycle, current_app.config["STATE"]))


@bp.route("/<code>/")
@login_required
def region(code: str):
    region = access.require_region(current_user, code)
    cycle = _cycle()
    return render_template("regional/region.html", region=region, cycle=cycle,
                           rows=services.region_towns(region, cycle), statuses=services.STATUS_LABELS)
