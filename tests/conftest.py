"""Shared fixtures: a real database (an SQLite file, or a fresh PostgreSQL database when DATABASE_URL is set),
the app built once per session with migrations run and reference data seeded, clients, and login helpers."""
from __future__ import annotations

import os
import re
import threading
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "a long test password 42"
CYCLE = 2026


def _fresh_postgres(base_url: str):
    """Create a throwaway database beside the one DATABASE_URL names; return its URL and a drop function."""
    import psycopg

    parts = urlsplit(base_url.replace("postgresql+psycopg://", "postgresql://").replace("postgres://", "postgresql://"))
    name = f"muni_assess_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = urlunsplit(parts)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return urlunsplit(parts._replace(path="/" + name)), drop


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    base = os.environ.get("DATABASE_URL")
    if not base:
        yield "sqlite:///" + str(tmp_path_factory.mktemp("db") / "muni_assess_test.sqlite3")
        return
    url, drop = _fresh_postgres(base)
    yield url
    drop()


def content_with_v2(tmp_path: Path, old: str, new: str) -> Path:
    """A copy of the questionnaires holding v1 as shipped and a v2 whose backup.yaml says `new` for `old`."""
    import shutil

    root = tmp_path / "questionnaires"
    shutil.copytree(ROOT / "questionnaires", root)
    v2 = root / "municipal-it" / "v2"
    shutil.copytree(root / "municipal-it" / "v1", v2)
    head = v2 / "questionset.yaml"
    head.write_text(head.read_text().replace("version: 1", "version: 2", 1))
    backup = v2 / "backup.yaml"
    assert old in backup.read_text()
    backup.write_text(backup.read_text().replace(old, new, 1))
    return root


def build_app(database_url: str, **overrides):
    from muni_assess import create_app

    config = {"TESTING": True, "SECRET_KEY": "test-secret-key", "SQLALCHEMY_DATABASE_URI": database_url,
              "CURRENT_CYCLE": CYCLE, "STATE": "CT"}
    config.update(overrides)
    return create_app(config)


@pytest.fixture(scope="session")
def app(database_url):
    from muni_assess.dbsetup import migrate_to_latest
    from muni_assess.extensions import db
    from muni_assess.seed import seed_reference

    app = build_app(database_url)
    with app.app_context():
        migrate_to_latest()
        seed_reference("CT")
        db.session.commit()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _clean_tables(request):
    """Each test starts with reference data only: user data rows are deleted afterwards."""
    yield
    if "app" not in request.fixturenames:
        return
    app = request.getfixturevalue("app")
    from muni_assess.extensions import db
    from muni_assess.security import limiter

    keep = {"region", "town", "alembic_version"}  # reference data seeded once per session
    with app.app_context():
        db.session.rollback()
        for table in reversed(db.metadata.sorted_tables):  # children before parents
            if table.name not in keep:
                db.session.execute(table.delete())
        db.session.commit()
        limiter.reset()  # sign-in throttling counts start afresh for every test


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def db(app):
    from muni_assess.extensions import db as _db

    with app.app_context():
        yield _db


def csrf_token(client, path: str = "/auth/login") -> str:
    """The CSRF token of the client's session, read from a page's <meta name="csrf-token">."""
    html = client.get(path, follow_redirects=True).get_data(as_text=True)
    match = re.search(r'name="csrf-token" content="([^"]+)"', html)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


class Users:
    """Factory for accounts: users.make('town_editor', town='Andover')."""

    def __init__(self, app):
        self.app = app

    def make(self, role: str, town: str | None = None, region: str | None = None, email: str | None = None):
        from muni_assess.auth.services import create_user
        from muni_assess.extensions import db

        email = email or f"{role}.{uuid.uuid4().hex[:6]}@example.org"
        with self.app.app_context():
            user = create_user(email, role, PASSWORD, town=town, region=region)
            db.session.commit()
            return user.id, email


@pytest.fixture
def users(app):
    return Users(app)


def enrol_mfa(app, email: str) -> str:
    """Turn on two-step verification for an account directly in the database; returns the TOTP secret."""
    import pyotp

    from muni_assess.extensions import db
    from muni_assess.models import User

    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.email == email))
        user.mfa_secret, user.mfa_enabled = user.mfa_secret or pyotp.random_base32(), True
        db.session.commit()
        return user.mfa_secret


def totp_code(app, email: str) -> str:
    """A TOTP code the app will accept now for this account (the account's last used step is forgotten)."""
    import pyotp

    from muni_assess.extensions import db
    from muni_assess.models import User

    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.email == email))
        user.mfa_last_counter = None
        db.session.commit()
        return pyotp.TOTP(user.mfa_secret).now()


def login(client, email: str, password: str = PASSWORD):
    """Sign in; when the account has two-step verification, also complete the second step with a fresh code."""
    token = csrf_token(client)
    response = client.post("/auth/login", data={"email": email, "password": password, "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    if response.headers["Location"].startswith("/auth/two-step"):
        code = totp_code(client.application, email)
        response = client.post("/auth/two-step", data={"code": code, "csrf_token": token})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response


@pytest.fixture
def login_as(app, users):
    """Sign a fresh client in as a new user of a role: login_as('town_editor', town='Andover')."""

    def _login(role: str, town: str | None = None, region: str | None = None):
        from muni_assess.security import MFA_REQUIRED_ROLES

        c = app.test_client()
        user_id, email = users.make(role, town=town, region=region)
        if role in MFA_REQUIRED_ROLES:  # these roles must use two-step verification: enrolled for them here
            enrol_mfa(app, email)
        login(c, email)
        c.user_id, c.email = user_id, email
        return c

    return _login


def town_id(app, name: str) -> int:
    from muni_assess.extensions import db
    from muni_assess.models import Town

    with app.app_context():
        return db.session.scalar(db.select(Town.id).where(Town.name == name))


# --- real browser: the app served on 127.0.0.1 by a background thread, and Debian's Chromium ---


def _closed_before_sending(app):
    """The app with each response read into memory and closed before werkzeug writes it.

    werkzeug's development server drains the request after writing and only then closes the response; when the
    browser drops the connection in between (a page reloaded while a script downloads) the drain raises and the
    response's open static file is left to the garbage collector, whose ResourceWarning then fails whichever test
    is running. The pages and scripts are small, so buffering them costs nothing.
    """
    def wsgi(environ, start_response):
        result = app(environ, start_response)
        try:
            body = b"".join(result)
        finally:
            if hasattr(result, "close"):
                result.close()
        return [body]
    return wsgi


CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="session")
def live_server(app):
    server = make_server("127.0.0.1", 0, _closed_before_sending(app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("MUNI_ASSESS_REQUIRE_BROWSER"):
            pytest.fail(f"{CHROMIUM} is missing (install Debian's chromium)")
        pytest.skip(f"{CHROMIUM} is missing; `make test` installs it when run as root")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


def best(q):
    """The answer that earns a question's full marks (every countable option of a multi; 1000 for a number)."""
    if q.type == "multi":
        return [o.value for o in q.countable]
    if q.type == "number":
        return 1000
    return max((o for o in q.options if not o.dont_know), key=lambda o: o.level or 0).value


def worst(q):
    """The lowest real answer (not "I don't know"): the exclusive "none" of a multi, 0 for a number."""
    if q.type == "multi":
        return [o.value for o in q.options if o.exclusive][:1] or [q.countable[0].value]
    if q.type == "number":
        return 0
    return min((o for o in q.options if not o.dont_know), key=lambda o: o.level or 0).value
