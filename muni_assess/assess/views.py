"""HTTP for the town assessment: parse, authorize through access.py, call one service, commit once, respond."""
from __future__ import annotations

from flask import abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from muni_assess import access
from muni_assess.assess import bp, pages, services
from muni_assess.assess.forms import build_section_form, submitted_answers
from muni_assess.documents import charts
from muni_assess.extensions import db
from muni_assess.regional import services as regional_services
from scoring.engine import AnswerError


def _town_and_assessment(town_id: int, cycle: int):
    """The town (404 unless the user may see it) and its assessment for the cycle (404 if none)."""
    town = access.require_town(current_user, town_id)
    if not 2000 <= cycle <= current_app.config["CURRENT_CYCLE"] + 1:
        abort(404)
    assessment = services.get_assessment(town, cycle)
    if assessment is None:
        abort(404)
    return town, assessment


@bp.route("/<int:town_id>/")
@login_required
def town_home(town_id: int):
    access.require_town(current_user, town_id)
    return redirect(url_for("assess.dashboard", town_id=town_id, cycle=current_app.config["CURRENT_CYCLE"]))


@bp.route("/<int:town_id>/<int:cycle>/")
@login_required
def dashboard(town_id: int, cycle: int):
    town = access.require_town(current_user, town_id)
    if not 2000 <= cycle <= current_app.config["CURRENT_CYCLE"] + 1:
        abort(404)
    board = services.dashboard(town, cycle, town.state)
    return render_template("assess/dashboard.html", board=board, can_edit=access.can_edit_answers(current_user, town),
                           can_reopen=access.can_reopen(current_user, town),
                           is_current=cycle == current_app.config["CURRENT_CYCLE"])


@bp.route("/<int:town_id>/<int:cycle>/start", methods=["POST"])
@login_required
def start(town_id: int, cycle: int):
    town = access.require_town(current_user, town_id)
    access.require(access.can_edit_answers(current_user, town) and cycle == current_app.config["CURRENT_CYCLE"])
    try:
        services.start(town, cycle, current_user, from_previous=request.form.get("from_previous") == "yes")
    except services.AssessmentStateError as exc:
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash(f"The {cycle} assessment for {town.name} is open.", "success")
    return redirect(url_for("assess.dashboard", town_id=town.id, cycle=cycle))


@bp.route("/<int:town_id>/<int:cycle>/sections/<section_id>", methods=["GET", "POST"])
@login_required
def section(town_id: int, cycle: int, section_id: str):
    town, assessment = _town_and_assessment(town_id, cycle)
    can_edit = access.can_edit_answers(current_user, town) and not assessment.is_submitted
    if request.method == "GET" and can_edit and services.has_section(assessment, town, section_id):
        # Commit before loading the page: a commit expires loaded rows, and re-loading them one by one while
        # rendering would cost one query per answer.
        if services.record_position(assessment, section_id):
            db.session.commit()
    page = pages.section_page(assessment, town, section_id)
    form = build_section_form(page.section)(data=page.form_data if request.method == "GET" else None)
    conflicts = []
    if request.method == "POST":
        access.require(access.can_edit_answers(current_user, town))
        if form.validate_on_submit():
            try:
                outcomes = services.save_section(assessment, page.section, submitted_answers(form, page.section),
                                                 current_user)
            except services.SectionErrors as exc:
                pages.attach_errors(form, exc.errors)
            except services.AssessmentStateError as exc:
                flash(str(exc), "error")
            else:
                db.session.commit()
                conflicts = [o for o in outcomes if o.status == "conflict"]
                if not conflicts:
                    flash(f"Saved “{page.section.title}”.", "success")
                    return redirect(page.next_url or url_for("assess.results", town_id=town.id, cycle=cycle))
                page = pages.section_page(assessment, town, section_id)
                form = build_section_form(page.section)(formdata=None, data=page.form_data)
    status = 400 if form.errors else (409 if conflicts else 200)
    return render_template("assess/section.html", page=page, form=form, can_edit=can_edit,
                           conflicts=conflicts), status


@bp.route("/<int:town_id>/<int:cycle>/answers/<question_id>", methods=["POST"])
@login_required
def save_answer(town_id: int, cycle: int, question_id: str):
    town, assessment = _town_and_assessment(town_id, cycle)
    access.require(access.can_edit_answers(current_user, town))
    wants_json = request.headers.get("X-Requested-With") == "fetch"
    try:
        question = services.find_question(services.question_set_of(assessment), question_id)
        raw = request.form.getlist("value") if question.type == "multi" else request.form.get("value")
        base = request.form.get("version", "0")
        result = services.save_answer(assessment, question, raw, request.form.get("note"),
                                      int(base) if base.isdigit() else -1, current_user)
    except (AnswerError, services.AssessmentStateError) as exc:
        code = 400 if isinstance(exc, AnswerError) else 409
        if wants_json:
            return jsonify(status="error", message=str(exc)), code
        flash(str(exc), "error")
        return redirect(pages.section_url_for_question(assessment, question_id) or request.referrer or "/")
    body = pages.save_response(result)  # before the commit expires the row: reading it back costs a query
    db.session.commit()
    if wants_json:
        return jsonify(body), (409 if result.status == "conflict" else 200)
    flash(body["message"], "error" if result.status == "conflict" else "success")
    return redirect(pages.section_url_for_question(assessment, question_id))


@bp.route("/<int:town_id>/<int:cycle>/results")
@login_required
def results(town_id: int, cycle: int):
    town, assessment = _town_and_assessment(town_id, cycle)
    result = services.results(assessment, town.state)
    peers = regional_services.peer_benchmarks(town, cycle)
    db.session.commit()  # the regional score cache may have been brought up to date
    return render_template("assess/results.html", town=town, assessment=assessment, result=result,
                           overview_svg=charts.section_scores_svg(result), charts=charts, peers=peers,
                           question_set=services.question_set_of(assessment),
                           can_edit=access.can_edit_answers(current_user, town),
                           can_reopen=access.can_reopen(current_user, town))


@bp.route("/<int:town_id>/<int:cycle>/submit", methods=["POST"])
@login_required
def submit(town_id: int, cycle: int):
    town, assessment = _town_and_assessment(town_id, cycle)
    access.require(access.can_edit_answers(current_user, town))
    try:
        services.submit(assessment, town.state, current_user)
    except services.AssessmentStateError as exc:
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash(f"Submitted. The {cycle} assessment for {town.name} is now locked.", "success")
    return redirect(url_for("assess.dashboard", town_id=town.id, cycle=cycle))


@bp.route("/<int:town_id>/<int:cycle>/reopen", methods=["POST"])
@login_required
def reopen(town_id: int, cycle: int):
    town, assessment = _town_and_assessment(town_id, cycle)
    access.require(access.can_reopen(current_user, town))
    try:
        services.reopen(assessment)
    except services.AssessmentStateError as exc:
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash(f"Reopened. {town.name} can change its {cycle} answers again.", "success")
    return redirect(url_for("assess.dashboard", town_id=town.id, cycle=cycle))
