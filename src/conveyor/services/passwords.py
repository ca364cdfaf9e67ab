"""Password hashes (Argon2id, through argon2-cffi): made slowly, checked in constant time."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

_hasher = PasswordHasher()

#: A hash no password matches: checked against when the email is unknown, so that a
#: wrong email takes as long as a wrong password and does not reveal who has a login.
_NOBODY = _hasher.hash("no login has this password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def password_matches(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _NOBODY, password) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
