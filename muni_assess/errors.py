"""Friendly error pages that reveal nothing about the app's internals or other towns."""
from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
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
}


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

    @app.errorhandler(Exception)
    def server_error(exc):
        app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        return _render(500)
