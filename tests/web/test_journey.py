"""The town assessment journey through the Flask test client: sign in, start, answer (autosave and the
no-JavaScript form), resume, see explained scores, submit, reopen, and a COG analyst's view of the region."""
from __future__ import annotations

import re

from conftest import CYCLE, csrf_token, town_id

from muni_assess.extensions import db
from muni_assess.models import Answer, Assessment

AJAX = {"X-Requested-With": "fetch"}


def start(client, tid: int, from_previous: bool = False):
    token = csrf_token(client, f"/towns/{tid}/{CYCLE}/")
    return client.post(f"/towns/{tid}/{CYCLE}/start",
                       data={"csrf_token": token, "from_previous": "yes" if from_previous else "no"})


def autosave(client, tid, qid, value, version=0, note="", cycle=CYCLE, token=None):
    token = token or csrf_token(client, f"/towns/{tid}/{cycle}/")
    values = value if isinstance(value, list) else [value]
    data = {"value": values, "note": note, "version": str(version)}
    return client.post(f"/towns/{tid}/{cycle}/answers/{qid}", data=data,
                       headers={**AJAX, "X-CSRFToken": token})


def stored(app, tid, qid, cycle=CYCLE):
    with app.app_context():
        return db.session.scalar(db.select(Answer).join(Assessment).where(
            Assessment.town_id == tid, Assessment.cycle == cycle, Answer.question_id == qid))


def test_sign_in_page_and_bad_password(client, users):
    _, email = users.make("town_editor", town="Andover")
    page = client.get("/auth/login")
    assert page.status_code == 200 and b"Sign in" in page.data
    token = csrf_token(client)
    bad = client.post("/auth/login", data={"email": email, "password": "wrong password!!", "csrf_token": token})
    assert bad.status_code == 400
    assert b"The email address or password is not right." in bad.data
    unknown = client.post("/auth/login", data={"email": "nobody@example.org", "password": "x" * 14,
                                               "csrf_token": token})
    assert b"The email address or password is not right." in unknown.data  # same message: no account probing
    assert client.get("/").status_code == 302


def test_login_without_csrf_token_is_refused(client, users):
    _, email = users.make("town_editor", town="Andover")
    response = client.post("/auth/login", data={"email": email, "password": "a long test password 42"})
    assert response.status_code == 400
    assert client.get("/", follow_redirects=False).headers["Location"].startswith("/auth/login")


def test_town_editor_lands_on_town_and_starts(app, login_as):
    editor = login_as("town_editor", town="Andover")
    tid = town_id(app, "Andover")
    home = editor.get("/", follow_redirects=True)
    assert home.status_code == 200 and b"Andover: 2026 IT assessment" in home.data
    assert b"Not started" in home.data
    response = start(editor, tid)
    assert response.status_code == 302
    page = editor.get(f"/towns/{tid}/{CYCLE}/").get_data(as_text=True)
    assert "In progress" in page.replace("IN PROGRESS", "In progress")
    assert "0 of " in page
    with app.app_context():
        a = db.session.scalar(db.select(Assessment).where(Assessment.town_id == tid))
        assert (a.question_set_id, a.question_set_version) == ("municipal-it", 1)
        assert len(a.content_sha256) == 64


def test_autosave_saves_and_reload_finds_answer(app, login_as):
    editor = login_as("town_editor", town="Andover")
    tid = town_id(app, "Andover")
    start(editor, tid)
    r = autosave(editor, tid, "backup_consistency", "scheduled_all", note="Veeam nightly")
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["status"] == "saved" and body["version"] == 1 and body["message"] == "Saved"
    page = editor.get(f"/towns/{tid}/{CYCLE}/sections/backup").get_data(as_text=True)
    assert re.search(r'value="scheduled_all" checked', page)
    assert "Veeam nightly" in page
    # a second save based on version 1 moves it to version 2
    r2 = autosave(editor, tid, "backup_consistency", "monitored", version=1, note="Veeam nightly")
    assert r2.get_json()["version"] == 2
    assert stored(app, tid, "backup_consistency").value == "monitored"


def test_multi_and_number_answers(app, login_as):
    editor = login_as("town_editor", town="Andover")
    tid = town_id(app, "Andover")
    start(editor, tid)
    assert autosave(editor, tid, "backup_coverage", ["email", "shared_files"]).status_code == 200
    assert stored(app, tid, "backup_coverage").value == ["shared_files", "email"]  # content order
    assert autosave(editor, tid, "nutmeg_connected", "not_connected").status_code == 200
    assert autosave(editor, tid, "nutmeg_connection_cost", "$45,500").status_code == 200
    assert stored(app, tid, "nutmeg_connection_cost").value == 45500
    refused = autosave(editor, tid, "backup_coverage", ["none", "email"])
    assert refused.status_code == 400 and "cannot be combined" in refused.get_json()["message"]


