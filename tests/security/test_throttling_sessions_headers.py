"""Sign-in throttling, session cookie flags and timeouts, sign out everywhere, security headers, error pages."""
from __future__ import annotations

import time

import pytest
from conftest import PASSWORD, build_app, csrf_token, login

from muni_assess.extensions import db
from muni_assess.models import User
from muni_assess.security import CSP


def wrong(client, email, token):
    return client.post("/auth/login", data={"email": email, "password": "wrong password guess", "csrf_token": token})


def test_sixth_rapid_wrong_sign_in_is_refused_with_429(app, client, users):
    _, email = users.make("town_editor", town="Andover")
    token = csrf_token(client)
    assert [wrong(client, email, token).status_code for _ in range(5)] == [400] * 5
    sixth = wrong(client, email, token)
    assert sixth.status_code == 429 and b"Too many attempts" in sixth.data
    # Even the right password waits: the account is throttled, not just the wrong guesses.
    right = client.post("/auth/login", data={"email": email, "password": PASSWORD, "csrf_token": token})
    assert right.status_code == 429


def test_address_limit_spans_accounts(app, client):
    token = csrf_token(client)
    codes = [wrong(client, f"nobody{i}@example.org", token).status_code for i in range(21)]
    assert codes[:20] == [400] * 20 and codes[20] == 429


def test_successful_sign_ins_do_not_count(app, users):
    _, email = users.make("town_editor", town="Andover")
    for _ in range(7):
        login(app.test_client(), email)


def test_session_cookie_flags(app, users):
    _, email = users.make("town_editor", town="Andover")
    client = app.test_client()
    response = login(client, email)
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_production_cookie_is_secure(database_url):
    prod = build_app(database_url, TESTING=False)
    assert prod.config["SESSION_COOKIE_SECURE"] is True
    assert build_app(database_url).config["SESSION_COOKIE_SECURE"] is False  # TESTING: plain http works
    assert build_app(database_url, TESTING=False, SESSION_COOKIE_SECURE=False).config["SESSION_COOKIE_SECURE"] is False


def test_idle_and_absolute_timeouts(app, login_as):
    editor = login_as("town_editor", town="Andover")
    assert editor.get("/").headers["Location"].startswith("/towns/")
    with editor.session_transaction() as sess:
        sess["_seen"] = int(time.time()) - 31 * 60
    response = editor.get("/")
    assert response.headers["Location"].startswith("/auth/login")
    other = login_as("town_editor", town="Andover")
    with other.session_transaction() as sess:
        sess["_started"] = int(time.time()) - 13 * 3600
    assert other.get("/").headers["Location"].startswith("/auth/login")
    fetch = login_as("town_editor", town="Andover")
    with fetch.session_transaction() as sess:
        sess["_seen"] = int(time.time()) - 31 * 60
    answer = fetch.post("/towns/1/2026/answers/x", headers={"X-Requested-With": "fetch"})
    assert answer.status_code in (400, 401)


def test_sign_out_everywhere_ends_every_session(app, users):
    _, email = users.make("town_editor", town="Andover")
    laptop, phone = app.test_client(), app.test_client()
    login(laptop, email)
    login(phone, email)
    token = csrf_token(laptop, "/auth/account")
    assert laptop.post("/auth/account/sign-out-everywhere", data={"csrf_token": token}).status_code == 302
    assert phone.get("/").headers["Location"].startswith("/auth/login")
    assert laptop.get("/").headers["Location"].startswith("/auth/login")
    login(phone, email)  # a new sign-in works
    assert phone.get("/").headers["Location"].startswith("/towns/")


def test_changing_password_ends_other_sessions_but_not_this_one(app, users):
    _, email = users.make("town_editor", town="Andover")
    mine, other = app.test_client(), app.test_client()
    login(mine, email)
    login(other, email)
    token = csrf_token(mine, "/auth/account/password")
    new = "plum tractor oboe seven"
    weak = mine.post("/auth/account/password", data={"csrf_token": token, "current": PASSWORD,
                                                     "password": "password12345", "confirm": "password12345"})
    assert weak.status_code == 400 and b"too common" in weak.data
    ok = mine.post("/auth/account/password", data={"csrf_token": token, "current": PASSWORD, "password": new,
                                                   "confirm": new})
    assert ok.status_code == 302
    assert mine.get("/").headers["Location"].startswith("/towns/")
    assert other.get("/").headers["Location"].startswith("/auth/login")
    with app.app_context():
        assert db.session.scalar(db.select(User).where(User.email == email)).password_changed_at is not None


