"""Notifications: an employee's in-app feed, and the deliveries that carry each one outward.

A ``Notification`` is one line of one employee's feed: a kind from the message catalog
(``domain.notification_texts``), the values its text needs (``params``), and optionally what
it is about (``link``). It is written in the transaction of its cause, so a change that rolls
back notifies nobody. It is read or unread; nothing else about it changes.

Each notification leaves by zero or more ``Delivery`` rows, one per outward channel (email,
SMS, webhook) and address; a delivery may also carry a message of its own, written by
automation to someone who has no feed (a client's address, an integration). A delivery is
sent on its own: its every attempt is recorded (``DeliveryAttempt``), a failure is tried
again after a growing pause (``RetryPolicy``) until it is ``dead``, and one channel's
trouble never holds up another channel or the feed.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from conveyor.domain.errors import Conflict

#: Errors are kept this long at most (a whole SMTP transcript helps nobody).
MAX_ERROR = 1000


class Channel(enum.StrEnum):
    EMAIL = "email"
    SMS = "sms"
    WEBHOOK = "webhook"


class DeliveryState(enum.StrEnum):
    """``pending`` until sent; ``sent`` once accepted; ``dead`` after the last failed attempt
    (or a failure that no retry can mend); ``skipped`` when this server has no such channel
    configured (nothing was attempted)."""

    PENDING = "pending"
    SENT = "sent"
    DEAD = "dead"
    SKIPPED = "skipped"


@dataclass(frozen=True, kw_only=True)
class Link:
    """What a notification is about: ``deal`` 42, ``task`` 7, ..."""

    entity: str
    id: int


@dataclass(kw_only=True)
class Notification:
    """One line in one employee's feed."""

    id: int | None = None
    recipient_id: int
    kind: str
    params: dict[str, Any]
    link_entity: str | None = None
    link_id: int | None = None
    created_at: datetime
    read_at: datetime | None = None

    @property
    def link(self) -> Link | None:
        if self.link_entity is None or self.link_id is None:
            return None
        return Link(entity=self.link_entity, id=self.link_id)

    @property
    def is_read(self) -> bool:
        return self.read_at is not None

    def mark_read(self, now: datetime) -> bool:
        """Read from ``now`` on; ``False`` (and unchanged) when it was read before."""
        if self.read_at is not None:
            return False
        self.read_at = now
        return True


@dataclass(frozen=True, kw_only=True)
class RetryPolicy:
    """When a failed delivery is tried again: after ``first_pause``, doubling each time up to
    ``longest_pause``; after ``max_attempts`` attempts in all it is dead."""

    max_attempts: int = 8
    first_pause: timedelta = timedelta(minutes=1)
    longest_pause: timedelta = timedelta(hours=2)

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if not timedelta(0) < self.first_pause <= self.longest_pause:
            raise ValueError("pauses must be positive, the first no longer than the longest")

    def next_attempt_at(self, attempts: int, now: datetime) -> datetime | None:
        """After ``attempts`` failed attempts (the latest at ``now``): when to try again, or
        ``None`` when there are no attempts left."""
        if attempts >= self.max_attempts:
            return None
        # 2**n overflows timedelta long before the cap matters: stop doubling at the cap.
        pause = self.first_pause
        for _ in range(attempts - 1):
            if pause >= self.longest_pause:
                break
            pause *= 2
        return now + min(pause, self.longest_pause)


@dataclass(kw_only=True)
class DeliveryAttempt:
    """One try at sending one delivery, successful or not."""

    id: int | None = None
    delivery_id: int
    at: datetime
    ok: bool
    error: str | None = None


@dataclass(kw_only=True)
class Delivery:
    """One notification on its way out by one channel to one address; or, without a
    notification, a message of its own (``content``): a robot's email to a client, its SMS,
    its call of a webhook. Both are sent, attempted and retried alike."""

    id: int | None = None
    #: The feed line it carries out; ``None`` for a message of its own.
    notification_id: int | None = None
    channel: Channel
    #: The email address, phone number or webhook URL, as it was when the notification
    #: was written.
    address: str
    #: The webhook subscription a webhook delivery belongs to (its secret signs the body).
    webhook_id: int | None = None
    state: DeliveryState = DeliveryState.PENDING
    attempts: int = 0
    last_error: str | None = None
    #: When it is due (first, or again); also pushed forward while an attempt is under way,
    #: so that another worker leaves it alone (a lease). ``None`` once finished.
    next_attempt_at: datetime | None = None
    sent_at: datetime | None = None
    created_at: datetime
    #: A message of its own: ``{"subject", "body", "data"}`` (``data``: the JSON a webhook
    #: receives, ``delivery_id`` added when sent); ``None`` for a notification's delivery.
    content: dict[str, Any] | None = None

    @property
    def finished(self) -> bool:
        return self.state is not DeliveryState.PENDING

    def is_due(self, now: datetime) -> bool:
        return (
            self.state is DeliveryState.PENDING
            and self.next_attempt_at is not None
            and self.next_attempt_at <= now
        )

    def lease(self, until: datetime) -> None:
        """An attempt starts: nobody else takes it before ``until`` (if this attempt's
        worker dies, the delivery is simply tried again then)."""
        self._require_pending()
        self.next_attempt_at = until

    def succeeded(self, now: datetime) -> DeliveryAttempt:
        self._require_pending()
        self.attempts += 1
        self.state = DeliveryState.SENT
        self.sent_at = now
        self.next_attempt_at = None
        self.last_error = None
        return self._attempt(now, ok=True, error=None)

    def failed(
        self, error: str, now: datetime, policy: RetryPolicy, *, permanent: bool = False
    ) -> DeliveryAttempt:
        """Record a failed attempt: tried again when ``policy`` allows and the failure is not
        ``permanent`` (an address the other side refuses for good), else dead."""
        self._require_pending()
        self.attempts += 1
        self.last_error = error[:MAX_ERROR]
        retry_at = None if permanent else policy.next_attempt_at(self.attempts, now)
        self.next_attempt_at = retry_at
        if retry_at is None:
            self.state = DeliveryState.DEAD
        return self._attempt(now, ok=False, error=self.last_error)

    def skip(self, why: str) -> None:
        """Nothing can be attempted here (the channel is not configured): finished unsent."""
        self._require_pending()
        self.state = DeliveryState.SKIPPED
        self.last_error = why[:MAX_ERROR]
        self.next_attempt_at = None

    def _attempt(self, now: datetime, *, ok: bool, error: str | None) -> DeliveryAttempt:
        assert self.id is not None
        return DeliveryAttempt(delivery_id=self.id, at=now, ok=ok, error=error)

    def _require_pending(self) -> None:
        if self.state is not DeliveryState.PENDING:
            raise Conflict(f"Delivery {self.id} is already {self.state.value}")
