"""Friendly error pages that reveal nothing about the app's internals or other towns."""
from __future__ import annotations

from flask import Flask, g, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy import exc as sa_exc
from werkzeug.exceptions import HTTPException

from muni_assess.assess.services import MissingContentError

MESSAGES = {
    400: ("Something in the request was not right", "Go back, check what you entered and try again."),
    403: ("You do not have permission to do that",
          "Your account can see this page but not make this change. Ask your administrator if you need to."),
    404: ("Page not found", "The page does not exist, or your account does not have access to it."),
    405: ("That action is not allowed here", "Go back and use the buttons on the page."),
    410: ("This assessment cannot be shown", ""),
    413: ("That upload is too large", "Try a smaller file."),
    429: ("Too many attempts", "Wait a minute and try again."),
    500: ("Something went wrong on our side", "Your saved answers are safe. Try again in a moment."),
    503: ("The service is briefly unavailable",
          "We cannot reach the database right now. Answers marked “Saved” are safe; try again in a minute."),
}

# The database is unreachable (down, restarting, or its pool exhausted): 503, and pool_pre_ping reconnects
# on its own once it is back.
DATABASE_UNAVAILABLE = (sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.DisconnectionError, sa_exc.TimeoutError)


def _wants_json() -> bool:
    return request.headers.get("X-Requested-With") == "fetch"


def _render(code: int, detail: str | None = None):
    title, text = MESSAGES.get(code, MESSAGES[500])
    if _wants_json():
        return jsonify(status="error", message=detail or title), code
    return render_template("errors/error.html", code=code, title=title, text=detail or text), code


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(_exc):
        return _render(400, "This form has expired or was sent from another page. Reload the page and try "
                            "again; answers already marked “Saved” are safe.")

    @app.errorhandler(MissingContentError)
    def missing_content(exc):
        return _render(410, str(exc) + " An administrator can restore that version's questionnaire folder.")

    @app.errorhandler(HTTPException)
    def http_error(exc):
        return _render(exc.code or 500)

    def database_unavailable(exc):
        if not _unreachable(exc):
            return server_error(exc)
        return _database_unavailable(app, exc)

    for exc_class in DATABASE_UNAVAILABLE:
        app.register_error_handler(exc_class, database_unavailable)

    @app.errorhandler(Exception)
    def server_error(exc):
        app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        return _render(500)


def _unreachable(exc: Exception) -> bool:
    """A connection problem, not a bug: SQLite reports "no such column" as OperationalError too."""
    if type(getattr(exc, "orig", None)).__module__ != "sqlite3":
        return True
    return any(word in str(exc.orig) for word in ("locked", "busy", "unable to open", "disk I/O"))


def _database_unavailable(app: Flask, exc: Exception):
    """503 with a page that needs no database (base.html reads the account); logs the error class only, never
    the message (it can name the server)."""
    from muni_assess.extensions import db, login_manager

    app.logger.warning("Database unavailable on %s %s (%s)", request.method, request.path, type(exc).__name__)
    try:
        db.session.rollback()
    except sa_exc.SQLAlchemyError:
        pass
    if "_login_user" not in g:  # the account could not be loaded: later hooks see an anonymous user, not the DB
        g._login_user = login_manager.anonymous_user()
    title, text = MESSAGES[503]
    if _wants_json():
        response = jsonify(status="error", message=text)
    else:
        response = app.make_response(render_template("errors/unavailable.html", code=503, title=title, text=text))
    response.status_code = 503
    response.headers["Retry-After"] = "30"
    return response
