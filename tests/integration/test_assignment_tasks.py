"""Task rules: a task set without a responsible goes to the support agent with the fewest
open tasks who is present, never over their cap; when all are full it waits with its
creator and goes to the first agent who closes a task."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from conveyor.domain.actors import SYSTEM
from conveyor.domain.assignment_decisions import AssignmentOutcome
from conveyor.domain.distribution_rules import RuleEntity
from conveyor.domain.errors import InvalidValue
from conveyor.domain.tasks import TaskAction
from conveyor.services import distribution_rules as rules
from conveyor.services import tasks
from conveyor.services.assignment_decisions import latest_task_decision
from conveyor.storage.unit_of_work import UnitOfWork
from conveyor.testing import FakeClock
from tests.integration.crm_setup import hire, outbox


@pytest.fixture
def support(uow: UnitOfWork, clock: FakeClock) -> dict[str, Any]:
    """Sofia sets tasks; agents Alex and Bella hold at most two open tasks each."""
    people = {name: hire(uow, clock, name) for name in ("Sofia", "Alex", "Bella")}
    rule = rules.create_rule(
        uow,
        rules.RuleSpec(
            name="Support tasks",
            entity_type=RuleEntity.TASK,
            employee_ids=[people["Alex"], people["Bella"]],
            count_open_tasks=True,
            default_capacity_points=Decimal(2),
        ),
        actor=SYSTEM,
        now=clock(),
    )
    return {"people": people, "rule": rule}


def new_task(uow: UnitOfWork, clock: FakeClock, support: dict[str, Any], title: str) -> Any:
    clock.advance(minutes=1)
    command = tasks.CreateTask(title=title, creator_id=support["people"]["Sofia"])
    return tasks.create_task(uow, command, actor=SYSTEM, now=clock()).task


def test_a_task_without_a_responsible_goes_to_the_agent_with_fewest_open_tasks(
    uow: UnitOfWork, clock: FakeClock, support: dict[str, Any]
) -> None:
    people = support["people"]
    first = new_task(uow, clock, support, "Reset a password")
    second = new_task(uow, clock, support, "Restore a backup")
    assert {first.responsible_id, second.responsible_id} == {people["Alex"], people["Bella"]}
    decision = latest_task_decision(uow, second.id, actor=SYSTEM, now=clock())
    assert decision.outcome is AssignmentOutcome.ASSIGNED
    assert decision.entity_type == "task" and decision.stage_id is None
    assert "open" in decision.sentence or "load" in decision.sentence
    changed = [p for kind, p in outbox(uow) if kind == "TaskResponsibleChanged"]
    assert [p["to"] for p in changed] == [first.responsible_id, second.responsible_id]


def test_when_every_agent_is_full_the_task_waits_with_its_creator_until_one_closes_a_task(
    uow: UnitOfWork, clock: FakeClock, support: dict[str, Any]
) -> None:
    people = support["people"]
    held = [new_task(uow, clock, support, f"Ticket {n}") for n in range(4)]
    waiting = new_task(uow, clock, support, "Ticket 5")
    assert waiting.responsible_id == people["Sofia"]
    decision = latest_task_decision(uow, waiting.id, actor=SYSTEM, now=clock())
    assert decision.outcome is AssignmentOutcome.NOBODY_FREE
    closer = held[1]
    clock.advance(minutes=3)
    tasks.act_on_task(uow, closer.id, TaskAction.START, actor=SYSTEM, now=clock())
    tasks.act_on_task(uow, closer.id, TaskAction.COMPLETE, actor=SYSTEM, now=clock())
    with uow:
        assert uow.tasks.get(waiting.id).responsible_id == closer.responsible_id
    decision = latest_task_decision(uow, waiting.id, actor=SYSTEM, now=clock())
    assert decision.outcome is AssignmentOutcome.ASSIGNED
    assert decision.data["waited"]["seconds"] == 180


def test_a_waiting_task_handed_over_by_hand_leaves_the_queue(
    uow: UnitOfWork, clock: FakeClock, support: dict[str, Any]
) -> None:
    held = [new_task(uow, clock, support, f"Ticket {n}") for n in range(4)]
    waiting = new_task(uow, clock, support, "Urgent")
    dan = hire(uow, clock, "Dan")
    tasks.update_task(uow, waiting.id, {"responsible_id": dan}, actor=SYSTEM, now=clock())
    tasks.act_on_task(uow, held[0].id, TaskAction.COMPLETE, actor=SYSTEM, now=clock())
    with uow:
        assert uow.assignment_queue.waiting(support["rule"].id, limit=10) == []
        assert uow.tasks.get(waiting.id).responsible_id == dan
    ended = [p for kind, p in outbox(uow) if kind == "AssignmentWaitingEnded"]
    assert [p["why"] for p in ended] == ["the task was closed or handed to someone"]


def test_a_task_no_rule_takes_is_refused_and_nothing_is_created(
    uow: UnitOfWork, clock: FakeClock, support: dict[str, Any]
) -> None:
    rules.update_rule(uow, support["rule"].id, {"enabled": False}, actor=SYSTEM, now=clock())
    before = len(outbox(uow))
    with pytest.raises(InvalidValue) as refused:
        new_task(uow, clock, support, "Nobody's task")
    assert refused.value.field == "responsible_id"
    with uow:
        assert uow.tasks.where() == []
    assert len(outbox(uow)) == before


def test_a_condition_sends_tasks_under_control_to_the_seniors(
    uow: UnitOfWork, clock: FakeClock, support: dict[str, Any]
) -> None:
    senior = hire(uow, clock, "Vera Senior")
    rules.create_rule(
        uow,
        rules.RuleSpec(
            name="Controlled tasks to seniors",
            entity_type=RuleEntity.TASK,
            priority=10,
            condition="task.requires_acceptance",
            employee_ids=[senior],
        ),
        actor=SYSTEM,
        now=clock(),
    )
    command = tasks.CreateTask(
        title="Audit", creator_id=support["people"]["Sofia"], requires_acceptance=True
    )
    audited = tasks.create_task(uow, command, actor=SYSTEM, now=clock()).task
    plain = new_task(uow, clock, support, "Plain")
    assert audited.responsible_id == senior
    assert plain.responsible_id in (support["people"]["Alex"], support["people"]["Bella"])


def test_the_agent_chosen_leaves_the_members_and_the_creator_may_observe(
    uow: UnitOfWork, clock: FakeClock, support: dict[str, Any]
) -> None:
    people = support["people"]
    command = tasks.CreateTask(
        title="Migrate a mailbox",
        creator_id=people["Sofia"],
        co_executor_ids=[people["Alex"]],
        observer_ids=[people["Sofia"], people["Bella"]],
    )
    view = tasks.create_task(uow, command, actor=SYSTEM, now=clock())
    chosen = view.task.responsible_id
    assert chosen in (people["Alex"], people["Bella"])
    assert chosen not in view.co_executor_ids and chosen not in view.observer_ids
    assert people["Sofia"] in view.observer_ids
