"""The waiting queue: when nobody is free the deal waits, and it is assigned the moment
capacity frees — in the transaction that frees it — in order of priority, then age.

The story: two designers take at most one deal each in *Development started*. A third paid
deal must wait; it goes to whoever finishes first, never to someone already full.
"""

from __future__ import annotations

import itertools
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conveyor.domain.absences import AbsenceKind
from conveyor.domain.actors import SYSTEM
from conveyor.domain.assignment_decisions import AssignmentOutcome
from conveyor.domain.distribution_rules import RuleEntity
from conveyor.domain.robot_params import ActionKind
from conveyor.domain.workdays import DayAction
from conveyor.services import absences, crm_items, org, pipelines, tasks, workdays
from conveyor.services import distribution_rules as rules
from conveyor.services.assignment_queue import sweep_assignments
from conveyor.storage.unit_of_work import UnitOfWork
from conveyor.testing import FakeClock
from tests.integration.crm_setup import DEAL, agency_pipeline, hire, new_deal, outbox
from tests.integration.robot_office import robot


@pytest.fixture
def studio(uow: UnitOfWork, clock: FakeClock) -> dict[str, Any]:
    """Design department (head Helen, never a candidate), designers Dmitry and Daria with a
    cap of one deal in development each; the rule escalates after 30 minutes of waiting."""
    stages = agency_pipeline(uow, clock)
    design = org.create_department(
        uow, org.CreateDepartment(name="Design"), actor=SYSTEM, now=clock()
    )
    assert design.id is not None
    people = {}
    for name in ("Helen Head", "Dmitry Designer", "Daria Designer"):
        employee, _ = org.create_employee(
            uow,
            org.CreateEmployee(name=name, department_ids=[design.id]),
            actor=SYSTEM,
            now=clock(),
        )
        people[name.split()[0]] = employee.id
    org.update_department(uow, design.id, {"head_id": people["Helen"]}, actor=SYSTEM, now=clock())
    rule = rules.create_rule(
        uow,
        rules.RuleSpec(
            name="Paid deals to design",
            entity_type=RuleEntity.DEAL,
            pipeline_id=stages["Prepayment received"].pipeline_id,
            trigger_stage_id=stages["Prepayment received"].id,
            department_ids=[design.id],
            exclude_heads=True,
            default_capacity_points=Decimal(1),
            in_work_stage_ids=[stages["Development started"].id or 0],
            next_stage_id=stages["Development started"].id,
            escalate_after_minutes=30,
            queue_priority="10 if deal.amount and deal.amount >= 1000 else 0",
        ),
        actor=SYSTEM,
        now=clock(),
    )
    return {"stages": stages, "people": people, "rule": rule, "design": design}


def away_today(uow: UnitOfWork, clock: FakeClock, person: int, kind: AbsenceKind) -> Any:
    today = clock().date()
    command = absences.RegisterAbsence(
        employee_id=person, kind=kind, starts_on=today, ends_on=today
    )
    return absences.register_absence(uow, command, actor=SYSTEM, now=clock())


def paid(uow: UnitOfWork, clock: FakeClock, studio: dict[str, Any], title: str, **kw: Any) -> int:
    clock.advance(minutes=1)
    deal = new_deal(uow, clock, title, stage_id=studio["stages"]["Prepayment received"].id, **kw)
    assert deal.id is not None
    return deal.id


def finish(uow: UnitOfWork, clock: FakeClock, studio: dict[str, Any], deal_id: int) -> None:
    clock.advance(minutes=1)
    done = studio["stages"]["Done"].id
    crm_items.move_item(uow, DEAL, deal_id, done, actor=SYSTEM, now=clock())


def state(uow: UnitOfWork, deal_id: int) -> tuple[int | None, str]:
    with uow:
        item = uow.items.get(deal_id)
        stage = uow.stages.get(item.stage_id)
        return item.responsible_id, stage.name


def waiting(uow: UnitOfWork) -> list[int]:
    with uow:
        rule_ids = uow.assignment_queue.rules_waiting()
        return [e.item_id for r in rule_ids for e in uow.assignment_queue.waiting(r, limit=100)]


def decision(uow: UnitOfWork, deal_id: int) -> Any:
    with uow:
        [only] = uow.assignment_decisions.where(item_id=deal_id)
        return only


