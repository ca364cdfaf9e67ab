"""A round of deliveries (``deliver_due``): a destination that is down never starves the
others, one bad message is its own failure and not its mail server's, a round gives its
thread back after its time budget, and each delivery's lease and retry run on its own time."""

from __future__ import annotations

from datetime import timedelta

from conveyor.domain.actors import SYSTEM
from conveyor.domain.notifications import Channel, DeliveryState, Link
from conveyor.outbound import (
    Outgoing,
    SendFailed,
    SmsGatewayConfig,
    SmsGatewaySender,
    SmtpConfig,
    SmtpSender,
)
from conveyor.services import org
from conveyor.services.deliveries import Dispatch, deliver_due
from conveyor.services.notifications import notify
from conveyor.storage.unit_of_work import UnitOfWork
from conveyor.testing import FakeClock, FakeSender
from tests.integration.outside import HttpInbox, SmtpInbox, http_inbox, smtp_inbox

__all__ = ["http_inbox", "smtp_inbox"]


def hire(uow: UnitOfWork, clock: FakeClock, name: str, **contacts: str) -> int:
    employee, _ = org.create_employee(
        uow, org.CreateEmployee(name=name, **contacts), actor=SYSTEM, now=clock()
    )
    assert employee.id is not None
    return employee.id


def assigned(uow: UnitOfWork, clock: FakeClock, recipients: list[int], title: str) -> None:
    with uow:
        notify(
            uow,
            recipient_ids=recipients,
            kind="item_assigned",
            params={"title": title, "reason": "least loaded"},
            link=Link(entity="deal", id=7),
            now=clock(),
        )
        uow.commit()


def emails(uow: UnitOfWork) -> dict[str, tuple[DeliveryState, list[tuple[bool, str | None]]]]:
    """Each email delivery by address: its state and its attempts."""
    with uow:
        found = uow.deliveries.where(channel=Channel.EMAIL)
        attempts = uow.deliveries.attempts([d.id for d in found if d.id is not None])
        return {d.address: (d.state, [(a.ok, a.error) for a in attempts[d.id or 0]]) for d in found}


def test_a_mail_server_that_is_down_does_not_keep_a_later_sms_waiting(
    uow: UnitOfWork, clock: FakeClock, http_inbox: HttpInbox
) -> None:
    team = [hire(uow, clock, f"Operator {n}", email=f"op{n}@agency.example") for n in range(120)]
    assigned(uow, clock, team, "Shop")
    clock.advance(seconds=1)
    lev = hire(uow, clock, "Lev", phone="+79160000002")
    assigned(uow, clock, [lev], "Shop")  # due after all 120 emails
    mail_server = SmtpInbox()
    mail_server.start()
    mail_server.stop()  # the mail server is down
    dispatch = Dispatch(
        senders={
            Channel.EMAIL: SmtpSender(
                SmtpConfig(host="127.0.0.1", port=mail_server.port, timeout=2)
            ),
            Channel.SMS: SmsGatewaySender(SmsGatewayConfig(url=f"{http_inbox.url}/sms")),
        }
    )

    report = deliver_due(uow, dispatch=dispatch, clock=clock, limit=100)

    # The first email found the server down; the 99 others read with it wait for the next
    # round, and the round went on to what else was due: the SMS.
    assert (report.sent, report.retrying, report.postponed) == (1, 1, 99)
    [sms] = http_inbox.requests
    assert sms.json()["to"] == "+79160000002"
    tried = [address for address, (_, attempts) in emails(uow).items() if attempts]
    assert tried == ["op0@agency.example"]


def test_a_line_break_in_a_title_is_mailed_on_one_line_and_holds_up_no_other_mail(
    uow: UnitOfWork, clock: FakeClock, smtp_inbox: SmtpInbox
) -> None:
    vera = hire(uow, clock, "Vera", email="vera@agency.example")
    lev = hire(uow, clock, "Lev", email="lev@agency.example")
    assigned(uow, clock, [vera], "Site for the\r\nbakery\x07\t(urgent)")
    assigned(uow, clock, [lev], "Blog")
    smtp = SmtpSender(SmtpConfig(host="127.0.0.1", port=smtp_inbox.port))

    report = deliver_due(uow, dispatch=Dispatch(senders={Channel.EMAIL: smtp}), clock=clock)

    assert (report.sent, report.retrying, report.postponed) == (2, 0, 0)
    subjects = {m.recipients[0]: m.message["Subject"] for m in smtp_inbox.mails}
    assert subjects == {
        "vera@agency.example": "Сделка «Site for the bakery (urgent)» теперь ваша",
        "lev@agency.example": "Сделка «Blog» теперь ваша",
    }


