"""The audit trail: answer changes (values, never notes' text), sign-ins, failed sign-ins, downloads; and who
may read which events."""
from __future__ import annotations

from conftest import CYCLE, PASSWORD, csrf_token, login, town_id

from muni_assess import audit
from muni_assess.extensions import db
from muni_assess.models import AuditEvent

AJAX = {"X-Requested-With": "fetch"}
NOTE = "the admin password is Tr0ub4dor on a sticky note"


def events(app, action=None):
    with app.app_context():
        query = db.select(AuditEvent).order_by(AuditEvent.id)
        if action:
            query = query.where(AuditEvent.action == action)
        rows = list(db.session.scalars(query))
        db.session.expunge_all()
        return rows


def start_and_save(app, editor, tid, value, note="", version=0):
    token = csrf_token(editor, f"/towns/{tid}/{CYCLE}/")
    editor.post(f"/towns/{tid}/{CYCLE}/start", data={"csrf_token": token})
    return editor.post(f"/towns/{tid}/{CYCLE}/answers/backup_consistency",
                       data={"value": value, "note": note, "version": version},
                       headers={**AJAX, "X-CSRFToken": token})


def test_answer_change_records_who_when_old_and_new_value_but_not_the_note(app, login_as):
    editor = login_as("town_editor", town="Andover")
    tid = town_id(app, "Andover")
    assert start_and_save(app, editor, tid, "no_backup", note=NOTE).status_code == 200
    second = start_and_save(app, editor, tid, "monitored", version=1)
    assert second.status_code == 200, second.get_data(as_text=True)
    changes = events(app, "answer.change")
    assert [(e.detail["old"], e.detail["new"]) for e in changes] == [(None, "no_backup"), ("no_backup", "monitored")]
    first = changes[0]
    assert first.user_id == editor.user_id and first.actor_email == editor.email
    assert first.town_id == tid and first.region_id is not None and first.at is not None
    assert first.detail["question"] == "backup_consistency" and first.detail["note_changed"] is True
    assert first.ip == "127.0.0.1"
    assert all(NOTE not in repr(e.detail) for e in events(app))


def test_sign_in_and_failed_sign_in_are_recorded_without_the_password(app, client, users):
    _, email = users.make("town_editor", town="Andover")
    token = csrf_token(client)
    client.post("/auth/login", data={"email": email, "password": "not my password at all", "csrf_token": token})
    client.post("/auth/login", data={"email": "nobody@example.org", "password": "guessing guessing",
                                     "csrf_token": token})
    login(client, email)
    failed = events(app, "auth.sign_in_failed")
    assert [e.detail["email"] for e in failed] == [email, "nobody@example.org"]
    assert failed[1].user_id is None
    assert all("guessing" not in repr(e.detail) and "not my password" not in repr(e.detail) for e in events(app))
    signed = events(app, "auth.sign_in")
    assert len(signed) == 1 and signed[0].actor_email == email


def test_roadmap_download_is_recorded(app, login_as):
    editor = login_as("town_editor", town="Andover")
    tid = town_id(app, "Andover")
    start_and_save(app, editor, tid, "no_backup")
    response = editor.get(f"/towns/{tid}/{CYCLE}/roadmap.pdf")
    assert response.status_code == 200
    downloads = events(app, "export.roadmap_pdf")
    assert len(downloads) == 1 and downloads[0].town_id == tid and downloads[0].detail == {"cycle": CYCLE}


def test_record_joins_the_callers_transaction(app):
    tid = town_id(app, "Andover")
    with app.test_request_context():
        audit.record("export.roadmap_pdf", town=tid, detail={"cycle": CYCLE})
        db.session.rollback()  # the change it described did not happen: neither did the event
        audit.record("export.roadmap_pdf", town=tid, detail={"cycle": CYCLE})
        db.session.commit()
    rows = events(app)
    assert len(rows) == 1 and rows[0].user_id is None and rows[0].region_id is not None


def _seed_events(app):
    ids = {name: town_id(app, name) for name in ("Andover", "Ansonia", "Hartford")}
    with app.app_context():
        for name, tid in ids.items():
            audit.record("answer.change", town=tid, detail={"question": f"q-{name}", "old": None, "new": "x"})
        audit.record("auth.sign_in_failed", detail={"email": "someone@example.org"})
        db.session.commit()


