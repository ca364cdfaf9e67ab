"""The in-process ticker runs each duty on its interval, and one failing duty never stops
the others."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import Any

from conveyor.workers.ticker import Duty, Ticker


def test_a_failing_duty_is_retried_and_never_stops_the_others() -> None:
    calls: dict[str, int] = {"sweep": 0, "broken": 0}
    enough = threading.Event()

    def sweep(uow: Any, now: datetime) -> None:
        assert uow == "uow" and now.tzinfo is UTC
        calls["sweep"] += 1
        if calls["sweep"] >= 3 and calls["broken"] >= 3:
            enough.set()

    def broken(uow: Any, now: datetime) -> None:
        calls["broken"] += 1
        raise RuntimeError("the database is down")

    ticker = Ticker(
        lambda: "uow",  # type: ignore[arg-type, return-value]
        lambda: datetime(2026, 3, 2, 9, tzinfo=UTC),
        [Duty(name="sweep", every=0.05, run=sweep), Duty(name="broken", every=0.05, run=broken)],
    )
    ticker.start()
    try:
        assert enough.wait(10), calls
    finally:
        ticker.stop()
    settled = dict(calls)
    threading.Event().wait(0.2)
    assert calls == settled  # stopped: nothing runs any more
