"""Logins: an employee's password for the web interface, with the role they sign in with.

Only a hash of the password is kept (``services/passwords.py`` makes and checks it). A web
session is an API token of its own that expires (``SESSION_HOURS``), so whatever an
employee may do through the API they may do on the pages, and no more.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from conveyor.domain.errors import InvalidValue
from conveyor.domain.tokens import Role

MIN_PASSWORD = 8
MAX_PASSWORD = 200
#: How long a web session lasts after signing in.
SESSION_HOURS = 12
SESSION_LENGTH = timedelta(hours=SESSION_HOURS)
#: The name of every web session's token, as listed under /tokens.
SESSION_TOKEN_NAME = "web session"


@dataclass(kw_only=True)
class Login:
    employee_id: int
    role: Role
    password_hash: str
    updated_at: datetime


def check_password(password: str, *, field: str = "password") -> str:
    """A new password: long enough to resist guessing, short enough to hash cheaply."""
    if len(password) < MIN_PASSWORD:
        raise InvalidValue(f"A password needs at least {MIN_PASSWORD} characters", field=field)
    if len(password) > MAX_PASSWORD:
        raise InvalidValue(f"A password has at most {MAX_PASSWORD} characters", field=field)
    if password.strip() != password:
        raise InvalidValue("A password must not start or end with a space", field=field)
    return password
