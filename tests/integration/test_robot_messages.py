"""Robots that tell people and call out, on both databases: a notice to whoever holds a
position, an email through a real SMTP server (``aiosmtpd``), an SMS through a real HTTP
gateway, a signed webhook call; all of them written with the move and sent afterwards by
the deliveries machinery, every attempt recorded."""

from __future__ import annotations

from typing import Any

import pytest

from conveyor.domain.actors import SYSTEM
from conveyor.domain.notifications import Channel, DeliveryState
from conveyor.domain.robot_params import ActionKind
from conveyor.domain.robot_runs import Reason, RunState
from conveyor.domain.webhooks import DELIVERY_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, verify
from conveyor.outbound import (
    SmsGatewayConfig,
    SmsGatewaySender,
    SmtpConfig,
    SmtpSender,
    WebhookSender,
)
from conveyor.services import clients, org, webhooks
from conveyor.services.deliveries import Dispatch, deliver_due
from conveyor.storage.unit_of_work import UnitOfWork
from conveyor.testing import FakeClock
from tests.integration.crm_setup import outbox
from tests.integration.outside import HttpInbox, SmtpInbox, http_inbox, smtp_inbox
from tests.integration.robot_office import Office, deal, feed, robot, runs, sales_office

__all__ = ["http_inbox", "smtp_inbox"]


@pytest.fixture
def office(uow: UnitOfWork, clock: FakeClock) -> Office:
    return sales_office(uow, clock)


def hire(
    uow: UnitOfWork, clock: FakeClock, name: str, *, position: str | None = None, **extra: Any
) -> int:
    employee, _ = org.create_employee(
        uow, org.CreateEmployee(name=name, position=position, **extra), actor=SYSTEM, now=clock()
    )
    assert employee.id is not None
    return employee.id


def deliveries(uow: UnitOfWork) -> list[Any]:
    with uow:
        return sorted(uow.deliveries.where(), key=lambda d: d.id or 0)


def buyer(uow: UnitOfWork, clock: FakeClock) -> int:
    made = clients.create_contact(
        uow,
        clients.CreateContact(
            name="Ivan Petrov", email="ivan@client.example", phone="+79160000009"
        ),
        actor=SYSTEM,
        now=clock(),
    )
    assert made.id is not None
    return made.id


def test_a_notice_to_a_position_reaches_whoever_holds_it_now(
    uow: UnitOfWork, clock: FakeClock, office: Office
) -> None:
    vera = hire(uow, clock, "Vera", position="Chief accountant")
    hire(uow, clock, "Lev", position="Accountant")
    to = [{"position": "chief ACCOUNTANT"}, "responsible"]
    robot(uow, clock, office.stages["Invoice"], ActionKind.NOTIFY, {"to": to, "text": "Pay"})

    item = deal(uow, clock, office.stages["Invoice"], responsible_id=office.mark)

    [run] = runs(uow, item)
    assert run.data["recipient_ids"] == [vera, office.mark]
    assert [n.params["text"] for n in feed(uow, vera)] == ["Pay"]


def test_a_position_within_the_department_keeps_to_the_responsibles_subtree(
    uow: UnitOfWork, clock: FakeClock, office: Office
) -> None:
    desk = org.create_department(
        uow,
        org.CreateDepartment(name="Sales desk", parent_id=office.department),
        actor=SYSTEM,
        now=clock(),
    )
    near = hire(uow, clock, "Nina", position="Lawyer", department_ids=[desk.id or 0])
    hire(uow, clock, "Far Faina", position="Lawyer")
    to = [{"position": "Lawyer", "within": "department"}]
    robot(uow, clock, office.stages["Invoice"], ActionKind.NOTIFY, {"to": to, "text": "Check"})

    item = deal(uow, clock, office.stages["Invoice"], responsible_id=office.mark)

    [run] = runs(uow, item)
    assert run.data["recipient_ids"] == [near]


def test_a_notice_to_a_position_nobody_holds_any_more_fails_with_the_reason(
    uow: UnitOfWork, clock: FakeClock, office: Office
) -> None:
    vera = hire(uow, clock, "Vera", position="Chief accountant")
    to = [{"position": "Chief accountant"}]
    robot(uow, clock, office.stages["Invoice"], ActionKind.NOTIFY, {"to": to, "text": "Pay"})
    org.update_employee(uow, vera, {"status": "dismissed"}, actor=SYSTEM, now=clock())

    item = deal(uow, clock, office.stages["Invoice"], responsible_id=office.mark)

    [run] = runs(uow, item)
    assert (run.state, run.reason) == (RunState.FAILED, Reason.ACTION_FAILED)
    assert "Nobody to notify" in (run.detail or "")


def test_an_email_goes_to_the_client_and_the_responsible_after_the_move(
    uow: UnitOfWork, clock: FakeClock, office: Office, smtp_inbox: SmtpInbox
) -> None:
    rita = hire(uow, clock, "Rita", email="rita@agency.example")
    params = {
        "to": ["contact.email", "responsible"],
        "subject": "Invoice for {deal.title}",
        "text": "Dear {contact.name}, please pay for {deal.title}.",
    }
    robot(uow, clock, office.stages["Invoice"], ActionKind.SEND_EMAIL, params)

    item = deal(
        uow, clock, office.stages["Invoice"], responsible_id=rita, contact_id=buyer(uow, clock)
    )

    [run] = runs(uow, item)
    assert (run.state, run.detail) == (RunState.FIRED, "emailed the contact, Rita")
    assert "ivan@client.example" not in str(run.data) and "please pay" not in str(run.data)
    written = deliveries(uow)
    assert run.data["delivery_ids"] == [d.id for d in written]
    assert [(d.channel, d.address, d.state) for d in written] == [
        (Channel.EMAIL, "ivan@client.example", DeliveryState.PENDING),
        (Channel.EMAIL, "rita@agency.example", DeliveryState.PENDING),
    ]
    assert smtp_inbox.mails == []  # nothing leaves inside the move
    assert feed(uow, rita) == []  # and nothing goes to anyone's feed

    smtp = SmtpSender(
        SmtpConfig(host="127.0.0.1", port=smtp_inbox.port, sender="crm@agency.example")
    )
    report = deliver_due(uow, dispatch=Dispatch(senders={Channel.EMAIL: smtp}), clock=clock)

    assert report.sent == 2
    mails = {m.recipients[0]: m for m in smtp_inbox.mails}
    client = mails["ivan@client.example"]
    assert client.message["Subject"] == "Invoice for Kitchen"
    assert client.body == "Dear Ivan Petrov, please pay for Kitchen."
    assert {d.state for d in deliveries(uow)} == {DeliveryState.SENT}
    assert [t for t, _ in outbox(uow)].count("OutboundMessageQueued") == 2