def test_a_paid_deal_waits_when_every_designer_is_full_and_goes_to_the_first_who_finishes(
    uow: UnitOfWork, clock: FakeClock, studio: dict[str, Any]
) -> None:
    people = studio["people"]
    first = paid(uow, clock, studio, "Shop")
    second = paid(uow, clock, studio, "Blog")
    third = paid(uow, clock, studio, "Landing")
    holders = {state(uow, first)[0], state(uow, second)[0]}
    assert holders == {people["Dmitry"], people["Daria"]}
    assert state(uow, third) == (None, "Prepayment received")
    waited = decision(uow, third)
    assert waited.outcome is AssignmentOutcome.NOBODY_FREE
    assert "capacity" in waited.sentence
    assert waiting(uow) == [third]

    finish(uow, clock, studio, second)

    who_finished = state(uow, second)[0]
    assert state(uow, third) == (who_finished, "Development started")
    assert waiting(uow) == []
    assigned = decision(uow, third)  # still the entry's one decision, now assigned
    assert assigned.id == waited.id
    assert assigned.outcome is AssignmentOutcome.ASSIGNED
    assert assigned.chosen_id == who_finished
    assert assigned.data["waited"]["seconds"] == 60
    assert "capacity" in assigned.data["waited"]["first_sentence"]
    kinds = [kind for kind, payload in outbox(uow) if payload.get("decision_id") == waited.id]
    assert kinds == ["AssignmentWaiting", "ItemAssigned"]


def test_the_queue_serves_priority_first_then_the_longest_waiting(
    uow: UnitOfWork, clock: FakeClock, studio: dict[str, Any]
) -> None:
    busy = [paid(uow, clock, studio, f"Busy {n}") for n in range(2)]
    small_old = paid(uow, clock, studio, "Small, old", amount=100)
    small_new = paid(uow, clock, studio, "Small, new", amount=200)
    big = paid(uow, clock, studio, "Big", amount=5000)
    assert waiting(uow) == [big, small_old, small_new]

    finish(uow, clock, studio, busy[0])
    assert state(uow, big)[1] == "Development started"
    finish(uow, clock, studio, busy[1])
    assert state(uow, small_old)[1] == "Development started"
    assert waiting(uow) == [small_new]


def test_a_waiting_deal_moved_on_by_hand_leaves_the_queue_and_is_never_assigned_later(
    uow: UnitOfWork, clock: FakeClock, studio: dict[str, Any]
) -> None:
    busy = [paid(uow, clock, studio, f"Busy {n}") for n in range(2)]
    patient = paid(uow, clock, studio, "Patient")
    clock.advance(minutes=1)
    invoice = studio["stages"]["Invoice"].id
    crm_items.move_item(uow, DEAL, patient, invoice, actor=SYSTEM, now=clock())
    assert waiting(uow) == []
    finish(uow, clock, studio, busy[0])
    assert state(uow, patient) == (None, "Invoice")
    assert decision(uow, patient).outcome is AssignmentOutcome.NOBODY_FREE
    ended = [p for kind, p in outbox(uow) if kind == "AssignmentWaitingEnded"]
    assert ended and ended[0]["why"] == "the item left the stage"


def test_a_new_arrival_never_jumps_the_queue(
    uow: UnitOfWork, clock: FakeClock, studio: dict[str, Any]
) -> None:
    people = studio["people"]
    # Daria is on vacation today, so Dmitry takes the first deal and the second waits.
    clock.advance(minutes=1)
    away_today(uow, clock, people["Daria"], AbsenceKind.VACATION)
    paid(uow, clock, studio, "Shop")
    waiter = paid(uow, clock, studio, "Blog")
    assert waiting(uow) == [waiter]
    # Her vacation ends at midnight; no event says so. The next deal arrives before any sweep:
    # the one that waited goes first.
    clock.set(clock() + timedelta(days=1))
    newcomer = paid(uow, clock, studio, "Landing")
    assert state(uow, waiter) == (people["Daria"], "Development started")
    assert state(uow, newcomer)[0] is None
    assert waiting(uow) == [newcomer]


def test_cancelling_an_absence_assigns_the_waiting_deal_at_once(
    uow: UnitOfWork, clock: FakeClock, studio: dict[str, Any]
) -> None:
    people = studio["people"]
    away = away_today(uow, clock, people["Daria"], AbsenceKind.SICK_LEAVE)
    paid(uow, clock, studio, "Shop")
    waiter = paid(uow, clock, studio, "Blog")
    assert away.id is not None
    absences.cancel_absence(uow, away.id, actor=SYSTEM, now=clock())
    assert state(uow, waiter) == (people["Daria"], "Development started")


