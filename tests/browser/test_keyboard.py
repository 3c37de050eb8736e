"""Keyboard only, in real Chromium: a town editor signs in, starts the assessment and completes a whole section
with Tab, Space, the arrow keys, typing and Enter (no clicks, no fill), always seeing where the focus is; the Tab
order follows the page, nothing traps the focus, and the "someone else changed this answer" message is answered
by keyboard and hands the focus back to the question."""
from __future__ import annotations

import re

import pytest
from a11y_helpers import MARK_TAB_STOPS, focused, follow, keyboard_sign_in, named, press, tab_to
from conftest import CYCLE, csrf_token, login, town_id
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

# Nutmeg connectivity, answered "not connected": its four follow-ups appear as the answer is chosen.
PLAN = {"nutmeg_connected": "not_connected",  # Space on the first option
        "nutmeg_barriers": ["construction_cost", "no_staff"],  # Space on two checkboxes
        "nutmeg_plan_progress": "estimate_obtained",  # ArrowDown twice
        "nutmeg_connection_cost": "45000",  # typed
        "nutmeg_cost_basis": "rough_estimate"}  # ArrowDown once
NOTES = {"nutmeg_plan_progress": "CEN quote expected in March"}


def choose_radio(page, now: dict, want: str) -> None:
    options = page.locator(f"#q-{now['question']} input[type=radio]").evaluate_all("els => els.map(e => e.value)")
    assert now["value"] == options[0], "an unanswered group is entered at its first option"
    steps = options.index(want)
    press(page, "Space") if steps == 0 else [press(page, "ArrowDown") for _ in range(steps)]
    assert focused(page)["value"] == want and focused(page)["checked"]


def answer_section(page, plan: dict, notes: dict) -> list[dict]:
    """Tab through the question list answering as planned, up to the Save button; returns every stop passed."""
    stops, answered, noted = [], set(), set()
    while True:
        now = press(page, "Tab")
        assert now is not None and len(stops) < 200, "focus left the page before the Save button"
        if now["text"].startswith("Save this section"):
            return stops
        stops.append(now)
        qid = now["question"]
        if qid is None:
            continue
        want = plan[qid]  # a question not in the plan is visible: the follow-ups are wrong
        if now["type"] == "radio" and qid not in answered:
            choose_radio(page, now, want)
            answered.add(qid)
        elif now["type"] == "checkbox" and now["value"] in want and not now["name"].startswith("dk_"):
            press(page, "Space")
            answered.add(qid)
        elif now["tag"] == "input" and now["type"] == "text":
            page.keyboard.type(want)
            answered.add(qid)
        elif now["tag"] == "summary" and qid in notes and qid not in noted:
            press(page, "Enter")  # the "Add a note" disclosure opens by keyboard, focus stays on it
            assert page.locator(f"#q-{qid} details").evaluate("d => d.open")
            assert press(page, "Tab")["id"] == f"note_{qid}"
            page.keyboard.type(notes[qid])
            noted.add(qid)


def test_town_editor_completes_a_section_with_the_keyboard_alone(app, live_server, page, users):
    _, email = users.make("town_editor", town="Bolton")
    keyboard_sign_in(app, page, live_server, email)
    expect(page.locator("h1")).to_have_text(f"Bolton: {CYCLE} IT assessment")
    tab_to(page, named(f"Start the {CYCLE} assessment"))
    follow(page)
    tab_to(page, named("Nutmeg Network connectivity"))  # the section list of the dashboard
    follow(page)
    assert page.url.endswith("/sections/nutmeg")
    assert press(page, "Tab")["text"] == "Skip to main content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main-content"

    stops = answer_section(page, PLAN, NOTES)
    questions = [s for s in stops if s["question"]]
    tops = [s["top"] for s in questions]
    assert tops == sorted(tops), "Tab order in the question list runs down the page"
    assert [s for s in stops if s["in_sidenav"]], "the section list is in the Tab order, before the questions"
    assert all(s["in_main"] for s in stops)

    visible = page.locator(".ma-question:visible")
    assert sorted(visible.evaluate_all("els => els.map(e => e.dataset.question)")) == sorted(PLAN)
    for block in visible.all():
        expect(block.locator(".ma-save-status")).to_have_text(re.compile(r"^Saved"), timeout=15_000)
    assert page.locator("#autosave-live").get_attribute("aria-live") == "polite"

    page.reload()
    for qid, want in PLAN.items():
        block = page.locator(f"#q-{qid}")
        if qid == "nutmeg_connection_cost":
            assert re.sub(r"\D", "", block.locator(f"#q_{qid}").input_value()) == want
            continue
        chosen = block.locator("input[type=radio]:checked, input[type=checkbox]:checked").evaluate_all(
            "els => els.map(e => e.value)")
        assert chosen == (want if isinstance(want, list) else [want]), qid
    assert page.locator("#note_nutmeg_plan_progress").input_value() == NOTES["nutmeg_plan_progress"]
    expect(page.locator(".ma-sidenav a[aria-current=page]")).to_contain_text("5 of 5 answered · done")

    tab_to(page, named("Save this section and continue"), limit=120)  # the no-JavaScript path, by keyboard
    follow(page)
    assert re.search(r"/sections/cloud(#main-content)?$", page.url), page.url  # the skip link's fragment may stay


