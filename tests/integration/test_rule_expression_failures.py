"""A rule's expressions read only what exists, and a rule that still fails says so.

The story: the studio weighs prepaid deals by their number of pages. An admin who types a
field deals do not have is refused on save, at the field and the spot. A rule saved before
its field was deleted cannot be computed any more: the deal that reaches its stage is not
silently stuck — the decision says which expression failed and why, the admins are told,
and the move itself goes through.
"""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import Any

import pytest

from conveyor.domain.absences import AbsenceKind
from conveyor.domain.actors import SYSTEM
from conveyor.domain.assignment_decisions import AssignmentDecision, AssignmentOutcome
from conveyor.domain.distribution_rules import DistributionRule, RuleEntity
from conveyor.domain.errors import InvalidExpression
from conveyor.domain.field_types import FieldType
from conveyor.domain.notification_texts import ASSIGNMENT_FAILED
from conveyor.domain.pipelines import EntityType
from conveyor.domain.tokens import Role
from conveyor.services import absences, crm_items, custom_fields, logins, org, tasks
from conveyor.services import distribution_rules as rules
from conveyor.services.assignment_decisions import latest_decision, latest_task_decision
from conveyor.storage.unit_of_work import UnitOfWork
from conveyor.testing import FakeClock
from tests.integration.crm_setup import DEAL, agency_pipeline, hire, new_deal, outbox

PASSWORD = "correct horse battery"


def field(uow: UnitOfWork, clock: FakeClock, code: str, kind: FieldType, **extra: Any) -> int:
    entity = extra.pop("entity_type", DEAL)
    created = custom_fields.create_field(
        uow,
        custom_fields.CreateField(entity_type=entity, code=code, name=code, type=kind, **extra),
        actor=SYSTEM,
        now=clock(),
    )
    assert created.id is not None
    return created.id


@pytest.fixture
def studio(uow: UnitOfWork, clock: FakeClock) -> dict[str, Any]:
    """The Sales pipeline; deals have ``pages`` (a number) and ``size`` (a text); Dmitry
    takes prepaid deals up to 10 points; Anna is the admin, Oleg a manager."""
    stages = agency_pipeline(uow, clock)
    fields = {
        "pages": field(uow, clock, "pages", FieldType.NUMBER),
        "size": field(uow, clock, "size", FieldType.STRING),
    }
    people = {name: hire(uow, clock, name) for name in ("Oleg", "Dmitry", "Daria")}
    anna, _ = org.create_employee(
        uow, org.CreateEmployee(name="Anna", email="anna@example.com"), actor=SYSTEM, now=clock()
    )
    assert anna.id is not None
    people["Anna"] = anna.id
    logins.set_login(
        uow, people["Anna"], role=Role.ADMIN, password=PASSWORD, actor=SYSTEM, now=clock()
    )
    return {"stages": stages, "fields": fields, "people": people}


def spec(studio: dict[str, Any], **changes: Any) -> rules.RuleSpec:
    prepaid = studio["stages"]["Prepayment received"]
    values: dict[str, Any] = {
        "name": "Prepaid deals to Dmitry",
        "entity_type": RuleEntity.DEAL,
        "pipeline_id": prepaid.pipeline_id,
        "trigger_stage_id": prepaid.id,
        "employee_ids": [studio["people"]["Dmitry"]],
        "default_capacity_points": Decimal(10),
        "in_work_stage_ids": [studio["stages"]["Development started"].id or 0],
        "weight": "deal.pages",
    }
    return rules.RuleSpec(**{**values, **changes})


def rule_of(uow: UnitOfWork, clock: FakeClock, studio: dict[str, Any], **changes: Any) -> Any:
    return rules.create_rule(uow, spec(studio, **changes), actor=SYSTEM, now=clock())


def stored(uow: UnitOfWork, rule: DistributionRule) -> DistributionRule:
    assert rule.id is not None
    return rules.get_rule(uow, rule.id, actor=SYSTEM)


def prepaid(uow: UnitOfWork, clock: FakeClock, studio: dict[str, Any], **fields: Any) -> int:
    """A deal of Oleg's at Invoice, moved to Prepayment received by hand."""
    clock.advance(minutes=1)
    deal = new_deal(
        uow,
        clock,
        stage_id=studio["stages"]["Invoice"].id,
        responsible_id=studio["people"]["Oleg"],
        fields=fields,
    )
    assert deal.id is not None
    clock.advance(minutes=1)
    target = studio["stages"]["Prepayment received"].id or 0
    crm_items.move_item(uow, DEAL, deal.id, target, actor=SYSTEM, now=clock())
    return deal.id


def where(uow: UnitOfWork, deal_id: int) -> tuple[int | None, str]:
    with uow:
        item = uow.items.get(deal_id)
        return item.responsible_id, uow.stages.get(item.stage_id).name