def test_opening_a_working_day_assigns_the_waiting_deal(
    uow: UnitOfWork, clock: FakeClock, studio: dict[str, Any]
) -> None:
    rule = studio["rule"]
    rules.update_rule(uow, rule.id, {"respect_day_status": True}, actor=SYSTEM, now=clock())
    waiter = paid(uow, clock, studio, "Shop")
    assert waiting(uow) == [waiter]  # nobody has opened their day yet
    daria = studio["people"]["Daria"]
    workdays.change_workday(uow, daria, DayAction.OPEN, actor=SYSTEM, now=clock())
    assert state(uow, waiter) == (daria, "Development started")


def test_raising_the_cap_assigns_waiting_deals_at_once(
    uow: UnitOfWork, clock: FakeClock, studio: dict[str, Any]
) -> None:
    [paid(uow, clock, studio, f"Busy {n}") for n in range(2)]
    waiters = [paid(uow, clock, studio, f"Waiter {n}") for n in range(3)]
    rule = studio["rule"]
    rules.update_rule(
        uow, rule.id, {"default_capacity_points": Decimal(2)}, actor=SYSTEM, now=clock()
    )
    assert waiting(uow) == [waiters[2]]
    assert decision(uow, waiters[0]).data["waited"]["first_rule_version"] == 1
    assert decision(uow, waiters[0]).rule_version == 2


def test_closing_a_task_frees_room_under_a_rule_that_counts_open_tasks(
    uow: UnitOfWork, clock: FakeClock, studio: dict[str, Any]
) -> None:
    people = studio["people"]
    rule = studio["rule"]
    rules.update_rule(
        uow, rule.id, {"count_open_tasks": True, "in_work_stage_ids": []}, actor=SYSTEM, now=clock()
    )
    errands = [
        tasks.create_task(
            uow,
            tasks.CreateTask(
                title=f"Errand {n}", responsible_id=people[name], creator_id=people["Helen"]
            ),
            actor=SYSTEM,
            now=clock(),
        )
        for n, name in enumerate(("Dmitry", "Daria"))
    ]
    waiter = paid(uow, clock, studio, "Shop")
    assert waiting(uow) == [waiter]
    task = errands[1].task
    assert task.id is not None
    tasks.act_on_task(uow, task.id, tasks.TaskAction.COMPLETE, actor=SYSTEM, now=clock())
    assert state(uow, waiter)[0] == people["Daria"]


def test_a_deal_waiting_too_long_is_escalated_to_the_head_once(
    uow: UnitOfWork, clock: FakeClock, studio: dict[str, Any]
) -> None:
    [paid(uow, clock, studio, f"Busy {n}") for n in range(2)]
    waiter = paid(uow, clock, studio, "Shop")
    clock.advance(minutes=29)
    assert sweep_assignments(uow, now=clock()).escalated == 0
    clock.advance(minutes=2)
    result = sweep_assignments(uow, now=clock())
    assert (result.rules, result.assigned, result.escalated) == (1, 0, 1)
    assert sweep_assignments(uow, now=clock()).escalated == 0
    [escalation] = [p for kind, p in outbox(uow) if kind == "AssignmentEscalated"]
    assert escalation["head_ids"] == [studio["people"]["Helen"]]
    assert escalation["waited_minutes"] == 31
    assert escalation["rule_name"] == "Paid deals to design"
    assert state(uow, waiter)[0] is None


def test_a_long_wait_goes_to_the_head_above_when_the_department_head_was_dismissed(
    uow: UnitOfWork, clock: FakeClock, studio: dict[str, Any]
) -> None:
    studio_head, _ = org.create_employee(
        uow, org.CreateEmployee(name="Stella Studio"), actor=SYSTEM, now=clock()
    )
    top = org.create_department(
        uow, org.CreateDepartment(name="Studio", head_id=studio_head.id), actor=SYSTEM, now=clock()
    )
    design = studio["design"]
    org.update_department(uow, design.id, {"parent_id": top.id}, actor=SYSTEM, now=clock())
    org.update_employee(
        uow, studio["people"]["Helen"], {"status": "dismissed"}, actor=SYSTEM, now=clock()
    )
    [paid(uow, clock, studio, f"Busy {n}") for n in range(2)]
    paid(uow, clock, studio, "Shop")
    clock.advance(minutes=31)
    assert sweep_assignments(uow, now=clock()).escalated == 1
    [escalation] = [p for kind, p in outbox(uow) if kind == "AssignmentEscalated"]
    assert escalation["head_ids"] == [studio_head.id]


