"""Every route, every role, against a town and region the user may not see: 403/404 and nothing sensitive.

New routes are picked up automatically from app.url_map; a route without a town or region in its URL must be
listed in NO_TOWN_ROUTES with the reason it needs no check, or this test fails.
"""
from __future__ import annotations

import pytest
from conftest import CYCLE, csrf_token, town_id

from muni_assess.extensions import db
from muni_assess.models import Answer, Assessment
from muni_assess.models.grants import GrantDraft

SECRET_NOTE = "firewall admin password is on a sticky note"
NO_TOWN_ROUTES = {
    "static": "public assets",
    "auth.login": "the sign-in page",
    "auth.logout": "ends the caller's own session",
    "main.index": "redirects the caller to their own home",
    "main.healthz": "liveness probe, no data",
    "main.accessibility": "the public accessibility statement",
    "grants.facts": "admins only (require role admin; tested in tests/web/test_grants.py)",
    "regional.regions": "lists only the regions access.visible_regions allows (checked below)",
    "regional.statewide": "state analysts and admins only: access.require_state (tests/regional)",
    "regional.statewide_export": "state analysts and admins only: access.require_state (tests/regional)",
    # accounts (issue 7): the caller's own account, or single-use links whose token is the credential
    "auth.two_step": "second step of the caller's own pending sign-in",
    "auth.account": "the caller's own account",
    "auth.change_password_page": "the caller's own account",
    "auth.sign_out_everywhere_view": "the caller's own sessions",
    "auth.mfa_setup": "the caller's own two-step verification",
    "auth.mfa_disable": "the caller's own two-step verification",
    "auth.mfa_recovery_codes": "the caller's own recovery codes",
    "auth.accept_invitation": "single-use link, the token is the credential (tests/security)",
    "auth.request_reset": "same answer whatever the address (tests/security)",
    "auth.reset_password": "single-use link, the token is the credential (tests/security)",
    "admin.audit_log": "filtered by access.audit_scope (test_account_routes_refuse_other_roles, tests/security)",
    "admin.invitations": "access.invitable_roles / can_invite (test_account_routes_refuse_other_roles)",
    "admin.revoke_invitation": "the inviter's own or admin (test_account_routes_refuse_other_roles)",
    "admin.users": "administrators only (test_account_routes_refuse_other_roles)",
    "admin.edit_user": "administrators only (test_account_routes_refuse_other_roles)",
    "admin.reset_user_mfa": "administrators only (test_account_routes_refuse_other_roles)",
    # Nutmeg funding (issue 6): state staff only, access.can_prioritize_funding (tests/funding/test_access.py)
    **{f"funding.{name}": "state staff only (tests/funding/test_access.py)"
       for name in ("index", "save", "delete", "compare", "costs", "equity", "equity_clear", "export_csv",
                    "export_xlsx", "brief")},
}
VALUES = {"cycle": CYCLE, "section_id": "backup", "question_id": "backup_consistency", "fmt": "xlsx",
          "program_id": "slcgp"}


@pytest.fixture
def foreign(app):
    """Ansonia (NVCOG) with a submitted-looking answer that carries a sensitive note."""
    tid = town_id(app, "Ansonia")
    with app.app_context():
        from muni_assess import contentstore

        qs = contentstore.current_set()
        a = Assessment(town_id=tid, cycle=CYCLE, question_set_id=qs.id, question_set_version=qs.version,
                       content_sha256=qs.sha256, status="submitted")
        a.answers = [Answer(question_id="backup_consistency", value="no_backup", note=SECRET_NOTE)]
        draft = GrantDraft(town_id=tid, cycle=CYCLE, program_id="slcgp", item_ids=[],
                           sections={"need": {"text": SECRET_NOTE, "generated": SECRET_NOTE, "edited": True}})
        db.session.add_all([a, draft])
        db.session.commit()
        VALUES["draft_id"] = draft.id
    return tid


def town_routes(app):
    rules = [r for r in app.url_map.iter_rules() if r.endpoint not in NO_TOWN_ROUTES]
    unclassified = [r.rule for r in rules if not ({"town_id", "code"} & set(r.arguments))]
    assert not unclassified, f"routes with no town or region and no reason: {unclassified}"
    return rules


