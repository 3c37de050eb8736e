"""What a screen reader meets, in real Chromium with demo data: one h1 and the landmarks on the key pages of every
role, each question's choices grouped under the question, errors summarized, focused, announced and tied to their
fields, the autosave status announced politely, and charts and the funding map with titles and tables that say
the same thing."""
from __future__ import annotations

import re

import pytest
from a11y_helpers import FUNDING, context_for, key_pages, open_page, role_context
from axe_playwright_python.sync_playwright import Axe
from conftest import CYCLE, csrf_token, town_id
from playwright.sync_api import expect
from test_accessibility import demo_world

pytestmark = pytest.mark.browser

BEST_PRACTICE = {"runOnly": {"type": "tag", "values": ["best-practice"]}}  # landmarks, headings, regions


def check_structure(page, signed_in: bool) -> list[str]:
    expect(page.get_by_role("heading", level=1)).to_have_count(1)
    for role in ("banner", "main", "contentinfo"):
        expect(page.get_by_role(role)).to_have_count(1)
    if signed_in:
        expect(page.get_by_role("navigation", name="Primary navigation")).to_have_count(1)
    unnamed = page.locator("nav:not([aria-label]):not([aria-labelledby])")
    expect(unnamed).to_have_count(0)  # several navigation landmarks: each has a name
    for block in page.locator(".ma-question:visible").all():
        check_question(block)
    if page.locator("#section-form[data-autosave=on]").count():
        expect(page.locator("#autosave-live")).to_have_attribute("aria-live", "polite")
    violations = Axe().run(page, options=BEST_PRACTICE).response["violations"]
    return [f"{page.url}: {v['id']} {v['nodes'][0]['target']}" for v in violations]


def check_question(block) -> None:
    """The question is a group named by its prompt, described by why it matters, holding all its options."""
    group = block.locator(":scope > fieldset")
    expect(group).to_have_role("group")
    expect(group).to_have_accessible_name(block.locator("legend").inner_text().strip())
    expect(group).to_have_accessible_description(re.compile(r"^Why this matters:"))
    controls = block.locator("input[type=radio], input[type=checkbox], input[inputmode]")
    inside = group.locator("input[type=radio], input[type=checkbox], input[inputmode]")
    assert controls.count() == inside.count() > 0
    for control in controls.all():
        expect(control).to_have_accessible_name(re.compile(r"\S"))  # every option has its label


def test_key_pages_have_one_h1_landmarks_and_grouped_questions(app, live_server, browser, users, login_as):
    world = demo_world(app, users)
    problems, checked = [], 0
    for role, urls in key_pages(world, CYCLE).items():
        context = role_context(browser, login_as, live_server, role, world)
        for url in urls:
            page = open_page(context, live_server + url)
            problems += check_structure(page, signed_in=role != "anonymous")
            checked += 1
        context.close()
    assert checked >= 20
    assert not problems, "\n".join(problems)


def table_rows(table) -> list[list[str]]:
    return table.locator("tbody tr").evaluate_all(
        "rows => rows.map(r => Array.from(r.cells).map(c => c.innerText.trim()))")


def test_charts_and_the_map_have_titles_and_tables_that_say_the_same(app, live_server, browser, users, login_as):
    world = demo_world(app, users)
    context = role_context(browser, login_as, live_server, "town_editor", world)
    page = open_page(context, f"{live_server}/towns/{world['town_id']}/{CYCLE}/results")
    chart = page.locator("figure svg").first
    expect(chart).to_have_role("img")
    expect(chart).to_have_accessible_name(re.compile(r"^Section scores \(0 to 100\) and tiers "))
    description = chart.evaluate("s => s.querySelector('desc').textContent")
    said = {k.strip(): v for k, v in re.findall(r"([^;]+?): score (\d+ of 100, tier \w+)", description)}
    rows = table_rows(page.get_by_role("table", name="Section scores and tiers"))
    assert len(said) == 7 and {r[0]: f"{r[1]} of 100, tier {r[2]}" for r in rows} == said
    for section in page.locator("section.ma-result-section").all():  # each tier ladder agrees with its heading
        ladder = section.locator("svg")
        expect(ladder).to_have_role("img")
        tier = re.search(r"tier (\w+)$", section.locator("h2").inner_text()).group(1)
        expect(ladder).to_have_accessible_name(re.compile(rf"tier ladder .*tier reached {tier}\b"))
    context.close()

    context = role_context(browser, login_as, live_server, "state_analyst", world)
    page = open_page(context, live_server + FUNDING)
    svg = page.locator("figure svg.ma-map")
    expect(svg).to_have_role("img")
    expect(svg).to_have_accessible_name(re.compile(r"\S+.*Selected for funding: \d+ towns"))
    on_map = dict(svg.locator("g > title").evaluate_all("ts => ts.map(t => t.textContent.split(': '))"))
    page.get_by_text("The map as a table").press("Enter")  # the table sits in a disclosure, opened by keyboard
    table = page.get_by_role("table", name=re.compile("^Every town's status"))
    expect(table).to_be_visible()
    in_table = {r[0]: r[1] for r in table_rows(table)}
    assert len(on_map) == 169 and in_table == on_map
    description = svg.evaluate("s => s.querySelector('desc').textContent")
    for status, count in re.findall(r"([A-Z][\w ,]+?): (\d+) towns", description):
        assert sum(1 for s in in_table.values() if s == status) == int(count), status
    context.close()


