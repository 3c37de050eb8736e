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


def password_problem(password: str) -> str | None:
    """Why a new password is refused (NIST SP 800-63B length rule), or None when it is acceptable."""
    if len(password) < MIN_LENGTH:
        return f"Use at least {MIN_LENGTH} characters. A few unrelated words make a long, memorable password."
    if len(password) > 256:
        return "Use at most 256 characters."
    return None


def random_password() -> str:
    """A strong random password for seeded demo accounts (never a default or shared one)."""
    return secrets.token_urlsafe(12)
