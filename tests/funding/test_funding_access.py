"""Only state analysts and admins reach the funding pages, exports and brief; everyone else gets 404."""
from __future__ import annotations

import pytest
from conftest import csrf_token

from muni_assess import access

pytest_plugins = ["fundingdata"]  # the nutmeg_towns fixture


def funding_urls(app):
    from flask import url_for

    rules = [r for r in app.url_map.iter_rules() if r.endpoint.startswith("funding.")]
    assert len(rules) >= 10
    with app.test_request_context():
        for rule in rules:
            args = {"scenario_id": 1} if "scenario_id" in rule.arguments else {}
            yield url_for(rule.endpoint, **args)


@pytest.mark.parametrize("role,scope", [("town_editor", {"town": "Andover"}), ("cog_analyst", {"region": "CRCOG"})])
def test_towns_and_cogs_reach_nothing(app, login_as, role, scope, nutmeg_towns):
    client = login_as(role, **scope)
    token = csrf_token(client, "/")
    checked = 0
    for url in funding_urls(app):
        for method in ("GET", "POST"):
            response = client.open(url + "?budget=2000000", method=method, data={"csrf_token": token, "name": "x"},
                                   headers={"X-CSRFToken": token})
            assert response.status_code in (403, 404, 405), (role, method, url, response.status_code)
            assert "Andover" not in response.get_data(as_text=True) or role == "town_editor"
            checked += 1
    assert checked >= 20
    from muni_assess.extensions import db
    from muni_assess.models import FundingCostDefault, FundingScenario

    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(FundingScenario.id))) == 0
        assert db.session.scalar(db.select(db.func.count()).select_from(FundingCostDefault)) == 0


def test_anonymous_is_sent_to_sign_in(app, client):
    for url in funding_urls(app):
        for method in ("GET", "POST"):
            response = client.open(url, method=method)
            assert response.status_code in (302, 400, 405), (method, url, response.status_code)
            if response.status_code == 302:
                assert "/auth/login" in response.headers["Location"]


def test_nav_shows_the_feature_to_state_staff_only(login_as):
    assert "Nutmeg funding" in login_as("state_analyst").get("/regions/").get_data(as_text=True)
    assert "Nutmeg funding" not in login_as("cog_analyst", region="CRCOG").get("/regions/CRCOG/").get_data(as_text=True)


def test_access_rule():
    class U:
        is_authenticated = True

        def __init__(self, role):
            self.role = role

    assert [access.can_prioritize_funding(U(r)) for r in ("town_editor", "cog_analyst", "state_analyst", "admin")] \
        == [False, False, True, True]
