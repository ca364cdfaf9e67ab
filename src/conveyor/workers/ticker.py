"""The in-process ticker: periodic background work for ``conveyor serve`` and the demo.

Each duty runs on its own interval in one daemon thread; a duty that fails is logged and
tried again at its next tick, never stopping the others. Duties are idempotent services
(the assignment sweep), so a tick lost to a restart costs only delay. Work due at a given
time (call distributions, and whatever else is scheduled) is durable jobs instead, run by
``workers/job_worker.py``.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from conveyor.storage.unit_of_work import UnitOfWork

log = logging.getLogger("conveyor.ticker")


@dataclass(kw_only=True)
class Duty:
    """Something to run every ``every`` seconds: ``run(uow, now)``."""

    name: str
    every: float
    run: Callable[[UnitOfWork, datetime], object]
    next_at: float = field(default=0.0)


class Ticker:
    """Runs its duties in a daemon thread until ``stop``."""

    def __init__(
        self,
        new_uow: Callable[[], UnitOfWork],
        clock: Callable[[], datetime],
        duties: list[Duty],
    ) -> None:
        self._new_uow = new_uow
        self._clock = clock
        self._duties = duties
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        start = time.monotonic()
        for duty in self._duties:
            duty.next_at = start + min(duty.every, 1.0)
        self._thread = threading.Thread(target=self._loop, name="conveyor-ticker", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _loop(self) -> None:
        while not self._stopping.is_set():
            now = time.monotonic()
            for duty in self._duties:
                if duty.next_at <= now:
                    self._run(duty)
                    duty.next_at = time.monotonic() + duty.every
            wait = min(d.next_at for d in self._duties) - time.monotonic()
            self._stopping.wait(max(0.05, wait))

    def _run(self, duty: Duty) -> None:
        try:
            duty.run(self._new_uow(), self._clock())
        except Exception:
            log.exception("The %s failed; it runs again in %.0f s", duty.name, duty.every)