def test_an_email_to_people_without_addresses_fails_and_writes_nothing(
    uow: UnitOfWork, clock: FakeClock, office: Office
) -> None:
    params = {"to": ["contact.email", "head"], "subject": "Hi", "text": "Hello"}
    robot(uow, clock, office.stages["Invoice"], ActionKind.SEND_EMAIL, params)

    item = deal(uow, clock, office.stages["Invoice"], responsible_id=office.mark)

    [run] = runs(uow, item)
    assert (run.state, run.reason) == (RunState.FAILED, Reason.ACTION_FAILED)
    assert run.detail == "Nobody to write to: no one named has an email address"
    assert deliveries(uow) == []


def test_an_sms_goes_to_the_clients_phone_through_the_gateway(
    uow: UnitOfWork, clock: FakeClock, office: Office, http_inbox: HttpInbox
) -> None:
    params = {"to": ["contact.phone"], "text": "{deal.title}: your invoice is ready"}
    robot(uow, clock, office.stages["Invoice"], ActionKind.SEND_SMS, params)
    item = deal(
        uow,
        clock,
        office.stages["Invoice"],
        responsible_id=office.mark,
        contact_id=buyer(uow, clock),
    )
    [run] = runs(uow, item)
    assert run.detail == "sent an SMS to the contact"
    gateway = SmsGatewaySender(SmsGatewayConfig(url=f"{http_inbox.url}/sms"))

    http_inbox.status = 503
    first = deliver_due(uow, dispatch=Dispatch(senders={Channel.SMS: gateway}), clock=clock)
    http_inbox.status = 200
    clock.advance(minutes=1)
    second = deliver_due(uow, dispatch=Dispatch(senders={Channel.SMS: gateway}), clock=clock)

    assert (first.retrying, second.sent) == (1, 1)
    [_, request] = http_inbox.requests
    assert request.json()["to"] == "+79160000009"
    assert request.json()["text"] == "Kitchen: your invoice is ready"
    [delivery] = deliveries(uow)
    assert (delivery.state, delivery.attempts) == (DeliveryState.SENT, 2)


def test_a_webhook_call_is_signed_as_notifications_are(
    uow: UnitOfWork, clock: FakeClock, office: Office, http_inbox: HttpInbox
) -> None:
    hook = webhooks.create_webhook(
        uow,
        webhooks.CreateWebhook(name="ERP", url=f"{http_inbox.url}/erp", kinds=["message"]),
        actor=SYSTEM,
        now=clock(),
    )
    made = robot(
        uow,
        clock,
        office.stages["Invoice"],
        ActionKind.WEBHOOK,
        {"webhook_id": hook.id, "url": f"{http_inbox.url}/robots"},
        name="Tell the ERP",
    )
    item = deal(
        uow, clock, office.stages["Invoice"], responsible_id=office.mark, fields={"paid": False}
    )
    [run] = runs(uow, item)
    assert run.detail == "queued a call of webhook «ERP»"
    assert http_inbox.requests == []

    sender = WebhookSender(clock=clock)
    assert (
        deliver_due(uow, dispatch=Dispatch(senders={Channel.WEBHOOK: sender}), clock=clock).sent
        == 1
    )

    [request] = http_inbox.requests
    assert request.path == "/robots"
    now = int(clock().timestamp())
    assert verify(
        hook.secret,
        body=request.body,
        timestamp=request.headers[TIMESTAMP_HEADER],
        signature_header=request.headers[SIGNATURE_HEADER],
        now=now,
    )
    document = request.json()
    assert request.headers[DELIVERY_HEADER] == str(document["delivery_id"])
    assert document["event"] == "robot.webhook"
    assert document["run_id"] == run.id
    assert document["robot"] == {"id": made.id, "name": "Tell the ERP", "version": 1}
    assert document["item"]["id"] == item.id
    assert document["item"]["fields"] == {"paid": False}
    assert document["item"]["stage_id"] == office.stages["Invoice"].id


def test_a_webhook_switched_off_refuses_the_call(
    uow: UnitOfWork, clock: FakeClock, office: Office
) -> None:
    hook = webhooks.create_webhook(
        uow,
        webhooks.CreateWebhook(name="ERP", url="https://erp.example/in"),
        actor=SYSTEM,
        now=clock(),
    )
    robot(uow, clock, office.stages["Invoice"], ActionKind.WEBHOOK, {"webhook_id": hook.id})
    webhooks.update_webhook(uow, hook.id or 0, {"active": False}, actor=SYSTEM, now=clock())

    item = deal(uow, clock, office.stages["Invoice"], responsible_id=office.mark)

    [run] = runs(uow, item)
    assert (run.state, run.detail) == (RunState.FAILED, "Webhook «ERP» is switched off")
    assert deliveries(uow) == []
