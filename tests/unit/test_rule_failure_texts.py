"""A rule that could not be computed: its sentence, its decision's outcome and event, and
what the records it reads hold (kept in step with how their context is built)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from conveyor.domain.assignment_decisions import AssignmentDecision, AssignmentOutcome
from conveyor.domain.clients import Company, Contact
from conveyor.domain.languages import Language
from conveyor.domain.notification_texts import ASSIGNMENT_FAILED, render
from conveyor.domain.tasks import Task
from conveyor.engines.assignment.explain import explain_failure
from conveyor.services.assignment_attributes import plain_attributes
from conveyor.services.assignment_context import client_record, plain_record

NOW = datetime(2026, 3, 2, 9, tzinfo=UTC)


def test_the_sentence_names_the_item_the_rule_the_part_and_the_first_line_of_the_reason() -> None:
    sentence = explain_failure(
        entity="deal",
        item_id=42,
        rule="Paid deals",
        part="queue_priority",
        reason="cannot compute empty * number (at line 1, column 12):\n    deal.x * 2\n   ^",
    )
    assert sentence == (
        "Deal 42 was not assigned: rule «Paid deals» could not compute its queue priority: "
        "cannot compute empty * number (at line 1, column 12)"
    )


def decision() -> AssignmentDecision:
    return AssignmentDecision(
        id=5,
        rule_id=3,
        rule_version=1,
        entity_type="deal",
        item_id=42,
        stage_id=7,
        stage_entered_at=NOW,
        decided_at=NOW,
        outcome=AssignmentOutcome.NOBODY_FREE,
        data={"skipped_rules": []},
        sentence="Deal 42 waits: nobody is free.",
    )


def test_a_waiting_decision_that_fails_keeps_when_it_waited_and_says_assignment_failed() -> None:
    waited = decision()
    failure = {"field": "weight", "message": "boom", "line": 1, "column": 1}
    waited.fail_after_waiting(
        data={"rule": {"id": 3, "version": 2, "name": "Paid"}, "failure": failure},
        sentence="Deal 42 was not assigned: …",
        now=NOW + timedelta(minutes=3),
    )
    assert (waited.outcome, waited.chosen_id, waited.rule_version) == (
        AssignmentOutcome.RULE_FAILED,
        None,
        2,
    )
    assert waited.data["waited"]["seconds"] == 180
    assert waited.data["waited"]["first_sentence"] == "Deal 42 waits: nobody is free."
    event = waited.event()
    assert (event.type, event.payload["failure"]) == ("AssignmentFailed", failure)


def test_the_admins_notice_reads_naturally_in_both_languages() -> None:
    params = {"title": "Shop", "rule": "Paid deals", "reason": "weight: division by zero"}
    assert render(ASSIGNMENT_FAILED, params, Language.EN, about="deal").subject == (
        "Rule «Paid deals» could not assign deal «Shop»"
    )
    assert render(ASSIGNMENT_FAILED, params, Language.RU, about="deal").body == (
        "Правило «Paid deals» не смогло назначить сделку «Shop»: weight: division by zero. "
        "Исправьте правило; пока сделка остаётся у прежнего ответственного."
    )


def test_what_a_rule_may_read_of_a_task_contact_or_company_is_what_its_record_holds() -> None:
    task = Task(
        id=1,
        title="Call",
        creator_id=2,
        responsible_id=2,
        created_at=NOW,
        updated_at=NOW,
        status_changed_at=NOW,
    )
    # Every optional value empty: the record holds each attribute that may ever be read.
    assert set(plain_record(task)) == plain_attributes(Task)
    contact = Contact(id=1, name="Ivan", fields={"vip": True}, created_at=NOW, updated_at=NOW)
    assert set(plain_record(contact)) == plain_attributes(Contact)
    assert client_record(contact)["vip"] is True
    company = Company(
        id=1, name="Acme", fields={"name": "shadowed"}, created_at=NOW, updated_at=NOW
    )
    assert client_record(company)["name"] == "Acme"  # an attribute wins over a custom code
    assert plain_attributes(Company) <= plain_attributes(Contact)
    assert "deadline" in plain_attributes(Task) and "created_at" not in plain_attributes(Task)