def test_security_headers(client):
    response = client.get("/auth/login")
    h = response.headers
    assert h["Content-Security-Policy"] == CSP
    assert "'unsafe-inline'" not in CSP and "script-src 'self'" in CSP and "style-src 'self'" in CSP
    assert h["X-Frame-Options"] == "DENY" and h["X-Content-Type-Options"] == "nosniff"
    assert h["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in h
    secure = client.get("/auth/login", base_url="https://localhost")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=")


def test_signed_in_pages_are_not_cached(login_as):
    editor = login_as("town_editor", town="Andover")
    assert editor.get("/auth/account").headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("path,code", [("/no/such/page", 404), ("/towns/999999/2026/", 302)])
def test_friendly_error_pages_reveal_nothing(client, path, code):
    response = client.get(path)
    assert response.status_code == code
    body = response.get_data(as_text=True)
    assert "Traceback" not in body and "werkzeug" not in body.lower() and "sqlalchemy" not in body.lower()


def test_too_large_request_gets_413_page(app, client):
    response = client.post("/auth/login", data={"email": "x" * (app.config["MAX_CONTENT_LENGTH"] + 10)})
    assert response.status_code == 413 and b"too large" in response.data


def test_500_page_reveals_nothing(app, database_url):
    broken = build_app(database_url)
    broken.config["PROPAGATE_EXCEPTIONS"] = False

    @broken.route("/boom")
    def boom():
        raise RuntimeError("secret internal detail /etc/passwd")

    response = broken.test_client().get("/boom")
    body = response.get_data(as_text=True)
    assert response.status_code == 500 and "secret internal detail" not in body and "Traceback" not in body


def test_non_object_json_body_is_a_400_not_a_500(client):
    assert client.post("/auth/login", data="true", content_type="application/json").status_code == 400


SIGN_IN_ATTEMPTS = """
import json, re, sys
from muni_assess import create_app
config, email, password, tries = json.loads(sys.argv[1])
client = create_app(config).test_client()
page = client.get("/auth/login").get_data(as_text=True)
token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
print(json.dumps([client.post("/auth/login", data={"email": email, "password": password, "csrf_token": token})
                  .status_code for _ in range(tries)]))
"""


def attempts_in_another_process(config: dict, email: str, password: str, tries: int) -> list[int]:
    """Sign-in attempts made by a separate Python process (as another gunicorn worker would)."""
    import json
    import subprocess
    import sys

    from conftest import ROOT

    done = subprocess.run([sys.executable, "-c", SIGN_IN_ATTEMPTS, json.dumps([config, email, password, tries])],
                          capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_with_redis_url_the_throttle_is_shared_by_every_process(database_url, users):
    """With REDIS_URL set, failed sign-ins counted by one process throttle the account in another (gunicorn
    workers share the count); without it each process counts alone."""
    import redis

    url = "redis://127.0.0.1:6379/15"
    store = redis.Redis.from_url(url)
    try:
        store.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis at 127.0.0.1:6379")
    _, email = users.make("town_editor", town="Andover")
    base = {"TESTING": True, "SECRET_KEY": "test-secret-key", "SQLALCHEMY_DATABASE_URI": database_url,
            "STATE": "CT", "RATELIMIT_KEY_PREFIX": f"muni_assess_test_{email}"}
    try:
        alone = {**base, "RATELIMIT_KEY_PREFIX": base["RATELIMIT_KEY_PREFIX"] + "_memory"}
        assert attempts_in_another_process(alone, email, "wrong password guess", 5) == [400] * 5
        assert attempts_in_another_process(alone, email, PASSWORD, 1) == [302]  # memory: a new count

        shared = {**base, "REDIS_URL": url}
        assert attempts_in_another_process(shared, email, "wrong password guess", 5) == [400] * 5
        assert store.keys(f"*{base['RATELIMIT_KEY_PREFIX']}*"), "no throttling count in Redis"
        assert attempts_in_another_process(shared, email, PASSWORD, 1) == [429]  # counted by the other process
    finally:
        for key in store.keys(f"*{base['RATELIMIT_KEY_PREFIX']}*"):
            store.delete(key)
