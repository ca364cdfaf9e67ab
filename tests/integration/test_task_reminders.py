"""Task reminders on both databases: the responsible told of a task set for them, reminded
before the deadline, and with the creator told when it is overdue; reminders follow the
deadline and stop when the work is done, and none is sent twice."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from conveyor.domain.actors import SYSTEM
from conveyor.domain.distribution_rules import RuleEntity
from conveyor.domain.jobs import JobState
from conveyor.domain.notification_texts import (
    ITEM_ASSIGNED,
    TASK_ASSIGNED,
    TASK_OVERDUE,
    TASK_REMINDER,
)
from conveyor.domain.tasks import TaskAction
from conveyor.services import distribution_rules, organization, task_reminders, tasks
from conveyor.services.jobs import JobOutcome, claim_jobs, run_job
from conveyor.storage.unit_of_work import UnitOfWork
from conveyor.testing import FakeClock
from tests.integration.task_team import Team, build_team, events, set_task
from tests.integration.task_timeline import (
    LEASE,
    notices,
    reminder_handlers,
    reminder_jobs,
    run_due,
)

A = TaskAction
REMIND, OVERDUE = task_reminders.JOB_KINDS.values()
#: Wednesday 18:00 in Moscow.
DEADLINE = datetime(2026, 3, 4, 15, 0, tzinfo=UTC)


@pytest.fixture
def team(uow: UnitOfWork, clock: FakeClock) -> Team:
    return build_team(uow, clock())


def kinds(uow: UnitOfWork, employee_id: int) -> list[str]:
    return [n["kind"] for n in notices(uow, employee_id)]


def test_a_task_set_for_the_designer_tells_her_then_reminds_her_and_the_head_a_day_before(
    uow: UnitOfWork, clock: FakeClock, team: Team
) -> None:
    view = set_task(uow, team.head, team.designer, clock(), title="Shop sign", deadline=DEADLINE)
    task_id = view.task.id or 0
    [assigned] = notices(uow, team.designer.employee_id)
    # The deadline on her own wall clock: Yekaterinburg is UTC+5.
    assert assigned == {
        "kind": TASK_ASSIGNED,
        "title": "Shop sign",
        "by": "Boris Head",
        "deadline": "2026-03-04 20:00 +05",
        "link": ("task", task_id),
    }
    assert kinds(uow, team.head.employee_id) == []  # he set it himself
    assert reminder_jobs(uow, task_id) == [
        (REMIND, "2026-03-03T15:00:00+00:00"),
        (OVERDUE, "2026-03-04T15:00:00+00:00"),
    ]

    clock.set(DEADLINE - timedelta(hours=25))
    assert run_due(uow, clock) == []
    clock.set(DEADLINE - timedelta(hours=24))
    assert run_due(uow, clock) == [JobOutcome.DONE]

    [reminded] = notices(uow, team.designer.employee_id, TASK_REMINDER)
    assert reminded["deadline"] == "2026-03-04 20:00 +05"
    [head_reminded] = notices(uow, team.head.employee_id, TASK_REMINDER)
    assert head_reminded["deadline"] == "2026-03-04 18:00 MSK"
    assert events(uow, task_id)[-1] == "TaskReminded"


def test_an_overdue_task_is_told_to_the_responsible_and_the_creator_at_the_deadline(
    uow: UnitOfWork, clock: FakeClock, team: Team
) -> None:
    view = set_task(uow, team.head, team.designer, clock(), deadline=DEADLINE)
    tasks.act_on_task(uow, view.task.id or 0, A.START, actor=team.designer, now=clock())
    clock.set(DEADLINE - timedelta(seconds=1))
    run_due(uow, clock)
    assert notices(uow, team.designer.employee_id, TASK_OVERDUE) == []

    clock.set(DEADLINE)
    run_due(uow, clock)
    for who in (team.designer, team.head):
        [overdue] = notices(uow, who.employee_id, TASK_OVERDUE)
        assert overdue["title"] == "Make a sign"
    assert reminder_jobs(uow, view.task.id or 0) == []


def test_someone_late_on_their_own_task_hears_it_once(
    uow: UnitOfWork, clock: FakeClock, team: Team
) -> None:
    set_task(uow, team.designer, team.designer, clock(), deadline=DEADLINE)
    assert kinds(uow, team.designer.employee_id) == []
    clock.set(DEADLINE + timedelta(hours=1))
    run_due(uow, clock)
    # The early reminder, due while nobody ran the jobs, would only repeat the news.
    assert kinds(uow, team.designer.employee_id) == [TASK_OVERDUE]


def test_moving_the_deadline_drops_the_old_reminders_and_schedules_the_new_ones(
    uow: UnitOfWork, clock: FakeClock, team: Team
) -> None:
    view = set_task(uow, team.head, team.designer, clock(), deadline=DEADLINE)
    task_id = view.task.id or 0
    later = DEADLINE + timedelta(days=2)
    tasks.update_task(uow, task_id, {"deadline": later}, actor=team.head, now=clock())
    assert reminder_jobs(uow, task_id) == [
        (REMIND, "2026-03-05T15:00:00+00:00"),
        (OVERDUE, "2026-03-06T15:00:00+00:00"),
    ]

    clock.set(DEADLINE)
    run_due(uow, clock)
    assert kinds(uow, team.designer.employee_id) == [TASK_ASSIGNED]

    # Pulled in to three hours from now: the early reminder is due at once.
    clock.set(DEADLINE + timedelta(hours=1))
    soon = clock() + timedelta(hours=3)
    tasks.update_task(uow, task_id, {"deadline": soon}, actor=team.head, now=clock())
    run_due(uow, clock)
    assert kinds(uow, team.designer.employee_id) == [TASK_ASSIGNED, TASK_REMINDER]


def test_the_tasks_own_lead_time_wins_over_the_companys_and_zero_means_none(
    uow: UnitOfWork, clock: FakeClock, team: Team
) -> None:
    organization.update_organization(uow, {"task_remind_hours": 48}, actor=SYSTEM, now=clock())
    company = set_task(uow, team.head, team.designer, clock(), deadline=DEADLINE)
    own = set_task(uow, team.head, team.designer, clock(), deadline=DEADLINE, remind_before_hours=2)
    none = set_task(
        uow, team.head, team.designer, clock(), deadline=DEADLINE, remind_before_hours=0
    )
    assert [reminder_jobs(uow, v.task.id or 0)[0] for v in (company, own, none)] == [
        (REMIND, "2026-03-02T15:00:00+00:00"),
        (REMIND, "2026-03-04T13:00:00+00:00"),
        (OVERDUE, "2026-03-04T15:00:00+00:00"),
    ]
    task_id = own.task.id or 0
    tasks.update_task(uow, task_id, {"remind_before_hours": 0}, actor=team.head, now=clock())
    assert reminder_jobs(uow, task_id) == [(OVERDUE, "2026-03-04T15:00:00+00:00")]


def test_a_reminder_set_under_a_longer_company_lead_time_waits_for_the_current_one(
    uow: UnitOfWork, clock: FakeClock, team: Team
) -> None:
    organization.update_organization(uow, {"task_remind_hours": 48}, actor=SYSTEM, now=clock())
    view = set_task(uow, team.head, team.designer, clock(), deadline=DEADLINE)
    organization.update_organization(uow, {"task_remind_hours": 2}, actor=SYSTEM, now=clock())

    clock.set(DEADLINE - timedelta(hours=48))
    run_due(uow, clock)

    assert notices(uow, team.designer.employee_id, TASK_REMINDER) == []
    assert reminder_jobs(uow, view.task.id or 0) == [
        (REMIND, "2026-03-04T13:00:00+00:00"),
        (OVERDUE, "2026-03-04T15:00:00+00:00"),
    ]
    clock.set(DEADLINE - timedelta(hours=2))
    run_due(uow, clock)
    assert len(notices(uow, team.designer.employee_id, TASK_REMINDER)) == 1


@pytest.mark.parametrize("finish", [[A.COMPLETE], [A.DECLINE], [A.START, A.COMPLETE]])
def test_finished_or_declined_work_is_reminded_of_nothing_and_renewed_work_again(
    uow: UnitOfWork, clock: FakeClock, team: Team, finish: list[TaskAction]
) -> None:
    view = set_task(uow, team.head, team.designer, clock(), deadline=DEADLINE)
    task_id = view.task.id or 0
    for action in finish:
        tasks.act_on_task(uow, task_id, action, actor=team.designer, now=clock())
    assert reminder_jobs(uow, task_id) == []
    clock.set(DEADLINE + timedelta(hours=1))
    run_due(uow, clock)
    assert kinds(uow, team.designer.employee_id) == [TASK_ASSIGNED]

    later = DEADLINE + timedelta(days=3)
    tasks.update_task(uow, task_id, {"deadline": later}, actor=team.head, now=clock())
    tasks.act_on_task(uow, task_id, A.RENEW, actor=team.head, now=clock())
    assert [kind for kind, _ in reminder_jobs(uow, task_id)] == [REMIND, OVERDUE]


def test_work_sent_for_acceptance_is_not_overdue_and_returned_work_is_reminded_again(
    uow: UnitOfWork, clock: FakeClock, team: Team
) -> None:
    view = set_task(
        uow, team.head, team.designer, clock(), deadline=DEADLINE, requires_acceptance=True
    )
    task_id = view.task.id or 0
    tasks.act_on_task(uow, task_id, A.COMPLETE, actor=team.designer, now=clock())
    assert reminder_jobs(uow, task_id) == []
    tasks.act_on_task(
        uow, task_id, A.RETURN, comment="Bigger letters", actor=team.head, now=clock()
    )
    assert [kind for kind, _ in reminder_jobs(uow, task_id)] == [REMIND, OVERDUE]


def test_a_reminder_job_run_twice_notifies_once(
    uow: UnitOfWork, clock: FakeClock, team: Team
) -> None:
    view = set_task(uow, team.head, team.designer, clock(), deadline=DEADLINE)
    payload = {"task_id": view.task.id, "deadline": DEADLINE.isoformat()}
    clock.set(DEADLINE)
    for _ in range(2):
        with uow:
            task_reminders.send_overdue(uow, payload, clock())
            uow.commit()
    run_due(uow, clock)  # and the scheduled job itself, a third time
    assert len(notices(uow, team.designer.employee_id, TASK_OVERDUE)) == 1
    assert len(notices(uow, team.head.employee_id, TASK_OVERDUE)) == 1


def test_a_reminder_already_claimed_when_the_deadline_moves_tells_nobody(
    uow: UnitOfWork, clock: FakeClock, team: Team
) -> None:
    view = set_task(uow, team.head, team.designer, clock(), deadline=DEADLINE)
    task_id = view.task.id or 0
    clock.set(DEADLINE - timedelta(hours=24))
    [claimed] = claim_jobs(uow, owner="w1", now=clock(), limit=10, lease=LEASE).jobs
    later = DEADLINE + timedelta(days=7)
    tasks.update_task(uow, task_id, {"deadline": later}, actor=team.head, now=clock())

    outcome = run_job(uow, claimed, handlers=reminder_handlers(), owner="w1", clock=clock)

    assert outcome is JobOutcome.DONE
    assert notices(uow, team.designer.employee_id, TASK_REMINDER) == []
    assert [kind for kind, _ in reminder_jobs(uow, task_id)] == [REMIND, OVERDUE]
    assert [kind for kind, _ in reminder_jobs(uow, task_id, JobState.DONE)] == [REMIND]


def test_a_task_handed_to_someone_else_tells_them_and_reminds_the_new_responsible(
    uow: UnitOfWork, clock: FakeClock, team: Team
) -> None:
    view = set_task(uow, team.head, team.designer, clock(), deadline=DEADLINE)
    task_id = view.task.id or 0
    changes = {"responsible_id": team.helper.employee_id}
    tasks.update_task(uow, task_id, changes, actor=team.head, now=clock())
    assert kinds(uow, team.helper.employee_id) == [TASK_ASSIGNED]
    for moment in (DEADLINE - timedelta(hours=24), DEADLINE):
        clock.set(moment)
        run_due(uow, clock)
    assert kinds(uow, team.helper.employee_id) == [TASK_ASSIGNED, TASK_REMINDER, TASK_OVERDUE]
    assert kinds(uow, team.designer.employee_id) == [TASK_ASSIGNED]


def test_a_task_a_rule_gives_out_is_announced_once_by_the_rule(
    uow: UnitOfWork, clock: FakeClock, team: Team
) -> None:
    distribution_rules.create_rule(
        uow,
        distribution_rules.RuleSpec(
            name="Design tasks",
            entity_type=RuleEntity.TASK,
            employee_ids=[team.designer.employee_id],
            default_capacity_points=Decimal(5),
        ),
        actor=SYSTEM,
        now=clock(),
    )
    command = tasks.CreateTask(title="Logo", deadline=DEADLINE)
    view = tasks.create_task(uow, command, actor=team.head, now=clock())
    assert view.task.responsible_id == team.designer.employee_id
    assert kinds(uow, team.designer.employee_id) == [ITEM_ASSIGNED]
    assert kinds(uow, team.head.employee_id) == []