def decision_of(uow: UnitOfWork, deal_id: int) -> AssignmentDecision:
    return latest_decision(uow, EntityType.DEAL, deal_id, actor=SYSTEM)


def waiting(uow: UnitOfWork) -> list[int]:
    with uow:
        return [
            entry.item_id
            for rule_id in uow.assignment_queue.rules_waiting()
            for entry in uow.assignment_queue.waiting(rule_id, limit=100)
        ]


def told(uow: UnitOfWork, employee_id: int) -> list[dict[str, Any]]:
    with uow:
        return [
            {**n.params, "link": (n.link_entity, n.link_id)}
            for n in uow.notifications.where(recipient_id=employee_id, kind=ASSIGNMENT_FAILED)
        ]


# On save: an expression reads only what its records hold.

UNKNOWN_READS = [
    ("weight", "deal.nonexistent * 2", (1, 6), "deal has no attribute or field 'nonexistent'"),
    ("condition", 'deal.fields["colour"] == "red"', (1, 13), "deal.fields has no"),
    ("condition", "deal.pages > 3 and deal.ammount > 5", (1, 25), "did you mean 'amount'"),
    ("queue_priority", "contact.loyalty", (1, 9), "contact has no attribute or field"),
    ("weight", "1 if company.fields.tier else 2", (1, 21), "company.fields has no"),
    ("condition", "responsible.salary > 100", (1, 13), "responsible has no"),
]


@pytest.mark.parametrize(("part", "text", "position", "says"), UNKNOWN_READS)
def test_a_rule_reading_something_its_records_do_not_have_is_refused_and_nothing_is_saved(
    uow: UnitOfWork,
    clock: FakeClock,
    studio: dict[str, Any],
    part: str,
    text: str,
    position: tuple[int, int],
    says: str,
) -> None:
    with pytest.raises(InvalidExpression) as refused:
        rule_of(uow, clock, studio, **{part: text})
    assert refused.value.field == part
    assert (refused.value.line, refused.value.column) == position
    assert says in refused.value.message
    assert rules.list_rules(uow, actor=SYSTEM, limit=10, offset=0).total == 0

    rule = rule_of(uow, clock, studio)
    before = stored(uow, rule)
    with pytest.raises(InvalidExpression) as refused:
        rules.update_rule(uow, rule.id, {part: text}, actor=SYSTEM, now=clock())
    assert refused.value.field == part
    assert stored(uow, rule) == before
    assert not [kind for kind, _ in outbox(uow) if kind == "DistributionRuleChanged"]


def test_everything_the_records_hold_may_be_read(
    uow: UnitOfWork, clock: FakeClock, studio: dict[str, Any]
) -> None:
    field(uow, clock, "vip", FieldType.BOOLEAN, entity_type=EntityType.CONTACT)
    field(uow, clock, "tier", FieldType.STRING, entity_type=EntityType.COMPANY)
    weight = (
        "deal.pages + (deal.fields.pages or 0) + len(deal['size'] or '') + len(deal.title)"
        " + (deal.amount or 0) * 0 + (1 if deal.stage_entered_at and deal.contact_id else 0)"
        " + (1 if contact.vip or contact.fields.vip or contact.email or contact.company_id"
        " else 0) + (1 if company.tier == 'gold' or company.name else 0)"
        " + (1 if responsible.position or 'design' in responsible.skills else 0)"
        " + (1 if deal[deal.title] or deal.fields[contact.name] else 0)"
    )
    rule = rule_of(uow, clock, studio, weight=weight, queue_priority="deal.pages or 0")
    assert stored(uow, rule).weight == weight
    task_rule = rules.create_rule(
        uow,
        rules.RuleSpec(
            name="Support tasks",
            entity_type=RuleEntity.TASK,
            employee_ids=[studio["people"]["Daria"]],
            condition="task.requires_acceptance or task.deadline is None or task.status",
            weight="2 if 'urgent' in lower(task.title) and company.tier else 1",
        ),
        actor=SYSTEM,
        now=clock(),
    )
    with pytest.raises(InvalidExpression) as refused:
        rules.update_rule(uow, task_rule.id, {"weight": "task.points"}, actor=SYSTEM, now=clock())
    assert refused.value.field == "weight"
    assert "task has no attribute or field 'points'" in refused.value.message


