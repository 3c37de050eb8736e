"""The accessibility battery: every HTML page of every role, with demo data, checked by axe-core in Chromium.

Pages are found from app.url_map, so a new page is checked without touching this file. A GET route whose URL
parameters this file cannot fill fails the test until a provider is added below (or it is listed in
NOT_PAGES with the reason it is not an HTML page). Rules: WCAG 2.0 and 2.1, levels A and AA.
"""
from __future__ import annotations

import datetime as dt
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from conftest import CYCLE

pytestmark = pytest.mark.browser

WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
NOT_PAGES = {  # GET routes that are not HTML pages a person reads
    "static": "assets",
    "main.healthz": "JSON probe",
    "reports.roadmap": "PDF download",
    "grants.export": "DOCX/PDF download",
    "auth.logout": "POST only",
}
DOWNLOAD = re.compile(r"\.(pdf|docx|xlsx|csv|svg|json)$|/export|/download", re.I)


def demo_world(app, users):
    """Demo data for CT (assessments across CRCOG, NVCOG, SCCOG), a grant draft, and one account per role."""
    from muni_assess.auth import links
    from muni_assess.demo import seed_demo
    from muni_assess.extensions import db
    from muni_assess.grants import services as grants
    from muni_assess.models import Assessment, Town, User
    from muni_assess.models.account import PasswordResetToken

    with app.app_context():
        seed_demo("CT", CYCLE)
        db.session.commit()
        andover = db.session.scalar(db.select(Town).where(Town.name == "Andover"))
        assert db.session.scalar(db.select(Assessment).where(Assessment.town_id == andover.id,
                                                             Assessment.cycle == CYCLE))
        editor = db.session.scalar(db.select(User).where(User.role == "town_editor"))
        fit, _ = grants.fit_for(andover, CYCLE, "slcgp")
        draft = grants.create_draft(andover, CYCLE, "slcgp", [i.rec.id for i in fit.items], True, editor)
        admin = db.session.scalar(db.select(User).where(User.role == "admin"))
        with app.test_request_context():
            _, link = links.issue_invitation(admin, "invitee@example.org", "town_editor", town=andover)
        reset_token, digest = links._new_token()
        db.session.add(PasswordResetToken(token_hash=digest, user_id=editor.id, created_at=links._now(),
                                          expires_at=links._now() + dt.timedelta(minutes=30)))
        db.session.commit()
        return {"town_id": andover.id, "region": andover.region.code, "draft_id": draft.id, "user_id": editor.id,
                "tokens": [link.rsplit("/", 1)[1], reset_token, "no-such-token"]}


def providers(app, world) -> dict[str, list]:
    from muni_assess import contentstore

    with app.app_context():
        sections = [s.id for s in contentstore.current_set().sections_for("CT")]
    return {"town_id": [world["town_id"]], "cycle": [CYCLE], "section_id": sections, "code": [world["region"]],
            "draft_id": [world["draft_id"]], "program_id": ["slcgp", "ct_nutmeg"],
            "user_id": [world["user_id"]], "token": world["tokens"], "fmt": ["xlsx"]}


def page_urls(app, world) -> list[str]:
    """Every GET page with its parameters filled (each section, each listed program...)."""
    values = providers(app, world)
    urls, missing = [], []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint in NOT_PAGES:
            continue
        args = sorted(rule.arguments)
        unknown = [a for a in args if a not in values]
        if unknown:
            missing.append(f"{rule.endpoint} needs {unknown}")
            continue
        combos = [{}]
        for a in args:
            combos = [dict(c, **{a: v}) for c in combos for v in values[a]]
        with app.test_request_context():
            from flask import url_for

            for combo in combos:
                url = url_for(rule.endpoint, **combo)
                if not DOWNLOAD.search(url):
                    urls.append(url)
    assert not missing, "add a provider or a NOT_PAGES reason: " + "; ".join(missing)
    return sorted(set(urls))


def signed_in_context(browser, client, live_server):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    cookie = client.get_cookie("session")
    if cookie is not None:
        context.add_cookies([{"name": "session", "value": cookie.value, "url": live_server}])
    return context


def audit(page, url: str, live_server: str) -> list[str]:
    response = page.goto(live_server + url)
    if response is None or "text/html" not in (response.headers.get("content-type") or ""):
        return []
    results = Axe().run(page, options=WCAG)
    return [f"{url}: {v['id']} ({v['help']}) at {v['nodes'][0]['target']}" for v in results.response["violations"]]


def test_every_page_of_every_role_has_no_axe_violations(app, live_server, browser, users, login_as):
    world = demo_world(app, users)
    urls = page_urls(app, world)
    assert len(urls) >= 10
    roles = [("town_editor", {"town": "Andover"}), ("cog_analyst", {"region": world["region"]}),
             ("state_analyst", {}), ("admin", {})]
    problems, visited = [], 0
    for role, scope in roles:
        client = login_as(role, **scope)
        context = signed_in_context(browser, client, live_server)
        page = context.new_page()
        for url in urls:
            found = audit(page, url, live_server)
            problems += [f"[{role}] {p}" for p in found]
            visited += 1
        problems += [f"[{role}] {p}" for p in audit(page, "/no/such/page", live_server)]  # the 404 page
        context.close()
    anonymous = browser.new_context()
    page = anonymous.new_page()
    token_pages = [u for u in urls if u.startswith(("/auth/invitation/", "/auth/reset/"))]
    for url in ("/auth/login", "/auth/reset", "/accessibility", *token_pages):
        problems += [f"[anonymous] {p}" for p in audit(page, url, live_server)]
    anonymous.close()
    assert visited >= 4 * 10
    assert not problems, "\n".join(problems)
