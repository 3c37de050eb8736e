"""The public accessibility statement: which standard, how it is tested, what is known not to work, and whom to
tell, with the contact an installation configures (ACCESSIBILITY_CONTACT) or a sensible default."""
from __future__ import annotations

import re

import pytest


def statement(client) -> str:
    response = client.get("/accessibility")
    assert response.status_code == 200
    return " ".join(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)).split())


def test_says_standard_testing_limits_and_how_to_report(client):
    text = statement(client)
    assert "WCAG 2.1" in text and "levels A and AA" in text and "Title II" in text
    for method in ("axe-core", "Keyboard only", "320 pixels", "200% zoom", "Print", "screenshots"):
        assert method in text, method
    assert "not tagged PDF (PDF/UA)" in text
    assert "tell the people who run this installation" in text and "mailto:" not in text


@pytest.mark.parametrize("contact, link", [
    ("accessibility@town.example", 'href="mailto:accessibility@town.example"'),
    ("https://town.example/accessibility", 'href="https://town.example/accessibility"'),
    ("the town clerk's office, 860-555-0100", None)])
def test_configured_contact_is_shown(app, client, monkeypatch, contact, link):
    monkeypatch.setitem(app.config, "ACCESSIBILITY_CONTACT", contact)
    html = client.get("/accessibility").get_data(as_text=True)
    assert ("contact the people who run this installation: " in statement(client)
            and contact.replace("'", "&#39;") in html)
    if link:
        assert link in html
    else:
        assert not any("clerk" in href for href in re.findall(r'href="([^"]*)"', html))  # plain text, no link
