"""What CRM robots send outward: an email, an SMS, a call of a webhook.

None of them talks to the outside world in the run's transaction: each writes pending
deliveries (``services.outbound_messages``) that the deliveries machinery sends later,
every attempt recorded and retried, so a slow mail server or a dead webhook never holds up
or undoes the move that started the robot, and a move rolled back sends nothing.

- ``send_email`` / ``send_sms``: to the employees named (responsible, head, by id, by
  position; each at their own email address or phone, those without one left out) and to
  the item's contact's own address (``contact.email`` / ``contact.phone``); subject and
  text are templates. Refused when nobody named has an address.
- ``webhook``: POSTs ``{"event": "robot.webhook", "delivery_id", "run_id", "robot",
  "item", "occurred_at"}`` to a registered webhook's URL (or the robot's own ``url``),
  signed with that webhook's secret exactly as notifications are. Refused when the
  webhook is gone or switched off.

The run records the deliveries and whom they reached by employee id, never an address
or a text: whoever sees the item reads its runs, and the client's data is not theirs.
"""

from __future__ import annotations

from typing import Any

from conveyor.domain.crm_items import CrmItem
from conveyor.domain.notifications import Channel
from conveyor.domain.robot_params import MAX_TITLE
from conveyor.domain.robot_recipients import CONTACT_EMAIL, CONTACT_PHONE
from conveyor.services import outbound_messages
from conveyor.services.robot_acting import ActionContext, ActionRefused, Done
from conveyor.services.robot_context import names_of
from conveyor.services.robot_recipients import employees_for


def send_email(act: ActionContext) -> Done:
    subject = act.render("subject", limit=MAX_TITLE).strip() or act.robot.name
    return _send(act, Channel.EMAIL, CONTACT_EMAIL, subject=subject, body=act.render("text"))


def send_sms(act: ActionContext) -> Done:
    return _send(act, Channel.SMS, CONTACT_PHONE, subject="", body=act.render("text"))


def webhook(act: ActionContext) -> Done:
    uow, robot = act.uow, act.robot
    hook = uow.webhooks.find(act.params["webhook_id"])
    if hook is None:
        raise ActionRefused(f"Webhook {act.params['webhook_id']} no longer exists")
    if not hook.active:
        raise ActionRefused(f"Webhook «{hook.name}» is switched off")
    data = {
        "event": "robot.webhook",
        "occurred_at": act.now.isoformat(),
        "run_id": act.run_id,
        "robot": {"id": robot.id, "name": robot.name, "version": robot.version},
        "item": item_summary(act.item),
    }
    delivery = outbound_messages.send(
        uow,
        channel=Channel.WEBHOOK,
        address=act.params["url"] or hook.url,
        data=data,
        webhook_id=hook.id,
        now=act.now,
        robot_run_id=act.run_id,
    )
    return Done(
        detail=f"queued a call of webhook «{hook.name}»",
        data={"delivery_ids": [delivery.id], "webhook_id": hook.id},
    )


def item_summary(item: CrmItem) -> dict[str, Any]:
    """The item as a webhook receives it: JSON-able."""
    return {
        "entity_type": item.entity_type.value,
        "id": item.id,
        "title": item.title,
        "pipeline_id": item.pipeline_id,
        "stage_id": item.stage_id,
        "amount": None if item.amount is None else str(item.amount),
        "currency": item.currency,
        "responsible_id": item.responsible_id,
        "contact_id": item.contact_id,
        "company_id": item.company_id,
        "fields": dict(item.fields),
        "created_at": item.created_at.isoformat(),
        "stage_entered_at": item.stage_entered_at.isoformat(),
    }


def _send(
    act: ActionContext, channel: Channel, contact_word: str, *, subject: str, body: str
) -> Done:
    uow = act.uow
    # Each address once, however many recipients share it (compared case-folded).
    addresses: dict[str, str] = {}
    reached: list[int] = []
    contact_id: int | None = None
    for recipient in act.params["to"]:
        if recipient == contact_word:
            address = _contact_address(act, channel)
            if address:
                addresses.setdefault(address.casefold(), address)
                contact_id = act.item.contact_id
            continue
        for employee_id in employees_for(uow, recipient, act.item):
            employee = uow.employees.find(employee_id)
            if employee is None or not employee.is_active:
                continue
            address = employee.email if channel is Channel.EMAIL else employee.phone
            if address and address.casefold() not in addresses:
                addresses[address.casefold()] = address
                reached.append(employee_id)
    if not addresses:
        what = "an email address" if channel is Channel.EMAIL else "a phone number"
        raise ActionRefused(f"Nobody to write to: no one named has {what}")
    deliveries = [
        outbound_messages.send(
            uow,
            channel=channel,
            address=address,
            subject=subject,
            body=body,
            now=act.now,
            robot_run_id=act.run_id,
        )
        for address in addresses.values()
    ]
    whom = ([] if contact_id is None else ["the contact"]) + (
        [names_of(uow, reached)] if reached else []
    )
    verb = "emailed" if channel is Channel.EMAIL else "sent an SMS to"
    return Done(
        detail=f"{verb} {', '.join(whom)}",
        data={
            "delivery_ids": [d.id for d in deliveries],
            "recipient_ids": reached,
            "contact_id": contact_id,
        },
    )


def _contact_address(act: ActionContext, channel: Channel) -> str | None:
    if act.item.contact_id is None:
        return None
    contact = act.uow.contacts.find(act.item.contact_id)
    if contact is None:
        return None
    return contact.email if channel is Channel.EMAIL else contact.phone
