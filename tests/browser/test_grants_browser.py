"""Grants in real Chromium: program list, readiness, a full draft written, edited, saved; axe finds nothing."""
from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from conftest import CYCLE, PASSWORD
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_program_list_readiness_and_a_full_draft(app, live_server, page, users):
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "web"))
    from test_grants_web import assess

    tid = assess(app, "Andover")
    _, email = users.make("town_editor", town="Andover")
    page.goto(f"{live_server}/auth/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_server}/towns/{tid}/{CYCLE}/results")
    with page.expect_navigation():
        page.get_by_role("link", name="Grant programs and drafts").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Grant programs for Andover")
    expect(page.get_by_role("heading", name="State and Local Cybersecurity Grant Program (SLCGP)")).to_be_visible()
    expect(page.get_by_text("A written cyber incident response plan").first).to_be_visible()
    assert Axe().run(page).violations_count == 0
    with page.expect_navigation():
        page.get_by_role("link", name="Start a draft for State and Local Cybersecurity Grant Program (SLCGP)").click()
    assert Axe().run(page).violations_count == 0
    with page.expect_navigation():
        page.get_by_role("button", name="Write the draft").click()
    expect(page.get_by_text("Draft written from the town's assessment")).to_be_visible()
    need = page.get_by_label("Statement of need")
    expect(need).to_contain_text("In its 2026 IT self-assessment the town scored")
    need.fill("Our board asked for this in March.")
    with page.expect_navigation():
        page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Draft saved.")).to_be_visible()
    expect(page.get_by_label("Statement of need")).to_have_value("Our board asked for this in March.")
    assert Axe().run(page).violations_count == 0
    with page.expect_download() as download:
        page.get_by_role("link", name="Download Word (DOCX)").click()
    assert download.value.suggested_filename == f"grant-slcgp-andover-ct-{CYCLE}.docx"
