"""The funding page and the comparison page in real Chromium: no axe-core accessibility violations."""
from __future__ import annotations

import pytest
from conftest import PASSWORD, enrol_mfa, totp_code

pytest_plugins = ["fundingdata"]  # the nutmeg_towns fixture


pytestmark = pytest.mark.browser


def sign_in_state_staff(app, users, page, live_server) -> None:
    _, email = users.make("state_analyst")
    enrol_mfa(app, email)
    page.goto(f"{live_server}/auth/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/auth/two-step**")
    page.locator("input[name=code]").fill(totp_code(app, email))
    page.locator("input[name=code]").press("Enter")
    page.wait_for_url("**/regions/**")


def violations(page) -> list:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    assert results.response["passes"], "axe did not run"
    return [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in results.response["violations"]]


def test_funding_and_comparison_pages_pass_axe(app, live_server, page, users, nutmeg_towns):
    sign_in_state_staff(app, users, page, live_server)
    page.get_by_role("link", name="Nutmeg funding").click()
    page.get_by_label("Budget in dollars").fill("2,000,000")
    page.get_by_label("Readiness weight").fill("60")
    page.get_by_role("button", name="Show the selection").click()
    assert "Budget: $2,000,000" in page.inner_text("main")
    page.locator("details.ma-map-table summary").click()  # the table equivalent of the map, opened
    assert violations(page) == []
    for name in ("Ready", "Baseline"):
        page.get_by_label("Scenario name").fill(name)
        page.get_by_role("button", name="Save this scenario").click()
        page.get_by_label("Readiness weight").fill("20")
        page.get_by_role("button", name="Show the selection").click()
    page.get_by_role("button", name="Compare side by side").click()
    page.wait_for_url("**/compare**")
    assert "Only in Ready" in page.inner_text("main")
    assert violations(page) == []