class PickySender(FakeSender):
    """Breaks, unexpectedly, on one address: a message it cannot make, not a server down."""

    def __init__(self, breaks_on: str) -> None:
        super().__init__(Channel.EMAIL)
        self.breaks_on = breaks_on

    def send(self, message: Outgoing) -> None:
        if message.address == self.breaks_on:
            self.tried += 1
            raise ValueError("Header values may not contain linefeed or carriage return")
        super().send(message)


def test_an_unexpected_error_is_that_deliverys_own_failed_attempt_not_its_servers(
    uow: UnitOfWork, clock: FakeClock
) -> None:
    people = [hire(uow, clock, f"P{n}", email=f"p{n}@agency.example") for n in range(3)]
    assigned(uow, clock, people, "Shop")
    sender = PickySender(breaks_on="p0@agency.example")

    report = deliver_due(uow, dispatch=Dispatch(senders={Channel.EMAIL: sender}), clock=clock)

    assert (report.sent, report.retrying, report.postponed) == (2, 1, 0)
    assert sorted(m.address for m in sender.sent) == ["p1@agency.example", "p2@agency.example"]
    state, attempts = emails(uow)["p0@agency.example"]
    assert state is DeliveryState.PENDING
    assert attempts == [
        (False, "ValueError: Header values may not contain linefeed or carriage return")
    ]


class SlowSender(FakeSender):
    """Each send takes ``takes`` of the (fake) clock's time; ``during`` sees the moment it
    started and the delivery's row as it stands meanwhile."""

    def __init__(
        self, clock: FakeClock, uow: UnitOfWork, takes: timedelta, *, failing: bool = False
    ) -> None:
        super().__init__(Channel.EMAIL)
        self.clock, self.uow, self.takes, self.failing = clock, uow, takes, failing
        self.during: list[tuple[object, object]] = []

    def send(self, message: Outgoing) -> None:
        with self.uow:  # no transaction of the round is open while sending
            leased_until = self.uow.deliveries.get(message.delivery_id).next_attempt_at
        self.during.append((self.clock(), leased_until))
        self.clock.advance(self.takes)
        if self.failing:
            self.tried += 1
            raise SendFailed("451 try later")
        super().send(message)


def test_a_round_stops_taking_deliveries_when_its_time_budget_is_spent(
    uow: UnitOfWork, clock: FakeClock
) -> None:
    people = [hire(uow, clock, f"P{n}", email=f"p{n}@agency.example") for n in range(10)]
    assigned(uow, clock, people, "Shop")
    sender = SlowSender(clock, uow, timedelta(seconds=8))
    dispatch = Dispatch(senders={Channel.EMAIL: sender})

    first = deliver_due(uow, dispatch=dispatch, clock=clock, budget=timedelta(seconds=20))

    # Taken at 0, 8 and 16 s; at 24 s the budget is spent and the rest wait, untried.
    assert (first.sent, first.retrying, first.postponed) == (3, 0, 0)
    assert sum(state is DeliveryState.PENDING for state, _ in emails(uow).values()) == 7
    second = deliver_due(uow, dispatch=dispatch, clock=clock, budget=timedelta(seconds=20))
    assert second.sent == 3 and len(sender.sent) == 6


def test_each_delivery_is_leased_and_retried_from_its_own_time_not_the_rounds_start(
    uow: UnitOfWork, clock: FakeClock
) -> None:
    people = [hire(uow, clock, f"P{n}", email=f"p{n}@agency.example") for n in range(3)]
    assigned(uow, clock, people, "Shop")
    start = clock()
    sender = SlowSender(clock, uow, timedelta(minutes=6), failing=True)
    dispatch = Dispatch(senders={Channel.EMAIL: sender}, lease=timedelta(minutes=10))

    report = deliver_due(uow, dispatch=dispatch, clock=clock, budget=None)

    assert report.retrying == 3
    # While each is sent, its lease runs from when it was taken: another worker, reading
    # the same clock, leaves it alone.
    assert sender.during == [
        (start + timedelta(minutes=m), start + timedelta(minutes=m + 10)) for m in (0, 6, 12)
    ]
    with uow:
        retries = sorted(d.next_attempt_at for d in uow.deliveries.where(channel=Channel.EMAIL))
    # A failed attempt is tried again a minute after it ended.
    assert retries == [start + timedelta(minutes=m + 1) for m in (6, 12, 18)]
