"""TOTP two-step verification: enrolment, the second sign-in step, replay, recovery codes, and mandatory
enrolment for admins and state analysts."""
from __future__ import annotations

import re

import pyotp
from conftest import PASSWORD, csrf_token, enrol_mfa, login, totp_code

from muni_assess.extensions import db
from muni_assess.models import AuditEvent, User


def actions(app):
    with app.app_context():
        return [e.action for e in db.session.scalars(db.select(AuditEvent).order_by(AuditEvent.id))]


def enrol_via_pages(client) -> tuple[str, list[str]]:
    page = client.get("/auth/two-step/setup").get_data(as_text=True)
    secret = re.search(r'id="mfa-secret">([A-Z2-7 ]+)<', page).group(1).replace(" ", "")
    assert "otpauth://totp/" in page
    token = csrf_token(client, "/auth/two-step/setup")
    wrong = client.post("/auth/two-step/setup", data={"csrf_token": token, "code": "000000"})
    assert wrong.status_code == 400 and b"not right" in wrong.data
    done = client.post("/auth/two-step/setup", data={"csrf_token": token, "code": pyotp.TOTP(secret).now()})
    assert done.status_code == 200
    codes = re.findall(r"<code>([a-z2-9]{5}-[a-z2-9]{5})</code>", done.get_data(as_text=True))
    assert len(codes) == 10
    return secret, codes


def test_any_user_can_turn_on_two_step_and_is_then_asked_for_a_code(app, login_as):
    editor = login_as("town_editor", town="Andover")
    secret, codes = enrol_via_pages(editor)
    with app.app_context():
        user = db.session.get(User, editor.user_id)
        assert user.mfa_enabled and codes[0] not in repr(user.mfa_recovery_hashes)  # hashes only
    fresh = app.test_client()
    token = csrf_token(fresh)
    first = fresh.post("/auth/login", data={"email": editor.email, "password": PASSWORD, "csrf_token": token})
    assert first.headers["Location"] == "/auth/two-step"
    assert fresh.get("/").status_code == 302  # not signed in until the second step
    bad = fresh.post("/auth/two-step", data={"csrf_token": token, "code": "123456"})
    assert bad.status_code == 400 and b"not right" in bad.data
    code = totp_code(app, editor.email)
    assert fresh.post("/auth/two-step", data={"csrf_token": token, "code": code}).status_code == 302
    assert fresh.get("/").status_code == 302 and "/towns/" in fresh.get("/").headers["Location"]
    assert "mfa.enabled" in actions(app)


def test_a_code_works_only_once(app, users):
    _, email = users.make("town_editor", town="Andover")
    secret = enrol_mfa(app, email)
    code = pyotp.TOTP(secret).now()
    one, two = app.test_client(), app.test_client()
    for client in (one, two):
        token = csrf_token(client)
        client.post("/auth/login", data={"email": email, "password": PASSWORD, "csrf_token": token})
        client.token = token
    assert one.post("/auth/two-step", data={"csrf_token": one.token, "code": code}).status_code == 302
    assert two.post("/auth/two-step", data={"csrf_token": two.token, "code": code}).status_code == 400


def test_recovery_code_signs_in_once(app, login_as):
    editor = login_as("town_editor", town="Andover")
    _, codes = enrol_via_pages(editor)
    for expected in (302, 400):
        client = app.test_client()
        token = csrf_token(client)
        client.post("/auth/login", data={"email": editor.email, "password": PASSWORD, "csrf_token": token})
        response = client.post("/auth/two-step", data={"csrf_token": token, "code": codes[0].upper()})
        assert response.status_code == expected
    assert "mfa.recovery_used" in actions(app)


def test_admins_and_state_analysts_must_enrol_before_anything_else(app, users):
    for role in ("admin", "state_analyst"):
        _, email = users.make(role)
        client = app.test_client()
        login(client, email)
        for path in ("/", "/regions/", "/admin/audit", "/auth/account"):
            response = client.get(path)
            assert response.status_code == 302 and response.headers["Location"].endswith("/auth/two-step/setup")
        fetch = client.post("/towns/1/2026/answers/x", headers={"X-Requested-With": "fetch"})
        assert fetch.status_code in (400, 403)
        enrol_via_pages(client)
        assert client.get("/regions/").status_code == 200


def test_required_roles_cannot_turn_two_step_off_and_others_need_password_and_code(app, login_as):
    admin = login_as("admin")
    token = csrf_token(admin, "/auth/account")
    admin.post("/auth/two-step/disable", data={"csrf_token": token, "password": PASSWORD,
                                               "code": totp_code(app, admin.email)})
    with app.app_context():
        assert db.session.get(User, admin.user_id).mfa_enabled
    editor = login_as("town_editor", town="Andover")
    enrol_via_pages(editor)
    token = csrf_token(editor, "/auth/account")
    editor.post("/auth/two-step/disable", data={"csrf_token": token, "password": "wrong wrong wrong",
                                                "code": totp_code(app, editor.email)})
    with app.app_context():
        assert db.session.get(User, editor.user_id).mfa_enabled
    editor.post("/auth/two-step/disable", data={"csrf_token": token, "password": PASSWORD,
                                                "code": totp_code(app, editor.email)})
    with app.app_context():
        user = db.session.get(User, editor.user_id)
        assert not user.mfa_enabled and user.mfa_secret is None
    assert "mfa.disabled" in actions(app)


def test_two_step_page_without_a_pending_sign_in_goes_back_to_sign_in(client):
    response = client.get("/auth/two-step")
    assert response.status_code == 302 and response.headers["Location"].endswith("/auth/login")
