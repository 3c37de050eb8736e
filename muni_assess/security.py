"""HTTP hardening and session rules, applied to every request.

- Response headers: a Content-Security-Policy with no inline script or style, frame denial, no-sniff,
  referrer policy, and HSTS when the request came over HTTPS.
- Sessions: the cookie is Secure (outside testing/dev), HttpOnly and SameSite=Lax; a session ends after
  SESSION_IDLE_MINUTES without a request and SESSION_ABSOLUTE_HOURS after sign-in; "sign out everywhere"
  bumps the user's `session_epoch`, and a session carrying an older epoch is no longer signed in.
- Two-step verification: admins and state analysts who have not enrolled are sent to enrolment before
  anything else.
- Sign-in throttling: Flask-Limiter (Redis when REDIS_URL is set, memory otherwise).
"""
from __future__ import annotations

import datetime as dt
import time

from flask import Flask, abort, flash, g, jsonify, redirect, request, session, url_for
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import current_user, logout_user

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
       "frame-ancestors 'none'; base-uri 'self'; form-action 'self'")
MFA_REQUIRED_ROLES = ("admin", "state_analyst")
# Pages a signed-in user may reach before finishing mandatory enrolment.
ENROL_ALLOWED = {"auth.mfa_setup", "auth.logout", "static", "main.healthz"}

limiter = Limiter(key_func=get_remote_address, default_limits=[], headers_enabled=False)


def init_app(app: Flask) -> None:
    if app.config.get("SESSION_COOKIE_SECURE") is None:  # "auto": Secure except when testing or debugging
        secure = not (app.testing or app.debug)
        app.config["SESSION_COOKIE_SECURE"] = secure
        app.config.setdefault("REMEMBER_COOKIE_SECURE", secure)
    if not app.config.get("RATELIMIT_STORAGE_URI"):
        app.config["RATELIMIT_STORAGE_URI"] = app.config.get("REDIS_URL") or "memory://"
    limiter.init_app(app)
    app.before_request(_reject_odd_json)
    app.before_request(_enforce_session_rules)
    app.after_request(_security_headers)


def _security_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    user = g.get("_login_user")  # only if already loaded: never query the database from here
    # is_anonymous, not is_authenticated: the latter reads the account's `active` column, which a commit in the
    # view has expired, and reading it again would cost a query on every signed-in response.
    if user is not None and not getattr(user, "is_anonymous", True):
        headers.setdefault("Cache-Control", "no-store")  # pages of a signed-in user are never cached
    return response


def _reject_odd_json():
    """Forms read a JSON body as their fields (Flask-WTF), which must then be an object: anything else is 400."""
    if request.method in ("POST", "PUT", "PATCH", "DELETE") and request.is_json:
        if not isinstance(request.get_json(silent=True), dict):
            abort(400)
    return None


# --- sessions -------------------------------------------------------------------------------------------

def start_session(user) -> None:
    """Call right after login_user: stamps the session with its start, last activity and the user's epoch."""
    now = int(time.time())
    session["_started"] = now
    session["_seen"] = now
    session["_epoch"] = user.session_epoch or 0
    session.permanent = True


def load_user(user_id: str):
    """Flask-Login's user loader: the user, unless the session predates their last "sign out everywhere"."""
    from muni_assess.extensions import db
    from muni_assess.models import User

    if not user_id.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or session.get("_epoch", -1) != (user.session_epoch or 0):
        return None
    return user


def _expired(app_config) -> str | None:
    now = int(time.time())
    idle = dt.timedelta(minutes=app_config["SESSION_IDLE_MINUTES"]).total_seconds()
    absolute = dt.timedelta(hours=app_config["SESSION_ABSOLUTE_HOURS"]).total_seconds()
    if now - session.get("_started", 0) > absolute:
        return "For your security you were signed out after a long session. Please sign in again."
    if now - session.get("_seen", 0) > idle:
        return "You were signed out after a period of inactivity. Please sign in again."
    if now - session.get("_seen", 0) > 60:  # refresh at most once a minute (fewer cookie rewrites)
        session["_seen"] = now
    return None


def _enforce_session_rules():
    from flask import current_app

    if request.endpoint == "static" or not current_user.is_authenticated:
        return None
    reason = _expired(current_app.config)
    if reason:
        logout_user()
        session.clear()
        if request.headers.get("X-Requested-With") == "fetch":
            return jsonify(status="error", message=reason), 401
        flash(reason, "info")
        return redirect(url_for("auth.login", next=request.full_path if request.method == "GET" else None))
    if needs_mfa_enrolment(current_user) and request.endpoint not in ENROL_ALLOWED:
        if request.headers.get("X-Requested-With") == "fetch":
            return jsonify(status="error", message="Set up two-step verification first."), 403
        return redirect(url_for("auth.mfa_setup"))
    return None


def needs_mfa_enrolment(user) -> bool:
    return user.role in MFA_REQUIRED_ROLES and not user.mfa_enabled
