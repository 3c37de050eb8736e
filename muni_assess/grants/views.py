"""HTTP for grants: authorize through access.py, call one service, commit once, respond."""
from __future__ import annotations

from io import BytesIO

from flask import abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required

from muni_assess import access, audit
from muni_assess.documents.grant_text import SECTION_TITLES
from muni_assess.extensions import db
from muni_assess.grants import bp, services
from muni_assess.grants.forms import FactsForm
from muni_assess.reports.services import roadmap_filename

MIMETYPES = {"docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
             "pdf": "application/pdf"}


def _town(town_id: int, cycle: int):
    town = access.require_town(current_user, town_id)
    if not 2000 <= cycle <= current_app.config["CURRENT_CYCLE"] + 1:
        abort(404)
    return town


def _draft(town, draft_id: int):
    draft = services.get_draft(town, draft_id)
    if draft is None:
        abort(404)
    return draft


@bp.route("/towns/<int:town_id>/<int:cycle>/grants")
@login_required
def programs(town_id: int, cycle: int):
    town = _town(town_id, cycle)
    fits, data = services.program_fits(town, cycle)
    return render_template("grants/programs.html", town=town, cycle=cycle, fits=fits, data=data,
                           drafts=services.drafts_for(town, cycle), names=services.programs(),
                           can_draft=access.can_edit_answers(current_user, town))


@bp.route("/towns/<int:town_id>/<int:cycle>/grants/<program_id>/new", methods=["GET", "POST"])
@login_required
def new_draft(town_id: int, cycle: int, program_id: str):
    town = _town(town_id, cycle)
    access.require(access.can_edit_answers(current_user, town))
    try:
        fit, _ = services.fit_for(town, cycle, program_id)
    except LookupError:
        abort(404)
    error = None
    if request.method == "POST":
        try:
            draft = services.create_draft(town, cycle, program_id, request.form.getlist("items"),
                                          request.form.get("acknowledge") == "yes", current_user)
        except services.DraftError as exc:
            error = str(exc)
        else:
            db.session.commit()
            flash("Draft written from the town's assessment. Review every section and fill in the marked "
                  "placeholders.", "success")
            return redirect(url_for("grants.draft", town_id=town.id, cycle=cycle, draft_id=draft.id))
    chosen = set(request.form.getlist("items")) if request.method == "POST" else {i.rec.id for i in fit.items}
    return render_template("grants/new.html", town=town, cycle=cycle, fit=fit, error=error, chosen=chosen), \
        (400 if error else 200)


@bp.route("/towns/<int:town_id>/<int:cycle>/grants/drafts/<int:draft_id>", methods=["GET", "POST"])
@login_required
def draft(town_id: int, cycle: int, draft_id: int):
    town = _town(town_id, cycle)
    item = _draft(town, draft_id)
    can_edit = access.can_edit_answers(current_user, town)
    errors, status = None, 200
    if request.method == "POST":
        access.require(can_edit)
        state = services.draft_state(item)
        try:
            typed = {k.removeprefix("quote-"): v for k, v in request.form.items() if k.startswith("quote-")}
            quotes = services.parse_quotes(typed, [line.rec_id for line in state.draft_input.budget.lines])
            texts = {sid: request.form.get(f"section-{sid}", "") for sid in item.sections}
            services.save_draft(item, int(request.form.get("version", "0") or 0), texts, quotes, current_user)
        except services.DraftError as exc:
            db.session.rollback()
            errors, status = str(exc), 409 if isinstance(exc, services.StaleDraft) else 400
            item = _draft(town, draft_id)
        else:
            db.session.commit()
            flash("Draft saved.", "success")
            return redirect(url_for("grants.draft", town_id=town.id, cycle=cycle, draft_id=item.id))
    state = services.draft_state(item)
    db.session.commit()  # the regional score cache may have been brought up to date (the region comparison)
    return render_template("grants/draft.html", town=town, cycle=cycle, state=state, can_edit=can_edit,
                           error=errors, titles=SECTION_TITLES), status


@bp.route("/towns/<int:town_id>/<int:cycle>/grants/drafts/<int:draft_id>/refresh/<section_id>", methods=["POST"])
@login_required
def refresh(town_id: int, cycle: int, draft_id: int, section_id: str):
    town = _town(town_id, cycle)
    item = _draft(town, draft_id)
    access.require(access.can_edit_answers(current_user, town))
    try:
        services.refresh_section(item, section_id, int(request.form.get("version", "0") or 0), current_user)
    except services.DraftError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash("Section rewritten from the current assessment.", "success")
    return redirect(url_for("grants.draft", town_id=town.id, cycle=cycle, draft_id=draft_id) + f"#sec-{section_id}")


@bp.route("/towns/<int:town_id>/<int:cycle>/grants/drafts/<int:draft_id>.<any(docx, pdf):fmt>")
@login_required
def export(town_id: int, cycle: int, draft_id: int, fmt: str):
    town = _town(town_id, cycle)
    item = _draft(town, draft_id)
    data = services.export(services.draft_state(item), fmt)
    audit.record("document.download", town=town, detail={"document": f"grant draft ({fmt})",
                                                         "program": item.program_id})
    db.session.commit()
    name = roadmap_filename(town, cycle).replace("roadmap-", f"grant-{item.program_id}-").removesuffix(".pdf")
    response = send_file(BytesIO(data), mimetype=MIMETYPES[fmt], as_attachment=True, download_name=f"{name}.{fmt}")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/grants/programs", methods=["GET", "POST"])
@login_required
def facts():
    access.require(current_user.role == "admin")
    form = FactsForm()
    catalog = services.programs()
    if form.validate_on_submit():
        program_id = form.program_id.data
        if program_id not in catalog:
            abort(404)
        for field in services.EDITABLE_FACTS:
            value = getattr(form, field).data
            if field == "cost_share_percent" and value is not None:
                value = float(value)
            if value not in (None, ""):
                services.set_fact(program_id, field, value, current_user)
        audit.record("grant.facts_changed", detail={"program": program_id})
        db.session.commit()
        flash(f"Facts for {catalog[program_id].name} saved.", "success")
        return redirect(url_for("grants.facts"))
    return render_template("grants/facts.html", programs=catalog, form=form), 400 if form.errors else 200
