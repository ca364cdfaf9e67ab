"""Repositories of the notification feed, its deliveries and the webhook endpoints."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from conveyor.domain.notifications import (
    Channel,
    Delivery,
    DeliveryAttempt,
    DeliveryState,
    Notification,
)
from conveyor.domain.pages import Page
from conveyor.domain.webhooks import Webhook
from conveyor.storage.repositories.base import Repository, flush
from conveyor.storage.tables.notifications import deliveries, delivery_attempts, notifications


class NotificationRepository(Repository[Notification]):
    def __init__(self, session: Session) -> None:
        super().__init__(session, Notification, "notification")

    def feed(
        self, recipient_id: int, *, unread_only: bool, limit: int, offset: int
    ) -> Page[Notification]:
        """One employee's notifications, newest first."""
        conditions = [notifications.c.recipient_id == recipient_id]
        if unread_only:
            conditions.append(notifications.c.read_at.is_(None))
        return self.page(
            limit=limit, offset=offset, conditions=conditions, order_by=[notifications.c.id.desc()]
        )

    def unread_count(self, recipient_id: int) -> int:
        query = select(func.count()).where(
            notifications.c.recipient_id == recipient_id, notifications.c.read_at.is_(None)
        )
        return self.session.scalar(query) or 0

    def mark_all_read(self, recipient_id: int, now: datetime) -> int:
        """Every unread notification of the employee is read from ``now``; how many were."""
        flush(self.session)
        statement = (
            update(Notification)
            .where(notifications.c.recipient_id == recipient_id, notifications.c.read_at.is_(None))
            .values(read_at=now)
            .execution_options(synchronize_session="fetch")
        )
        return int(self.session.execute(statement).rowcount)  # type: ignore[attr-defined]


class DeliveryRepository(Repository[Delivery]):
    def __init__(self, session: Session) -> None:
        super().__init__(session, Delivery, "delivery")

    def of_notification(self, notification_id: int) -> list[Delivery]:
        return self.where(notification_id=notification_id)

    def due(
        self,
        now: datetime,
        *,
        limit: int,
        skip_channels: Collection[Channel] = (),
        skip_webhook_urls: Collection[str] = (),
        skip_ids: Collection[int] = (),
    ) -> list[tuple[int, Channel, str]]:
        """Pending deliveries due by ``now`` (``(id, channel, address)``), the longest due
        first; leaving out the channels ``skip_channels``, webhook deliveries to
        ``skip_webhook_urls`` and the deliveries ``skip_ids``."""
        query = (
            select(deliveries.c.id, deliveries.c.channel, deliveries.c.address)
            .where(
                deliveries.c.state == DeliveryState.PENDING,
                deliveries.c.next_attempt_at <= now,
            )
            .order_by(deliveries.c.next_attempt_at, deliveries.c.id)
            .limit(limit)
        )
        if skip_channels:
            query = query.where(deliveries.c.channel.not_in(list(skip_channels)))
        if skip_webhook_urls:
            query = query.where(
                or_(
                    deliveries.c.channel != Channel.WEBHOOK,
                    deliveries.c.address.not_in(list(skip_webhook_urls)),
                )
            )
        if skip_ids:
            query = query.where(deliveries.c.id.not_in(list(skip_ids)))
        return [(row.id, row.channel, row.address) for row in self.session.execute(query)]

    def record(self, attempt: DeliveryAttempt) -> None:
        self.session.add(attempt)
        flush(self.session)

    def attempts(self, delivery_ids: Collection[int]) -> dict[int, list[DeliveryAttempt]]:
        """Each delivery's attempts, oldest first."""
        found: dict[int, list[DeliveryAttempt]] = {i: [] for i in delivery_ids}
        if not found:
            return found
        query = (
            select(DeliveryAttempt)
            .where(delivery_attempts.c.delivery_id.in_(list(found)))
            .order_by(delivery_attempts.c.id)
        )
        for attempt in self.session.scalars(query):
            found[attempt.delivery_id].append(attempt)
        return found


class WebhookRepository(Repository[Webhook]):
    def __init__(self, session: Session) -> None:
        super().__init__(session, Webhook, "webhook")

    def active(self) -> list[Webhook]:
        return self.where(active=True)
