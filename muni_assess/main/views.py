"""Home: each role lands where its work is."""
from flask import redirect, render_template, url_for
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
    return {"status": "ok"}
