"""Reflow, zoom and print, in real Chromium with demo data. At 320 CSS pixels wide and at 200% zoom of a 1280-pixel
window (640 CSS pixels at device scale 2) the key pages never scroll sideways as a whole (WCAG 1.4.10; a wide data
table may scroll inside its own labelled region, whose caption and row names stay in view) and stay free of axe
violations; the phone menu works by keyboard. Printed, a section and the results keep their content and drop the
menus, buttons and footer.

Set A11Y_SHOTS=/some/folder to keep full-page screenshots and the printed PDFs for people to look at."""
from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from a11y_helpers import FUNDING, focused, open_page, press, role_context, shot
from axe_playwright_python.sync_playwright import Axe
from conftest import CYCLE
from playwright.sync_api import expect
from pypdf import PdfReader
from test_accessibility import WCAG, demo_world

pytestmark = pytest.mark.browser

SIZES = {"phone": {"viewport": {"width": 320, "height": 640}},
         "zoom200": {"viewport": {"width": 640, "height": 450}, "device_scale_factor": 2}}

# What sticks out of the viewport without being inside a box that scrolls by itself (USWDS gives <body>
# overflow-x: hidden, so the page's scrollWidth alone would miss content cut off at the right edge), and
# scrolling table regions a keyboard cannot reach or whose caption is cut.
OVERFLOW = """() => {
  const width = window.innerWidth, out = [];
  const scrolls = el => { for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
    if (getComputedStyle(p).overflowX !== 'visible') return p; } return null; };
  for (const el of document.querySelectorAll('body *')) {
    const box = el.getBoundingClientRect();
    if (box.width > 0 && box.height > 0 && box.right > width + 1 && !scrolls(el)) out.push(el.outerHTML.slice(0, 80));
  }
  for (const region of document.querySelectorAll('.ma-table-scroll')) {
    if (!region.checkVisibility() || region.scrollWidth <= region.clientWidth) continue;
    const inner = region.getBoundingClientRect();
    if (region.tabIndex !== 0 || !region.getAttribute('aria-label') && !region.getAttribute('aria-labelledby'))
      out.push('scrolling table region without keyboard access or a name');
    const caption = region.querySelector('caption');
    if (caption && caption.getBoundingClientRect().right > inner.right + 1) out.push('cut: ' + caption.innerText);
  }
  return {scroll: document.documentElement.scrollWidth, width, out: out.slice(0, 10)};
}"""


def reflow_pages(world) -> list[tuple[str, str, str]]:
    town = f"/towns/{world['town_id']}/{CYCLE}"
    return [("anonymous", "signin", "/auth/login"), ("town_editor", "section", f"{town}/sections/nutmeg"),
            ("town_editor", "results", f"{town}/results"), ("town_editor", "grants", f"{town}/grants"),
            ("cog_analyst", "regional", f"/regions/{world['region']}/"), ("state_analyst", "funding", FUNDING)]


def test_key_pages_reflow_at_320_px_and_200_percent_zoom(app, live_server, browser, users, login_as):
    world = demo_world(app, users)
    problems, checked = [], 0
    for size, options in SIZES.items():
        contexts = {}
        for role, name, url in reflow_pages(world):
            if role not in contexts:
                contexts[role] = role_context(browser, login_as, live_server, role, world, **options)
            page = open_page(contexts[role], live_server + url)
            found = page.evaluate(OVERFLOW)
            if found["scroll"] > found["width"] or found["out"]:
                problems.append(f"{size} {name}: {found}")
            violations = Axe().run(page, options=WCAG).response["violations"]
            problems += [f"{size} {name}: axe {v['id']} at {v['nodes'][0]['target']}" for v in violations]
            shot(page, f"{name}-{size}")
            checked += 1
        for context in contexts.values():
            context.close()
    assert checked == 12
    assert not problems, "\n".join(problems)


def test_phone_menu_opens_by_keyboard_and_gives_focus_back(app, live_server, browser, users, login_as):
    context = role_context(browser, login_as, live_server, "town_editor", {"region": None}, **SIZES["phone"])
    page = open_page(context, live_server + "/accessibility")
    nav = page.get_by_role("navigation", name="Primary navigation")
    expect(nav).to_be_hidden()  # folded away behind the Menu button at phone width
    press(page, "Tab")
    press(page, "Tab")
    assert press(page, "Tab")["text"].lower() == "menu"
    press(page, "Enter")
    expect(nav).to_be_visible()
    assert page.evaluate("document.activeElement.closest('nav') !== null"), "focus moves into the open menu"
    assert press(page, "Tab")["text"]  # its links are reachable, with a visible focus
    page.keyboard.press("Escape")
    expect(nav).to_be_hidden()
    assert focused(page)["text"].lower() == "menu", "closing the menu hands focus back to its button"
    context.close()


def printed(page, name: str) -> str:
    """Print the page as Chromium does (print media, Letter) and return the PDF's text."""
    pdf = page.pdf(format="Letter")
    folder = os.environ.get("A11Y_SHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        (Path(folder) / f"print-{name}.pdf").write_bytes(pdf)
    return " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())


def test_a_section_and_the_results_print_without_menus_or_buttons(app, live_server, browser, users, login_as):
    world = demo_world(app, users)
    context = role_context(browser, login_as, live_server, "town_editor", world)
    town = f"/towns/{world['town_id']}/{CYCLE}"
    for name, url in (("section", f"{town}/sections/nutmeg"), ("results", f"{town}/results")):
        page = open_page(context, live_server + url)
        heading = page.locator("h1").inner_text()
        page.emulate_media(media="print")
        for chrome in ("header.usa-header", "footer.usa-footer", ".usa-skipnav", ".ma-sidenav", ".ma-actions",
                       ".ma-form-actions", "main button", ".ma-save-status", ".ma-note:not([open])"):
            for element in page.locator(chrome).all():
                expect(element).to_be_hidden()
        expect(page.locator("h1")).to_be_visible()
        if name == "section":
            questions = page.locator(".ma-question:not([hidden])")
            assert questions.count() >= 2
            for block in questions.all():
                expect(block.locator("legend")).to_be_visible()
                for chosen in block.locator("input:checked").all():  # the answer given is on paper
                    expect(page.locator(f"label[for='{chosen.get_attribute('id')}']")).to_be_visible()
        else:
            expect(page.locator("figure svg").first).to_be_visible()
            for table in page.locator("main table").all():
                expect(table).to_be_visible()
                box, region = table.bounding_box(), table.locator("xpath=..").bounding_box()
                assert box["width"] <= region["width"] + 1, "a wide table prints whole, not cut at the edge"
        text = printed(page, name)
        assert heading in text
        for gone in ("Sign out", "Skip to main content", "Accessibility statement", "Save this section",
                     "Download roadmap", "Add a note"):
            assert gone not in text, f"{name}: {gone!r} printed"
        page.emulate_media(media="screen")
    context.close()