def assert_tab_cycle(page) -> int:
    """From the top of the page, Tab visits every stop once in document order, then leaves the page and comes
    back to the first: no stop is skipped, none traps the focus. Returns the number of stops."""
    count = page.evaluate(MARK_TAB_STOPS)
    seen = []
    for _ in range(count + 2):
        now = press(page, "Tab")
        seen.append(now and now["kb"])
    after = [k for k in seen[count:] if k is not None]  # focus may rest outside the page for one press
    assert seen[:count] == [str(i) for i in range(count)] and after[:1] == ["0"], f"{page.url}: {seen}"
    return count


def test_every_control_is_reached_in_order_and_nothing_traps_the_focus(app, live_server, page, users):
    _, email = users.make("town_editor", town="Bolton")
    keyboard_sign_in(app, page, live_server, email)
    tab_to(page, named(f"Start the {CYCLE} assessment"))
    follow(page)
    tid = town_id(app, "Bolton")
    for path in (f"/towns/{tid}/{CYCLE}/", f"/towns/{tid}/{CYCLE}/sections/backup",
                 f"/towns/{tid}/{CYCLE}/sections/nutmeg", f"/towns/{tid}/{CYCLE}/results", "/accessibility"):
        page.goto(live_server + path)
        assert assert_tab_cycle(page) >= 8, path


def test_conflict_message_is_answered_by_keyboard_and_returns_focus(app, live_server, page, users):
    tid = town_id(app, "Andover")
    _, email = users.make("town_editor", town="Andover")
    _, other_email = users.make("town_editor", town="Andover")
    colleague = app.test_client()
    login(colleague, other_email)
    token = csrf_token(colleague, f"/towns/{tid}/{CYCLE}/")
    assert colleague.post(f"/towns/{tid}/{CYCLE}/start", data={"csrf_token": token}).status_code == 302

    def colleague_saves(value: str) -> None:
        version = page.locator("#q-backup_location").get_attribute("data-version")
        r = colleague.post(f"/towns/{tid}/{CYCLE}/answers/backup_location", data={"value": value,
                           "version": version}, headers={"X-CSRFToken": token, "X-Requested-With": "fetch"})
        assert r.status_code == 200, r.get_json()

    keyboard_sign_in(app, page, live_server, email)
    page.goto(f"{live_server}/towns/{tid}/{CYCLE}/sections/backup")
    status = page.locator("#status-backup_location")
    tab_to(page, lambda f: f["question"] == "backup_location", limit=150)
    press(page, "Space")  # "On the same device"
    expect(status).to_have_text(re.compile("^Saved at"))
    colleague_saves("far_30_miles")  # while this page still holds the version it saved

    press(page, "ArrowDown")  # a change based on a stale answer
    panel = page.locator("#q-backup_location .ma-conflict-panel")
    expect(panel).to_have_attribute("role", "alert")
    expect(panel).to_contain_text("Saved by")
    assert focused(page)["text"] == "Keep my answer", "focus moves to the message's first choice"
    assert press(page, "Tab")["text"] == "Use the saved answer"
    press(page, "Enter")
    expect(panel).to_have_count(0)
    back = focused(page)
    assert back and back["question"] == "backup_location" and back["checked"] and back["value"] == "far_30_miles"
    expect(status).to_have_text("Showing the saved answer")

    colleague_saves("near_town")
    press(page, "ArrowDown")  # stale again: the colleague has changed it since
    expect(panel).to_have_count(1)
    mine = page.locator("#q-backup_location input:checked").get_attribute("value")
    assert focused(page)["text"] == "Keep my answer"
    press(page, "Enter")
    expect(panel).to_have_count(0)
    expect(status).to_have_text(re.compile("^Saved at"))
    back = focused(page)
    assert back and back["question"] == "backup_location" and back["value"] == mine
    page.reload()
    assert page.locator("#q-backup_location input:checked").get_attribute("value") == mine
