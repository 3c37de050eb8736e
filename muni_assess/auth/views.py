"""Sign-in and sign-out pages."""
from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from muni_assess.auth import bp
from muni_assess.auth.forms import LoginForm
from muni_assess.auth.services import authenticate
from muni_assess.extensions import db


def _safe_next(target: str | None) -> str | None:
    """Only same-site relative paths are followed after sign-in (no open redirects)."""
    if not target:
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc and target.startswith("/") else None


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data)
        if user is not None:
            db.session.commit()
            login_user(user)
            return redirect(_safe_next(request.args.get("next")) or url_for("main.index"))
        form.password.errors.append("The email address or password is not right.")
    return render_template("auth/login.html", form=form), (400 if form.errors else 200)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    logout_user()
    flash("You have signed out.", "success")
    return redirect(url_for("auth.login"))