def test_each_role_reads_only_its_scope(app, login_as):
    _seed_events(app)
    editor = login_as("town_editor", town="Andover").get("/admin/audit").get_data(as_text=True)
    assert "q-Andover" in editor and "q-Ansonia" not in editor and "q-Hartford" not in editor
    assert "someone@example.org" not in editor
    cog = login_as("cog_analyst", region="CRCOG").get("/admin/audit").get_data(as_text=True)
    assert "q-Andover" in cog and "q-Hartford" in cog and "q-Ansonia" not in cog  # Ansonia is NVCOG
    state = login_as("state_analyst").get("/admin/audit").get_data(as_text=True)
    assert "q-Ansonia" in state and "someone@example.org" not in state  # town events only
    admin = login_as("admin")
    page = admin.get("/admin/audit").get_data(as_text=True)
    assert "q-Ansonia" in page and "someone@example.org" in page
    only = admin.get(f"/admin/audit?town={town_id(app, 'Ansonia')}&action=answer.change").get_data(as_text=True)
    assert "q-Ansonia" in only and "q-Andover" not in only
    hostile = admin.get("/admin/audit?town=abc&action=<script>&page=-4")
    assert hostile.status_code == 200 and "<script>" not in hostile.get_data(as_text=True)


def test_audit_pages_are_paginated(app, login_as):
    with app.app_context():
        for i in range(60):
            audit.record("auth.sign_in", detail={"n": f"event-{i:03d}"})
        db.session.commit()
    admin = login_as("admin")
    first = admin.get("/admin/audit?action=auth.sign_in").get_data(as_text=True)
    assert "page 1 of 2" in first and "event-059" in first and "event-000" not in first
    second = admin.get("/admin/audit?action=auth.sign_in&page=2").get_data(as_text=True)
    assert "event-000" in second


def test_anonymous_cannot_read_the_audit_trail(client):
    response = client.get("/admin/audit")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_password_is_never_in_the_audit_table(app, client, users):
    _, email = users.make("town_editor", town="Andover")
    login(client, email, PASSWORD)
    assert all(PASSWORD not in repr(e.detail) for e in events(app))


def test_grant_draft_downloads_are_recorded_and_shown_to_the_towns_editors_only(app, login_as):
    """A grant draft exported as DOCX and as PDF: two events on the town, listed on its editors' audit page and
    its COG's, not on another town's editor's."""
    import re

    from conftest import worst

    from muni_assess import contentstore
    from muni_assess.models import Answer, Assessment

    tid = town_id(app, "Andover")
    with app.app_context():
        qs = contentstore.current_set()
        a = Assessment(town_id=tid, cycle=CYCLE, question_set_id=qs.id, question_set_version=qs.version,
                       content_sha256=qs.sha256, status="submitted")
        a.answers = [Answer(question_id=q.id, value=worst(q), note="") for s in qs.sections_for("CT")
                     for q in s.questions]
        db.session.add(a)
        db.session.commit()
    editor = login_as("town_editor", town="Andover")
    path = f"/towns/{tid}/{CYCLE}/grants/slcgp/new"
    items = re.findall(r'name="items" value="([a-z_]+)"', editor.get(path).get_data(as_text=True))
    created = editor.post(path, data={"csrf_token": csrf_token(editor, path), "items": items})
    assert created.status_code == 302, created.get_data(as_text=True)[:300]
    draft_url = created.headers["Location"]
    assert editor.get(draft_url + ".docx").status_code == 200
    assert editor.get(draft_url + ".pdf").data.startswith(b"%PDF")
    downloads = events(app, "document.download")
    assert [(e.detail["document"], e.detail["program"], e.town_id, e.user_id) for e in downloads] == [
        ("grant draft (docx)", "slcgp", tid, editor.user_id), ("grant draft (pdf)", "slcgp", tid, editor.user_id)]
    assert all(e.region_id is not None and e.at is not None for e in downloads)
    page = editor.get("/admin/audit?action=document.download").get_data(as_text=True)
    assert "grant draft (docx)" in page and "grant draft (pdf)" in page and editor.email in page
    cog = login_as("cog_analyst", region="CRCOG").get("/admin/audit").get_data(as_text=True)
    assert "grant draft (pdf)" in cog
    other = login_as("town_editor", town="Bolton").get("/admin/audit").get_data(as_text=True)
    assert "grant draft" not in other and editor.email not in other