def urls(app, tid):
    for rule in town_routes(app):
        args = {k: v for k, v in VALUES.items() if k in rule.arguments}
        if rule.endpoint == "grants.export":
            args["fmt"] = "docx"
        if "town_id" in rule.arguments:
            args["town_id"] = tid
        if "code" in rule.arguments:
            args["code"] = "NVCOG"
        with app.test_request_context():
            from flask import url_for

            yield rule, url_for(rule.endpoint, **args)


@pytest.mark.parametrize("role,scope", [("town_editor", {"town": "Andover"}), ("cog_analyst", {"region": "CRCOG"})])
def test_no_route_opens_a_foreign_town(app, login_as, foreign, role, scope):
    client = login_as(role, **scope)
    token = csrf_token(client, "/")
    checked = 0
    for _rule, url in urls(app, foreign):
        for method in ("GET", "POST"):
            response = client.open(url, method=method, data={"csrf_token": token, "value": "monitored"},
                                   headers={"X-CSRFToken": token})
            body = response.get_data(as_text=True)
            assert response.status_code in (403, 404, 405), (role, method, url, response.status_code)
            assert SECRET_NOTE not in body and "We do not back up" not in body, (role, method, url)
            checked += 1
    assert checked >= 14
    with app.app_context():
        row = db.session.scalar(db.select(Answer).where(Answer.question_id == "backup_consistency"))
        assert (row.value, row.version) == ("no_backup", 1)
        assert db.session.scalar(db.select(Assessment.status).where(Assessment.town_id == foreign)) == "submitted"


def test_anonymous_is_sent_to_sign_in_everywhere(app, client, foreign):
    for _rule, url in urls(app, foreign):
        for method in ("GET", "POST"):
            response = client.open(url, method=method)
            assert response.status_code in (302, 400, 405), (method, url, response.status_code)
            if response.status_code == 302:
                assert "/auth/login" in response.headers["Location"]
            assert SECRET_NOTE not in response.get_data(as_text=True)


def test_state_analyst_reads_but_never_writes_answers(app, login_as, foreign):
    state = login_as("state_analyst")
    token = csrf_token(state, "/")
    assert SECRET_NOTE in state.get(f"/towns/{foreign}/{CYCLE}/sections/backup").get_data(as_text=True)
    for path in (f"/towns/{foreign}/{CYCLE}/answers/backup_consistency", f"/towns/{foreign}/{CYCLE}/submit",
                 f"/towns/{foreign}/{CYCLE}/start", f"/towns/{foreign}/{CYCLE}/sections/backup"):
        response = state.post(path, data={"csrf_token": token, "value": "monitored"},
                              headers={"X-CSRFToken": token})
        assert response.status_code == 403, path


def test_region_list_shows_only_visible_regions(app, login_as):
    assert login_as("town_editor", town="Andover").get("/regions/").status_code == 404
    cog = login_as("cog_analyst", region="CRCOG").get("/regions/").get_data(as_text=True)
    assert "CRCOG" in cog and "NVCOG" not in cog


def test_csrf_is_required_for_autosave(app, login_as):
    editor = login_as("town_editor", town="Andover")
    tid = town_id(app, "Andover")
    token = csrf_token(editor, f"/towns/{tid}/{CYCLE}/")
    editor.post(f"/towns/{tid}/{CYCLE}/start", data={"csrf_token": token})
    response = editor.post(f"/towns/{tid}/{CYCLE}/answers/backup_consistency", data={"value": "monitored"},
                           headers={"X-Requested-With": "fetch"})
    assert response.status_code == 400 and "expired" in response.get_json()["message"]
    with app.app_context():
        assert db.session.scalar(db.select(Answer).where(Answer.question_id == "backup_consistency")) is None


ACCOUNT_ROUTES = ("admin.users", "admin.edit_user", "admin.reset_user_mfa", "admin.revoke_invitation")


@pytest.mark.parametrize("role,scope", [("town_editor", {"town": "Andover"}), ("cog_analyst", {"region": "CRCOG"}),
                                        ("state_analyst", {})])