def test_bad_values_are_refused_and_nothing_saved(app, login_as):
    editor = login_as("town_editor", town="Andover")
    tid = town_id(app, "Andover")
    start(editor, tid)
    r = autosave(editor, tid, "backup_consistency", "pretty_good")
    assert r.status_code == 400
    assert "is not one of the choices" in r.get_json()["message"]
    assert stored(app, tid, "backup_consistency") is None
    unknown = autosave(editor, tid, "no_such_question", "x")
    assert unknown.status_code == 400 and "not part of this assessment" in unknown.get_json()["message"]
    broadband = autosave(editor, tid, "nutmeg_connection_cost", "lots")
    assert broadband.status_code == 400 and "Enter a number" in broadband.get_json()["message"]
    long_note = autosave(editor, tid, "backup_consistency", "monitored", note="x" * 2001)
    assert long_note.status_code == 400 and stored(app, tid, "backup_consistency") is None


def test_stale_save_is_refused_with_both_values(app, login_as, users):
    first = login_as("town_editor", town="Andover")
    second = login_as("town_editor", town="Andover")
    tid = town_id(app, "Andover")
    start(first, tid)
    assert autosave(first, tid, "backup_location", "near_town").get_json()["version"] == 1
    # the second editor's page still shows version 0 (unanswered)
    conflict = autosave(second, tid, "backup_location", "same_building", version=0)
    assert conflict.status_code == 409
    body = conflict.get_json()
    assert body["status"] == "conflict"
    assert body["theirs"]["value"] == "near_town" and body["yours"]["value"] == "same_building"
    assert "On a separate device" not in body["theirs"]["label"]
    assert stored(app, tid, "backup_location").value == "near_town"  # never silently overwritten
    # choosing "keep mine" resends with the version they saw
    kept = autosave(second, tid, "backup_location", "same_building", version=body["theirs"]["version"])
    assert kept.status_code == 200 and stored(app, tid, "backup_location").value == "same_building"


def test_section_form_without_javascript(app, login_as):
    editor = login_as("town_editor", town="Andover")
    tid = town_id(app, "Andover")
    start(editor, tid)
    url = f"/towns/{tid}/{CYCLE}/sections/strategy"
    html = editor.get(url).get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    versions = dict(re.findall(r'name="v_(\w+)" value="([^"]*)"', html))
    data = {"csrf_token": token, "q_strategy_executive_sponsor": "named_sponsor",
            "q_strategy_it_plan": "written_plan", "note_strategy_it_plan": "Adopted 2024",
            **{f"v_{k}": v for k, v in versions.items()}}
    response = editor.post(url, data=data)
    assert response.status_code == 302 and response.headers["Location"].endswith("/sections/backup")
    assert stored(app, tid, "strategy_executive_sponsor").value == "named_sponsor"
    assert stored(app, tid, "strategy_it_plan").note == "Adopted 2024"
    # a bad value anywhere in the form saves nothing from it
    bad = editor.post(url, data={**data, "q_strategy_it_plan": "adopted_plan", "q_strategy_regional": "bogus"})
    assert bad.status_code == 400
    assert "is not one of the choices" in bad.get_data(as_text=True)
    assert "nothing was saved" in bad.get_data(as_text=True)
    assert stored(app, tid, "strategy_it_plan").value == "written_plan"


def test_stale_form_does_not_overwrite_untouched_or_changed_answers(app, login_as):
    first = login_as("town_editor", town="Andover")
    second = login_as("town_editor", town="Andover")
    tid = town_id(app, "Andover")
    start(first, tid)
    url = f"/towns/{tid}/{CYCLE}/sections/strategy"
    html = second.get(url).get_data(as_text=True)  # second editor opens the page first
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    versions = {f"v_{k}": v for k, v in re.findall(r'name="v_(\w+)" value="([^"]*)"', html)}
    autosave(first, tid, "strategy_it_plan", "adopted_plan")
    autosave(first, tid, "strategy_regional", "regional_group")
    # second submits: changes the plan answer (conflict), leaves regional untouched (must keep first's answer)
    response = second.post(url, data={"csrf_token": token, "q_strategy_it_plan": "no_plan",
                                      "q_strategy_collaboration": "regular", **versions})
    assert response.status_code == 409
    text = response.get_data(as_text=True)
    assert "Someone else changed" in text and "Keep my answer" in text
    assert stored(app, tid, "strategy_it_plan").value == "adopted_plan"
    assert stored(app, tid, "strategy_regional").value == "regional_group"
    assert stored(app, tid, "strategy_collaboration").value == "regular"


