"""Notifications are written with their cause, and every delivery goes out on its own: by a
real SMTP server, a real SMS gateway and a real webhook endpoint on the loopback; a channel
that fails is retried, then given up, and never holds up another."""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from typing import Any

import pytest

from conveyor.domain.actors import SYSTEM
from conveyor.domain.errors import InvalidValue
from conveyor.domain.languages import Language
from conveyor.domain.notifications import Channel, DeliveryState, Link, RetryPolicy
from conveyor.domain.webhooks import (
    DELIVERY_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    verify,
)
from conveyor.outbound import (
    Outgoing,
    SendFailed,
    SmsGatewayConfig,
    SmsGatewaySender,
    SmtpConfig,
    SmtpSender,
    WebhookSender,
)
from conveyor.services import jobs, org, webhooks
from conveyor.services.deliveries import (
    DELIVER_JOB,
    Dispatch,
    deliver_due,
    schedule_delivery_jobs,
)
from conveyor.services.jobs import JobHandlers, JobOutcome
from conveyor.services.notifications import notify, send_message
from conveyor.storage.unit_of_work import UnitOfWork
from conveyor.testing import FakeClock, FakeSender, fake_senders
from tests.integration.outside import HttpInbox, SmtpInbox, free_port, http_inbox, smtp_inbox

__all__ = ["http_inbox", "smtp_inbox"]

DEAL_42 = Link(entity="deal", id=42)
ASSIGNED = {"title": "Сайт для пекарни", "reason": "least loaded: 3/10 points"}


def hire(
    uow: UnitOfWork,
    clock: FakeClock,
    name: str,
    *,
    email: str | None = None,
    phone: str | None = None,
    language: Language = Language.RU,
) -> int:
    employee, _ = org.create_employee(
        uow,
        org.CreateEmployee(name=name, email=email, phone=phone, language=language),
        actor=SYSTEM,
        now=clock(),
    )
    assert employee.id is not None
    return employee.id


def assign_notice(uow: UnitOfWork, clock: FakeClock, *recipients: int) -> list[int]:
    with uow:
        written = notify(
            uow,
            recipient_ids=list(recipients),
            kind="item_assigned",
            params=ASSIGNED,
            link=DEAL_42,
            now=clock(),
        )
        uow.commit()
    return [n.id for n in written if n.id is not None]


def deliveries(uow: UnitOfWork) -> dict[tuple[int, Channel], Any]:
    """Every delivery by (recipient, channel), with its attempts as ``attempt_list``."""
    with uow:
        found = {}
        for delivery in uow.deliveries.where():
            notification = uow.notifications.get(delivery.notification_id)
            attempts = uow.deliveries.attempts([delivery.id])[delivery.id]
            delivery.attempt_list = [(a.ok, a.error) for a in attempts]
            found[(notification.recipient_id, delivery.channel)] = delivery
        return found


def test_a_notification_and_its_deliveries_are_written_with_their_cause_or_not_at_all(
    uow: UnitOfWork, clock: FakeClock
) -> None:
    vera = hire(uow, clock, "Vera", email="vera@agency.example", phone="+79160000001")
    oleg = hire(uow, clock, "Oleg")
    hook = webhooks.create_webhook(
        uow,
        webhooks.CreateWebhook(name="CRM", url="https://crm.example/hook", kinds=["item_assigned"]),
        actor=SYSTEM,
        now=clock(),
    )
    webhooks.create_webhook(
        uow,
        webhooks.CreateWebhook(name="Chat", url="https://chat.example/hook", kinds=["message"]),
        actor=SYSTEM,
        now=clock(),
    )
    with uow:
        notify(uow, recipient_ids=[vera], kind="item_assigned", params=ASSIGNED, now=clock())
        # Not committed: the cause rolled back.
    with uow:
        assert uow.notifications.where() == [] and uow.deliveries.where() == []
    assign_notice(uow, clock, vera, oleg, vera)
    with uow:
        feed = {n.recipient_id: n for n in uow.notifications.where()}
        assert set(feed) == {vera, oleg}
        assert feed[vera].link == DEAL_42 and feed[vera].read_at is None
        assert [e.type for e in uow.events.where() if e.entity == "notification"] == [
            "NotificationCreated",
            "NotificationCreated",
        ]
    found = deliveries(uow)
    assert set(found) == {
        (vera, Channel.EMAIL),
        (vera, Channel.SMS),
        (vera, Channel.WEBHOOK),
        (oleg, Channel.WEBHOOK),
    }
    assert found[(vera, Channel.EMAIL)].address == "vera@agency.example"
    assert found[(vera, Channel.SMS)].address == "+79160000001"
    assert found[(oleg, Channel.WEBHOOK)].webhook_id == hook.id
    assert all(d.state is DeliveryState.PENDING for d in found.values())
    assert all(d.next_attempt_at == clock() for d in found.values())


