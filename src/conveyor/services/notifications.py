"""Notifications: written in the transaction of their cause, read in each employee's feed.

``notify`` runs INSIDE the caller's open unit of work and never commits: a deal assigned and
its assignee's notification commit together, or neither does. For each recipient it writes
the feed line and one pending delivery per outward address — email when the employee has
an email, SMS when they have a phone, and each active webhook subscribed to the kind. The
deliveries are sent later, each on its own (``services.deliveries``: ``deliver`` for one,
``deliver_due`` for all that are due), so a slow or broken channel never delays the change
that caused the notification, nor the other channels, nor the feed.

The feed is private: an employee sees, reads and counts only their own notifications
(another's is "not found", as if it did not exist) and their own email and SMS deliveries;
an admin may also look at the deliveries of anyone's, webhooks included.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from conveyor.domain.actors import Actor
from conveyor.domain.errors import InvalidValue, NotFound
from conveyor.domain.events import DomainEvent
from conveyor.domain.languages import DEFAULT_LANGUAGE, Language
from conveyor.domain.notification_texts import MESSAGE, check_params
from conveyor.domain.notifications import (
    Channel,
    Delivery,
    DeliveryAttempt,
    Link,
    Notification,
)
from conveyor.domain.pages import Page
from conveyor.domain.tokens import Role
from conveyor.services.deliveries import (
    DELIVER_JOB,
    DeliveryOutcome,
    DeliveryReport,
    Dispatch,
    deliver,
    deliver_due,
)
from conveyor.storage.unit_of_work import UnitOfWork

__all__ = [
    "DELIVER_JOB",
    "DeliveryOutcome",
    "DeliveryReport",
    "Dispatch",
    "deliver",
    "deliver_due",
    "notify",
]

#: Recipients of one message sent by hand.
MAX_RECIPIENTS = 500


def notify(
    uow: UnitOfWork,
    *,
    recipient_ids: Iterable[int],
    kind: str,
    params: Mapping[str, Any],
    link: Link | None = None,
    now: datetime,
) -> list[Notification]:
    """Notify each of ``recipient_ids`` (each once; a dismissed or unknown employee is left
    out) inside the caller's transaction; returns the notifications written. Refuses an
    unknown ``kind`` or ``params`` its texts cannot be written from; a text value longer
    than ``MAX_VALUE`` is cut (with an ellipsis), never refused: a notice must not fail the
    change that caused it. Input from people is checked strictly before (``send_message``)."""
    checked = check_params(kind, params, cut=True)
    webhooks = [hook for hook in uow.webhooks.active() if hook.wants(kind)]
    written = []
    for recipient_id in dict.fromkeys(recipient_ids):
        employee = uow.employees.find(recipient_id)
        if employee is None or not employee.is_active:
            continue
        notification = uow.notifications.add(
            Notification(
                recipient_id=recipient_id,
                kind=kind,
                params=dict(checked),
                link_entity=None if link is None else link.entity,
                link_id=None if link is None else link.id,
                created_at=now,
            )
        )
        assert notification.id is not None
        addresses: list[tuple[Channel, str, int | None]] = []
        if employee.email:
            addresses.append((Channel.EMAIL, employee.email, None))
        if employee.phone:
            addresses.append((Channel.SMS, employee.phone, None))
        addresses += [(Channel.WEBHOOK, hook.url, hook.id) for hook in webhooks]
        delivery_ids = []
        for channel, address, webhook_id in addresses:
            delivery = uow.deliveries.add(
                Delivery(
                    notification_id=notification.id,
                    channel=channel,
                    address=address,
                    webhook_id=webhook_id,
                    next_attempt_at=now,
                    created_at=now,
                )
            )
            delivery_ids.append(delivery.id)
        uow.emit(
            DomainEvent(
                type="NotificationCreated",
                entity="notification",
                entity_id=notification.id,
                occurred_at=now,
                payload={
                    "recipient_id": recipient_id,
                    "kind": kind,
                    "delivery_ids": delivery_ids,
                },
            )
        )
        written.append(notification)
    return written


def send_message(
    uow: UnitOfWork, *, recipient_ids: list[int], text: str, actor: Actor, now: datetime
) -> list[Notification]:
    """A head or an admin writes to employees (the ``message`` kind); every recipient must
    exist and be active."""
    actor.require(Role.HEAD)
    if not recipient_ids:
        raise InvalidValue("Name at least one recipient", field="recipient_ids")
    if len(recipient_ids) > MAX_RECIPIENTS:
        raise InvalidValue(f"At most {MAX_RECIPIENTS} recipients", field="recipient_ids")
    params: dict[str, Any] = {"text": text}
    if actor.employee_id:
        params["sender_id"] = actor.employee_id
    check_params(MESSAGE, params)  # a person's text that is too long is refused, not cut
    with uow:
        for index, recipient_id in enumerate(recipient_ids):
            employee = uow.employees.get(recipient_id, field=f"recipient_ids.{index}")
            if not employee.is_active:
                raise InvalidValue(
                    f"Employee {recipient_id} is dismissed", field=f"recipient_ids.{index}"
                )
        written = notify(uow, recipient_ids=recipient_ids, kind=MESSAGE, params=params, now=now)
        uow.commit()
    return written


@dataclass(frozen=True, kw_only=True)
class Feed:
    """A page of an employee's feed, with the language to show it in."""

    page: Page[Notification]
    language: Language
    unread: int