def test_resume_where_left_off(app, login_as):
    editor = login_as("town_editor", town="Andover")
    tid = town_id(app, "Andover")
    start(editor, tid)
    editor.get(f"/towns/{tid}/{CYCLE}/sections/cis_top5")
    page = editor.get(f"/towns/{tid}/{CYCLE}/").get_data(as_text=True)
    assert "Continue where you left off: CIS top 5 priorities" in page


def test_results_explain_scores_and_tiers(app, login_as):
    editor = login_as("town_editor", town="Andover")
    tid = town_id(app, "Andover")
    start(editor, tid)
    for qid, value in [("backup_consistency", "scheduled_all"), ("backup_restore_testing", "periodically_tested"),
                       ("backup_location", "same_building"), ("backup_offline_copy", "dont_know")]:
        assert autosave(editor, tid, qid, value).status_code == 200
    page = editor.get(f"/towns/{tid}/{CYCLE}/results").get_data(as_text=True)
    assert "Backup and recovery:" in page and "tier Good" in page
    assert "What the Better tier needs" in page
    assert "Find out" in page  # the don't-know answer is flagged for follow-up
    assert "<svg" in page and "<title" in page  # charts with text titles
    assert "Overall readiness" in page


def test_submit_requires_complete_then_locks(app, login_as):
    from muni_assess import contentstore
    from muni_assess.demo import demo_answers

    editor = login_as("town_editor", town="Andover")
    tid = town_id(app, "Andover")
    start(editor, tid)
    token = csrf_token(editor, f"/towns/{tid}/{CYCLE}/")
    early = editor.post(f"/towns/{tid}/{CYCLE}/submit", data={"csrf_token": token}, follow_redirects=True)
    assert "Answer every question before submitting" in early.get_data(as_text=True)
    import random

    with app.app_context():
        answers = demo_answers(contentstore.current_set(), "CT", 0.6, random.Random(3))
    for qid, value in answers.items():
        assert autosave(editor, tid, qid, value, token=token).status_code == 200, qid
    done = editor.post(f"/towns/{tid}/{CYCLE}/submit", data={"csrf_token": token}, follow_redirects=True)
    assert "is now locked" in done.get_data(as_text=True)
    locked = autosave(editor, tid, "backup_consistency", "monitored", version=1, token=token)
    assert locked.status_code == 409 and "locked" in locked.get_json()["message"]
    # no reopen for the town itself
    assert editor.post(f"/towns/{tid}/{CYCLE}/reopen", data={"csrf_token": token}).status_code == 403


def test_cog_sees_region_only_and_can_reopen(app, login_as):
    editor = login_as("town_editor", town="Andover")
    tid = town_id(app, "Andover")
    start(editor, tid)
    with app.app_context():
        a = db.session.scalar(db.select(Assessment).where(Assessment.town_id == tid))
        a.status = "submitted"
        db.session.commit()
    cog = login_as("cog_analyst", region="CRCOG")
    region = cog.get("/", follow_redirects=True)
    text = region.get_data(as_text=True)
    assert region.request.path == "/regions/CRCOG/"
    assert "Andover" in text and "Hartford" in text and "Ansonia" not in text  # Ansonia is NVCOG
    completion = text.split('data-table="completion"')[1].split("</table>")[0]  # the regional dashboard's town list
    assert completion.count('scope="row"') == 38
    assert cog.get("/regions/NVCOG/").status_code == 404
    assert cog.get(f"/towns/{town_id(app, 'Ansonia')}/{CYCLE}/").status_code == 404
    token = csrf_token(cog, f"/towns/{tid}/{CYCLE}/")
    # analysts read answers but cannot change them
    assert autosave(cog, tid, "backup_consistency", "monitored", token=token).status_code == 403
    reopened = cog.post(f"/towns/{tid}/{CYCLE}/reopen", data={"csrf_token": token}, follow_redirects=True)
    assert "can change its 2026 answers again" in reopened.get_data(as_text=True)


