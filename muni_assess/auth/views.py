"""Sign-in (with the second step when the user has one), sign-out, and the user's own account pages."""
import time
from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from muni_assess import audit, security
from muni_assess.auth import bp, links, mfa
from muni_assess.auth.forms import (
    AcceptInvitationForm,
    ChangePasswordForm,
    ConfirmForm,
    LoginForm,
    MfaDisableForm,
    MfaSetupForm,
    PasswordConfirmForm,
    ResetPasswordForm,
    ResetRequestForm,
    TwoStepForm,
)
from muni_assess.auth.services import AccountError, authenticate, change_password, sign_out_everywhere, signed_in
from muni_assess.extensions import db
from muni_assess.models import User
from muni_assess.security import limiter

PENDING_SECONDS = 300  # the second step must follow the password within five minutes


def _safe_next(target: str | None) -> str | None:
    """Only same-site relative paths are followed after sign-in (no open redirects)."""
    if not target:
        return None
    parts = urlsplit(target)
    ok = not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//")
    return target if ok and "\\" not in target else None


def _failed(response) -> bool:
    """Only failed attempts count towards the sign-in limits (a success redirects)."""
    return response.status_code not in (302, 303)


def _account_key() -> str:
    return "account:" + (request.form.get("email") or "").strip().lower()[:254]


def _pending_key() -> str:
    return "two-step:" + str((session.get("mfa_pending") or {}).get("uid", "none"))


def _per_account() -> str:
    return current_app.config["LOGIN_LIMIT_PER_ACCOUNT"]


def _per_address() -> str:
    return current_app.config["LOGIN_LIMIT_PER_ADDRESS"]


def _finish_sign_in(user: User, method: str, next_url: str | None):
    session.pop("mfa_pending", None)
    login_user(user)
    security.start_session(user)
    signed_in(user, method)
    db.session.commit()
    return redirect(_safe_next(next_url) or url_for("main.index"))


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_per_address, methods=["POST"], deduct_when=_failed, scope="login-address")
@limiter.limit(_per_account, methods=["POST"], key_func=_account_key, deduct_when=_failed, scope="login-account")
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data)
        db.session.commit()  # keeps the failed-sign-in event; nothing else changed
        if user is not None and user.mfa_enabled:
            session["mfa_pending"] = {"uid": user.id, "at": int(time.time()), "next": request.args.get("next")}
            return redirect(url_for("auth.two_step"))
        if user is not None:
            return _finish_sign_in(user, "password", request.args.get("next"))
        form.password.errors.append("The email address or password is not right.")
    return render_template("auth/login.html", form=form), (400 if form.errors else 200)


def _pending_user() -> User | None:
    pending = session.get("mfa_pending") or {}
    if not pending or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        return None
    user = db.session.get(User, pending.get("uid") or 0)
    return user if user is not None and user.active and user.mfa_enabled else None


@bp.route("/two-step", methods=["GET", "POST"])
@limiter.limit(_per_address, methods=["POST"], deduct_when=_failed, scope="two-step-address")
@limiter.limit(_per_account, methods=["POST"], key_func=_pending_key, deduct_when=_failed, scope="two-step-account")
def two_step():
    user = _pending_user()
    if user is None:
        session.pop("mfa_pending", None)
        flash("Please sign in again.", "info")
        return redirect(url_for("auth.login"))
    form = TwoStepForm()
    if form.validate_on_submit():
        if mfa.verify(user, form.code.data):
            return _finish_sign_in(user, "password+totp", session["mfa_pending"].get("next"))
        audit.record("auth.sign_in_failed", user=user, detail={"email": user.email, "step": "two-step"})
        db.session.commit()
        form.code.errors.append("That code is not right. Enter the code your app shows now, or a recovery code.")
    return render_template("auth/two_step.html", form=form), (400 if form.errors else 200)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    audit.record("auth.sign_out")
    db.session.commit()
    logout_user()
    session.clear()
    flash("You have signed out.", "success")
    return redirect(url_for("auth.login"))


# --- the user's own account ----------------------------------------------------------------------------

