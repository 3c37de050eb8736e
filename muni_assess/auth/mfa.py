"""TOTP two-step verification (RFC 6238 via pyotp) and single-use recovery codes.

The secret is kept on the user row (set up first, enabled once a code from the app proves it was copied);
recovery codes are random and only their SHA-256 hashes are stored (they carry 50 bits of randomness, so a
fast hash is enough). A TOTP code is accepted once: the time step it belongs to is remembered.
"""
from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time

import pyotp

from muni_assess import audit
from muni_assess.auth.services import AccountError
from muni_assess.models import User
from muni_assess.passwords import verify_password
from muni_assess.security import MFA_REQUIRED_ROLES

ISSUER = "muni_assess"
RECOVERY_CODES = 10
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no look-alikes (0/o, 1/l/i)


def begin_setup(user: User) -> str:
    """The secret to show while enrolling (a new one unless setup is already under way)."""
    if user.mfa_enabled:
        raise AccountError("Two-step verification is already on.")
    if not user.mfa_secret:
        user.mfa_secret = pyotp.random_base32()
    return user.mfa_secret


def provisioning_uri(user: User) -> str:
    return pyotp.TOTP(user.mfa_secret or "").provisioning_uri(name=user.email, issuer_name=ISSUER)


def _check_totp(user: User, code: str, now: float | None = None) -> bool:
    """True for the current code (or its neighbours, for clock drift) not used before; remembers its step."""
    code = re.sub(r"\s", "", code or "")
    if not (user.mfa_secret and code.isdigit() and len(code) == 6):
        return False
    totp = pyotp.TOTP(user.mfa_secret)
    step = totp.timecode(time.time() if now is None else now)
    for counter in (step - 1, step, step + 1):
        if counter <= (user.mfa_last_counter or -1):
            continue
        if hmac.compare_digest(totp.generate_otp(counter), code):
            user.mfa_last_counter = counter
            return True
    return False


def confirm_setup(user: User, code: str) -> list[str]:
    """Turn two-step verification on when `code` comes from the authenticator; returns new recovery codes."""
    if user.mfa_enabled:
        raise AccountError("Two-step verification is already on.")
    if not _check_totp(user, code):
        raise AccountError("That code is not right. Enter the 6-digit code your app shows now.")
    user.mfa_enabled = True
    codes = _new_recovery_codes(user)
    audit.record("mfa.enabled", user=user)
    return codes


def verify(user: User, code: str) -> bool:
    """The second sign-in step: a current TOTP code, or an unused recovery code (which is then spent)."""
    if not user.mfa_enabled:
        return False
    if _check_totp(user, code):
        return True
    digest = _hash_code(code)
    hashes = list(user.mfa_recovery_hashes or [])
    for stored in hashes:
        if hmac.compare_digest(stored, digest):
            hashes.remove(stored)
            user.mfa_recovery_hashes = hashes
            audit.record("mfa.recovery_used", user=user, detail={"codes_left": len(hashes)})
            return True
    return False


def regenerate_recovery_codes(user: User, password: str) -> list[str]:
    if not user.mfa_enabled:
        raise AccountError("Turn on two-step verification first.")
    if not verify_password(user.password_hash, password):
        raise AccountError("Your password is not right.")
    codes = _new_recovery_codes(user)
    audit.record("mfa.recovery_regenerated", user=user)
    return codes


def disable(user: User, password: str, code: str, *, by: User | None = None) -> None:
    """Turn two-step verification off (the user, with password and a code). Required roles cannot."""
    if user.role in MFA_REQUIRED_ROLES:
        raise AccountError("Administrators and state analysts must keep two-step verification on.")
    if not verify_password(user.password_hash, password):
        raise AccountError("Your password is not right.")
    if not verify(user, code):
        raise AccountError("That code is not right.")
    reset(user)
    audit.record("mfa.disabled", user=by or user, detail={"account": user.email})


def reset(user: User) -> None:
    user.mfa_enabled = False
    user.mfa_secret = None
    user.mfa_last_counter = None
    user.mfa_recovery_hashes = None


def recovery_codes_left(user: User) -> int:
    return len(user.mfa_recovery_hashes or [])


def _new_recovery_codes(user: User) -> list[str]:
    codes = ["".join(secrets.choice(_ALPHABET) for _ in range(10)) for _ in range(RECOVERY_CODES)]
    codes = [f"{c[:5]}-{c[5:]}" for c in codes]
    user.mfa_recovery_hashes = [_hash_code(c) for c in codes]
    return codes


def _hash_code(code: str) -> str:
    normal = re.sub(r"[\s-]", "", (code or "").lower())
    return hashlib.sha256(("muni_assess-recovery:" + normal).encode()).hexdigest()
