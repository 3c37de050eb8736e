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
    PERMANENT_SESSION_LIFETIME = dt.timedelta(hours=8)
    MAX_CONTENT_LENGTH = 2 * 1024 * 1024
