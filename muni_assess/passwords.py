"""Password hashing (argon2id) and the minimum rules every password must meet."""
from __future__ import annotations

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
MIN_LENGTH = 12
# A dummy hash so that signing in with an unknown email costs as long as with a known one.
_DUMMY = _hasher.hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored: str | None, password: str) -> bool:
    """True when `password` matches; always spends one hash verification, even without a stored hash."""
    try:
        return _hasher.verify(stored or _DUMMY, password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


def password_problem(password: str, context: tuple[str, ...] = ()) -> str | None:
    """Why a new password is refused (NIST SP 800-63B: length, and not on the list of common or breached
    passwords, nor little more than the service's name or the user's e-mail), or None when acceptable.
    No composition rules (no "one digit, one symbol")."""
    if len(password) < MIN_LENGTH:
        return f"Use at least {MIN_LENGTH} characters. A few unrelated words make a long, memorable password."
    if len(password) > 256:
        return "Use at most 256 characters."
    from muni_assess.auth.passwordlist import is_refused

    if is_refused(password, context):
        return ("That password is too common: it appears in lists of leaked or easily guessed passwords, or is "
                "mostly your e-mail address or this site's name. Choose another; a few unrelated words work well.")
    return None


def random_password() -> str:
    """A strong random password for seeded demo accounts (never a default or shared one)."""
    return secrets.token_urlsafe(12)