@bp.route("/account")
@login_required
def account():
    return render_template("auth/account.html", disable_form=MfaDisableForm(), codes_form=PasswordConfirmForm(),
                           everywhere_form=ConfirmForm(), codes_left=mfa.recovery_codes_left(current_user),
                           mfa_required=current_user.role in security.MFA_REQUIRED_ROLES)


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password_page():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            change_password(current_user, form.current.data, form.password.data)
        except AccountError as exc:
            db.session.rollback()
            (form.current if "current" in str(exc).lower() else form.password).errors.append(str(exc))
        else:
            security.start_session(current_user)  # this session stays; every other one has ended
            db.session.commit()
            flash("Your password was changed. Other devices were signed out.", "success")
            return redirect(url_for("auth.account"))
    return render_template("auth/change_password.html", form=form), (400 if form.errors else 200)


@bp.route("/account/sign-out-everywhere", methods=["POST"])
@login_required
def sign_out_everywhere_view():
    if ConfirmForm().validate_on_submit():
        sign_out_everywhere(current_user)
        db.session.commit()
    logout_user()
    session.clear()
    flash("You were signed out on every device, including this one.", "success")
    return redirect(url_for("auth.login"))


@bp.route("/two-step/setup", methods=["GET", "POST"])
@login_required
def mfa_setup():
    if current_user.mfa_enabled:
        return redirect(url_for("auth.account"))
    form = MfaSetupForm()
    if form.validate_on_submit():
        try:
            codes = mfa.confirm_setup(current_user, form.code.data)
        except AccountError as exc:
            form.code.errors.append(str(exc))
        else:
            db.session.commit()
            return render_template("auth/recovery_codes.html", codes=codes, first=True)
    secret = mfa.begin_setup(current_user)
    db.session.commit()
    return render_template("auth/mfa_setup.html", form=form, secret=secret, uri=mfa.provisioning_uri(current_user),
                           required=security.needs_mfa_enrolment(current_user)), (400 if form.errors else 200)


@bp.route("/two-step/disable", methods=["POST"])
@login_required
def mfa_disable():
    form = MfaDisableForm()
    if form.validate_on_submit():
        try:
            mfa.disable(current_user, form.password.data, form.code.data)
        except AccountError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash("Two-step verification is off.", "success")
    else:
        flash("Enter your password and a code to turn two-step verification off.", "error")
    return redirect(url_for("auth.account"))


@bp.route("/two-step/recovery-codes", methods=["POST"])
@login_required
def mfa_recovery_codes():
    form = PasswordConfirmForm()
    if form.validate_on_submit():
        try:
            codes = mfa.regenerate_recovery_codes(current_user, form.password.data)
        except AccountError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            db.session.commit()
            return render_template("auth/recovery_codes.html", codes=codes, first=False)
    return redirect(url_for("auth.account"))


# --- links: invitations and password resets ------------------------------------------------------------

@bp.route("/invitation/<token>", methods=["GET", "POST"])
def accept_invitation(token: str):
    if current_user.is_authenticated:
        flash("Sign out first to accept an invitation for another account.", "info")
        return redirect(url_for("main.index"))
    invitation = links.open_invitation(token)
    if invitation is None:
        return render_template("auth/link_expired.html", what="invitation"), 404
    form = AcceptInvitationForm(name=invitation.name)
    if form.validate_on_submit():
        try:
            links.accept_invitation(token, form.password.data, form.name.data or "")
        except AccountError as exc:
            db.session.rollback()
            form.password.errors.append(str(exc))
        else:
            db.session.commit()
            flash("Your account is ready. Sign in with your e-mail address and new password.", "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/accept_invitation.html", form=form, invitation=invitation), \
        (400 if form.errors else 200)


@bp.route("/reset", methods=["GET", "POST"])
@limiter.limit(_per_address, methods=["POST"], scope="reset-address")
@limiter.limit(_per_account, methods=["POST"], key_func=_account_key, scope="reset-account")
def request_reset():
    form = ResetRequestForm()
    if form.validate_on_submit():
        links.request_reset(form.email.data)
        db.session.commit()
        return render_template("auth/reset_sent.html")
    return render_template("auth/reset_request.html", form=form), (400 if form.errors else 200)


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    if links.open_reset(token) is None:
        return render_template("auth/link_expired.html", what="reset"), 404
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            links.complete_reset(token, form.password.data)
        except AccountError as exc:
            db.session.rollback()
            form.password.errors.append(str(exc))
        else:
            db.session.commit()
            if current_user.is_authenticated:
                logout_user()
            session.clear()
            flash("Your password was changed and every session signed out. Sign in with the new password.",
                  "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/reset_password.html", form=form), (400 if form.errors else 200)
