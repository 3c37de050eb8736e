"""The database goes away: requests answer 503 with a friendly page (no stack trace, no connection details),
/healthz says so, and the app recovers on its own when the database is back (pool_pre_ping)."""
from __future__ import annotations

import logging
import os
import re
from urllib.parse import urlsplit, urlunsplit

import pytest
from conftest import CYCLE, PASSWORD, build_app, csrf_token, login
from ops_fixtures import fresh_app_fixture  # noqa: F401  (the fresh_app fixture)

from muni_assess.extensions import db

AJAX = {"X-Requested-With": "fetch"}
LEAKS = ("Traceback", "psycopg", "sqlalchemy", "OperationalError", "127.0.0.1", "5432", "postgresql", "SELECT")


def assert_friendly_503(response, *secrets: str) -> None:
    assert response.status_code == 503
    assert response.headers.get("Retry-After") == "30"
    body = response.get_data(as_text=True)
    for leak in (*LEAKS, *secrets):
        assert leak not in body, f"503 page reveals {leak!r}"


def test_unreachable_database_answers_503_without_details(caplog):
    """A database server that is not there at all (a closed port): sign-in and /healthz answer 503."""
    app = build_app("postgresql+psycopg://muni_user:s3cret-pw@127.0.0.1:1/nowhere_db")
    client = app.test_client()
    health = client.get("/healthz")
    assert_friendly_503(health, "s3cret-pw", "nowhere_db", "muni_user")
    assert health.get_json() == {"status": "unavailable", "database": "unreachable"}
    token = csrf_token(client)
    with caplog.at_level(logging.INFO):
        page = client.post("/auth/login", data={"email": "someone@example.org", "password": "x" * 16,
                                                "csrf_token": token})
    assert_friendly_503(page, "s3cret-pw", "nowhere_db", "muni_user")
    assert "briefly unavailable" in page.get_data(as_text=True)
    for secret in ("s3cret-pw", "nowhere_db", "muni_user", "Traceback"):
        assert secret not in caplog.text
    with app.app_context():
        db.engine.dispose()


@pytest.mark.skipif(not os.environ.get("DATABASE_URL"), reason="needs PostgreSQL (DATABASE_URL)")
def test_postgres_goes_down_and_comes_back(fresh_app, caplog):
    import psycopg

    from muni_assess.seed import seed_reference

    app = fresh_app()
    name = urlsplit(app.config["SQLALCHEMY_DATABASE_URI"]).path.lstrip("/")
    with app.app_context():
        seed_reference("CT")
        db.session.commit()
        from muni_assess.auth.services import create_user
        from muni_assess.models import Town

        andover = db.session.scalar(db.select(Town.id).where(Town.name == "Andover"))
        create_user("ops.editor@example.org", "town_editor", PASSWORD, town="Andover")
        db.session.commit()
    client = app.test_client()
    login(client, "ops.editor@example.org")
    dashboard = f"/towns/{andover}/{CYCLE}/"
    assert client.get(dashboard).status_code == 200
    token = re.search(r'name="csrf-token" content="([^"]+)"', client.get(dashboard).get_data(as_text=True))[1]
    assert client.post(f"{dashboard}start", data={"csrf_token": token}).status_code == 302

    parts = urlsplit(os.environ["DATABASE_URL"].replace("postgresql+psycopg://", "postgresql://"))
    with psycopg.connect(urlunsplit(parts), autocommit=True) as admin:
        # "down": refuse new connections and cut every open one (the app's pooled connections die)
        admin.execute(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS false')
        admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", [name])
        try:
            with caplog.at_level(logging.INFO):
                assert_friendly_503(client.get(dashboard), name)
                saved = client.post(f"/towns/{andover}/{CYCLE}/answers/backup_location",
                                    data={"value": "near_town", "version": "0"},
                                    headers={**AJAX, "X-CSRFToken": token})
                assert_friendly_503(saved, name)
                assert saved.get_json()["status"] == "error"
                assert_friendly_503(client.get("/healthz"), name)
            assert "Traceback" not in caplog.text and name not in caplog.text
        finally:
            admin.execute(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS true')

    # back up: the very next requests work again, no restart needed
    assert client.get("/healthz").status_code == 200
    assert client.get(dashboard).status_code == 200
    saved = client.post(f"/towns/{andover}/{CYCLE}/answers/backup_location",
                        data={"value": "near_town", "version": "0"}, headers={**AJAX, "X-CSRFToken": token})
    assert saved.status_code == 200 and saved.get_json()["status"] == "saved"
