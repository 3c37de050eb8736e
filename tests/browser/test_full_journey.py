"""The whole town journey in real Chromium: answer every section by clicking, reload, see results, submit."""
from __future__ import annotations

import pytest
from conftest import CYCLE, PASSWORD, town_id
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def answer_visible_questions(page) -> int:
    """Answer every visible, unanswered question on the section page the way a person would."""
    answered = 0
    while True:
        pending = [q for q in page.locator(".ma-question:visible").all()
                   if not q.locator(".ma-save-status").inner_text().startswith("Saved")]
        if not pending:
            return answered
        block = pending[0]
        kind = block.get_attribute("data-type")
        if kind == "number":
            block.locator("input.usa-input").fill("42000")
            block.locator("input.usa-input").press("Tab")
        else:
            labels = block.locator(".usa-radio__label, .usa-checkbox__label")
            labels.nth(min(1, labels.count() - 1)).click()
        expect(block.locator(".ma-save-status")).to_contain_text("Saved", timeout=10_000)
        answered += 1


def test_complete_every_section_and_submit(app, live_server, page, users):
    _, email = users.make("town_editor", town="Canton")
    tid = town_id(app, "Canton")
    page.goto(f"{live_server}/auth/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("button", name="Start the 2026 assessment").click()
    with page.expect_navigation():
        page.get_by_role("link", name="Start answering").click()
    total = 0
    while True:
        total += answer_visible_questions(page)
        page.reload()  # every answer is still there after a reload
        unsaved = [q.get_attribute("id") for q in page.locator(".ma-question:visible").all()
                   if not q.locator(".ma-save-status").inner_text().startswith("Saved")]
        assert not unsaved, (page.url, unsaved)
        following = page.get_by_role("link", name="Next section")
        if not following.count():
            break
        with page.expect_navigation():
            following.click()
    assert total >= 55
    page.goto(f"{live_server}/towns/{tid}/{CYCLE}/results")
    expect(page.locator("h1")).to_have_text("Results: Canton, 2026")
    assert page.locator("text=What held it back").count() >= 7
    assert "100%" in page.locator(".ma-overall").inner_text()
    page.goto(f"{live_server}/towns/{tid}/{CYCLE}/")
    page.get_by_role("button", name="Submit the 2026 assessment").click()
    expect(page.locator(".usa-alert--success")).to_contain_text("now locked")
    expect(page.locator(".ma-status-line")).to_contain_text("Submitted")