def test_state_analyst_sees_all_regions_read_only(app, login_as):
    state = login_as("state_analyst")
    page = state.get("/", follow_redirects=True)
    assert page.request.path == "/regions/"
    assert page.get_data(as_text=True).count('scope="row"') == 9
    tid = town_id(app, "Ansonia")
    assert state.get(f"/towns/{tid}/{CYCLE}/").status_code == 200
    token = csrf_token(state, f"/towns/{tid}/{CYCLE}/")
    assert state.post(f"/towns/{tid}/{CYCLE}/start", data={"csrf_token": token}).status_code == 403


def test_other_town_is_not_found(app, login_as):
    editor = login_as("town_editor", town="Andover")
    other = town_id(app, "Bolton")
    owner = login_as("town_editor", town="Bolton")
    start(owner, other)
    autosave(owner, other, "backup_consistency", "no_backup")
    for path in (f"/towns/{other}/{CYCLE}/", f"/towns/{other}/{CYCLE}/sections/backup",
                 f"/towns/{other}/{CYCLE}/results"):
        response = editor.get(path)
        assert response.status_code == 404
        assert b"We do not back up" not in response.data
    token = csrf_token(editor)
    assert autosave(editor, other, "backup_consistency", "monitored", token=token).status_code == 404
    assert stored(app, other, "backup_consistency").value == "no_backup"


def test_previous_cycle_answers_offered_as_starting_point(app, login_as):
    editor = login_as("town_editor", town="Andover")
    tid = town_id(app, "Andover")
    with app.app_context():
        from muni_assess import contentstore

        qs = contentstore.current_set()
        old = Assessment(town_id=tid, cycle=CYCLE - 1, question_set_id=qs.id, question_set_version=qs.version,
                         content_sha256=qs.sha256, status="submitted")
        old.answers = [Answer(question_id="backup_location", value="far_30_miles", note="Cloud vendor"),
                       Answer(question_id="retired_question", value="x"),
                       Answer(question_id="backup_consistency", value="no_longer_an_option")]
        db.session.add(old)
        db.session.commit()
    page = editor.get(f"/towns/{tid}/{CYCLE}/").get_data(as_text=True)
    assert "Start from 2025's answers (1 answers" in page
    start(editor, tid, from_previous=True)
    row = stored(app, tid, "backup_location")
    assert row.value == "far_30_miles" and row.note == "Cloud vendor"
    assert stored(app, tid, "retired_question") is None
    assert stored(app, tid, "backup_consistency") is None
    assert stored(app, tid, "backup_location", cycle=CYCLE - 1).value == "far_30_miles"  # last year untouched


def test_pages_without_data_are_sensible(app, login_as):
    editor = login_as("town_editor", town="Andover")
    tid = town_id(app, "Andover")
    assert editor.get(f"/towns/{tid}/{CYCLE}/results").status_code == 404
    assert editor.get(f"/towns/{tid}/{CYCLE}/sections/backup").status_code == 404
    assert editor.get(f"/towns/{tid}/1999/").status_code == 404
    state = login_as("state_analyst")
    assert b"Not started" in state.get("/regions/CRCOG/").data
    start(editor, tid)
    assert editor.get(f"/towns/{tid}/{CYCLE}/sections/no_such_section").status_code == 404
    assert editor.get(f"/towns/{tid}/{CYCLE}/sections/broadband").status_code == 404  # MA-only section


def test_assessment_on_missing_version_gets_a_clear_page(app, login_as):
    editor = login_as("town_editor", town="Andover")
    tid = town_id(app, "Andover")
    start(editor, tid)
    with app.app_context():
        a = db.session.scalar(db.select(Assessment).where(Assessment.town_id == tid))
        a.question_set_version = 99
        db.session.commit()
    for path in (f"/towns/{tid}/{CYCLE}/", f"/towns/{tid}/{CYCLE}/results", f"/towns/{tid}/{CYCLE}/sections/backup"):
        response = editor.get(path)
        assert response.status_code == 410
        assert b"version 99" in response.data


def test_logout_requires_post_and_ends_session(app, login_as):
    editor = login_as("town_editor", town="Andover")
    assert editor.get("/auth/logout").status_code == 405
    token = csrf_token(editor, "/")
    editor.get("/")
    response = editor.post("/auth/logout", data={"csrf_token": token})
    assert response.status_code == 302
    assert editor.get("/").headers["Location"].startswith("/auth/login")


def test_login_redirect_only_to_local_paths(client, users):
    _, email = users.make("admin")
    token = csrf_token(client)
    response = client.post("/auth/login?next=https://evil.example/x",
                           data={"email": email, "password": "a long test password 42", "csrf_token": token})
    assert response.headers["Location"] == "/"