def test_the_sweep_assigns_once_an_absence_has_simply_ended_and_never_twice(
    uow: UnitOfWork, clock: FakeClock, studio: dict[str, Any]
) -> None:
    people = studio["people"]
    away_today(uow, clock, people["Daria"], AbsenceKind.VACATION)
    paid(uow, clock, studio, "Shop")
    waiter = paid(uow, clock, studio, "Blog")
    clock.set(clock() + timedelta(days=1))
    assert sweep_assignments(uow, now=clock()).assigned == 1
    assert sweep_assignments(uow, now=clock()).assigned == 0
    assert state(uow, waiter) == (people["Daria"], "Development started")
    assert decision(uow, waiter).outcome is AssignmentOutcome.ASSIGNED


_RUNS = itertools.count()


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    caps=st.lists(st.integers(1, 3), min_size=2, max_size=3),
    steps=st.lists(
        st.one_of(
            st.tuples(st.just("arrive"), st.integers(1, 3)),
            st.tuples(st.just("finish"), st.integers(0, 20)),
            st.tuples(st.just("raise cap"), st.integers(0, 2)),
        ),
        min_size=1,
        max_size=14,
    ),
)
def test_the_queue_never_overfills_anyone_and_never_holds_work_someone_has_room_for(
    uow: UnitOfWork, clock: FakeClock, caps: list[int], steps: list[tuple[str, int]]
) -> None:
    run = next(_RUNS)
    _, stages = pipelines.create_pipeline(
        uow,
        pipelines.CreatePipeline(
            entity_type=DEAL,
            name=f"Queue property {run}",
            stages=[pipelines.StageSpec(name=n) for n in ("Paid", "Work", "Done")],
        ),
        actor=SYSTEM,
        now=clock(),
    )
    paid_stage, work, done = stages
    people = [hire(uow, clock, f"Worker {run}.{n}") for n in range(len(caps))]
    overrides = {p: Decimal(c) for p, c in zip(people, caps, strict=True)}
    rule = rules.create_rule(
        uow,
        rules.RuleSpec(
            name=f"Property {run}",
            entity_type=RuleEntity.DEAL,
            pipeline_id=work.pipeline_id,
            trigger_stage_id=paid_stage.id,
            employee_ids=people,
            capacity_overrides=overrides,
            in_work_stage_ids=[work.id or 0],
            next_stage_id=work.id,
            weight="deal.amount",
        ),
        actor=SYSTEM,
        now=clock(),
    )
    assert rule.id is not None
    for action, value in steps:
        clock.advance(seconds=1)
        if action == "arrive":
            new_deal(uow, clock, stage_id=paid_stage.id, amount=value)
        elif action == "finish":
            with uow:
                in_work = sorted(i.id for i in uow.items.where(stage_id=work.id) if i.id)
            if in_work:
                deal_id = in_work[value % len(in_work)]
                crm_items.move_item(uow, DEAL, deal_id, done.id or 0, actor=SYSTEM, now=clock())
        else:
            person = people[value % len(people)]
            overrides = {**overrides, person: overrides[person] + 1}
            rules.update_rule(
                uow, rule.id, {"capacity_overrides": overrides}, actor=SYSTEM, now=clock()
            )
        with uow:
            items = uow.items.where(pipeline_id=work.pipeline_id)
            queue = uow.assignment_queue.waiting(rule.id, limit=100)
            decided = [d for i in items for d in uow.assignment_decisions.where(item_id=i.id)]
        load = {
            p: sum(
                (i.amount or 0 for i in items if i.stage_id == work.id and i.responsible_id == p),
                Decimal(0),
            )
            for p in people
        }
        for person in people:
            assert load[person] <= overrides[person]
        waiting_ids = {e.item_id for e in queue}
        assert waiting_ids == {i.id for i in items if i.stage_id == paid_stage.id}
        smallest_waiting = min((i.amount or 0 for i in items if i.id in waiting_ids), default=None)
        if smallest_waiting is not None:
            # Waiting work fits nobody: everyone's room is below the smallest waiting deal.
            assert all(overrides[p] - load[p] < smallest_waiting for p in people)
        entries = [(d.item_id, d.stage_id, d.stage_entered_at) for d in decided]
        assert len(entries) == len(set(entries))