def test_a_dismissed_or_unknown_employee_is_not_notified(uow: UnitOfWork, clock: FakeClock) -> None:
    gone = hire(uow, clock, "Gone", email="gone@agency.example")
    org.update_employee(uow, gone, {"status": "dismissed"}, actor=SYSTEM, now=clock())
    assert assign_notice(uow, clock, gone, 999_999) == []
    assert deliveries(uow) == {}


def test_each_recipient_gets_the_email_in_their_own_language(
    uow: UnitOfWork, clock: FakeClock, smtp_inbox: SmtpInbox
) -> None:
    vera = hire(uow, clock, "Vera", email="vera@agency.example")
    john = hire(uow, clock, "John", email="john2@agency.example", language=Language.EN)
    assign_notice(uow, clock, vera, john)
    smtp = SmtpSender(
        SmtpConfig(host="127.0.0.1", port=smtp_inbox.port, sender="conveyor@agency.example")
    )
    report = deliver_due(uow, dispatch=Dispatch(senders={Channel.EMAIL: smtp}), clock=clock)
    assert (report.sent, report.retrying, report.dead) == (2, 0, 0)
    mails = {m.recipients[0]: m for m in smtp_inbox.mails}
    assert set(mails) == {"vera@agency.example", "john2@agency.example"}
    ru, en = mails["vera@agency.example"], mails["john2@agency.example"]
    assert ru.sender == "conveyor@agency.example"
    assert ru.message["Subject"] == "Сделка «Сайт для пекарни» теперь ваша"
    assert ru.body == "Сделка «Сайт для пекарни» теперь ваша: least loaded: 3/10 points"
    assert ru.message["Content-Language"] == "ru"
    assert en.message["Subject"] == "Deal «Сайт для пекарни» is yours"
    assert en.body == "Deal «Сайт для пекарни» is yours: least loaded: 3/10 points"
    sent = deliveries(uow)[(vera, Channel.EMAIL)]
    assert (sent.state, sent.sent_at, sent.attempt_list) == (
        DeliveryState.SENT,
        clock(),
        [(True, None)],
    )
    assert ru.message["X-Conveyor-Delivery"] == str(sent.id)
    # Sent is sent: the next round sends nothing again.
    again = deliver_due(uow, dispatch=Dispatch(senders={Channel.EMAIL: smtp}), clock=clock)
    assert again.sent == 0 and len(smtp_inbox.mails) == 2


def test_an_smtp_outage_is_recorded_and_retried_while_sms_goes_out(
    uow: UnitOfWork, clock: FakeClock, http_inbox: HttpInbox
) -> None:
    vera = hire(uow, clock, "Vera", email="vera@agency.example", phone="+79160000001")
    lev = hire(uow, clock, "Lev", email="lev@agency.example", phone="+79160000002")
    assign_notice(uow, clock, vera, lev)
    mail_server = SmtpInbox()  # not started yet: the mail server is down
    dispatch = Dispatch(
        senders={
            Channel.EMAIL: SmtpSender(
                SmtpConfig(host="127.0.0.1", port=mail_server.port, timeout=2)
            ),
            Channel.SMS: SmsGatewaySender(
                SmsGatewayConfig(
                    url=f"{http_inbox.url}/sms",
                    auth_header="Authorization",
                    auth_value="Bearer sms-key",
                    sender="Agency",
                )
            ),
        },
        retry=RetryPolicy(max_attempts=5),
    )
    report = deliver_due(uow, dispatch=dispatch, clock=clock)
    # One email tried and failed; the other waits for the next round instead of a timeout.
    assert (report.sent, report.retrying, report.postponed) == (2, 1, 1)
    texts = {r.json()["to"]: r for r in http_inbox.requests}
    assert set(texts) == {"+79160000001", "+79160000002"}
    sms = texts["+79160000001"]
    assert sms.path == "/sms" and sms.headers["Authorization"] == "Bearer sms-key"
    assert sms.json()["text"] == "Сделка «Сайт для пекарни» теперь ваша: least loaded: 3/10 points"
    assert sms.json()["sender"] == "Agency"
    found = deliveries(uow)
    failed = [found[(p, Channel.EMAIL)] for p in (vera, lev) if found[(p, Channel.EMAIL)].attempts]
    [email] = failed
    assert email.state is DeliveryState.PENDING
    assert email.next_attempt_at == clock() + timedelta(minutes=1)
    [(ok, error)] = email.attempt_list
    assert not ok and "unreachable" in (error or "")
    # Half a minute on, only the email left for later is tried (and fails again).
    clock.advance(seconds=30)
    later = deliver_due(uow, dispatch=dispatch, clock=clock)
    assert (later.sent, later.retrying, later.postponed) == (0, 1, 0)
    mail_server.start()
    try:
        clock.advance(minutes=2)
        assert deliver_due(uow, dispatch=dispatch, clock=clock).sent == 2
    finally:
        mail_server.stop()
    assert {m.recipients[0] for m in mail_server.mails} == {
        "vera@agency.example",
        "lev@agency.example",
    }
    email = deliveries(uow)[(email_owner(found, email.id), Channel.EMAIL)]
    assert email.state is DeliveryState.SENT
    assert [ok for ok, _ in email.attempt_list] == [False, True]
    assert len(http_inbox.requests) == 2  # SMS were not sent twice


