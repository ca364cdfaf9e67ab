"""Sending notifications outward: one delivery at a time, every attempt recorded.

``deliver`` sends ONE delivery in three steps, none of which holds a transaction open while
talking to the outside world:

1. a short transaction takes the delivery if it is still due (PostgreSQL ``SKIP LOCKED``:
   another worker's delivery is left alone) and leases it (its due time moves ``lease``
   ahead, so nobody else starts it meanwhile);
2. the sender sends it;
3. a second short transaction records the attempt: sent, or failed and due again after the
   retry policy's pause, or dead when no attempt is left (or the failure is permanent).

A worker that dies between 1 and 3 leaves the delivery leased: it is tried again when the
lease ends, so a message is sent at least once (a receiver may see it twice; webhooks carry
``X-Conveyor-Delivery`` to tell). The lease is counted from the moment the delivery is taken
(the clock is read per delivery, never once per batch) and is longer than a send can take
(``lease_for``: three times the longest configured timeout, five minutes at least), so
another worker never takes a delivery that is still being sent. A channel this process has
no sender for is ``skipped``.

``deliver_in_job`` is the same as a job handler (``services.jobs``): steps 1 to 3 in the
worker's transaction, the delivery locked meanwhile, the next attempt scheduled as a job.

``deliver_due`` sends a batch of due deliveries, channels interleaved; once a destination
(the mail server, the SMS gateway, one webhook URL) is found down, its other deliveries wait
for the next round instead of each waiting for a timeout, and the batch is filled up with
deliveries to the other destinations, so a failing channel never holds up the others. A
batch stops taking deliveries when its time budget is spent, so that whoever runs it gets
its thread back. Each delivery is independent: nothing one does can undo another's.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from conveyor.domain.languages import Language
from conveyor.domain.notification_texts import render
from conveyor.domain.notifications import Channel, Delivery, DeliveryState, RetryPolicy
from conveyor.outbound.base import Outgoing, Sender, SendFailed
from conveyor.services import jobs, outbound_messages
from conveyor.storage.unit_of_work import UnitOfWork

log = logging.getLogger("conveyor.notifications")

#: The job kind under which ``Dispatch.handler`` is registered.
DELIVER_JOB = "notification.deliver"
#: How long an attempt may take before another worker may try the delivery again, at least.
LEASE = timedelta(minutes=5)
#: Deliveries taken by one ``deliver_due``.
BATCH = 100
#: How long one ``deliver_due`` keeps taking deliveries.
BUDGET = timedelta(seconds=20)


def lease_for(*timeouts: float) -> timedelta:
    """The lease of an attempt by senders with these timeouts (seconds, each bounding one
    step: connecting, one SMTP command, an HTTP answer): three times the longest, and
    ``LEASE`` at least. An attempt that outlives it may be made again by another worker
    (at least once, never lost)."""
    return max(LEASE, timedelta(seconds=3 * max(timeouts, default=0.0)))


@dataclass(frozen=True, kw_only=True)
class Dispatch:
    """The senders this process has, how failures are retried, and how long an attempt
    leases its delivery (``lease_for`` the senders' timeouts; ``dispatch_from`` in the CLI
    derives it from the settings)."""

    senders: Mapping[Channel, Sender]
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    lease: timedelta = LEASE

    def handler(self) -> Callable[[UnitOfWork, Mapping[str, Any], datetime], None]:
        """``handler(uow, {"delivery_id": 42}, now)`` for the job kind ``DELIVER_JOB``
        (``deliver_in_job``: inside the worker's open unit of work)."""

        def handle(uow: UnitOfWork, payload: Mapping[str, Any], now: datetime) -> None:
            deliver_in_job(uow, payload, now, dispatch=self)

        return handle


@dataclass(frozen=True, kw_only=True)
class DeliveryOutcome:
    """What one call of ``deliver`` did. ``attempted`` is false when the delivery was not
    due (already finished, retry not yet due, or another worker has it)."""

    delivery_id: int
    attempted: bool
    state: DeliveryState | None = None
    error: str | None = None
    #: When it is due again (a failed attempt with attempts left).
    retry_at: datetime | None = None
    destination_down: bool = False


def deliver(
    uow: UnitOfWork,
    payload: Mapping[str, Any],
    *,
    dispatch: Dispatch,
    clock: Callable[[], datetime],
) -> DeliveryOutcome:
    """Send the delivery ``payload["delivery_id"]`` if it is due; ``uow`` is not yet open
    (each step opens its own short transaction, none is open while sending). ``clock`` is
    read when the delivery is taken (its lease starts then) and when the attempt ends (its
    time, and the retry's pause counts from it). Send failures are recorded, not raised."""
    delivery_id = int(payload["delivery_id"])
    now = clock()
    with uow:
        delivery = uow.deliveries.try_lock(delivery_id)
        if delivery is None or not delivery.is_due(now):
            return DeliveryOutcome(delivery_id=delivery_id, attempted=False)
        ready = _prepare(uow, delivery, dispatch)
        if isinstance(ready, DeliveryOutcome):
            uow.commit()
            return ready
        sender, outgoing = ready
        delivery.lease(now + dispatch.lease)
        uow.commit()
    failure = _send(sender, outgoing)
    with uow:
        delivery = uow.deliveries.get(delivery_id, for_update=True)
        if delivery.state is not DeliveryState.PENDING:
            # Our lease ran out and another worker finished it meanwhile: theirs stands.
            return DeliveryOutcome(delivery_id=delivery_id, attempted=True, state=delivery.state)
        outcome = _record(uow, delivery, failure, clock(), dispatch)
        uow.commit()
    return outcome


def deliver_in_job(
    uow: UnitOfWork, payload: Mapping[str, Any], now: datetime, *, dispatch: Dispatch
) -> DeliveryOutcome:
    """``deliver`` as a job handler (``services.jobs``): runs inside the worker's open unit
    of work and never commits; the delivery stays locked while it is sent, and the attempt
    is recorded in the job's own transaction. A failure with attempts left schedules the
    next attempt as a new job at its due time; the job itself always succeeds (the
    delivery's attempts, not the job's, are the record)."""
    delivery_id = int(payload["delivery_id"])
    delivery = uow.deliveries.get(delivery_id, for_update=True)
    if not delivery.is_due(now):
        return DeliveryOutcome(delivery_id=delivery_id, attempted=False)
    ready = _prepare(uow, delivery, dispatch)
    if isinstance(ready, DeliveryOutcome):
        return ready
    sender, outgoing = ready
    outcome = _record(uow, delivery, _send(sender, outgoing), now, dispatch)
    if outcome.retry_at is not None:
        schedule_delivery_jobs(uow, [delivery], now=now)
    return outcome


def schedule_delivery_jobs(uow: UnitOfWork, deliveries: list[Delivery], *, now: datetime) -> None:
    """One ``DELIVER_JOB`` per pending delivery, due when the delivery is, in the caller's
    open unit of work; keyed on the delivery and its attempt, so scheduling twice is a
    no-op."""
    for delivery in deliveries:
        if delivery.state is DeliveryState.PENDING and delivery.next_attempt_at is not None:
            jobs.schedule(
                uow,
                kind=DELIVER_JOB,
                payload={"delivery_id": delivery.id},
                due_at=delivery.next_attempt_at,
                now=now,
                key=f"{DELIVER_JOB}:{delivery.id}:{delivery.attempts}",
            )


def _prepare(
    uow: UnitOfWork, delivery: Delivery, dispatch: Dispatch
) -> tuple[Sender, Outgoing] | DeliveryOutcome:
    """The sender and the rendered message, or (skipped) why there is nothing to attempt."""
    assert delivery.id is not None
    sender = dispatch.senders.get(delivery.channel)
    outgoing, why_not = (None, None) if sender is None else _outgoing(uow, delivery)
    if sender is not None and outgoing is not None:
        return sender, outgoing
    why = why_not or f"No {delivery.channel.value} channel is configured on this server"
    delivery.skip(why)
    return DeliveryOutcome(
        delivery_id=delivery.id, attempted=False, state=DeliveryState.SKIPPED, error=why
    )


def _record(
    uow: UnitOfWork,
    delivery: Delivery,
    failure: SendFailed | None,
    now: datetime,
    dispatch: Dispatch,
) -> DeliveryOutcome:
    assert delivery.id is not None
    if failure is None:
        attempt = delivery.succeeded(now)
    else:
        attempt = delivery.failed(str(failure), now, dispatch.retry, permanent=failure.permanent)
    uow.deliveries.record(attempt)
    return DeliveryOutcome(
        delivery_id=delivery.id,
        attempted=True,
        state=delivery.state,
        error=attempt.error,
        retry_at=delivery.next_attempt_at,
        destination_down=failure is not None and failure.destination_down,
    )


@dataclass(frozen=True, kw_only=True)
class DeliveryReport:
    """What one ``deliver_due`` did: counts by resulting state, and ``postponed`` — due
    deliveries it read but left for the next round because their destination was found
    down (those to a destination already known down are not read at all, nor counted)."""

    sent: int = 0
    retrying: int = 0
    dead: int = 0
    skipped: int = 0
    postponed: int = 0


def deliver_due(
    uow: UnitOfWork,
    *,
    dispatch: Dispatch,
    clock: Callable[[], datetime],
    limit: int = BATCH,
    budget: timedelta | None = BUDGET,
) -> DeliveryReport:
    """Take up to ``limit`` due deliveries, channels interleaved, and send each; ``uow`` is
    not yet open. Safe to run from any number of processes at once.

    ``clock`` is read for each delivery (its lease and its attempt's time are its own). Once
    a destination is found down, the deliveries to it already read are ``postponed`` and
    the batch is filled up from the deliveries due to the other destinations, until
    ``limit`` are taken or nothing else is due. Each delivery is taken at most once per
    call. No delivery is taken once ``budget`` (by ``clock``) has passed since the start.
    """
    started = clock()
    counts: Counter[str] = Counter()
    down: set[tuple[Channel, str]] = set()
    taken: list[int] = []
    while len(taken) < limit:
        with uow:
            due = uow.deliveries.due(
                clock(),
                limit=limit - len(taken),
                skip_channels=[c for c, url in down if not url],
                skip_webhook_urls=[url for _, url in down if url],
                skip_ids=taken,
            )
        if not due:
            break
        for delivery_id, channel, address in _interleaved(due):
            destination = (channel, address if channel is Channel.WEBHOOK else "")
            if destination in down:
                counts["postponed"] += 1
                continue
            if budget is not None and clock() - started >= budget:
                return DeliveryReport(**counts)
            taken.append(delivery_id)
            try:
                outcome = deliver(uow, {"delivery_id": delivery_id}, dispatch=dispatch, clock=clock)
            except Exception:  # one delivery's trouble must not stop the others
                log.exception("Delivery %s could not be processed; it is tried again", delivery_id)
                continue
            if outcome.destination_down:
                down.add(destination)
            if outcome.state is DeliveryState.PENDING:
                counts["retrying"] += 1
            elif outcome.state is not None:
                counts[outcome.state.value] += 1
    return DeliveryReport(**counts)


def _interleaved(
    due: list[tuple[int, Channel, str]],
) -> list[tuple[int, Channel, str]]:
    """Due deliveries, one of each channel in turn, each channel's in its own order, so that
    a hundred emails do not make the first SMS wait."""
    seen: Counter[Channel] = Counter()
    ranked = []
    for position, row in enumerate(due):
        ranked.append((seen[row[1]], position, row))
        seen[row[1]] += 1
    return [row for _, _, row in sorted(ranked)]


def _send(sender: Sender, outgoing: Outgoing) -> SendFailed | None:
    try:
        sender.send(outgoing)
    except SendFailed as failed:
        return failed
    except Exception as error:
        # Something about this message (or a sender's bug): this delivery's own failure,
        # recorded and retried like any other; the destination is not taken for down.
        log.exception("The %s sender failed unexpectedly", outgoing.channel.value)
        return SendFailed(f"{type(error).__name__}: {error}")
    return None


def _outgoing(uow: UnitOfWork, delivery: Delivery) -> tuple[Outgoing | None, str | None]:
    """The delivery rendered for sending, or why it cannot be sent at all."""
    assert delivery.id is not None
    secret = None
    if delivery.channel is Channel.WEBHOOK:
        hook = None if delivery.webhook_id is None else uow.webhooks.find(delivery.webhook_id)
        if hook is None:
            return None, "The webhook subscription was deleted"
        if not hook.active:
            return None, "The webhook subscription is switched off"
        secret = hook.secret
    if delivery.notification_id is None:
        return outbound_messages.outgoing(delivery, secret=secret), None
    notification = uow.notifications.get(delivery.notification_id)
    recipient = uow.employees.get(notification.recipient_id)
    language: Language = recipient.language
    link = notification.link
    text = render(
        notification.kind,
        notification.params,
        language,
        about=None if link is None else link.entity,
    )
    data = {
        "delivery_id": delivery.id,
        "notification": {
            "id": notification.id,
            "kind": notification.kind,
            "recipient_id": notification.recipient_id,
            "params": dict(notification.params),
            "link": None if link is None else {"entity": link.entity, "id": link.id},
            "created_at": notification.created_at.isoformat(),
            "language": language.value,
            "subject": text.subject,
            "text": text.body,
        },
    }
    outgoing = Outgoing(
        delivery_id=delivery.id,
        channel=delivery.channel,
        address=delivery.address,
        language=language,
        subject=text.subject,
        body=text.body,
        data=data,
        secret=secret,
    )
    return outgoing, None