def test_errors_are_summarized_focused_and_tied_to_their_fields(app, live_server, browser, login_as):
    page = browser.new_context().new_page()
    page.goto(live_server + "/auth/login")
    page.get_by_label("Email address").fill("not-an-email")
    page.get_by_role("button", name="Sign in").click()
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()  # read first by a screen reader, and announced: role=alert
    expect(summary).to_have_attribute("role", "alert")
    links = summary.get_by_role("link")
    expect(links).to_have_count(2)
    for link in links.all():
        field = page.locator(link.get_attribute("href"))
        message = link.inner_text().split(": ", 1)[1]
        expect(field).to_have_attribute("aria-invalid", "true")
        expect(field).to_have_accessible_description(re.compile(re.escape(message)))
    page.context.close()

    editor = login_as("town_editor", town="Bolton")
    tid = town_id(app, "Bolton")
    token = csrf_token(editor, f"/towns/{tid}/{CYCLE}/")
    editor.post(f"/towns/{tid}/{CYCLE}/start", data={"csrf_token": token})
    editor.post(f"/towns/{tid}/{CYCLE}/answers/nutmeg_connected", data={"value": "not_connected", "version": "0"},
                headers={"X-CSRFToken": token, "X-Requested-With": "fetch"})
    url = f"{live_server}/towns/{tid}/{CYCLE}/sections/nutmeg"
    for scripts in (False, True):  # the section's Save button, with and without JavaScript
        context = context_for(browser, editor, live_server, java_script_enabled=scripts)
        page = open_page(context, url)
        cost = page.locator("#q_nutmeg_connection_cost")
        cost.fill("lots")
        cost.press("Enter")
        summary = page.locator("#error-summary")
        expect(summary).to_have_attribute("role", "alert")
        expect(summary.get_by_role("link")).to_have_text(re.compile(r"^What is the estimated .*: .+"))
        message = summary.get_by_role("link").inner_text().split(": ", 1)[1]
        if scripts:
            expect(summary).to_be_focused()
        field = page.locator("#q_nutmeg_connection_cost")
        expect(field).to_have_attribute("aria-invalid", "true")
        expect(field).to_have_accessible_description(message)
        expect(page.locator("#q-nutmeg_connection_cost > fieldset")).to_have_accessible_description(
            re.compile(re.escape(message) + "$"))
        context.close()

    context = context_for(browser, editor, live_server)
    page = open_page(context, url)  # autosave: a refused value says why, announced and tied to the question
    page.locator("#q_nutmeg_connection_cost").fill("lots")
    page.locator("#q_nutmeg_connection_cost").press("Tab")
    inline = page.locator("#q-nutmeg_connection_cost .ma-inline-error")
    expect(inline).to_have_attribute("role", "alert")
    expect(inline).to_have_text(re.compile(r"\S"))
    expect(page.locator("#q-nutmeg_connection_cost > fieldset")).to_have_accessible_description(
        re.compile(re.escape(inline.inner_text()) + "$"))
    expect(page.locator("#status-nutmeg_connection_cost")).to_have_text("Not saved")
    expect(page.locator("#autosave-live")).to_have_text("Not saved")
    context.close()
