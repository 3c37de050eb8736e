"""The one way to write the audit trail.

    from muni_assess import audit
    audit.record("answer.change", town=town, detail={"question": qid, "old": old, "new": new})

`record` only adds a row to the current SQLAlchemy session: the caller's transaction commits it together with
the change it describes (so a rolled-back change leaves no event, and a committed one always has its event).
Never put secrets in `detail`: no passwords, tokens, TOTP secrets or answer notes' text.
"""
from __future__ import annotations

from typing import Any

from flask import has_request_context, request

from muni_assess.extensions import db
from muni_assess.models.audit import AuditEvent

# Actions used by the app (others may be added; keep them dotted and lower-case).
ACTION_LABELS = {
    "answer.change": "Answer changed",
    "assessment.submit": "Assessment submitted",
    "assessment.reopen": "Assessment reopened",
    "auth.sign_in": "Signed in",
    "auth.sign_in_failed": "Failed sign-in",
    "auth.sign_out": "Signed out",
    "auth.sign_out_everywhere": "Signed out everywhere",
    "auth.locked": "Sign-in throttled",
    "mfa.enabled": "Two-step verification turned on",
    "mfa.disabled": "Two-step verification turned off",
    "mfa.recovery_used": "Recovery code used",
    "mfa.recovery_regenerated": "Recovery codes replaced",
    "user.role_change": "Role changed",
    "user.deactivated": "Account deactivated",
    "user.activated": "Account reactivated",
    "user.created": "Account created",
    "invitation.issued": "Invitation issued",
    "invitation.accepted": "Invitation accepted",
    "invitation.revoked": "Invitation revoked",
    "password.changed": "Password changed",
    "password.reset_requested": "Password reset requested",
    "password.reset": "Password reset",
    "export.roadmap_pdf": "Roadmap PDF downloaded",
    "document.download": "Document downloaded",
    "export.region_xlsx": "Region exported (XLSX)",
    "export.region_csv": "Region exported (CSV)",
    "export.region_pdf": "Region brief downloaded (PDF)",
    "export.state_xlsx": "Statewide view exported (XLSX)",
    "export.state_csv": "Statewide view exported (CSV)",
    "export.state_pdf": "Statewide brief downloaded (PDF)",
    "export.funding_csv": "Funding priorities exported (CSV)",
    "export.funding_xlsx": "Funding priorities exported (XLSX)",
    "export.funding_brief_pdf": "Funding brief downloaded (PDF)",
    "grant.facts_changed": "Grant program facts changed",
}


def _id_of(obj: Any) -> int | None:
    if obj is None:
        return None
    return obj if isinstance(obj, int) else getattr(obj, "id", None)


def _current_user():
    if not has_request_context():
        return None
    from flask_login import current_user

    return current_user if getattr(current_user, "is_authenticated", False) else None


def _client_ip() -> str | None:
    if not has_request_context():
        return None
    return (request.remote_addr or "")[:64] or None


def record(action: str, *, town=None, region=None, detail: dict | None = None, user=None) -> None:
    """Add an audit event to the current session; the caller's commit makes it durable.

    town / region / user may be model instances or ids. `user` defaults to the signed-in user (if any).
    When only a town is given, its region is filled in so COG analysts see the event.
    """
    actor = user if user is not None else _current_user()
    town_id = _id_of(town)
    region_id = _id_of(region)
    if region_id is None and town is not None:
        region_id = getattr(town, "region_id", None)
        if region_id is None and town_id is not None:
            from muni_assess.models import Town

            found = db.session.get(Town, town_id)
            region_id = found.region_id if found else None
    event = AuditEvent(
        action=action[:60],
        user_id=_id_of(actor),
        actor_email=(getattr(actor, "email", "") or "")[:254],
        town_id=town_id,
        region_id=region_id,
        detail=detail or None,
        ip=_client_ip(),
    )
    db.session.add(event)


def label(action: str) -> str:
    return ACTION_LABELS.get(action, action)
