"""Behind a reverse proxy (PROXY_FIX = the number of proxies), the app takes the client's address and scheme from
the proxy's X-Forwarded-* headers; without it those headers are ignored, so a client cannot forge them."""
from __future__ import annotations

import pytest
from conftest import build_app, csrf_token

from muni_assess.extensions import db
from muni_assess.models import AuditEvent

FORWARDED = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https", "X-Forwarded-Host": "assess.example.gov"}


def _failed_sign_in_address(app) -> str | None:
    client = app.test_client()
    token = csrf_token(client)
    # over HTTPS, the CSRF check also wants the page the form came from (Flask-WTF's strict referrer check)
    response = client.post("/auth/login", data={"email": "nobody@example.org", "password": "not the password at all",
                                                "csrf_token": token},
                           headers={**FORWARDED, "Referer": "https://assess.example.gov/auth/login"})
    assert response.status_code == 400 and b"email address or password is not right" in response.data
    with app.app_context():
        event = db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == "auth.sign_in_failed")
                                   .order_by(AuditEvent.id.desc())).first()
        return event.ip


@pytest.fixture
def proxied_app(app, database_url):
    """Factory: the app on the suite's database with PROXY_FIX set; its connections are closed afterwards."""
    made = []

    def _make(hops: int):
        made.append(build_app(database_url, PROXY_FIX=hops))
        return made[-1]

    yield _make
    for each in made:
        with each.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.mark.parametrize("hops", [0, 1])
def test_forwarded_headers_count_only_behind_a_trusted_proxy(proxied_app, hops):
    proxied = proxied_app(hops)
    response = proxied.test_client().get("/healthz", headers=FORWARDED)
    assert response.status_code == 200
    # HTTPS at the proxy: HSTS is sent only when the proxy is trusted to say so
    assert ("Strict-Transport-Security" in response.headers) == bool(hops)
    # the audit trail records the client's address, not the proxy's, only when the proxy is trusted
    assert (_failed_sign_in_address(proxied) == "203.0.113.9") == bool(hops)


def test_a_negative_proxy_count_is_refused(database_url):
    with pytest.raises(RuntimeError, match="PROXY_FIX"):
        build_app(database_url, PROXY_FIX=-1)
