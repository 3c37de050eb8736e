"""NIST SP 800-63B password rules (length, a shipped list of common and breached passwords, no composition
rules) and invitations: who may invite whom, single-use expiring links stored only as hashes."""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from conftest import PASSWORD, csrf_token, login, town_id

from muni_assess.auth.passwordlist import common_passwords
from muni_assess.extensions import db
from muni_assess.models import AuditEvent, Invitation, User
from muni_assess.passwords import password_problem


@pytest.mark.parametrize("password", ["password1234", "qwertyuiop123", "iloveyou2026!", "123456789012",
                                      "aaaaaaaaaaaaaaa", "Sunshine2026!", "muniassess2026", "trustno1trustno1"])
def test_common_and_breached_passwords_are_refused(password):
    assert "too common" in password_problem(password)


@pytest.mark.parametrize("password", ["correct horse battery staple", "plum tractor oboe", "zb7#Qm!x2LpA",
                                      "all lowercase without digits", "ALL CAPS IS FINE TOO"])
def test_long_uncommon_passwords_pass_without_composition_rules(password):
    assert password_problem(password) is None


def test_length_rule_and_the_shipped_list():
    assert "at least 12" in password_problem("short pass")
    assert len(common_passwords()) > 10_000  # a real list ships in the package, not a handful of words
    assert "password123456" in common_passwords()


def test_email_is_context(app):
    assert "too common" in password_problem("jsmith.hartford1", ("jsmith.hartford@town.gov", "jsmith.hartford"))


def test_cli_create_user_applies_the_same_rules(app, runner):
    result = runner.invoke(args=["create-user", "--email", "a@example.org", "--role", "admin",
                                 "--password", "password12345"])
    assert result.exit_code != 0 and "too common" in result.output


def outbox(app) -> list[str]:
    folder = Path(app.config.get("OUTBOX_DIR") or Path(app.instance_path) / "outbox")
    return [p.read_text() for p in sorted(folder.glob("*.eml"))] if folder.exists() else []


@pytest.fixture(autouse=True)
def _outbox(app, tmp_path):
    app.config["OUTBOX_DIR"] = str(tmp_path / "outbox")
    yield
    app.config.pop("OUTBOX_DIR", None)


def invite(client, **data):
    token = csrf_token(client, "/admin/invitations")
    return client.post("/admin/invitations", data={"csrf_token": token, "name": "", "town_id": 0, "region_id": 0,
                                                   **data})


def link_of(response) -> str:
    match = re.search(r"(https?://[^\s<]+/auth/invitation/[\w-]+)", response.get_data(as_text=True))
    assert match, response.get_data(as_text=True)[:2000]
    return match.group(1).split("localhost", 1)[-1]


def test_admin_invites_any_role_and_the_link_works_once(app, login_as, client):
    admin = login_as("admin")
    response = invite(admin, email="New.Analyst@Example.org", role="state_analyst")
    assert response.status_code == 200
    path = link_of(response)
    mails = outbox(app)
    assert len(mails) == 1 and path in mails[0].replace("=\n", "") and "new.analyst@example.org" in mails[0]
    token = path.rsplit("/", 1)[1]
    with app.app_context():
        inv = db.session.scalar(db.select(Invitation))
        assert token not in inv.token_hash and len(inv.token_hash) == 64  # only the hash is stored
    page = client.get(path)
    assert page.status_code == 200 and b"new.analyst@example.org" in page.data
    form = {"csrf_token": csrf_token(client, path), "name": "Nia", "password": "password12345",
            "confirm": "password12345"}
    weak = client.post(path, data=form)
    assert weak.status_code == 400 and b"too common" in weak.data
    form.update(password="plum tractor oboe seven", confirm="plum tractor oboe seven")
    done = client.post(path, data=form)
    assert done.status_code == 302
    assert client.get(path).status_code == 404  # single use
    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.email == "new.analyst@example.org"))
        assert user.role == "state_analyst" and user.name == "Nia"
        actions = [e.action for e in db.session.scalars(db.select(AuditEvent).order_by(AuditEvent.id))]
        assert "invitation.issued" in actions and "invitation.accepted" in actions
    fresh = app.test_client()
    login(fresh, "new.analyst@example.org", "plum tractor oboe seven")
    assert fresh.get("/").headers["Location"].endswith("/auth/two-step/setup")  # must enrol first


def test_expired_invitation_does_not_work(app, login_as, client):
    admin = login_as("admin")
    path = link_of(invite(admin, email="late@example.org", role="town_editor", town_id=town_id(app, "Andover")))
    with app.app_context():
        inv = db.session.scalar(db.select(Invitation))
        inv.expires_at = dt.datetime(2000, 1, 1)
        db.session.commit()
    assert client.get(path).status_code == 404
    assert client.post(path, data={"password": "plum tractor oboe seven"}).status_code in (400, 404)


def test_cog_analyst_invites_editors_for_own_region_only(app, login_as):
    cog = login_as("cog_analyst", region="CRCOG")
    ok = invite(cog, email="editor@andover.example", role="town_editor", town_id=town_id(app, "Andover"))
    assert ok.status_code == 200 and b"/auth/invitation/" in ok.data
    foreign = invite(cog, email="editor@ansonia.example", role="town_editor", town_id=town_id(app, "Ansonia"))
    assert foreign.status_code == 400 and b"/auth/invitation/" not in foreign.data
    analyst = invite(cog, email="analyst@example.org", role="admin")
    assert analyst.status_code == 400
    with app.app_context():
        assert [i.email for i in db.session.scalars(db.select(Invitation))] == ["editor@andover.example"]


@pytest.mark.parametrize("role,scope", [("town_editor", {"town": "Andover"}), ("state_analyst", {})])
def test_other_roles_cannot_invite(app, login_as, role, scope):
    client = login_as(role, **scope)
    assert client.get("/admin/invitations").status_code == 404
    assert invite(client, email="x@example.org", role="town_editor").status_code in (400, 404)


def test_existing_account_cannot_be_invited(app, login_as, users):
    _, email = users.make("town_editor", town="Andover")
    response = invite(login_as("admin"), email=email, role="admin")
    assert response.status_code == 400 and b"already exists" in response.data


def test_admin_changes_a_role_which_is_audited_and_ends_the_users_sessions(app, login_as, users):
    editor = login_as("town_editor", town="Andover")
    admin = login_as("admin")
    token = csrf_token(admin, f"/admin/users/{editor.user_id}")
    response = admin.post(f"/admin/users/{editor.user_id}", data={
        "csrf_token": token, "role": "cog_analyst", "town_id": 0, "region_id": 0, "active": "y"})
    assert response.status_code == 400 and b"needs a region" in response.data  # nothing changed
    with app.app_context():
        from muni_assess.models import Region

        crcog = db.session.scalar(db.select(Region.id).where(Region.code == "CRCOG"))
    response = admin.post(f"/admin/users/{editor.user_id}", data={
        "csrf_token": token, "role": "cog_analyst", "town_id": 0, "region_id": crcog, "active": "y"})
    assert response.status_code == 302
    assert editor.get("/").headers["Location"].startswith("/auth/login")  # signed out: new rights at next sign-in
    with app.app_context():
        event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "user.role_change"))
        assert event.detail["old"]["role"] == "town_editor" and event.detail["new"]["role"] == "cog_analyst"
    login(editor, editor.email, PASSWORD)
    assert "/regions/CRCOG" in editor.get("/").headers["Location"]
