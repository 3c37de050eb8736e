"""Home: each role lands where its work is."""
from flask import current_app, redirect, render_template, url_for
from flask_login import current_user, login_required

from muni_assess.main import bp


@bp.route("/")
@login_required
def index():
    if current_user.role == "town_editor" and current_user.town_id:
        return redirect(url_for("assess.town_home", town_id=current_user.town_id))
    if current_user.role == "cog_analyst" and current_user.region:
        return redirect(url_for("regional.region", code=current_user.region.code))
    if current_user.role in ("state_analyst", "admin"):
        return redirect(url_for("regional.regions"))
    return render_template("main/no_scope.html")


@bp.route("/healthz")
def healthz():
    """For load balancers and monitors: 200 when the app can reach its database, 503 when it cannot."""
    from sqlalchemy import text
    from sqlalchemy.exc import SQLAlchemyError

    from muni_assess.extensions import db

    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return {"status": "unavailable", "database": "unreachable"}, 503, {"Retry-After": "30"}
    return {"status": "ok", "database": "ok"}


@bp.route("/accessibility")
def accessibility():
    """The accessibility statement: public, so anyone can read it and report a problem before signing in."""
    contact = (current_app.config.get("ACCESSIBILITY_CONTACT") or "").strip()
    href = None
    if contact.startswith(("https://", "http://")):
        href = contact
    elif "@" in contact and " " not in contact:
        href = "mailto:" + contact
    return render_template("main/accessibility.html", contact=contact, contact_href=href)