def test_account_routes_refuse_other_roles(app, login_as, users, foreign, role, scope):
    """User administration is for admins; invitations and the audit trail never cross a town or region line."""
    from flask import url_for

    from muni_assess import audit
    from muni_assess.models import AuditEvent, Invitation, User

    victim_id, victim_email = users.make("town_editor", town="Ansonia")
    admin_id, _ = users.make("admin")
    with app.app_context():
        inv = Invitation(token_hash="x" * 64, email="someone@ansonia.example", role="town_editor", town_id=foreign,
                         invited_by_id=admin_id, expires_at=__import__("datetime").datetime(2999, 1, 1))
        db.session.add(inv)
        audit.record("answer.change", town=foreign, user=db.session.get(User, victim_id),
                     detail={"question": "backup_consistency", "old": None, "new": "no_backup"})
        db.session.commit()
        inv_id = inv.id
    client = login_as(role, **scope)
    token = csrf_token(client, "/")
    with app.test_request_context():
        paths = [url_for(endpoint, user_id=victim_id, invitation_id=inv_id) for endpoint in ACCOUNT_ROUTES]
    for path in paths:
        for method in ("GET", "POST"):
            response = client.open(path, method=method, data={"csrf_token": token, "role": "admin", "active": "y"},
                                   headers={"X-CSRFToken": token})
            assert response.status_code in (403, 404, 405), (role, method, path, response.status_code)
            assert victim_email not in response.get_data(as_text=True)
    # Inviting an editor for a town the caller may not see is refused; nothing is created.
    response = client.post("/admin/invitations", data={"csrf_token": token, "email": "new.person@example.org",
                                                       "role": "town_editor", "town_id": foreign, "region_id": 0})
    assert response.status_code in (400, 403, 404), role
    # The audit trail shows nothing of the foreign town, even when asked for it by id.
    audit_page = client.get(f"/admin/audit?town={foreign}")
    assert victim_email not in audit_page.get_data(as_text=True) or role == "state_analyst"
    with app.app_context():
        victim = db.session.get(User, victim_id)
        assert (victim.role, victim.active, victim.town_id) == ("town_editor", True, foreign)
        assert db.session.get(Invitation, inv_id).revoked_at is None
        assert db.session.scalar(db.select(db.func.count(Invitation.id))) == 1
        assert db.session.scalar(db.select(db.func.count(AuditEvent.id)).where(
            AuditEvent.action.in_(["user.role_change", "invitation.issued", "invitation.revoked"]))) == 0


# --- every rule of app.url_map, every role, GET and POST ------------------------------------------------

ROLES = [("anonymous", {}), ("town_editor", {"town": "Andover"}), ("cog_analyst", {"region": "CRCOG"}),
         ("state_analyst", {}), ("admin", {})]
DENIED = (403, 404, 405)
FUNDING = {r for r in NO_TOWN_ROUTES if r.startswith("funding.")}
# Routes a role may not use at all (besides every town/region route of a foreign town for editors and COGs).
CLOSED_TO = {
    **{endpoint: {"town_editor", "cog_analyst"} for endpoint in FUNDING},
    "regional.statewide": {"town_editor", "cog_analyst"},
    "regional.statewide_export": {"town_editor", "cog_analyst"},
    "regional.regions": {"town_editor"},
    "admin.users": {"town_editor", "cog_analyst", "state_analyst"},
    "admin.edit_user": {"town_editor", "cog_analyst", "state_analyst"},
    "admin.reset_user_mfa": {"town_editor", "cog_analyst", "state_analyst"},
    "grants.facts": {"town_editor", "cog_analyst", "state_analyst"},
    "admin.invitations": {"town_editor", "state_analyst"},
    "admin.revoke_invitation": {"town_editor", "cog_analyst", "state_analyst"},  # an admin's invitation
}
PUBLIC = {"static", "auth.login", "main.healthz", "main.accessibility", "auth.request_reset",
          "auth.accept_invitation", "auth.reset_password"}
# Routes that end or change the caller's own session or second factor: requested last, so that every other
# route is requested while signed in.
LAST = ("auth.mfa_disable", "auth.mfa_recovery_codes", "auth.change_password_page", "auth.sign_out_everywhere_view",
        "auth.logout")