def feed(
    uow: UnitOfWork,
    *,
    actor: Actor,
    unread_only: bool = False,
    limit: int,
    offset: int,
    language: Language | None = None,
) -> Feed:
    """The actor's own notifications, newest first; in ``language`` when given (the client's
    preference), else in the employee's own language."""
    with uow:
        page = uow.notifications.feed(
            actor.employee_id, unread_only=unread_only, limit=limit, offset=offset
        )
        unread = uow.notifications.unread_count(actor.employee_id)
        chosen = language or _language_of(uow, actor)
    return Feed(page=page, language=chosen, unread=unread)


def unread_count(uow: UnitOfWork, *, actor: Actor) -> int:
    with uow:
        return uow.notifications.unread_count(actor.employee_id)


def language_for(uow: UnitOfWork, *, actor: Actor, preferred: Language | None) -> Language:
    """``preferred`` when the client asked for a language we speak, else the actor's own."""
    if preferred is not None:
        return preferred
    with uow:
        return _language_of(uow, actor)


def mark_read(
    uow: UnitOfWork, notification_id: int, *, actor: Actor, now: datetime
) -> Notification:
    """The actor's notification is read (reading it twice changes nothing)."""
    with uow:
        notification = _own(uow, notification_id, actor, for_update=True)
        if notification.mark_read(now):
            assert notification.id is not None
            uow.emit(
                DomainEvent(
                    type="NotificationRead",
                    entity="notification",
                    entity_id=notification.id,
                    occurred_at=now,
                    payload={"recipient_id": notification.recipient_id},
                )
            )
        uow.commit()
    return notification


def mark_all_read(uow: UnitOfWork, *, actor: Actor, now: datetime) -> int:
    """Every unread notification of the actor is read; how many were unread."""
    with uow:
        count = uow.notifications.mark_all_read(actor.employee_id, now)
        if count:
            uow.emit(
                DomainEvent(
                    type="NotificationsRead",
                    entity="employee",
                    entity_id=actor.employee_id,
                    occurred_at=now,
                    payload={"count": count},
                )
            )
        uow.commit()
    return count


def get_notification(uow: UnitOfWork, notification_id: int, *, actor: Actor) -> Notification:
    with uow:
        return _own(uow, notification_id, actor)


def deliveries_of(
    uow: UnitOfWork, notification_id: int, *, actor: Actor
) -> list[tuple[Delivery, list[DeliveryAttempt]]]:
    """How a notification went out: each delivery with its attempts. The recipient sees
    their email and SMS deliveries; webhook deliveries only an admin sees (a webhook's URL
    may carry a secret, and its errors are the integration's business), with anyone's."""
    with uow:
        notification = uow.notifications.find(notification_id)
        if notification is None or not (
            actor.is_admin or notification.recipient_id == actor.employee_id
        ):
            raise NotFound("notification", notification_id)
        found = uow.deliveries.of_notification(notification_id)
        if not actor.is_admin:
            found = [d for d in found if d.channel is not Channel.WEBHOOK]
        attempts = uow.deliveries.attempts([d.id for d in found if d.id is not None])
        return [(d, attempts[d.id]) for d in found if d.id is not None]


def _own(
    uow: UnitOfWork, notification_id: int, actor: Actor, *, for_update: bool = False
) -> Notification:
    notification = uow.notifications.find(notification_id, for_update=for_update)
    if notification is None or notification.recipient_id != actor.employee_id:
        raise NotFound("notification", notification_id)
    return notification


def _language_of(uow: UnitOfWork, actor: Actor) -> Language:
    employee = uow.employees.find(actor.employee_id)
    return DEFAULT_LANGUAGE if employee is None else employee.language
