"""Pages of the accounts administration. Who may do what is decided in muni_assess/access.py."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from muni_assess import access, audit
from muni_assess.admin import bp, services
from muni_assess.admin.forms import ActionForm, InvitationForm, UserForm
from muni_assess.auth import links
from muni_assess.auth.services import AccountError
from muni_assess.extensions import db
from muni_assess.models import ROLES, Invitation, Region, Town, User

NONE_CHOICE = (0, "—")
MAX_ID = 2**31 - 1  # ids beyond a 32-bit integer do not exist (and PostgreSQL refuses to compare them)


def _get(model, ident: int):
    """The row, or None for an id that cannot exist."""
    return db.session.get(model, ident) if 0 < ident <= MAX_ID else None


def _int_arg(name: str) -> int | None:
    value = request.args.get(name, "")
    return int(value) if value.isdigit() and len(value) < 10 else None


@bp.route("/audit")
@login_required
def audit_log():
    scope = access.require_audit_scope(current_user)
    actions = services.audit_actions(scope)
    action = request.args.get("action") or None
    if action not in actions:
        action = None
    result = services.audit_events(scope, town_id=_int_arg("town"), action=action, page=_int_arg("page") or 1)
    return render_template("admin/audit.html", result=result, towns=services.audit_towns(scope),
                           actions=actions, town_id=_int_arg("town"), action=action, label=audit.label)


def _invitation_form() -> InvitationForm:
    form = InvitationForm()
    form.role.choices = [(r, ROLES[r]) for r in access.invitable_roles(current_user)]
    form.town_id.choices = [NONE_CHOICE] + [(t.id, t.name) for t in access.invitable_towns(current_user)]
    regions = access.visible_regions(current_user) if current_user.role == "admin" else []
    form.region_id.choices = [NONE_CHOICE] + [(r.id, f"{r.code}: {r.name}") for r in regions]
    return form


@bp.route("/invitations", methods=["GET", "POST"])
@login_required
def invitations():
    if not access.invitable_roles(current_user):
        abort(404)
    form = _invitation_form()
    link = None
    if form.validate_on_submit():
        town = _get(Town, form.town_id.data) if form.town_id.data else None
        region = _get(Region, form.region_id.data) if form.region_id.data else None
        if not access.can_invite(current_user, form.role.data, town):
            form.role.errors.append("You may not invite that role for that town.")
        else:
            try:
                _, link = links.issue_invitation(current_user, form.email.data, form.role.data, town=town,
                                                 region=region, name=form.name.data or "")
            except AccountError as exc:
                db.session.rollback()
                form.email.errors.append(str(exc))
            else:
                db.session.commit()
                flash(f"Invitation sent to {form.email.data.strip().lower()}.", "success")
    return render_template("admin/invitations.html", form=form, link=link, revoke_form=ActionForm(),
                           pending=services.open_invitations(current_user)), (400 if form.errors else 200)


@bp.route("/invitations/<int:invitation_id>/revoke", methods=["POST"])
@login_required
def revoke_invitation(invitation_id: int):
    inv = _get(Invitation, invitation_id)
    mine = inv is not None and (current_user.role == "admin" or inv.invited_by_id == current_user.id)
    if not (mine and access.invitable_roles(current_user)):
        abort(404)
    if ActionForm().validate_on_submit():
        links.revoke_invitation(inv, current_user)
        db.session.commit()
        flash(f"Invitation for {inv.email} withdrawn.", "success")
    return redirect(url_for("admin.invitations"))


@bp.route("/users")
@login_required
def users():
    access.require_manage_users(current_user)
    return render_template("admin/users.html", users=services.all_users(), roles=ROLES)


def _user_form(user: User) -> UserForm:
    form = UserForm(obj=None if request.method == "POST" else user)
    form.role.choices = list(ROLES.items())
    form.town_id.choices = [NONE_CHOICE] + [(t.id, t.name) for t in db.session.scalars(
        select(Town).order_by(Town.name))]
    form.region_id.choices = [NONE_CHOICE] + [(r.id, f"{r.code}: {r.name}") for r in db.session.scalars(
        select(Region).order_by(Region.code))]
    if request.method != "POST":
        form.town_id.data, form.region_id.data = user.town_id or 0, user.region_id or 0
    return form


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@login_required
def edit_user(user_id: int):
    access.require_manage_users(current_user)
    user = _get(User, user_id) or abort(404)
    form = _user_form(user)
    if form.validate_on_submit():
        try:
            services.update_user(current_user, user, form.role.data, form.town_id.data or None,
                                 form.region_id.data or None, bool(form.active.data))
        except AccountError as exc:
            db.session.rollback()
            form.role.errors.append(str(exc))
        else:
            db.session.commit()
            flash(f"Saved {user.email}.", "success")
            return redirect(url_for("admin.users"))
    return render_template("admin/user_edit.html", form=form, user=user, mfa_form=ActionForm()), \
        (400 if form.errors else 200)


@bp.route("/users/<int:user_id>/reset-two-step", methods=["POST"])
@login_required
def reset_user_mfa(user_id: int):
    access.require_manage_users(current_user)
    user = _get(User, user_id) or abort(404)
    if ActionForm().validate_on_submit():
        services.reset_mfa(current_user, user)
        db.session.commit()
        flash(f"Two-step verification reset for {user.email}; they set it up again at their next sign-in.",
              "success")
    return redirect(url_for("admin.edit_user", user_id=user.id))