def test_a_rule_whose_field_was_deleted_can_still_be_switched_off_but_not_rewritten_with_it(
    uow: UnitOfWork, clock: FakeClock, studio: dict[str, Any]
) -> None:
    rule = rule_of(uow, clock, studio, weight="deal.pages * 2", condition="deal.size != 'tiny'")
    custom_fields.delete_field(uow, studio["fields"]["pages"], actor=SYSTEM, now=clock())
    switched = rules.update_rule(uow, rule.id, {"enabled": False}, actor=SYSTEM, now=clock())
    assert (switched.enabled, switched.version) == (False, 2)
    with pytest.raises(InvalidExpression) as refused:
        rules.update_rule(uow, rule.id, {"weight": "deal.pages * 3"}, actor=SYSTEM, now=clock())
    assert refused.value.field == "weight"
    assert stored(uow, rule).weight == "deal.pages * 2"


# At assignment: a rule that cannot be computed decides, and says why.


def test_a_rule_whose_weight_reads_a_field_that_was_deleted_records_why_it_could_not_assign(
    uow: UnitOfWork,
    clock: FakeClock,
    studio: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    people = studio["people"]
    rule = rule_of(uow, clock, studio, weight="deal.pages * 2")
    custom_fields.delete_field(uow, studio["fields"]["pages"], actor=SYSTEM, now=clock())

    with caplog.at_level(logging.WARNING, logger="conveyor.assignment"):
        deal_id = prepaid(uow, clock, studio)

    # The move went through; the deal stays with Oleg, who held it.
    assert where(uow, deal_id) == (people["Oleg"], "Prepayment received")
    decision = decision_of(uow, deal_id)
    assert (decision.outcome, decision.chosen_id) == (AssignmentOutcome.RULE_FAILED, None)
    assert (decision.rule_id, decision.rule_version) == (rule.id, 1)
    failure = decision.data["failure"]
    assert failure["field"] == "weight"
    assert failure["message"].startswith("cannot compute empty * number (at line 1, column 12)")
    assert (failure["line"], failure["column"]) == (1, 12)
    assert decision.sentence == (
        f"Deal {deal_id} was not assigned: rule «Prepaid deals to Dmitry» could not compute "
        "its weight: cannot compute empty * number (at line 1, column 12)"
    )
    assert waiting(uow) == []
    failed = [p for kind, p in outbox(uow) if kind == "AssignmentFailed"]
    assert [(p["decision_id"], p["failure"]["field"]) for p in failed] == [(decision.id, "weight")]
    assert not [kind for kind, _ in outbox(uow) if kind in ("ItemAssigned", "AssignmentWaiting")]
    assert told(uow, people["Anna"]) == [
        {
            "title": "Website",
            "rule": "Prepaid deals to Dmitry",
            "reason": "weight: cannot compute empty * number (at line 1, column 12)",
            "link": ("deal", deal_id),
        }
    ]
    assert told(uow, people["Oleg"]) == told(uow, people["Dmitry"]) == []
    [warning] = [r for r in caplog.records if r.name == "conveyor.assignment"]
    assert warning.levelno == logging.WARNING
    assert f"deal {deal_id}" in warning.getMessage() and "weight failed" in warning.getMessage()

    # The entry is decided once: replaying the entry changes nothing.
    crm_items.move_item(
        uow, DEAL, deal_id, studio["stages"]["Prepayment received"].id or 0,
        actor=SYSTEM, now=clock(),
    )  # fmt: skip
    with uow:
        assert len(uow.assignment_decisions.where(item_id=deal_id)) == 1


def test_a_weight_that_turns_out_to_be_text_records_the_failure(
    uow: UnitOfWork, clock: FakeClock, studio: dict[str, Any]
) -> None:
    rule_of(uow, clock, studio, weight="deal.size * 2")
    deal_id = prepaid(uow, clock, studio, size="large")
    assert where(uow, deal_id) == (studio["people"]["Oleg"], "Prepayment received")
    failure = decision_of(uow, deal_id).data["failure"]
    assert failure["field"] == "weight"
    assert failure["message"] == "the weight is not a number but 'largelarge'"


def test_a_condition_that_cannot_be_computed_stops_there_and_no_lower_rule_takes_the_deal(
    uow: UnitOfWork, clock: FakeClock, studio: dict[str, Any]
) -> None:
    people = studio["people"]
    picky = rule_of(uow, clock, studio, priority=10, condition="deal.size > 5", weight="1")
    catch_all = rule_of(
        uow, clock, studio, name="Everything else to Daria", employee_ids=[people["Daria"]]
    )
    with_size = prepaid(uow, clock, studio, size="large", pages=2)
    decision = decision_of(uow, with_size)
    assert (decision.outcome, decision.rule_id) == (AssignmentOutcome.RULE_FAILED, picky.id)
    assert decision.data["failure"]["field"] == "condition"
    assert decision.data["failure"]["message"].startswith("cannot compare text with number")
    assert where(uow, with_size) == (people["Oleg"], "Prepayment received")

    # A deal without a size simply does not meet the condition: the next rule takes it.
    without = prepaid(uow, clock, studio, pages=2)
    taken = decision_of(uow, without)
    assert (taken.outcome, taken.rule_id) == (AssignmentOutcome.ASSIGNED, catch_all.id)
    assert taken.data["skipped_rules"] == [
        {"rule_id": picky.id, "version": 1, "why": "condition is false"}
    ]
    assert where(uow, without)[0] == people["Daria"]


def test_a_waiting_deal_whose_rule_starts_failing_leaves_the_queue_with_the_failure_recorded(
    uow: UnitOfWork, clock: FakeClock, studio: dict[str, Any]
) -> None:
    people, stages = studio["people"], studio["stages"]
    rule_of(uow, clock, studio, default_capacity_points=Decimal(5))
    first = prepaid(uow, clock, studio, pages=5)
    crm_items.move_item(
        uow, DEAL, first, stages["Development started"].id or 0, actor=SYSTEM, now=clock()
    )
    second = prepaid(uow, clock, studio, pages=3)
    assert decision_of(uow, second).outcome is AssignmentOutcome.NOBODY_FREE
    assert waiting(uow) == [second]

    custom_fields.delete_field(uow, studio["fields"]["pages"], actor=SYSTEM, now=clock())
    clock.advance(minutes=5)
    crm_items.move_item(uow, DEAL, first, stages["Done"].id or 0, actor=SYSTEM, now=clock())

    assert waiting(uow) == []
    assert where(uow, second) == (people["Oleg"], "Prepayment received")
    decision = decision_of(uow, second)  # the entry's one decision, now failed
    assert decision.outcome is AssignmentOutcome.RULE_FAILED
    assert decision.data["failure"]["message"] == "the weight is not a number but None"
    assert decision.data["waited"]["seconds"] == 5 * 60
    assert "nobody is free" in decision.data["waited"]["first_sentence"]
    ended = [p for kind, p in outbox(uow) if kind == "AssignmentWaitingEnded"]
    assert [p["why"] for p in ended] == [
        "the rule failed: weight: the weight is not a number but None"
    ]
    assert [n["link"] for n in told(uow, people["Anna"])] == [("deal", second)]


def test_a_queue_priority_that_cannot_be_computed_lets_the_deal_wait_by_age_and_says_so(
    uow: UnitOfWork, clock: FakeClock, studio: dict[str, Any]
) -> None:
    today = clock().date()
    absences.register_absence(
        uow,
        absences.RegisterAbsence(
            employee_id=studio["people"]["Dmitry"],
            kind=AbsenceKind.VACATION,
            starts_on=today,
            ends_on=today,
        ),
        actor=SYSTEM,
        now=clock(),
    )
    rule_of(uow, clock, studio, queue_priority="deal.size + 1")
    deal_id = prepaid(uow, clock, studio, size="large", pages=2)
    decision = decision_of(uow, deal_id)
    assert decision.outcome is AssignmentOutcome.NOBODY_FREE
    noted = decision.data["queue_priority_failed"]
    assert noted["field"] == "queue_priority"
    assert noted["message"].startswith("cannot compute text + number")
    with uow:
        [entry] = uow.assignment_queue.for_item("deal", deal_id)
    assert entry.priority == 0


def test_a_task_rule_that_fails_leaves_the_task_with_its_creator_and_says_why(
    uow: UnitOfWork, clock: FakeClock, studio: dict[str, Any]
) -> None:
    people = studio["people"]
    rules.create_rule(
        uow,
        rules.RuleSpec(
            name="Support tasks",
            entity_type=RuleEntity.TASK,
            employee_ids=[people["Daria"]],
            weight="task.title * 2",
        ),
        actor=SYSTEM,
        now=clock(),
    )
    command = tasks.CreateTask(title="Reset a password", creator_id=people["Oleg"])
    task = tasks.create_task(uow, command, actor=SYSTEM, now=clock()).task
    assert task.responsible_id == people["Oleg"]
    decision = latest_task_decision(uow, task.id, actor=SYSTEM, now=clock())
    assert decision.outcome is AssignmentOutcome.RULE_FAILED
    assert decision.sentence.startswith(f"Task {task.id} was not assigned: rule «Support tasks»")
    assert [n["link"] for n in told(uow, people["Anna"])] == [("task", task.id)]


def test_a_dismissed_admin_is_not_told(
    uow: UnitOfWork, clock: FakeClock, studio: dict[str, Any]
) -> None:
    people = studio["people"]
    rule_of(uow, clock, studio, weight="deal.size * 2")
    org.update_employee(uow, people["Anna"], {"status": "dismissed"}, actor=SYSTEM, now=clock())
    deal_id = prepaid(uow, clock, studio, size="large")
    assert decision_of(uow, deal_id).outcome is AssignmentOutcome.RULE_FAILED
    assert told(uow, people["Anna"]) == []
