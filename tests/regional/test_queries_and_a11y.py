"""The number of SQL statements per page does not grow with the number of towns; the pages pass axe; anonymous
visitors are sent to sign in from every regional route."""
from __future__ import annotations

import pytest
from conftest import CYCLE, PASSWORD, enrol_mfa, totp_code
from helpers import assess, member_towns
from sqlalchemy import event

from muni_assess.extensions import db


def _statements(app, client, url: str) -> int:
    with app.app_context():
        engine = db.engine
    seen = []

    def count(_conn, _cursor, statement, *_args):
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(seen)


def _warm(app, client, url: str) -> int:
    """Statements of a page once its score cache is current (the first view fills it)."""
    _statements(app, client, url)
    return _statements(app, client, url)


def test_queries_per_page_do_not_grow_with_the_number_of_towns(app, login_as):
    state = login_as("state_analyst")
    nv, crcog = member_towns(app, "NVCOG"), member_towns(app, "CRCOG")
    assess(app, nv[:5], CYCLE)
    assess(app, nv[:2], CYCLE - 1)
    cold_small = _statements(app, state, "/regions/NVCOG/")  # the score cache is filled on the way
    small = {url: _warm(app, state, url) for url in ("/regions/NVCOG/", "/regions/statewide/")}
    assess(app, nv[5:], CYCLE, seed=3)
    assess(app, crcog, CYCLE, seed=4)
    assess(app, crcog[:20], CYCLE - 1, seed=5)
    cold_large = _statements(app, state, "/regions/NVCOG/")
    large = {url: _warm(app, state, url) for url in ("/regions/NVCOG/", "/regions/statewide/")}
    assert cold_small == cold_large
    assert small == large
    assert small["/regions/NVCOG/"] <= 12


def test_anonymous_visitors_are_sent_to_sign_in(app, client):
    for url in ("/regions/CRCOG/", "/regions/CRCOG/export.xlsx", "/regions/statewide/",
                "/regions/statewide/export.csv"):
        response = client.get(url)
        assert response.status_code == 302 and "/auth/login" in response.headers["Location"], url


def _browser_login(app, page, live_server, email):
    page.goto(live_server + "/auth/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    if "/auth/two-step" in page.url:
        page.get_by_label("Code from your authenticator app").fill(totp_code(app, email))
        page.get_by_role("button", name="Verify").click()


@pytest.mark.parametrize("path", ["/regions/CRCOG/", "/regions/statewide/"])
def test_dashboards_have_no_axe_violations_and_sort_by_keyboard(app, users, live_server, page, path):
    from axe_playwright_python.sync_playwright import Axe

    crcog = member_towns(app, "CRCOG")
    assess(app, crcog[:6], CYCLE)
    assess(app, crcog[:6], CYCLE - 1, seed=9)
    _uid, email = users.make("state_analyst")
    enrol_mfa(app, email)
    _browser_login(app, page, live_server, email)
    page.goto(live_server + path)
    assert page.locator("h1").count() == 1
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
    heading = page.locator("table.ma-sortable th[scope=col]").nth(1)
    heading.locator("button").focus()
    page.keyboard.press("Enter")
    assert heading.get_attribute("aria-sort") == "ascending"
    page.keyboard.press("Enter")
    assert heading.get_attribute("aria-sort") == "descending"
