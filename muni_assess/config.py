"""Configuration defaults. No secrets here: instance/config.py and MUNI_ASSESS_* environment variables override."""
from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _shared_path(name: str) -> str:
    """Find a top-level folder (templates, questionnaires) in a checkout or, for a wheel, under sys.prefix."""
    here = PROJECT_ROOT / name
    if here.is_dir():
        return str(here)
    import sys

    return str(Path(sys.prefix) / "share" / "muni-assess" / name)


def database_url(instance_path: str) -> str:
    """DATABASE_URL (PostgreSQL for multi-user deployments) or the SQLite file in instance/."""
    url = os.environ.get("MUNI_ASSESS_DATABASE_URL") or os.environ.get("DATABASE_URL")
    if not url:
        return "sqlite:///" + os.path.join(instance_path, "muni_assess.sqlite3")
    if url.startswith("postgres://"):
        url = "postgresql://" + url.removeprefix("postgres://")
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


class Defaults:
    SECRET_KEY: str | None = None
    STATE = "CT"
    QUESTION_SET_ID = "municipal-it"
    CURRENT_CYCLE = dt.date.today().year
    QUESTIONNAIRE_DIR = _shared_path("questionnaires")
    TEMPLATE_DIR = _shared_path("templates")
    MIGRATIONS_DIR = _shared_path("migrations")
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session: a long section must still save
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    PERMANENT_SESSION_LIFETIME = dt.timedelta(hours=12)
    MAX_CONTENT_LENGTH = 2 * 1024 * 1024
    # Regional statistics (issue 5): no aggregate over fewer assessed towns than this (small-numbers rule),
    # and a recommendation needed by at least this many towns of a region is a shared-service opportunity.
    SUPPRESSION_MIN_TOWNS = 5
    SHARED_SERVICE_MIN_TOWNS = 3
    # --- accounts and HTTP hardening (muni_assess/security.py, muni_assess/auth) ---
    SESSION_COOKIE_SECURE: bool | None = None  # None = auto: Secure unless TESTING or debug (set False for http)
    SESSION_IDLE_MINUTES = 30  # signed out after this long without a request
    SESSION_ABSOLUTE_HOURS = 12  # and this long after signing in, whatever the activity
    REDIS_URL = os.environ.get("REDIS_URL")  # sign-in throttling storage shared by all workers; memory otherwise
    RATELIMIT_KEY_PREFIX = "muni_assess"
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True  # Redis down: keep throttling per process rather than fail
    LOGIN_LIMIT_PER_ACCOUNT = "5 per minute"  # failed sign-ins (and two-step codes) per e-mail address
    LOGIN_LIMIT_PER_ADDRESS = "20 per minute"  # failed sign-ins per client address
    INVITATION_DAYS = 7
    PASSWORD_RESET_MINUTES = 60
    MAIL_SERVER: str | None = None  # without it, messages are written to instance/outbox/ (one file each)
    MAIL_PORT = 25
    MAIL_USE_TLS = False  # STARTTLS
    MAIL_USERNAME: str | None = None
    MAIL_PASSWORD: str | None = None
    MAIL_FROM = "muni_assess <no-reply@localhost>"
    PUBLIC_URL: str | None = None  # e.g. https://assess.example.gov: used in links sent by e-mail
    # --- deployment behind a reverse proxy or load balancer ---
    # How many proxies in front of the app set X-Forwarded-For / -Proto / -Host / -Port / -Prefix (0: none, the
    # headers are ignored). Set it to the real number (usually 1) so sign-in throttling and the audit trail see
    # the client's address, and HTTPS requests are recognised (Secure cookies, HSTS). Never more than there are:
    # a client could then forge its address.
    PROXY_FIX = 0
    # Who hears about accessibility problems (shown on /accessibility): an e-mail address, a web address or a
    # sentence such as a phone number and office. None: the page tells people to contact whoever runs the site.
    ACCESSIBILITY_CONTACT: str | None = None
