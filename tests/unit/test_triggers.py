"""Triggers and payments as pure rules: each event's parameters, which happenings concern a
trigger, where a trigger may move an item from, hook tokens, the order of a stage's list,
and what a payment must be."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from conveyor.domain.errors import InvalidValue, NaiveDatetime
from conveyor.domain.payments import (
    Payment,
    check_note,
    check_paid_at,
    check_payment_amount,
    paid_total,
)
from conveyor.domain.pipelines import EntityType, Stage, StageSemantics
from conveyor.domain.trigger_events import (
    CommunicationReceived,
    FieldChanged,
    PaymentRegistered,
    TaskCompleted,
)
from conveyor.domain.trigger_runs import applicability
from conveyor.domain.triggers import (
    Trigger,
    TriggerEvent,
    check_order,
    normalize_params,
    parse_hook_token,
)

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
E = TriggerEvent


def test_each_events_parameters_get_their_defaults() -> None:
    assert normalize_params(E.COMMUNICATION_RECEIVED, {}) == {"channels": None, "direction": None}
    assert normalize_params(E.FIELD_CHANGED, {"field": " paid "}) == {
        "field": "paid",
        "value": None,
    }
    assert normalize_params(E.PAYMENT_REGISTERED, {"min_amount": 1000}) == {
        "min_amount": "1000.00",
        "paid_in_full": False,
    }
    assert normalize_params(E.TASK_COMPLETED, {}) == {}
    # No channel named is any channel.
    assert normalize_params(E.COMMUNICATION_RECEIVED, {"channels": []})["channels"] is None


@pytest.mark.parametrize(
    ("event", "params", "field"),
    [
        (E.COMMUNICATION_RECEIVED, {"channels": ["fax"]}, "event.channels.0"),
        (E.COMMUNICATION_RECEIVED, {"channels": ["call", "call"]}, "event.channels.1"),
        (E.COMMUNICATION_RECEIVED, {"channels": "call"}, "event.channels"),
        (E.COMMUNICATION_RECEIVED, {"direction": "sideways"}, "event.direction"),
        (E.FIELD_CHANGED, {}, "event.field"),
        (E.FIELD_CHANGED, {"field": "  "}, "event.field"),
        (E.PAYMENT_REGISTERED, {"min_amount": "0"}, "event.min_amount"),
        (E.PAYMENT_REGISTERED, {"min_amount": "-5"}, "event.min_amount"),
        (E.PAYMENT_REGISTERED, {"min_amount": "1.005"}, "event.min_amount"),
        (E.PAYMENT_REGISTERED, {"min_amount": "lots"}, "event.min_amount"),
        (E.PAYMENT_REGISTERED, {"paid_in_full": "yes"}, "event.paid_in_full"),
        (E.TASK_COMPLETED, {"field": "paid"}, "event.field"),
        (E.WEBHOOK, {"min_amount": 1}, "event.min_amount"),
    ],
)
def test_a_parameter_that_does_not_fit_is_refused_naming_it(
    event: TriggerEvent, params: dict[str, Any], field: str
) -> None:
    with pytest.raises(InvalidValue) as refused:
        normalize_params(event, params)
    assert refused.value.field == field


def test_a_communication_concerns_the_triggers_of_its_channel_and_direction() -> None:
    incoming_call = CommunicationReceived(communication_id=1, channel="call", direction="incoming")
    assert incoming_call.matches({"channels": None, "direction": None})
    assert incoming_call.matches({"channels": ["email", "call"], "direction": "incoming"})
    assert not incoming_call.matches({"channels": ["email"], "direction": None})
    assert not incoming_call.matches({"channels": None, "direction": "outgoing"})


def test_a_field_trigger_waits_for_its_field_to_change_to_its_value() -> None:
    wanted = {"field": "paid", "value": True}
    assert FieldChanged(field="paid", before=None, after=True).matches(wanted)
    assert not FieldChanged(field="paid", before=True, after=True).matches(wanted)
    assert not FieldChanged(field="paid", before=None, after=False).matches(wanted)
    assert not FieldChanged(field="kind", before=None, after=True).matches(wanted)
    # A boolean is not a number, even where Python says True == 1.
    assert not FieldChanged(field="paid", before=None, after=1).matches(wanted)


def test_a_field_trigger_without_a_value_reacts_to_any_new_value_but_emptiness() -> None:
    filled = {"field": "invoice", "value": None}
    assert FieldChanged(field="invoice", before=None, after="INV-1").matches(filled)
    assert FieldChanged(field="invoice", before="INV-1", after="INV-2").matches(filled)
    assert not FieldChanged(field="invoice", before="INV-1", after=None).matches(filled)


def payment(amount: str, *, total: str, item_amount: str | None = "1000.00") -> PaymentRegistered:
    return PaymentRegistered(
        payment_id=1,
        amount=Decimal(amount),
        currency="RUB",
        paid_total=Decimal(total),
        item_amount=None if item_amount is None else Decimal(item_amount),
        item_currency="RUB",
    )


def test_a_payment_trigger_may_ask_for_a_minimum_or_for_the_item_paid_in_full() -> None:
    anything = {"min_amount": None, "paid_in_full": False}
    minimum = {"min_amount": "500.00", "paid_in_full": False}
    in_full = {"min_amount": None, "paid_in_full": True}
    assert payment("10.00", total="10.00").matches(anything)
    assert not payment("499.99", total="499.99").matches(minimum)
    assert payment("500.00", total="500.00").matches(minimum)
    assert not payment("600.00", total="600.00").matches(in_full)
    assert payment("400.00", total="1000.00").matches(in_full)
    assert payment("400.00", total="1200.00").matches(in_full)
    # An item without an amount is never paid in full.
    assert not payment("400.00", total="400.00", item_amount=None).matches(in_full)
    dollars = PaymentRegistered(
        payment_id=2,
        amount=Decimal("900.00"),
        currency="USD",
        paid_total=Decimal("0.00"),
        item_amount=Decimal("1000.00"),
        item_currency="RUB",
    )
    assert not dollars.matches(minimum)
    assert TaskCompleted(task_id=3).matches({})


def stage(
    stage_id: int, sort: int, semantics: StageSemantics = StageSemantics.IN_PROGRESS
) -> Stage:
    return Stage(id=stage_id, pipeline_id=1, name=f"S{stage_id}", sort=sort, semantics=semantics)


NEW, CONTACTED, PAID = stage(1, 10), stage(2, 20), stage(3, 30)
WON = stage(4, 40, StageSemantics.SUCCESS)
LOST = stage(5, 50, StageSemantics.FAILURE)


def test_a_trigger_moves_open_items_forward_only() -> None:
    assert applicability(NEW, PAID, allow_backwards=False, what="deal 7") is None
    assert applicability(CONTACTED, WON, allow_backwards=False, what="deal 7") is None
    assert "past «S2»" in (applicability(PAID, CONTACTED, allow_backwards=False, what="x") or "")
    assert "already" in (applicability(PAID, PAID, allow_backwards=False, what="x") or "")
    # Lost sorts last, but a lost deal stays lost: closed items are not moved on.
    assert "closed" in (applicability(LOST, WON, allow_backwards=False, what="x") or "")
    other = Stage(id=9, pipeline_id=2, name="Elsewhere", sort=10)
    assert "another pipeline" in (applicability(other, PAID, allow_backwards=True, what="x") or "")


def test_allowed_backwards_a_trigger_moves_from_anywhere_else_and_reopens_closed_items() -> None:
    assert applicability(PAID, CONTACTED, allow_backwards=True, what="x") is None
    assert applicability(LOST, NEW, allow_backwards=True, what="x") is None
    assert applicability(NEW, NEW, allow_backwards=True, what="x") is not None


def trigger(**changes: Any) -> Trigger:
    values: dict[str, Any] = {
        "entity_type": EntityType.DEAL,
        "pipeline_id": 1,
        "stage_id": 3,
        "name": " Paid ",
        "event": E.WEBHOOK,
        "created_at": NOW,
        "updated_at": NOW,
    } | changes
    return Trigger(**values)


def test_a_trigger_checks_its_name_and_condition_and_fills_its_parameters() -> None:
    found = trigger(condition="   ", event=E.PAYMENT_REGISTERED)
    found.check()
    assert (found.name, found.condition) == ("Paid", None)
    assert found.params == {"min_amount": None, "paid_in_full": False}
    with pytest.raises(InvalidValue) as refused:
        trigger(name=" ").check()
    assert refused.value.field == "name"
    with pytest.raises(InvalidValue) as refused:
        trigger(entity_type=EntityType.CONTACT).check()
    assert refused.value.field == "entity_type"


def test_a_change_grows_the_version_only_when_something_changed() -> None:
    found = trigger()
    assert found.change({"name": " Paid ", "enabled": True}, now=NOW) == []
    assert found.version == 1
    later = NOW + timedelta(minutes=1)
    assert found.change({"enabled": False, "allow_backwards": True}, now=later) == [
        "allow_backwards",
        "enabled",
    ]
    assert (found.version, found.updated_at) == (2, later)
    with pytest.raises(InvalidValue) as refused:
        found.change({"stage_id": 4}, now=later)
    assert refused.value.field == "stage_id"


def test_a_webhook_triggers_token_holds_its_id_and_secret() -> None:
    secret = "s3cr3t-Secret_of-forty-three-characters-xyz"
    hook = trigger(id=42, hook_secret=secret)
    assert hook.hook_token == f"cvh_42_{secret}"
    assert parse_hook_token(hook.hook_token) == (42, secret)
    assert trigger(id=42, event=E.TASK_COMPLETED, hook_secret=secret).hook_token is None
    assert trigger(id=42, hook_secret=None).hook_token is None
    for junk in ("", "cvh_", "cvh_42", "cvh_0_" + secret, "cv_42_" + secret, "cvh_42_short"):
        assert parse_hook_token(junk) is None
    assert parse_hook_token(f"cvh_{2**63}_{secret}") is None
    assert parse_hook_token(f"cvh_42_{secret}/../x") is None


def test_a_new_order_names_every_trigger_of_the_stage_once() -> None:
    check_order([1, 2, 3], [3, 1, 2])
    for wanted, field in (
        ([1, 1, 2], "trigger_ids.1"),
        ([1, 2, 9], "trigger_ids.2"),
        ([1, 2], "trigger_ids"),
    ):
        with pytest.raises(InvalidValue) as refused:
            check_order([1, 2, 3], wanted)
        assert refused.value.field == field


def test_a_payment_is_an_exact_amount_above_zero_paid_by_now() -> None:
    assert check_payment_amount("1500.5") == Decimal("1500.50")
    assert check_payment_amount(20) == Decimal("20.00")
    for bad in ("0", "-1", "0.001", "abc", True, None, "1e20"):
        with pytest.raises(InvalidValue) as refused:
            check_payment_amount(bad)
        assert refused.value.field == "amount"
    assert check_paid_at(NOW + timedelta(minutes=4), now=NOW) == NOW + timedelta(minutes=4)
    with pytest.raises(InvalidValue) as refused:
        check_paid_at(NOW + timedelta(minutes=6), now=NOW)
    assert refused.value.field == "paid_at"
    with pytest.raises(NaiveDatetime):
        check_paid_at(datetime(2026, 3, 2, 9, 0), now=NOW)
    assert check_note("  ") is None
    assert check_note(" Wire transfer ") == "Wire transfer"
    with pytest.raises(InvalidValue):
        check_note("x" * 2001)


def test_a_total_counts_only_the_payments_in_its_currency() -> None:
    def paid(amount: str, currency: str) -> Payment:
        return Payment(
            entity_type="deal",
            item_id=1,
            amount=Decimal(amount),
            currency=currency,
            paid_at=NOW,
            created_at=NOW,
        )

    found = [paid("100.10", "RUB"), paid("50.00", "USD"), paid("0.90", "RUB")]
    assert paid_total(found, "RUB") == Decimal("101.00")
    assert paid_total([], "RUB") == Decimal("0.00")
