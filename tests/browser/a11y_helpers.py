"""Shared pieces of the keyboard, semantics, reflow and print tests (tests/browser/test_keyboard*.py,
test_semantics.py, test_reflow_and_print.py): what has the keyboard focus and whether a sighted user can see it,
pressing Tab until a control is reached, the Tab stops a page should have, and signed-in browser contexts of a
given size. Demo data and page discovery come from test_accessibility.py."""
from __future__ import annotations

import os
from pathlib import Path

from conftest import PASSWORD, totp_code

# The focused element as a user meets it. USWDS hides the real radio button or checkbox off-screen and draws it,
# and its focus ring, on the label's ::before, so for those the label is what is looked at.
FOCUSED = """async () => {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return null;
  let shown = el, ring = getComputedStyle(el);
  if (el.matches('.usa-radio__input, .usa-checkbox__input')) {
    shown = document.querySelector(`label[for="${CSS.escape(el.id)}"]`);
    ring = getComputedStyle(shown, '::before');
  }
  const moving = document.getAnimations().filter(a => a.effect.getComputedTiming().endTime !== Infinity);
  await Promise.all(moving.map(a => a.finished.catch(() => null)));  // e.g. the skip link or the phone menu sliding in
  const box = shown.getBoundingClientRect();
  const clear = c => !/^(transparent|rgba\\(.*,\\s*0\\))$/.test(c);
  // USWDS and Chromium draw focus as an outline; a box-shadow is not counted, since USWDS buttons wear one always
  const outline = ring.outlineStyle !== 'none' && parseFloat(ring.outlineWidth) >= 1 && clear(ring.outlineColor);
  const block = el.closest('.ma-question');
  return {tag: el.tagName.toLowerCase(), id: el.id, type: el.type || '', name: el.getAttribute('name') || '',
          value: el.value || '', checked: !!el.checked, kb: el.dataset.kb ?? null,
          text: (el.innerText || el.getAttribute('aria-label') || '').trim().replace(/\\s+/g, ' '),
          question: block ? block.dataset.question : null,
          ring: outline,
          onscreen: box.bottom > 0 && box.top < innerHeight && box.right > 0 && box.left < innerWidth,
          top: box.top + scrollY, in_main: !!el.closest('main'), in_sidenav: !!el.closest('.ma-sidenav')};
}"""

# Marks every element a Tab press should stop at with data-kb="0", "1", ... in document order and returns how
# many: visible, enabled, not taken out of the order, not inside a closed <details>; of a radio group only the
# checked button (or the first when none is checked), as browsers do.
MARK_TAB_STOPS = """() => {
  const sel = 'a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]';
  const groups = new Set();
  let i = 0;
  for (const el of document.querySelectorAll(sel)) {
    delete el.dataset.kb;
    if (el.tabIndex < 0 || el.disabled || el.closest('fieldset[disabled], [inert]')) continue;
    if (!el.checkVisibility({visibilityProperty: true})) continue;
    const closed = el.closest('details:not([open])');
    if (closed && !(el.tagName === 'SUMMARY' && el.parentElement === closed)) continue;
    if (el.type === 'radio') {
      const key = (el.form ? el.form.id : '') + '|' + el.name;
      if (groups.has(key)) continue;
      const all = Array.from(document.querySelectorAll(`input[type=radio][name="${CSS.escape(el.name)}"]`));
      const pick = all.find(r => r.checked) || all[0];
      groups.add(key);
      pick.dataset.kb = i++;
      continue;
    }
    el.dataset.kb = i++;
  }
  return i;
}"""


def focused(page) -> dict | None:
    return page.evaluate(FOCUSED)


def press(page, key: str) -> dict | None:
    """Press one key and return what then has focus, after checking a sighted user can see where it is."""
    page.keyboard.press(key)
    now = focused(page)
    if now is not None:
        assert now["ring"], f"no visible focus indicator on {now}"
        assert now["onscreen"], f"focused control is off-screen: {now}"
    return now