def email_owner(found: dict[tuple[int, Channel], Any], delivery_id: int) -> int:
    return next(person for (person, _), d in found.items() if d.id == delivery_id)


def test_a_delivery_that_keeps_failing_is_dead_after_its_last_attempt(
    uow: UnitOfWork, clock: FakeClock
) -> None:
    vera = hire(uow, clock, "Vera", email="vera@agency.example")
    assign_notice(uow, clock, vera)
    senders = fake_senders()
    senders[Channel.EMAIL].fail(SendFailed("451 try later", destination_down=True), times=None)
    dispatch = Dispatch(senders=senders, retry=RetryPolicy(max_attempts=3))
    for _ in range(6):
        deliver_due(uow, dispatch=dispatch, clock=clock)
        clock.advance(hours=1)
    email = deliveries(uow)[(vera, Channel.EMAIL)]
    assert (email.state, email.attempts, email.next_attempt_at) == (DeliveryState.DEAD, 3, None)
    assert email.attempt_list == [(False, "451 try later")] * 3
    assert senders[Channel.EMAIL].tried == 3


def test_an_address_refused_for_good_is_not_tried_again(
    uow: UnitOfWork, clock: FakeClock, http_inbox: HttpInbox
) -> None:
    vera = hire(uow, clock, "Vera", phone="+79160000001")
    assign_notice(uow, clock, vera)
    http_inbox.status = 400
    gateway = SmsGatewaySender(SmsGatewayConfig(url=http_inbox.url))
    report = deliver_due(uow, dispatch=Dispatch(senders={Channel.SMS: gateway}), clock=clock)
    assert report.dead == 1
    sms = deliveries(uow)[(vera, Channel.SMS)]
    assert sms.state is DeliveryState.DEAD
    assert sms.last_error == 'The SMS gateway answered HTTP 400: {"error": "no"}'


def test_a_channel_this_server_has_not_configured_is_skipped_without_an_attempt(
    uow: UnitOfWork, clock: FakeClock
) -> None:
    vera = hire(uow, clock, "Vera", email="vera@agency.example", phone="+79160000001")
    assign_notice(uow, clock, vera)
    senders = fake_senders()
    report = deliver_due(
        uow, dispatch=Dispatch(senders={Channel.SMS: senders[Channel.SMS]}), clock=clock
    )
    assert (report.sent, report.skipped) == (1, 1)
    email = deliveries(uow)[(vera, Channel.EMAIL)]
    assert email.state is DeliveryState.SKIPPED and email.attempt_list == []
    assert email.last_error == "No email channel is configured on this server"


