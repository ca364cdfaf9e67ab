"""Password hashes (Argon2id, through argon2-cffi): made slowly, checked in constant time."""

from __future__ import annotations

import threading

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

_hasher = PasswordHasher()

#: Hashes computed at once in this process: each takes 64 MiB (Argon2id's memory cost), so a
#: flood of sign-ins waits its turn instead of exhausting the memory.
HASHING_AT_ONCE = 4
_hashing = threading.BoundedSemaphore(HASHING_AT_ONCE)

#: A hash no password matches: checked against when the email is unknown, so that a
#: wrong email takes as long as a wrong password and does not reveal who has a login.
_NOBODY = _hasher.hash("no login has this password")


def hash_password(password: str) -> str:
    with _hashing:
        return _hasher.hash(password)


def password_matches(password_hash: str | None, password: str) -> bool:
    try:
        with _hashing:
            matched = _hasher.verify(password_hash or _NOBODY, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
    return matched and password_hash is not None