def tab_to(page, wanted, limit: int = 80, key: str = "Tab") -> dict:
    """Press Tab until wanted(focused) is true; fails, listing the stops passed, when it never is."""
    passed = []
    for _ in range(limit):
        now = press(page, key)
        if now is not None and wanted(now):
            return now
        passed.append(now and (now["text"] or now["id"] or now["tag"]))
    raise AssertionError(f"never reached the control; Tab stops passed: {passed}")


def follow(page, key: str = "Enter") -> None:
    """Press a key that loads another page (a link, a submit button) and wait for that page."""
    with page.expect_navigation():
        page.keyboard.press(key)


def named(text: str):
    return lambda f: f["text"].startswith(text)


def keyboard_sign_in(app, page, live_server: str, email: str) -> None:
    """Sign in with the keyboard alone: the skip link first, then Tab, typing and Enter (and the two-step code)."""
    page.goto(live_server + "/auth/login")
    first = press(page, "Tab")
    assert first["text"] == "Skip to main content", first
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main-content"  # focus moved, not just the scroll
    tab_to(page, lambda f: f["id"] == "email")
    page.keyboard.type(email)
    assert press(page, "Tab")["id"] == "password"
    page.keyboard.type(PASSWORD)
    follow(page)
    if "/auth/two-step" in page.url:
        tab_to(page, lambda f: f["tag"] == "input" and f["type"] != "hidden")
        page.keyboard.type(totp_code(app, email))
        follow(page)


def context_for(browser, client, live_server: str, **options):
    """A browser context carrying the session of a Flask test client signed in with login_as."""
    context = browser.new_context(**({"viewport": {"width": 1280, "height": 900}} | options))
    cookie = client.get_cookie("session")
    if cookie is not None:
        context.add_cookies([{"name": "session", "value": cookie.value, "url": live_server}])
    return context


def open_page(context, url: str):
    page = context.pages[0] if context.pages else context.new_page()
    response = page.goto(url)
    assert response is not None and response.ok, f"{url}: {response and response.status}"
    return page


def shot(page, name: str) -> None:
    """Save a screenshot for people to look at when A11Y_SHOTS names a folder (never committed)."""
    folder = os.environ.get("A11Y_SHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        width, height, ratio = page.evaluate("[innerWidth, document.documentElement.scrollHeight, devicePixelRatio]")
        clip = {"x": 0, "y": 0, "width": width, "height": min(height, 12_000 // ratio)}  # taller ones tear
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True, clip=clip)


FUNDING = ("/state/funding/?budget=2000000&w_need=35&w_population=25&w_readiness=20&w_leverage=10&w_equity=10"
           "&show=Show+the+selection")


def key_pages(world: dict, cycle: int) -> dict[str, list[str]]:
    """The pages each role works in most, with demo data (test_accessibility.demo_world)."""
    town = f"/towns/{world['town_id']}/{cycle}"
    return {"anonymous": ["/auth/login", "/auth/reset", "/accessibility"],
            "town_editor": [f"{town}/", f"{town}/sections/backup", f"{town}/sections/nutmeg", f"{town}/results",
                            f"{town}/grants", f"{town}/grants/drafts/{world['draft_id']}", "/auth/account"],
            "cog_analyst": [f"/regions/{world['region']}/", f"{town}/results", f"{town}/sections/strategy"],
            "state_analyst": ["/regions/", "/regions/statewide/", FUNDING, "/state/funding/costs"],
            "admin": ["/admin/users", "/admin/audit", "/grants/programs"]}


def role_context(browser, login_as, live_server: str, role: str, world: dict, **options):
    """A browser context signed in as a new user of the role (two-step verification done where required)."""
    if role == "anonymous":
        return browser.new_context(**({"viewport": {"width": 1280, "height": 900}} | options))
    scope = {"town_editor": {"town": "Andover"}, "cog_analyst": {"region": world["region"]}}.get(role, {})
    return context_for(browser, login_as(role, **scope), live_server, **options)