def test_a_webhook_receiver_can_verify_who_sent_it_and_when(
    uow: UnitOfWork, clock: FakeClock, http_inbox: HttpInbox
) -> None:
    john = hire(uow, clock, "John", language=Language.EN)
    hook = webhooks.create_webhook(
        uow,
        webhooks.CreateWebhook(name="CRM", url=f"{http_inbox.url}/conveyor"),
        actor=SYSTEM,
        now=clock(),
    )
    [notification_id] = assign_notice(uow, clock, john)
    sender = WebhookSender(clock=clock)
    report = deliver_due(uow, dispatch=Dispatch(senders={Channel.WEBHOOK: sender}), clock=clock)
    assert report.sent == 1
    [request] = http_inbox.requests
    assert request.path == "/conveyor"
    assert request.headers["Content-Type"] == "application/json"
    now = int(clock().timestamp())
    assert request.headers[TIMESTAMP_HEADER] == str(now)
    signed = {
        "body": request.body,
        "timestamp": request.headers[TIMESTAMP_HEADER],
        "signature_header": request.headers[SIGNATURE_HEADER],
    }
    assert verify(hook.secret, **signed, now=now)
    assert not verify("whsec_guess", **signed, now=now)
    document = request.json()
    delivery = deliveries(uow)[(john, Channel.WEBHOOK)]
    assert request.headers[DELIVERY_HEADER] == str(delivery.id) == str(document["delivery_id"])
    assert document["notification"] == {
        "id": notification_id,
        "kind": "item_assigned",
        "recipient_id": john,
        "params": ASSIGNED,
        "link": {"entity": "deal", "id": 42},
        "created_at": clock().isoformat(),
        "language": "en",
        "subject": "Deal «Сайт для пекарни» is yours",
        "text": "Deal «Сайт для пекарни» is yours: least loaded: 3/10 points",
    }


def test_a_webhook_that_answers_with_an_error_is_retried_and_a_deleted_one_is_skipped(
    uow: UnitOfWork, clock: FakeClock, http_inbox: HttpInbox
) -> None:
    john = hire(uow, clock, "John")
    hook = webhooks.create_webhook(
        uow,
        webhooks.CreateWebhook(name="CRM", url=http_inbox.url),
        actor=SYSTEM,
        now=clock(),
    )
    assign_notice(uow, clock, john)
    http_inbox.status = 503
    dispatch = Dispatch(senders={Channel.WEBHOOK: WebhookSender(clock=clock)})
    assert deliver_due(uow, dispatch=dispatch, clock=clock).retrying == 1
    assert hook.id is not None
    webhooks.delete_webhook(uow, hook.id, actor=SYSTEM, now=clock())
    clock.advance(minutes=1)
    assert deliver_due(uow, dispatch=dispatch, clock=clock).skipped == 1
    delivery = deliveries(uow)[(john, Channel.WEBHOOK)]
    assert (delivery.state, delivery.webhook_id, delivery.attempts) == (
        DeliveryState.SKIPPED,
        None,
        1,
    )
    assert delivery.last_error == "The webhook subscription was deleted"
    assert len(http_inbox.requests) == 1


class SlowSender(FakeSender):
    """Takes a while to send, like a real server, so that workers overlap."""

    def send(self, message: Outgoing) -> None:
        time.sleep(0.02)
        super().send(message)


def test_workers_running_at_once_send_each_delivery_once(
    uow: UnitOfWork, clock: FakeClock, database_url: str
) -> None:
    people = [hire(uow, clock, f"P{i}", email=f"p{i}@agency.example") for i in range(12)]
    assign_notice(uow, clock, *people)
    sender = SlowSender(Channel.EMAIL)
    dispatch = Dispatch(senders={Channel.EMAIL: sender})
    from conveyor.storage.database import build_engine, session_factory

    engines = [build_engine(database_url) for _ in range(3)]
    errors: list[BaseException] = []

    def work(engine: Any) -> None:
        try:
            deliver_due(UnitOfWork(session_factory(engine)), dispatch=dispatch, clock=clock)
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=work, args=(e,)) for e in engines]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    for engine in engines:
        engine.dispose()
    assert errors == []
    assert sorted(m.address for m in sender.sent) == sorted(
        f"p{i}@agency.example" for i in range(12)
    )
    assert all(d.state is DeliveryState.SENT for d in deliveries(uow).values())


def test_as_a_job_a_delivery_is_sent_in_the_jobs_transaction_and_its_retry_is_a_new_job(
    uow: UnitOfWork, clock: FakeClock
) -> None:
    vera = hire(uow, clock, "Vera", email="vera@agency.example")
    assign_notice(uow, clock, vera)
    senders = fake_senders()
    senders[Channel.EMAIL].fail(SendFailed("421 busy", destination_down=True))
    dispatch = Dispatch(senders=senders)
    registry = JobHandlers()
    registry.register(DELIVER_JOB, dispatch.handler())
    with uow:
        schedule_delivery_jobs(uow, uow.deliveries.where(), now=clock())
        uow.commit()

    def run_due() -> list[JobOutcome]:
        claim = jobs.claim_jobs(uow, owner="w1", now=clock(), limit=10, lease=timedelta(minutes=1))
        return [
            jobs.run_job(uow, job, handlers=registry, owner="w1", clock=clock) for job in claim.jobs
        ]

    assert run_due() == [JobOutcome.DONE]
    email = deliveries(uow)[(vera, Channel.EMAIL)]
    assert (email.state, email.attempt_list) == (DeliveryState.PENDING, [(False, "421 busy")])
    assert run_due() == []  # the retry's job is due in a minute
    clock.advance(minutes=1)
    assert run_due() == [JobOutcome.DONE]
    email = deliveries(uow)[(vera, Channel.EMAIL)]
    assert email.state is DeliveryState.SENT
    assert [m.address for m in senders[Channel.EMAIL].sent] == ["vera@agency.example"]


