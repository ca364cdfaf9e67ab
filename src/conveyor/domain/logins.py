"""Logins: an employee's password for the web interface, with the role they sign in with.

Only a hash of the password is kept (``services/passwords.py`` makes and checks it). A web
session is an API token of its own that expires (``SESSION_HOURS``), so whatever an
employee may do through the API they may do on the pages, and no more. Failed sign-ins
are counted per typed email, known or not, to pause password guessing.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from conveyor.domain.errors import InvalidValue, NotAuthenticated
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


#: Sign-ins are limited per email: after ``MAX_FAILED_SIGN_INS`` failures within
#: ``SIGN_IN_WINDOW``, that email is refused until the oldest of them is out of the window.
MAX_FAILED_SIGN_INS = 10
SIGN_IN_WINDOW_MINUTES = 15
SIGN_IN_WINDOW = timedelta(minutes=SIGN_IN_WINDOW_MINUTES)


class TooManySignIns(NotAuthenticated):
    """Too many failed sign-ins; try again later."""

    def __init__(self, minutes: int) -> None:
        self.minutes = minutes
        super().__init__(too_many_sign_ins(minutes))


def too_many_sign_ins(minutes: int) -> str:
    """The refusal while an email is paused (the pages translate each possible ``minutes``)."""
    return f"Too many failed sign-ins; try again in {minutes} minute{'' if minutes == 1 else 's'}"


def sign_in_key(email: str) -> str:
    """What attempts are counted under: a hash of the email as typed, trimmed and in lower
    case, so that a typed password or a stranger's address is never kept in clear."""
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


def sign_ins_paused_until(failures: Iterable[datetime], *, now: datetime) -> datetime | None:
    """When an email may try again, given the times of its failed sign-ins: ``None`` when it
    may now. It is paused while ``MAX_FAILED_SIGN_INS`` failures lie within the window."""
    recent = sorted(at for at in failures if at > now - SIGN_IN_WINDOW)
    if len(recent) < MAX_FAILED_SIGN_INS:
        return None
    return recent[len(recent) - MAX_FAILED_SIGN_INS] + SIGN_IN_WINDOW


def minutes_until(moment: datetime, *, now: datetime) -> int:
    """Whole minutes from ``now`` to ``moment``, rounded up, at least one."""
    return max(1, math.ceil((moment - now).total_seconds() / 60))
