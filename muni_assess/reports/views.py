"""Downloads: the roadmap PDF for any town the user may see."""
from io import BytesIO

from flask import abort, current_app, send_file
from flask_login import current_user, login_required

from muni_assess import access, audit
from muni_assess.extensions import db
from muni_assess.reports import bp, services


@bp.route("/<int:town_id>/<int:cycle>/roadmap.pdf")
@login_required
def roadmap(town_id: int, cycle: int):
    town = access.require_town(current_user, town_id)
    if not 2000 <= cycle <= current_app.config["CURRENT_CYCLE"] + 1:
        abort(404)
    pdf = services.roadmap_document(town, cycle)
    audit.record("export.roadmap_pdf", town=town, detail={"cycle": cycle})
    db.session.commit()
    response = send_file(BytesIO(pdf), mimetype="application/pdf", as_attachment=True,
                         download_name=services.roadmap_filename(town, cycle))
    response.headers["Cache-Control"] = "no-store"  # security-sensitive: never kept in shared caches
    return response
