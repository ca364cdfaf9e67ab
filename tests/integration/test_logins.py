"""Signing in, on both databases: password guessing is paused per email, emails match in
any letter case, a changed login ends its sessions, and old sign-in leftovers are purged."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest

from conveyor.domain.actors import SYSTEM
from conveyor.domain.errors import NotAuthenticated
from conveyor.domain.logins import MAX_FAILED_SIGN_INS, SIGN_IN_WINDOW, TooManySignIns
from conveyor.domain.tokens import Role
from conveyor.services import jobs, logins, org, passwords, tokens
from conveyor.storage.unit_of_work import UnitOfWork
from conveyor.testing import FakeClock

PASSWORD = "correct horse battery"
WRONG = "not the password"


def employee_with_login(
    uow: UnitOfWork, clock: FakeClock, email: str, *, role: Role = Role.EMPLOYEE
) -> int:
    employee, _ = org.create_employee(
        uow, org.CreateEmployee(name=email.split("@")[0], email=email), actor=SYSTEM, now=clock()
    )
    assert employee.id is not None
    logins.set_login(uow, employee.id, role=role, password=PASSWORD, actor=SYSTEM, now=clock())
    return employee.id


def fail(uow: UnitOfWork, clock: FakeClock, email: str, times: int, *, every: int = 0) -> None:
    """``times`` wrong passwords for ``email``, ``every`` seconds apart."""
    for _ in range(times):
        with pytest.raises(NotAuthenticated, match="The email or the password is wrong"):
            logins.sign_in(uow, email=email, password=WRONG, now=clock())
        clock.advance(seconds=every)


def sessions_of(uow: UnitOfWork, employee_id: int) -> int:
    with uow:
        return len(uow.tokens.where(employee_id=employee_id, name="web session"))


def test_ten_failures_within_the_window_pause_the_email_even_for_the_right_password(
    uow: UnitOfWork, clock: FakeClock
) -> None:
    bob = employee_with_login(uow, clock, "bob@example.com")
    employee_with_login(uow, clock, "anna@example.com")
    fail(uow, clock, "bob@example.com", MAX_FAILED_SIGN_INS, every=60)  # 09:00 … 09:09

    with pytest.raises(TooManySignIns) as refused:
        logins.sign_in(uow, email="bob@example.com", password=PASSWORD, now=clock())
    assert refused.value.message == "Too many failed sign-ins; try again in 5 minutes"
    assert sessions_of(uow, bob) == 0
    # Another email is not paused with it.
    logins.sign_in(uow, email="anna@example.com", password=PASSWORD, now=clock())

    clock.advance(minutes=4, seconds=59)  # 09:14:59: the 09:00 failure is still counted
    with pytest.raises(TooManySignIns, match=r"try again in 1 minute$"):
        logins.sign_in(uow, email="bob@example.com", password=PASSWORD, now=clock())
    clock.advance(seconds=1)  # 09:15: it has left the window
    session = logins.sign_in(uow, email="bob@example.com", password=PASSWORD, now=clock())
    assert session.employee_id == bob


def test_failures_spread_wider_than_the_window_never_pause(
    uow: UnitOfWork, clock: FakeClock
) -> None:
    bob = employee_with_login(uow, clock, "bob@example.com")
    step = SIGN_IN_WINDOW // MAX_FAILED_SIGN_INS + timedelta(seconds=1)
    fail(uow, clock, "bob@example.com", 2 * MAX_FAILED_SIGN_INS, every=int(step.seconds))
    assert logins.sign_in(uow, email="bob@example.com", password=PASSWORD, now=clock())
    assert sessions_of(uow, bob) == 1


def test_an_unknown_email_is_counted_and_paused_alike_in_any_spelling(
    uow: UnitOfWork, clock: FakeClock
) -> None:
    fail(uow, clock, "ghost@example.com", MAX_FAILED_SIGN_INS // 2)
    fail(uow, clock, "  Ghost@Example.COM ", MAX_FAILED_SIGN_INS // 2)
    with pytest.raises(TooManySignIns, match="try again in 15 minutes"):
        logins.sign_in(uow, email="ghost@example.com", password=PASSWORD, now=clock())


def test_a_success_does_not_wipe_the_failures_before_it(uow: UnitOfWork, clock: FakeClock) -> None:
    employee_with_login(uow, clock, "bob@example.com")
    fail(uow, clock, "bob@example.com", MAX_FAILED_SIGN_INS - 1)
    logins.sign_in(uow, email="bob@example.com", password=PASSWORD, now=clock())
    fail(uow, clock, "bob@example.com", 1)
    with pytest.raises(TooManySignIns):
        logins.sign_in(uow, email="bob@example.com", password=PASSWORD, now=clock())


def test_sign_in_matches_the_email_in_any_letter_case_and_trims_spaces(
    uow: UnitOfWork, clock: FakeClock
) -> None:
    bob = employee_with_login(uow, clock, "Bob@Example.com")
    session = logins.sign_in(uow, email="  bob@example.COM ", password=PASSWORD, now=clock())
    assert session.employee_id == bob
    with pytest.raises(NotAuthenticated):
        logins.sign_in(uow, email="bob@example.co", password=PASSWORD, now=clock())


def test_of_two_emails_differing_only_in_case_the_exact_one_is_found(
    uow: UnitOfWork, clock: FakeClock
) -> None:
    upper, _ = org.create_employee(
        uow, org.CreateEmployee(name="Upper", email="Lee@example.com"), actor=SYSTEM, now=clock()
    )
    lower, _ = org.create_employee(
        uow, org.CreateEmployee(name="Lower", email="lee@example.com"), actor=SYSTEM, now=clock()
    )
    with uow:
        assert uow.employees.with_email("lee@example.com") == lower
        assert uow.employees.with_email("Lee@example.com") == upper
        assert uow.employees.with_email("LEE@EXAMPLE.COM") == upper  # the first of the two
        assert uow.employees.with_email("lee@example") is None


def test_a_new_role_or_password_ends_the_employees_open_sessions(
    uow: UnitOfWork, clock: FakeClock
) -> None:
    bob = employee_with_login(uow, clock, "bob@example.com", role=Role.ADMIN)
    session = logins.sign_in(uow, email="bob@example.com", password=PASSWORD, now=clock())
    assert tokens.authenticate(uow, session.secret, now=clock()).role is Role.ADMIN

    logins.set_login(
        uow, bob, role=Role.EMPLOYEE, password="a new secret", actor=SYSTEM, now=clock()
    )

    with pytest.raises(NotAuthenticated):
        tokens.authenticate(uow, session.secret, now=clock())
    again = logins.sign_in(uow, email="bob@example.com", password="a new secret", now=clock())
    assert tokens.authenticate(uow, again.secret, now=clock()).role is Role.EMPLOYEE


def test_the_hourly_purge_drops_old_attempts_and_long_ended_sessions_only(
    uow: UnitOfWork, clock: FakeClock
) -> None:
    bob = employee_with_login(uow, clock, "bob@example.com")
    key = logins.sign_in_key("bob@example.com")
    expired = logins.sign_in(uow, email="bob@example.com", password=PASSWORD, now=clock())
    signed_out = logins.sign_in(uow, email="bob@example.com", password=PASSWORD, now=clock())
    logins.sign_out(uow, signed_out.secret, now=clock())
    # An API token, even one named so and revoked, is never purged.
    api_token, _ = tokens.issue_token(
        uow, employee_id=bob, role=Role.EMPLOYEE, name="web session", actor=SYSTEM, now=clock()
    )
    assert api_token.id is not None
    tokens.revoke_token(uow, api_token.id, actor=SYSTEM, now=clock())
    fail(uow, clock, "bob@example.com", 3)
    clock.advance(days=7)
    recent = logins.sign_in(uow, email="bob@example.com", password=PASSWORD, now=clock())
    fail(uow, clock, "bob@example.com", 1)

    def kept() -> set[str]:
        with uow:
            return {t.token_hash for t in uow.tokens.where(employee_id=bob)}

    def attempts() -> int:
        with uow:
            return len(uow.sign_ins.latest(key, since=clock() - timedelta(days=30), limit=99))

    everything = {
        tokens.hash_token(s) for s in (expired.secret, signed_out.secret, recent.secret)
    } | {api_token.token_hash}
    assert jobs.purge_jobs(uow, now=clock()) == 0  # no job, but the sign-in leftovers:
    assert kept() == everything  # signed out just 7 days ago: still listed
    assert attempts() == 1  # the three of a week ago went, the one now stays

    clock.advance(hours=1)
    jobs.purge_jobs(uow, now=clock())
    assert kept() == everything - {tokens.hash_token(signed_out.secret)}
    assert attempts() == 0

    clock.advance(hours=12)  # the first session expired 7 days and an hour ago
    jobs.purge_jobs(uow, now=clock())
    assert kept() == {tokens.hash_token(recent.secret), api_token.token_hash}


def test_no_more_than_four_passwords_are_hashed_at_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    running, most = 0, 0
    lock = threading.Lock()

    class SlowHasher:
        def hash(self, password: str) -> str:
            nonlocal running, most
            with lock:
                running += 1
                most = max(most, running)
            time.sleep(0.02)
            with lock:
                running -= 1
            return "hashed"

        def verify(self, password_hash: str, password: str) -> bool:
            self.hash(password)
            return True

    monkeypatch.setattr(passwords, "_hasher", SlowHasher())
    with ThreadPoolExecutor(max_workers=12) as pool:
        list(pool.map(lambda n: passwords.hash_password(str(n)), range(12)))
        list(pool.map(lambda n: passwords.password_matches("h", str(n)), range(12)))
    assert most == passwords.HASHING_AT_ONCE == 4
