"""Every route, every role, against a town and region the user may not see: 403/404 and nothing sensitive.

New routes are picked up automatically from app.url_map; a route without a town or region in its URL must be
listed in NO_TOWN_ROUTES with the reason it needs no check, or this test fails.
"""
from __future__ import annotations

import pytest
from conftest import CYCLE, csrf_token, town_id

from muni_assess.extensions import db
from muni_assess.models import Answer, Assessment

SECRET_NOTE = "firewall admin password is on a sticky note"
NO_TOWN_ROUTES = {
    "static": "public assets",
    "auth.login": "the sign-in page",
    "auth.logout": "ends the caller's own session",
    "main.index": "redirects the caller to their own home",
    "main.healthz": "liveness probe, no data",
    "regional.regions": "lists only the regions access.visible_regions allows (checked below)",
}
VALUES = {"cycle": CYCLE, "section_id": "backup", "question_id": "backup_consistency"}


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
        db.session.add(a)
        db.session.commit()
    return tid


def town_routes(app):
    rules = [r for r in app.url_map.iter_rules() if r.endpoint not in NO_TOWN_ROUTES]
    unclassified = [r.rule for r in rules if not ({"town_id", "code"} & set(r.arguments))]
    assert not unclassified, f"routes with no town or region and no reason: {unclassified}"
    return rules


def urls(app, tid):
    for rule in town_routes(app):
        args = {k: v for k, v in VALUES.items() if k in rule.arguments}
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