def test_a_waiting_deal_given_to_someone_by_hand_is_never_taken_back(
    uow: UnitOfWork, clock: FakeClock, studio: dict[str, Any]
) -> None:
    busy = [paid(uow, clock, studio, f"Busy {n}") for n in range(2)]
    waiter = paid(uow, clock, studio, "Shop")
    helen = studio["people"]["Helen"]
    crm_items.update_item(uow, DEAL, waiter, {"responsible_id": helen}, actor=SYSTEM, now=clock())
    assert waiting(uow) == []
    finish(uow, clock, studio, busy[0])
    assert state(uow, waiter) == (helen, "Prepayment received")
    ended = [p["why"] for kind, p in outbox(uow) if kind == "AssignmentWaitingEnded"]
    assert ended == ["it was handed to someone by hand"]


def test_a_disabled_rule_keeps_its_queue_without_escalating_and_resumes_when_enabled(
    uow: UnitOfWork, clock: FakeClock, studio: dict[str, Any]
) -> None:
    rule = studio["rule"]
    busy = [paid(uow, clock, studio, f"Busy {n}") for n in range(2)]
    waiter = paid(uow, clock, studio, "Shop")
    rules.update_rule(uow, rule.id, {"enabled": False}, actor=SYSTEM, now=clock())
    finish(uow, clock, studio, busy[0])
    clock.advance(minutes=45)
    assert sweep_assignments(uow, now=clock()).escalated == 0
    assert state(uow, waiter)[0] is None and waiting(uow) == [waiter]
    rules.update_rule(uow, rule.id, {"enabled": True}, actor=SYSTEM, now=clock())
    assert state(uow, waiter)[1] == "Development started"


def test_deleting_a_rule_ends_its_waiting_entries_aloud(
    uow: UnitOfWork, clock: FakeClock, studio: dict[str, Any]
) -> None:
    [paid(uow, clock, studio, f"Busy {n}") for n in range(2)]
    waiter = paid(uow, clock, studio, "Shop")
    rules.delete_rule(uow, studio["rule"].id, actor=SYSTEM, now=clock())
    assert waiting(uow) == []
    ended = [p for kind, p in outbox(uow) if kind == "AssignmentWaitingEnded"]
    assert [(p["why"], p["decision_id"]) for p in ended] == [
        ("the rule was deleted", decision(uow, waiter).id)
    ]


def test_a_rule_moved_to_another_stage_lets_go_of_entries_waiting_at_the_old_one(
    uow: UnitOfWork, clock: FakeClock, studio: dict[str, Any]
) -> None:
    busy = [paid(uow, clock, studio, f"Busy {n}") for n in range(2)]
    waiter = paid(uow, clock, studio, "Shop")
    invoice = studio["stages"]["Invoice"].id
    rules.update_rule(
        uow, studio["rule"].id, {"trigger_stage_id": invoice}, actor=SYSTEM, now=clock()
    )
    finish(uow, clock, studio, busy[0])
    assert state(uow, waiter) == (None, "Prepayment received")
    assert waiting(uow) == []
    ended = [p["why"] for kind, p in outbox(uow) if kind == "AssignmentWaitingEnded"]
    assert ended == ["the rule no longer starts at this stage"]


def test_a_waiting_deal_assigned_later_and_moved_on_starts_the_robots_of_its_new_stage(
    uow: UnitOfWork, clock: FakeClock, studio: dict[str, Any]
) -> None:
    development = studio["stages"]["Development started"]
    welcome = {"to": ["responsible"], "text": "{deal.title} is yours to build"}
    robot(uow, clock, development, ActionKind.NOTIFY, welcome)
    first = paid(uow, clock, studio, "Shop")
    paid(uow, clock, studio, "Blog")
    third = paid(uow, clock, studio, "Landing")
    assert state(uow, third) == (None, "Prepayment received")

    finish(uow, clock, studio, first)  # room frees: the waiting deal is assigned and moves on

    who, stage = state(uow, third)
    assert stage == "Development started"
    with uow:
        texts = [n.params.get("text") for n in uow.notifications.where(recipient_id=who)]
    assert "Landing is yours to build" in texts
