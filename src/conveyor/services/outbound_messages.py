"""Messages of their own sent outward: what automation writes to someone without a feed.

A robot's email to a client, its SMS to an employee's phone, its call of a webhook are
not notifications (nothing goes to anyone's feed), but they leave the way notifications
do: ``send`` writes a ``Delivery`` with its ``content`` INSIDE the caller's transaction
(never commits; a change rolled back sends nothing), and ``services.deliveries`` sends it
later on its own, every attempt recorded, retried after a growing pause, dead after the
last; never inside the change that caused it.

What each channel receives: an email has the subject and the body; an SMS the body; a
webhook the JSON ``data`` with ``"delivery_id"`` added (as a notification's webhook does:
``X-Conveyor-Delivery`` tells repeats apart), signed with the webhook subscription's
secret exactly as notifications are (``domain.webhooks``).

An admin reads what a robot's run sent, attempt by attempt, with ``deliveries_of_run``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from conveyor.domain.actors import Actor
from conveyor.domain.events import DomainEvent
from conveyor.domain.languages import DEFAULT_LANGUAGE
from conveyor.domain.notifications import Channel, Delivery, DeliveryAttempt
from conveyor.outbound.base import Outgoing
from conveyor.storage.unit_of_work import UnitOfWork


def send(
    uow: UnitOfWork,
    *,
    channel: Channel,
    address: str,
    subject: str = "",
    body: str = "",
    data: Mapping[str, Any] | None = None,
    webhook_id: int | None = None,
    now: datetime,
    **cause: object,
) -> Delivery:
    """Write a pending delivery of a message of its own to ``address`` by ``channel``
    (``webhook_id``: the subscription whose secret signs a webhook's call); ``cause`` goes
    into the ``OutboundMessageQueued`` event (a robot's run, say)."""
    delivery = uow.deliveries.add(
        Delivery(
            channel=channel,
            address=address,
            webhook_id=webhook_id,
            next_attempt_at=now,
            created_at=now,
            content={"subject": subject, "body": body, "data": dict(data or {})},
        )
    )
    assert delivery.id is not None
    uow.emit(
        DomainEvent(
            type="OutboundMessageQueued",
            entity="delivery",
            entity_id=delivery.id,
            occurred_at=now,
            payload={"channel": channel.value, "webhook_id": webhook_id, **cause},
        )
    )
    return delivery


def outgoing(delivery: Delivery, *, secret: str | None) -> Outgoing:
    """A message of its own, rendered for its sender."""
    assert delivery.id is not None and delivery.content is not None
    content = delivery.content
    data = content.get("data")
    return Outgoing(
        delivery_id=delivery.id,
        channel=delivery.channel,
        address=delivery.address,
        language=DEFAULT_LANGUAGE,
        subject=str(content.get("subject") or ""),
        body=str(content.get("body") or ""),
        data={"delivery_id": delivery.id, **(data if isinstance(data, Mapping) else {})},
        secret=secret,
    )


def deliveries_of_run(
    uow: UnitOfWork, run_id: int, *, actor: Actor
) -> list[tuple[Delivery, list[DeliveryAttempt]]]:
    """The messages a robot's run sent outward (an email, an SMS, a webhook call), each
    with every attempt: admins only, the addresses being the clients'."""
    actor.require_admin()
    with uow:
        run = uow.robot_runs.get(run_id)
        wrote = run.data.get("delivery_ids")
        ids = [i for i in wrote if isinstance(i, int)] if isinstance(wrote, list) else []
        found = [d for d in (uow.deliveries.find(i) for i in ids) if d is not None]
        attempts = uow.deliveries.attempts([d.id for d in found if d.id is not None])
        return [(d, attempts[d.id]) for d in found if d.id is not None]
