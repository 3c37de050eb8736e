"""In real Chromium: key pages of each role load with the Content-Security-Policy and break none of it (no inline
script or style anywhere), including the two-step sign-in and the autosave script."""
from __future__ import annotations

import os

import pyotp
import pytest
from conftest import CYCLE, PASSWORD, enrol_mfa, town_id

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("MUNI_ASSESS_SCREENSHOTS")  # a folder: save a screenshot of each page checked
WATCH = """window.__csp = [];
document.addEventListener('securitypolicyviolation',
                          e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"""


def watch(page):
    page.add_init_script(WATCH)
    messages = []
    page.on("console", lambda m: messages.append(m.text) if "Content Security Policy" in m.text else None)
    return messages


def visit(page, url, messages):
    response = page.goto(url)
    assert response is not None and response.status < 500, url
    assert response.headers.get("content-security-policy", "").startswith("default-src 'self'")
    if SHOTS:
        name = url.split("//", 1)[-1].split("/", 1)[-1].replace("/", "_").replace("?", "_") or "root"
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)
    violations = page.evaluate("window.__csp") + messages
    assert not violations, (url, violations)


def sign_in(page, base, email, code_secret=None):
    page.goto(f"{base}/auth/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    if code_secret:
        page.wait_for_url("**/auth/two-step")
        page.get_by_label("Code from your authenticator app").fill(pyotp.TOTP(code_secret).now())
        page.get_by_role("button", name="Verify").click()
    page.wait_for_load_state()


def test_key_pages_raise_no_csp_violation(app, live_server, browser, users):
    tid = town_id(app, "Andover")
    _, editor = users.make("town_editor", town="Andover")
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    messages = watch(page)
    visit(page, f"{live_server}/auth/login", messages)
    visit(page, f"{live_server}/auth/reset", messages)
    sign_in(page, live_server, editor)
    page.get_by_role("button", name=f"Start the {CYCLE} assessment").click()
    page.wait_for_load_state()
    for path in (f"/towns/{tid}/{CYCLE}/", f"/towns/{tid}/{CYCLE}/sections/backup", "/auth/account",
                 "/auth/account/password", "/auth/two-step/setup", "/admin/audit", "/no/such/page"):
        visit(page, live_server + path, messages)
    page.goto(f"{live_server}/towns/{tid}/{CYCLE}/sections/backup")
    page.locator("#q-backup_location label", has_text="At a location at least 30 miles away").click()
    page.locator("#q-backup_location .ma-save-status").filter(has_text="Saved at").wait_for(timeout=10_000)
    assert not page.evaluate("window.__csp") and not messages  # the autosave script runs under the policy
    context.close()

    _, admin = users.make("admin")
    secret = enrol_mfa(app, admin)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    messages = watch(page)
    sign_in(page, live_server, admin, secret)
    for path in ("/regions/", "/admin/users", "/admin/invitations", "/admin/audit", "/auth/account"):
        visit(page, live_server + path, messages)
    context.close()
