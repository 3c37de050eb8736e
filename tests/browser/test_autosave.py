"""In real Chromium: sign in, answer a question, see it saved, reload and find it; follow-up questions appear."""
from __future__ import annotations

import pytest
from conftest import CYCLE, PASSWORD, town_id
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def sign_in(page, base, email):
    page.goto(f"{base}/auth/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/towns/**")


def test_answer_is_autosaved_and_survives_reload(app, live_server, page, users):
    _, email = users.make("town_editor", town="Andover")
    tid = town_id(app, "Andover")
    sign_in(page, live_server, email)
    page.get_by_role("button", name="Start the 2026 assessment").click()
    page.get_by_role("link", name="Start answering: Strategy and governance").click()
    page.goto(f"{live_server}/towns/{tid}/{CYCLE}/sections/backup")
    question = page.locator("#q-backup_location")
    question.locator("label", has_text="At a location at least 30 miles away").click()  # USWDS styles the label
    status = question.locator(".ma-save-status")
    status.filter(has_text="Saved at").wait_for(timeout=10_000)
    assert "Saved at" in status.inner_text()
    expect(page.locator("#autosave-live")).to_contain_text("Saved at")  # announced politely too
    page.reload()
    assert page.locator("#q-backup_location").get_by_label("At a location at least 30 miles away").is_checked()


def test_context_answer_reveals_follow_ups_without_reload(app, live_server, page, users):
    _, email = users.make("town_editor", town="Bolton")
    tid = town_id(app, "Bolton")
    sign_in(page, live_server, email)
    page.get_by_role("button", name="Start the 2026 assessment").click()
    page.goto(f"{live_server}/towns/{tid}/{CYCLE}/sections/nutmeg")
    facilities = page.locator("#q-nutmeg_facilities")
    plan = page.locator("#q-nutmeg_plan_progress")
    assert facilities.is_hidden() and plan.is_hidden()
    page.locator("#q-nutmeg_connected label", has_text="Not connected").click()
    plan.wait_for(state="visible", timeout=5_000)
    assert facilities.is_hidden()
    page.locator("#q-nutmeg_connected").get_by_text("Connected", exact=True).click()
    facilities.wait_for(state="visible", timeout=5_000)
    assert plan.is_hidden()
    page.locator("#q-nutmeg_connected .ma-save-status").filter(has_text="Saved at").wait_for(timeout=10_000)
    page.reload()
    assert page.locator("#q-nutmeg_facilities").is_visible()  # the server agrees after a reload
