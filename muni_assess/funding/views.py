"""Funding priorities pages, exports and brief: state analysts and admins only (others get 404)."""
from __future__ import annotations

from io import BytesIO

from flask import abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from muni_assess import access
from muni_assess.extensions import db, login_manager
from muni_assess.funding import bp, forms, pages, services
from scoring.funding import FundingInputError


@bp.before_request
def _state_staff_only():
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if not access.can_prioritize_funding(current_user):
        abort(404)  # the feature is not offered to towns or COGs; the URL confirms nothing
    return None


def _state() -> str:
    return current_app.config["STATE"]


def _cycle() -> int:
    return current_app.config["CURRENT_CYCLE"]


@bp.route("/")
def index():
    form, params, name = pages.scenario_from_request(_state())
    view = pages.result_page(_state(), _cycle(), params, name) if params else None
    return render_template("funding/index.html", form=form, view=view, save_form=pages.save_form(form),
                           saved=pages.saved_list(_state()), compare_form=pages.compare_form(_state()))


@bp.route("/scenarios", methods=["POST"])
def save():
    form = forms.SaveScenarioForm()
    if not form.validate_on_submit():
        flash("The scenario was not saved: " + pages.first_error(form), "error")
        return redirect(url_for(".index"))
    try:
        row = services.save_scenario(_state(), form.name.data, pages.params_of_form(form), current_user.id)
    except FundingInputError as exc:
        flash(str(exc), "error")
        return redirect(url_for(".index"))
    db.session.commit()
    flash(f"Saved the scenario “{row.name}”.", "success")
    return redirect(url_for(".index", scenario=row.id))


@bp.route("/scenarios/<int:scenario_id>/delete", methods=["POST"])
def delete(scenario_id: int):
    row = services.get_scenario(_state(), scenario_id) or abort(404)
    if forms.DeleteForm().validate_on_submit():
        services.delete_scenario(row)
        db.session.commit()
        flash(f"Deleted the scenario “{row.name}”.", "success")
    return redirect(url_for(".index"))


@bp.route("/compare")
def compare():
    form = pages.compare_form(_state(), request.args)
    if not form.validate() or form.a.data == form.b.data:
        flash("Choose two different saved scenarios to compare.", "error")
        return redirect(url_for(".index"))
    a, b = (services.get_scenario(_state(), i) or abort(404) for i in (form.a.data, form.b.data))
    return render_template("funding/compare.html", view=pages.comparison(_state(), _cycle(), a, b))


@bp.route("/costs", methods=["GET", "POST"])
def costs():
    form = forms.CostsForm()
    if form.validate_on_submit():
        services.save_cost_defaults(_state(), form.costs(), current_user.id)
        db.session.commit()
        flash("Cost defaults saved; candidates without their own figure now use them.", "success")
        return redirect(url_for(".costs"))
    if request.method == "GET":
        pages.fill_costs(form, services.cost_defaults(_state()))
    return render_template("funding/costs.html", form=form), 400 if form.errors else 200


@bp.route("/equity", methods=["GET", "POST"])
def equity():
    form, problems = forms.EquityForm(), []
    if form.validate_on_submit():
        upload = form.file.data
        count, problems = services.import_equity(_state(), upload.filename or "equity.csv", upload.read())
        if not problems:
            db.session.commit()
            flash(f"Imported equity scores for {count} towns.", "success")
            return redirect(url_for(".equity"))
        db.session.rollback()
    return render_template("funding/equity.html", form=form, problems=problems, clear_form=forms.ClearEquityForm(),
                           source=services.equity_source(_state()), scores=services.equity_scores(_state())), \
        400 if (problems or form.errors) else 200


@bp.route("/equity/clear", methods=["POST"])
def equity_clear():
    if forms.ClearEquityForm().validate_on_submit():
        services.clear_equity(_state())
        db.session.commit()
        flash("Equity scores removed; the equity factor is now 0 for every town.", "success")
    return redirect(url_for(".equity"))


def _download(data: bytes, mimetype: str, filename: str, action: str):
    pages.audit(action, filename)
    response = send_file(BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=filename)
    response.headers["Cache-Control"] = "no-store"  # towns' gaps: never kept in shared caches
    return response


@bp.route("/export.csv")
def export_csv():
    doc = pages.document(_state(), _cycle(), "csv")
    return _download(doc.data, "text/csv", doc.filename, "export.funding_csv")


@bp.route("/export.xlsx")
def export_xlsx():
    doc = pages.document(_state(), _cycle(), "xlsx")
    return _download(doc.data, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", doc.filename,
                     "export.funding_xlsx")


@bp.route("/brief.pdf")
def brief():
    doc = pages.document(_state(), _cycle(), "pdf")
    return _download(doc.data, "application/pdf", doc.filename, "export.funding_brief_pdf")


@bp.context_processor
def _labels():
    from scoring.funding import FACILITIES, FACTOR_LABELS, FACTORS

    return {"factors": FACTORS, "labels": FACTOR_LABELS, "facilities": FACILITIES, "explain": pages.EXPLAIN}