def test_the_mail_server_refusing_login_leaves_the_delivery_to_retry(
    uow: UnitOfWork, clock: FakeClock, smtp_inbox: SmtpInbox
) -> None:
    vera = hire(uow, clock, "Vera", email="vera@agency.example")
    assign_notice(uow, clock, vera)
    # aiosmtpd offers no AUTH on a plain connection: logging in is refused.
    smtp = SmtpSender(
        SmtpConfig(
            host="127.0.0.1",
            port=smtp_inbox.port,
            user="conveyor",
            password="secret",
            allow_plain_login=True,
        )
    )
    report = deliver_due(uow, dispatch=Dispatch(senders={Channel.EMAIL: smtp}), clock=clock)
    assert report.retrying == 1
    email = deliveries(uow)[(vera, Channel.EMAIL)]
    assert email.state is DeliveryState.PENDING
    assert "SMTP 127.0.0.1" in (email.last_error or "")
    assert smtp_inbox.mails == []


def test_an_unreachable_mail_server_fails_fast_with_a_readable_error(
    uow: UnitOfWork, clock: FakeClock
) -> None:
    vera = hire(uow, clock, "Vera", email="vera@agency.example")
    assign_notice(uow, clock, vera)
    smtp = SmtpSender(SmtpConfig(host="127.0.0.1", port=free_port(), timeout=2))
    deliver_due(uow, dispatch=Dispatch(senders={Channel.EMAIL: smtp}), clock=clock)
    error = deliveries(uow)[(vera, Channel.EMAIL)].last_error or ""
    assert error.startswith(
        f"SMTP 127.0.0.1:{smtp.config.port} unreachable: ConnectionRefusedError"
    )


def test_a_long_message_goes_whole_by_email_and_cut_to_three_texts_by_sms(
    uow: UnitOfWork, clock: FakeClock, http_inbox: HttpInbox
) -> None:
    vera = hire(uow, clock, "Vera", email="vera@agency.example", phone="+79160000001")
    text = "Планёрка переносится. " * 100
    send_message(uow, recipient_ids=[vera], text=text, actor=SYSTEM, now=clock())
    senders: dict[Channel, Any] = fake_senders()
    senders[Channel.SMS] = SmsGatewaySender(SmsGatewayConfig(url=http_inbox.url))
    assert deliver_due(uow, dispatch=Dispatch(senders=senders), clock=clock).sent == 2
    [sms] = http_inbox.requests
    assert sms.json()["text"] == text[:479] + "…"
    [email] = senders[Channel.EMAIL].sent
    assert email.body == text


def test_a_persons_message_longer_than_a_notification_holds_is_refused_whole(
    uow: UnitOfWork, clock: FakeClock
) -> None:
    vera = hire(uow, clock, "Vera", email="vera@agency.example")
    with pytest.raises(InvalidValue) as refused:
        send_message(uow, recipient_ids=[vera], text="x" * 5001, actor=SYSTEM, now=clock())
    assert refused.value.field == "params.text"
    assert deliveries(uow) == {}


def test_a_webhook_change_is_an_event_only_when_something_changed(
    uow: UnitOfWork, clock: FakeClock
) -> None:
    hook = webhooks.create_webhook(
        uow,
        webhooks.CreateWebhook(name="CRM", url="https://crm.example/hook", kinds=["message"]),
        actor=SYSTEM,
        now=clock(),
    )
    assert hook.id is not None
    same = {"name": "CRM", "url": "https://crm.example/hook", "kinds": ["message"]}
    for changes in ({}, {"active": True}, same):
        webhooks.update_webhook(uow, hook.id, changes, actor=SYSTEM, now=clock())
    webhooks.update_webhook(uow, hook.id, {**same, "name": "CRM 2"}, actor=SYSTEM, now=clock())
    webhooks.update_webhook(uow, hook.id, {}, actor=SYSTEM, now=clock(), renew_secret=True)
    with uow:
        changes = [e.payload for e in uow.events.where(type="WebhookChanged")]
    assert changes == [{"changed": ["name"]}, {"changed": ["secret"]}]
