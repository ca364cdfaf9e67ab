"""Fakes for the outside world (clock, SMTP, SMS gateway, webhooks), for tests and for
library users' own tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from conveyor.domain.notifications import Channel
from conveyor.outbound.base import Outgoing, SendFailed


class FakeClock:
    """A clock that stands still until told to move: ``clock()`` is the current instant."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
        if self.now.tzinfo is None:
            raise ValueError("FakeClock needs a timezone-aware start")

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta | None = None, **kwargs: float) -> datetime:
        self.now += delta if delta is not None else timedelta(**kwargs)
        return self.now

    def set(self, moment: datetime) -> datetime:
        if moment.tzinfo is None:
            raise ValueError("FakeClock needs timezone-aware instants")
        self.now = moment
        return self.now


class FakeSender:
    """A sender of one channel (an SMTP server, an SMS gateway, webhook endpoints) that keeps
    what it is given in ``sent``. ``fail(error, times=n)`` makes the next ``n`` sends raise
    ``error`` (``times=None``: every send until ``recover()``)."""

    def __init__(self, channel: Channel) -> None:
        self.channel = channel
        self.sent: list[Outgoing] = []
        self.tried = 0
        self._error: SendFailed | None = None
        self._failures_left: int | None = 0

    def fail(self, error: SendFailed, *, times: int | None = 1) -> None:
        self._error = error
        self._failures_left = times

    def recover(self) -> None:
        self._error, self._failures_left = None, 0

    def send(self, message: Outgoing) -> None:
        self.tried += 1
        if self._error is not None and (self._failures_left is None or self._failures_left > 0):
            if self._failures_left is not None:
                self._failures_left -= 1
            raise self._error
        self.sent.append(message)


def fake_senders() -> dict[Channel, FakeSender]:
    """A fake sender for every channel."""
    return {channel: FakeSender(channel) for channel in Channel}