FOREIGN_EMAIL = "ansonia.editor.secret@example.org"
INVITED_EMAIL = "invited.to.ansonia@example.org"
FAILED_EMAIL = "someone.guessing@example.org"
SCENARIO = "Secret statewide scenario"


@pytest.fixture
def world(app, users, foreign):
    """Besides Ansonia's answers and draft: Ansonia's editor, an admin's invitation for Ansonia, Ansonia's audit
    events, a failed sign-in (an account event), a funding scenario, and an admin with two-step verification."""
    import pyotp

    from muni_assess import audit
    from muni_assess.models import FundingScenario, Invitation, User

    victim_id, _ = users.make("town_editor", town="Ansonia", email=FOREIGN_EMAIL)
    admin_id, _ = users.make("admin")
    with app.app_context():
        admin = db.session.get(User, admin_id)
        admin.mfa_secret, admin.mfa_enabled = pyotp.random_base32(), True
        inv = Invitation(token_hash="y" * 64, email=INVITED_EMAIL, role="town_editor", town_id=foreign,
                         invited_by_id=admin_id, expires_at=__import__("datetime").datetime(2999, 1, 1))
        scenario = FundingScenario(state="CT", name=SCENARIO, budget=1_000_000, weights={}, include_unknown=False)
        db.session.add_all([inv, scenario])
        audit.record("answer.change", town=foreign, user=db.session.get(User, victim_id),
                     detail={"question": "backup_consistency", "old": None, "new": "no_backup"})
        audit.record("auth.sign_in_failed", detail={"email": FAILED_EMAIL})
        db.session.commit()
        hashes = list(db.session.scalars(db.select(User.password_hash)))
        return {"town": foreign, "user_id": victim_id, "invitation_id": inv.id, "scenario_id": scenario.id,
                "admin_secret": admin.mfa_secret, "hashes": hashes}


def every_url(app, w):
    """(endpoint, url) for every rule of app.url_map, aimed at Ansonia / NVCOG and at the world's rows."""
    from flask import url_for

    values = {**VALUES, "town_id": w["town"], "code": "NVCOG", "user_id": w["user_id"],
              "invitation_id": w["invitation_id"], "scenario_id": w["scenario_id"], "token": "not-a-real-token",
              "filename": "css/app.css"}
    rules = sorted(app.url_map.iter_rules(), key=lambda r: (r.endpoint in LAST, LAST.index(r.endpoint)
                                                             if r.endpoint in LAST else 0, r.rule))
    with app.test_request_context():
        for rule in rules:
            args = {k: v for k, v in values.items() if k in rule.arguments}
            if rule.endpoint == "grants.export":
                args["fmt"] = "docx"
            elif rule.endpoint == "regional.statewide_export":
                args["fmt"] = "csv"
            yield rule.endpoint, url_for(rule.endpoint, **args)


def secrets_for(role: str, w) -> list[str]:
    """What must never be in any answer to this role."""
    always = [*w["hashes"], w["admin_secret"], "$argon2id$"]  # password hashes, another user's TOTP secret
    if role in ("state_analyst", "admin"):
        return always + ([FAILED_EMAIL] if role == "state_analyst" else [])  # account events: admins only
    return always + [SECRET_NOTE, "We do not back up", FOREIGN_EMAIL, INVITED_EMAIL, FAILED_EMAIL, SCENARIO]


def untouchable(app, role: str) -> tuple:
    from muni_assess.models import FundingScenario, Invitation, User

    with app.app_context():
        answers = [tuple(r) for r in db.session.execute(
            db.select(Answer.question_id, Answer.value, Answer.note, Answer.version).order_by(Answer.id))]
        status = list(db.session.scalars(db.select(Assessment.status).order_by(Assessment.id)))
        accounts = [tuple(r) for r in db.session.execute(db.select(
            User.email, User.role, User.town_id, User.region_id, User.active, User.password_hash, User.mfa_enabled)
            .where(User.email.in_([FOREIGN_EMAIL])))]
        invitations = [tuple(r) for r in db.session.execute(db.select(Invitation.email, Invitation.revoked_at))]
        drafts = [tuple(r) for r in db.session.execute(db.select(GrantDraft.sections, GrantDraft.version))]
        scenarios = list(db.session.scalars(db.select(FundingScenario.name)))
    if role == "state_analyst":  # may reopen a submitted assessment, read everything, change no answer
        return answers, accounts, invitations, drafts
    return answers, status, accounts, invitations, drafts, scenarios


