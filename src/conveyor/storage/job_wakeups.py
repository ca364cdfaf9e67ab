"""Waking sleeping workers when jobs are scheduled, instead of making them poll fast.

A transaction that schedules jobs *announces* it (``announce``). On PostgreSQL that is a
``NOTIFY conveyor_jobs``, which the database delivers only when the transaction commits
(never for one rolled back), to every worker listening on any machine. Everywhere, the
process's own bell is also rung once the unit of work commits (``committed``), which wakes a
worker thread of the same process: what ``conveyor serve`` runs on SQLite.

A worker waits with ``wakeups_for(url).wait(timeout)``: it returns early when woken, else
after ``timeout``. Wakeups only shorten sleeps; correctness never depends on them (a worker
sleeps at most its poll interval), so a lost connection just falls back to sleeping.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any, Protocol

import psycopg
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from conveyor.storage.database import normalize_url

__all__ = ["CHANNEL", "Wakeups", "announce", "committed", "wakeups_for"]

log = logging.getLogger("conveyor.jobs")

CHANNEL = "conveyor_jobs"
_ANNOUNCED = "conveyor.jobs.announced"


def announce(session: Session) -> None:
    """Jobs were scheduled in this transaction: tell the workers once it commits. Costs one
    statement per transaction on PostgreSQL (``pg_notify``), nothing on SQLite."""
    transaction = session.get_transaction()
    if transaction is None or session.info.get(_ANNOUNCED) is transaction:
        return
    session.info[_ANNOUNCED] = transaction
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_notify(:channel, '')"), {"channel": CHANNEL})


def committed(session: Session) -> None:
    """Called once the session committed: ring the process's bell if jobs were scheduled."""
    if session.info.pop(_ANNOUNCED, None) is not None:
        _BELL.ring()


class Wakeups(Protocol):
    def wait(self, timeout: float) -> bool:
        """Return when woken (``True``), or after ``timeout`` seconds (``False``)."""

    def close(self) -> None: ...


class _Bell:
    """A process-wide signal: every waiter wakes at each ring, and a ring between two waits
    is not lost (the next wait returns at once)."""

    def __init__(self) -> None:
        self._rung = threading.Condition()
        self.generation = 0

    def ring(self) -> None:
        with self._rung:
            self.generation += 1
            self._rung.notify_all()

    def wait_past(self, seen: int, timeout: float) -> int:
        with self._rung:
            self._rung.wait_for(lambda: self.generation != seen, timeout)
            return self.generation


_BELL = _Bell()


class LocalWakeups:
    """Woken by jobs scheduled in this process (SQLite: the other processes are polled)."""

    def __init__(self) -> None:
        self._seen = _BELL.generation

    def wait(self, timeout: float) -> bool:
        seen = self._seen
        self._seen = _BELL.wait_past(seen, max(0.0, timeout))
        return self._seen != seen

    def close(self) -> None:
        pass


class PostgresWakeups:
    """``LISTEN conveyor_jobs`` on a connection of its own, opened at once so that nothing
    scheduled after the worker's first look is missed."""

    def __init__(self, url: str) -> None:
        self._conninfo = make_url(normalize_url(url)).set(drivername="postgresql")
        self._connection: psycopg.Connection[Any] | None = None
        self._connect()

    def wait(self, timeout: float) -> bool:
        timeout = max(0.0, timeout)
        connection = self._connection or self._connect()
        if connection is None:
            time.sleep(timeout)
            return False
        try:
            woken = False
            for _ in connection.notifies(timeout=timeout, stop_after=1):
                woken = True
            # Several schedules while the worker was busy are one wake-up, not several.
            for _ in connection.notifies(timeout=0):
                pass
        except psycopg.Error as error:
            log.warning("listening for jobs failed (%s); polling until it reconnects", error)
            self.close()
            return False
        return woken

    def close(self) -> None:
        if self._connection is not None:
            try:
                self._connection.close()
            finally:
                self._connection = None

    def _connect(self) -> psycopg.Connection[Any] | None:
        try:
            connection = psycopg.connect(
                self._conninfo.render_as_string(hide_password=False), autocommit=True
            )
            connection.execute(f"LISTEN {CHANNEL}")
        except psycopg.Error as error:
            log.warning("cannot listen for jobs (%s); polling instead", error)
            return None
        self._connection = connection
        return connection


def wakeups_for(url: str) -> Wakeups:
    """How a worker on ``url`` is woken: LISTEN/NOTIFY on PostgreSQL, the bell on SQLite."""
    if make_url(normalize_url(url)).get_backend_name() == "postgresql":
        return PostgresWakeups(url)
    return LocalWakeups()
