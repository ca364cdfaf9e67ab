"""API tokens: each bound to an employee and a role; only a hash is kept."""

from __future__ import annotations

import enum
import hashlib
from dataclasses import dataclass
from datetime import datetime


class Role(enum.StrEnum):
    ADMIN = "admin"
    HEAD = "head"
    EMPLOYEE = "employee"


@dataclass(kw_only=True)
class ApiToken:
    id: int | None = None
    employee_id: int
    role: Role
    name: str
    token_hash: str
    created_at: datetime
    revoked_at: datetime | None = None
    #: A web session's token stops working at this moment; an API token never expires.
    expires_at: datetime | None = None

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def works_at(self, now: datetime) -> bool:
        return self.is_active and (self.expires_at is None or now < self.expires_at)


def hash_token(secret: str) -> str:
    """Tokens are long random strings, so a plain SHA-256 is a safe, fast lookup key."""
    return hashlib.sha256(secret.encode()).hexdigest()