@pytest.mark.parametrize("role,scope", ROLES, ids=[r for r, _ in ROLES])
def test_every_rule_every_role_get_and_post(app, client, login_as, world, role, scope):
    """Every rule of app.url_map (assessment, roadmap, grants, regional, funding, admin, audit, accounts), GET and
    POST with a valid CSRF token, for each role, aimed at a town and region outside an editor's or a COG's
    reach: never a 500, a refusal wherever the role has no business, no secret of another town or account in
    any body, and nothing the role may not change has changed."""
    user = client if role == "anonymous" else login_as(role, **scope)
    token = csrf_token(user, "/auth/login" if role == "anonymous" else "/")
    before = untouchable(app, role) if role != "admin" else None
    secrets = secrets_for(role, world)
    endpoints = set()
    for endpoint, url in every_url(app, world):
        endpoints.add(endpoint)
        town_scoped = endpoint not in NO_TOWN_ROUTES
        for method in ("GET", "POST"):
            response = user.open(url, method=method, headers={"X-CSRFToken": token},
                                 data={"csrf_token": token, "value": "monitored", "role": "admin", "active": "y",
                                       "name": "x", "budget": "1", "email": "new.person@example.org"})
            where = (role, method, url, response.status_code)
            assert response.status_code < 500, where
            if role == "anonymous" and endpoint not in PUBLIC:
                assert response.status_code in (302, 400, 405), where
                if response.status_code == 302:
                    assert "/auth/login" in response.headers["Location"], where
            elif role in ("town_editor", "cog_analyst") and town_scoped:
                assert response.status_code in DENIED, where
            elif role in CLOSED_TO.get(endpoint, ()):
                assert response.status_code in DENIED, where
            body = response.get_data(as_text=True) if response.mimetype.startswith(("text/", "application/json")) \
                else response.get_data().decode("latin-1")
            response.close()  # a file response (static, downloads) holds its file open until closed
            leaked = [s for s in secrets if s in body]
            assert not leaked, (*where, leaked)
    assert endpoints == {r.endpoint for r in app.url_map.iter_rules()}
    if before is not None:
        assert untouchable(app, role) == before, role


@pytest.mark.parametrize("role,scope", [("town_editor", {"town": "Ansonia"}), ("admin", {})])
def test_every_state_changing_route_refuses_a_request_without_csrf_token(app, login_as, world, role, scope):
    """Every rule that takes POST, asked by a user who may use it (Ansonia's own editor; an admin), without a CSRF
    token or with a forged one: 400 "expired" page or JSON, and nothing changed."""
    user = login_as(role, **scope)
    before = untouchable(app, "town_editor")
    takes_post = {r.endpoint for r in app.url_map.iter_rules() if "POST" in r.methods}
    posts = [(endpoint, url) for endpoint, url in every_url(app, world) if endpoint in takes_post]
    assert {"assess.save_answer", "assess.section", "assess.submit", "grants.draft", "funding.save",
            "admin.edit_user", "auth.logout"} <= {e for e, _ in posts}
    for endpoint, url in posts:
        for headers in ({}, {"X-CSRFToken": "forged"}, {"X-Requested-With": "fetch"}):
            response = user.post(url, headers=headers, data={"value": "monitored", "role": "admin", "active": "y",
                                                             "csrf_token": headers.get("X-CSRFToken", "")})
            assert response.status_code == 400, (role, endpoint, headers, response.status_code)
            if response.is_json:
                assert "expired" in response.get_json()["message"]
            response.close()
    assert untouchable(app, "town_editor") == before
    assert user.get("/").status_code == 302 and "/auth/login" not in user.get("/").headers["Location"]
