"""Region pages: the list of regions, a region's dashboard (COG and state staff), the statewide view (state
staff), and their XLSX / CSV / PDF exports."""
from io import BytesIO

from flask import abort, current_app, render_template, request, send_file
from flask_login import current_user, login_required

from muni_assess import access
from muni_assess.extensions import db
from muni_assess.regional import bp, exporting, pages, services
from muni_assess.regional.forms import FilterForm


def _cycle() -> int:
    cycle = request.args.get("cycle", type=int) or current_app.config["CURRENT_CYCLE"]
    if not 2000 <= cycle <= current_app.config["CURRENT_CYCLE"] + 1:
        abort(404)
    return cycle


def _filters(state: str) -> tuple[FilterForm, services.Filters, list[str]]:
    form = FilterForm.build(request.args, services.band_choices(), services.sections_for(state))
    problems = form.problems()
    return form, services.Filters(form.band.data or None, form.section.data or None), problems


def _bad_export(fmt: str, scope: str):
    """A clear 400 page for an export format or table that does not exist (nothing is computed)."""
    try:
        exporting.check(fmt, request.args.get("table"), scope)
    except exporting.ExportError as exc:
        return render_template("errors/error.html", code=400, title="That download does not exist",
                               text=str(exc)), 400
    return None


def _download(data: bytes, mimetype: str, filename: str):
    response = send_file(BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=filename)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/")
@login_required
def regions():
    regions = [r for r in access.visible_regions(current_user) if r.state == current_app.config["STATE"]]
    if not regions:
        abort(404)
    cycle = _cycle()
    return render_template("regional/regions.html", regions=regions, cycle=cycle,
                           counts=services.region_counts(cycle, current_app.config["STATE"]),
                           statewide=access.can_view_state(current_user))


@bp.route("/<code>/")
@login_required
def region(code: str):
    region = access.require_region(current_user, code)
    cycle = _cycle()
    form, filters, problems = _filters(region.state)
    picture = services.region_picture(region, cycle, filters)
    db.session.commit()  # the score cache may have been brought up to date
    return render_template("regional/region.html", region=region, picture=picture, form=form, problems=problems,
                           **pages.context(picture))


@bp.route("/<code>/export.<fmt>")
@login_required
def region_export(code: str, fmt: str):
    region = access.require_region(current_user, code)
    cycle = _cycle()
    if bad := _bad_export(fmt, "region"):
        return bad
    _form, filters, _problems = _filters(region.state)
    picture = services.region_picture(region, cycle, filters)
    data, mimetype, filename = exporting.export(picture, fmt, request.args.get("table"), region.code)
    exporting.audit(fmt, picture, region=region)
    db.session.commit()
    return _download(data, mimetype, filename)


@bp.route("/statewide/")
@login_required
def statewide():
    access.require_state(current_user)
    cycle = _cycle()
    form, filters, problems = _filters(current_app.config["STATE"])
    picture = services.state_picture(current_app.config["STATE"], cycle, filters)
    db.session.commit()
    return render_template("regional/statewide.html", picture=picture, form=form, problems=problems,
                           **pages.context(picture))


@bp.route("/statewide/export.<fmt>")
@login_required
def statewide_export(fmt: str):
    access.require_state(current_user)
    cycle = _cycle()
    if bad := _bad_export(fmt, "state"):
        return bad
    _form, filters, _problems = _filters(current_app.config["STATE"])
    picture = services.state_picture(current_app.config["STATE"], cycle, filters)
    data, mimetype, filename = exporting.export(picture, fmt, request.args.get("table"),
                                                current_app.config["STATE"])
    exporting.audit(fmt, picture)
    db.session.commit()
    return _download(data, mimetype, filename)
