"""Task robots at the service level, on both databases: started when a task gets its
status, delayed ones fired by the job worker only while the task stays, cancelled when it
leaves, following the deadline while they wait, and acting through the task's own rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from conveyor.domain.actors import SYSTEM
from conveyor.domain.distribution_rules import RuleEntity
from conveyor.domain.errors import Forbidden, InvalidExpression, InvalidValue, NotFound
from conveyor.domain.jobs import DEFAULT_MAX_ATTEMPTS, JobState
from conveyor.domain.robot_runs import RunState
from conveyor.domain.robots import TimeUnit, Timing, TimingKind
from conveyor.domain.task_robot_params import TaskActionKind
from conveyor.domain.task_robot_runs import Reason
from conveyor.domain.tasks import MemberRole, TaskAction, TaskStatus
from conveyor.domain.tokens import Role
from conveyor.services import (
    distribution_rules,
    jobs,
    org,
    task_robot_actions,
    task_robot_runs,
    task_robots,
    tasks,
)
from conveyor.services.jobs import JobHandlers
from conveyor.storage.unit_of_work import UnitOfWork
from conveyor.testing import FakeClock
from tests.integration.crm_setup import outbox
from tests.integration.robot_office import feed, run_worker
from tests.integration.task_office import (
    CHIEF_ACCOUNTANT,
    Company,
    act,
    material_company,
    set_task,
    task_robot,
    task_runs,
)

S, A, K = TaskStatus, TaskAction, TaskActionKind
TELL_CREATOR = {"to": ["creator"], "text": "{responsible.name} works on «{task.title}»"}
AT_DEADLINE = Timing(kind=TimingKind.AT_FIELD, field="deadline")
# Monday 2 March 2026, 12:00 in Moscow (the clock's start).
MONDAY_NOON = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def company(uow: UnitOfWork, clock: FakeClock) -> Company:
    return material_company(uow, clock)


def after(amount: int, unit: TimeUnit, *, working: bool = False) -> Timing:
    kind = TimingKind.AFTER_WORKING if working else TimingKind.AFTER
    return Timing(kind=kind, amount=amount, unit=unit)


def told(uow: UnitOfWork, employee_id: int, kind: str) -> list[dict[str, Any]]:
    return [n.params for n in feed(uow, employee_id) if n.kind == kind]


def robot_jobs(uow: UnitOfWork) -> list[Any]:
    with uow:
        return [j for j in uow.jobs.where() if j.kind == task_robot_runs.FIRE_JOB]


def members(uow: UnitOfWork, task_id: int, role: MemberRole) -> list[int]:
    with uow:
        return sorted(uow.tasks.member_ids(task_id, role))


def task_of(uow: UnitOfWork, task_id: int) -> Any:
    with uow:
        return uow.tasks.get(task_id)


def test_an_immediate_robot_acts_in_the_transaction_of_the_status_change(
    uow: UnitOfWork, clock: FakeClock, company: Company
) -> None:
    task_robot(uow, clock, S.IN_PROGRESS, K.NOTIFY, TELL_CREATOR)
    task_id = set_task(uow, clock, company.peter, company.anna, "Pay for the material")
    assert told(uow, company.peter, "robot_message") == []

    act(uow, clock, task_id, A.START, company.anna)

    [message] = told(uow, company.peter, "robot_message")
    assert message["text"] == "Anna Accountant works on «Pay for the material»"
    [run] = task_runs(uow, task_id)
    assert (run.state, run.reason, run.due_at, run.status) == (
        RunState.FIRED,
        Reason.DONE,
        clock(),
        S.IN_PROGRESS,
    )
    assert run.data["recipient_ids"] == [company.peter]
    assert robot_jobs(uow) == []
    types = [t for t, _ in outbox(uow)]
    assert types.index("TaskStarted") < types.index("TaskRobotRunFired")


def test_a_robot_at_pending_acts_when_the_task_is_set(
    uow: UnitOfWork, clock: FakeClock, company: Company
) -> None:
    task_robot(uow, clock, S.PENDING, K.NOTIFY, {"to": ["head"], "text": "New: {task.title}"})

    set_task(uow, clock, company.peter, company.anna, "Pay for the material")

    [message] = told(uow, company.clara, "robot_message")
    assert message["text"] == "New: Pay for the material"


def test_a_delayed_robot_fires_when_due_and_not_before(
    uow: UnitOfWork, clock: FakeClock, company: Company
) -> None:
    task_robot(uow, clock, S.PENDING, K.NOTIFY, TELL_CREATOR, timing=after(2, TimeUnit.HOURS))
    task_id = set_task(uow, clock, company.peter, company.anna, "Pay for the material")
    [run] = task_runs(uow, task_id)
    assert (run.state, run.due_at) == (RunState.SCHEDULED, clock() + timedelta(hours=2))
    [job] = robot_jobs(uow)
    assert (job.due_at, job.payload, job.key) == (
        run.due_at,
        {"run_id": run.id},
        f"task-robot-run:{run.id}",
    )

    clock.advance(hours=1, minutes=59)
    run_worker(uow, clock)
    assert told(uow, company.peter, "robot_message") == []

    clock.advance(minutes=1)
    run_worker(uow, clock)
    assert len(told(uow, company.peter, "robot_message")) == 1
    [run] = task_runs(uow, task_id)
    assert (run.state, run.finished_at) == (RunState.FIRED, clock())


def test_leaving_the_status_cancels_its_delayed_robots_and_coming_back_starts_them_again(
    uow: UnitOfWork, clock: FakeClock, company: Company
) -> None:
    task_robot(uow, clock, S.IN_PROGRESS, K.NOTIFY, TELL_CREATOR, timing=after(1, TimeUnit.DAYS))
    task_id = set_task(uow, clock, company.peter, company.anna, "Pay for the material")
    act(uow, clock, task_id, A.START, company.anna)
    clock.advance(hours=3)

    act(uow, clock, task_id, A.PAUSE, company.anna)

    [run] = task_runs(uow, task_id)
    assert (run.state, run.reason, run.finished_at) == (
        RunState.CANCELLED,
        Reason.LEFT_STATUS,
        clock(),
    )
    assert robot_jobs(uow) == []

    clock.advance(hours=1)
    act(uow, clock, task_id, A.START, company.anna)
    first, second = task_runs(uow, task_id)
    assert first.state is RunState.CANCELLED
    assert (second.state, second.due_at) == (RunState.SCHEDULED, clock() + timedelta(days=1))
    clock.advance(days=2)
    run_worker(uow, clock)
    assert len(told(uow, company.peter, "robot_message")) == 1


def test_the_overdue_payment_goes_from_the_accountant_to_the_chief_accountant(
    uow: UnitOfWork, clock: FakeClock, company: Company
) -> None:
    task_robot(
        uow,
        clock,
        S.IN_PROGRESS,
        K.CHANGE_RESPONSIBLE,
        {"to": CHIEF_ACCOUNTANT},
        timing=AT_DEADLINE,
        name="Overdue payment to the chief accountant",
        condition='"pay" in lower(task.title)',
    )
    deadline = MONDAY_NOON + timedelta(days=1)
    task_id = set_task(
        uow, clock, company.peter, company.anna, "Pay for the material", deadline=deadline
    )
    act(uow, clock, task_id, A.START, company.anna)
    [run] = task_runs(uow, task_id)
    assert run.due_at == deadline

    clock.set(deadline)
    run_worker(uow, clock)

    task = task_of(uow, task_id)
    assert (task.responsible_id, task.status) == (company.clara, S.IN_PROGRESS)
    [run] = task_runs(uow, task_id)
    assert (run.state, run.data["from"], run.data["to"]) == (
        RunState.FIRED,
        company.anna,
        company.clara,
    )
    assert run.detail == "handed from Anna Accountant to Clara Chief"
    # As a change by hand: the responsible changed, the task changed, its new one told.
    events = [(t, p) for t, p in outbox(uow) if t in ("TaskResponsibleChanged", "TaskChanged")]
    assert events[-2][0] == "TaskResponsibleChanged"
    assert events[-2][1]["from"] == company.anna and events[-2][1]["to"] == company.clara
    assert events[-1][1]["changed"] == ["responsible_id"]
    assert events[-1][1]["task_robot_run_id"] == run.id
    [assigned] = told(uow, company.clara, "task_assigned")
    assert assigned["title"] == "Pay for the material"
    [taken] = told(uow, company.anna, "task_taken_over")
    assert taken["to"] == "Clara Chief"


def test_the_payment_finished_in_time_is_left_alone(
    uow: UnitOfWork, clock: FakeClock, company: Company
) -> None:
    task_robot(
        uow,
        clock,
        S.IN_PROGRESS,
        K.CHANGE_RESPONSIBLE,
        {"to": CHIEF_ACCOUNTANT},
        timing=AT_DEADLINE,
    )
    deadline = MONDAY_NOON + timedelta(days=1)
    task_id = set_task(uow, clock, company.peter, company.anna, "Pay", deadline=deadline)
    act(uow, clock, task_id, A.START, company.anna)
    clock.advance(hours=20)
    act(uow, clock, task_id, A.COMPLETE, company.anna)

    clock.set(deadline + timedelta(hours=1))
    run_worker(uow, clock)

    assert task_of(uow, task_id).responsible_id == company.anna
    [run] = task_runs(uow, task_id)
    assert (run.state, run.reason) == (RunState.CANCELLED, Reason.LEFT_STATUS)


def test_a_deadline_moved_while_the_robot_waits_moves_the_robot(
    uow: UnitOfWork, clock: FakeClock, company: Company
) -> None:
    task_robot(uow, clock, S.PENDING, K.NOTIFY, TELL_CREATOR, timing=AT_DEADLINE)
    deadline = MONDAY_NOON + timedelta(days=1)
    task_id = set_task(uow, clock, company.peter, company.anna, "Pay", deadline=deadline)
    peter = company.as_(company.peter)

    later = deadline + timedelta(days=2)
    tasks.update_task(uow, task_id, {"deadline": later}, actor=peter, now=clock())

    [run] = task_runs(uow, task_id)
    [job] = robot_jobs(uow)
    assert run.due_at == job.due_at == later
    assert ("TaskRobotRunRescheduled" in [t for t, _ in outbox(uow)]) is True
    clock.set(deadline + timedelta(hours=1))
    run_worker(uow, clock)
    assert told(uow, company.peter, "robot_message") == []

    # Cleared: the robot waits with no due time and no job; set again: it is due by it.
    tasks.update_task(uow, task_id, {"deadline": None}, actor=peter, now=clock())
    [run] = task_runs(uow, task_id)
    assert (run.state, run.due_at, robot_jobs(uow)) == (RunState.SCHEDULED, None, [])
    soon = clock() + timedelta(hours=2)
    tasks.update_task(uow, task_id, {"deadline": soon}, actor=peter, now=clock())
    [job] = robot_jobs(uow)
    assert (job.state, job.due_at) == (JobState.PENDING, soon)
    clock.set(soon)
    run_worker(uow, clock)
    assert len(told(uow, company.peter, "robot_message")) == 1


def test_a_task_without_a_deadline_waits_for_one_and_a_past_one_fires_at_the_next_look(
    uow: UnitOfWork, clock: FakeClock, company: Company
) -> None:
    task_robot(uow, clock, S.PENDING, K.NOTIFY, TELL_CREATOR, timing=AT_DEADLINE)
    task_id = set_task(uow, clock, company.peter, company.anna, "Pay")
    [run] = task_runs(uow, task_id)
    assert (run.state, run.due_at, robot_jobs(uow)) == (RunState.SCHEDULED, None, [])

    past = clock() - timedelta(hours=1)
    tasks.update_task(
        uow, task_id, {"deadline": past}, actor=company.as_(company.peter), now=clock()
    )
    # Never inside the change that moved it: the worker fires it at its next look.
    assert told(uow, company.peter, "robot_message") == []
    run_worker(uow, clock)
    assert len(told(uow, company.peter, "robot_message")) == 1


def test_acceptance_waiting_a_working_day_gets_two_storekeepers_as_co_executors(
    uow: UnitOfWork, clock: FakeClock, company: Company
) -> None:
    task_robot(
        uow,
        clock,
        S.AWAITING_CONTROL,
        K.ADD_CO_EXECUTORS,
        {"to": [{"position": "Storekeeper"}]},
        timing=after(1, TimeUnit.DAYS, working=True),
        name="Acceptance stuck: storekeepers help",
    )
    task_id = set_task(
        uow,
        clock,
        company.peter,
        company.wanda,
        "Accept the material",
        requires_acceptance=True,
        observer_ids=[company.sam],
    )
    act(uow, clock, task_id, A.COMPLETE, company.wanda)
    assert task_of(uow, task_id).status is S.AWAITING_CONTROL
    [run] = task_runs(uow, task_id)
    assert run.due_at == MONDAY_NOON + timedelta(days=1)  # Tuesday 12:00 in Moscow

    clock.set(run.due_at)
    run_worker(uow, clock)

    assert members(uow, task_id, MemberRole.CO_EXECUTOR) == [company.sam, company.stas]
    # Sam watched the task: now he helps with it, and watches no more.
    assert members(uow, task_id, MemberRole.OBSERVER) == []
    for storekeeper in (company.sam, company.stas):
        [added] = told(uow, storekeeper, "task_co_executor_added")
        assert added["robot"] == "Acceptance stuck: storekeepers help"
    [run] = task_runs(uow, task_id)
    assert run.data["added"] == [company.sam, company.stas]
    changed = [p for t, p in outbox(uow) if t == "TaskChanged"]
    assert changed[-1]["changed"] == ["co_executor_ids", "observer_ids"]


def test_co_executors_already_helping_are_skipped(
    uow: UnitOfWork, clock: FakeClock, company: Company
) -> None:
    task_robot(
        uow, clock, S.PENDING, K.ADD_CO_EXECUTORS, {"to": [company.sam, company.stas, "creator"]}
    )

    task_id = set_task(
        uow, clock, company.peter, company.wanda, "Accept", co_executor_ids=[company.sam]
    )

    assert members(uow, task_id, MemberRole.CO_EXECUTOR) == [
        company.peter,
        company.sam,
        company.stas,
    ]
    [run] = task_runs(uow, task_id)
    assert run.data["added"] == [company.stas, company.peter]
    assert told(uow, company.sam, "task_co_executor_added") == []


def test_a_robot_shifts_the_deadline_by_working_days_and_the_robots_on_it_follow(
    uow: UnitOfWork, clock: FakeClock, company: Company
) -> None:
    # Friday 6 March 2026, 17:00 in Moscow; Monday 9 March is a day off (8 March moved).
    friday = datetime(2026, 3, 6, 14, 0, tzinfo=UTC)
    clock.set(friday - timedelta(hours=5))
    task_robot(
        uow,
        clock,
        S.PENDING,
        K.SHIFT_DEADLINE,
        {"amount": 1},
        timing=AT_DEADLINE,
        name="One more day",
    )
    task_robot(
        uow,
        clock,
        S.PENDING,
        K.CONTROL,
        {"text": "Still not paid"},
        timing=Timing(kind=TimingKind.AFTER_FIELD, field="deadline", amount=1, unit=TimeUnit.HOURS),
    )
    task_id = set_task(uow, clock, company.peter, company.anna, "Pay", deadline=friday)

    clock.set(friday)
    run_worker(uow, clock)

    tuesday = datetime(2026, 3, 10, 14, 0, tzinfo=UTC)
    assert task_of(uow, task_id).deadline == tuesday
    [moved] = told(uow, company.anna, "task_deadline_moved")
    assert (moved["previous"], moved["deadline"]) == (
        "2026-03-06 17:00 MSK",
        "2026-03-10 17:00 MSK",
    )
    shift, control = task_runs(uow, task_id)
    assert (shift.state, shift.data["to"]) == (RunState.FIRED, tuesday.isoformat())
    # The control an hour after the deadline waits for the new one.
    assert (control.state, control.due_at) == (RunState.SCHEDULED, tuesday + timedelta(hours=1))
    clock.set(friday + timedelta(hours=2))
    run_worker(uow, clock)
    assert told(uow, company.clara, "robot_control") == []
    clock.set(tuesday + timedelta(hours=1))
    run_worker(uow, clock)
    [control_notice] = told(uow, company.clara, "robot_control")
    assert control_notice["text"] == "Still not paid"


def test_a_shift_that_moves_nothing_tells_nobody(
    uow: UnitOfWork, clock: FakeClock, company: Company, monkeypatch: pytest.MonkeyPatch
) -> None:
    # No rule lets a shift of 1 or more stay put today; a calendar that counted none would.
    monkeypatch.setattr(task_robot_actions, "due_at", lambda step, **counted: counted["entered_at"])
    friday = datetime(2026, 3, 6, 14, 0, tzinfo=UTC)
    clock.set(friday - timedelta(hours=5))
    task_robot(uow, clock, S.PENDING, K.SHIFT_DEADLINE, {"amount": 1}, timing=AT_DEADLINE)
    task_id = set_task(uow, clock, company.peter, company.anna, "Pay", deadline=friday)

    clock.set(friday)
    run_worker(uow, clock)

    assert task_of(uow, task_id).deadline == friday
    assert told(uow, company.anna, "task_deadline_moved") == []
    [shift] = task_runs(uow, task_id)
    assert (shift.state, shift.data["to"]) == (RunState.FIRED, friday.isoformat())


def test_control_tells_the_head_of_the_responsibles_department_or_the_next_one_up(
    uow: UnitOfWork, clock: FakeClock, company: Company
) -> None:
    task_robot(uow, clock, S.PENDING, K.CONTROL, {"text": "«{task.title}» for {responsible.name}"})

    set_task(uow, clock, company.peter, company.anna, "Pay")
    set_task(uow, clock, company.peter, company.clara, "Check the books")

    assert [m["text"] for m in told(uow, company.clara, "robot_control")] == [
        "«Pay» for Anna Accountant"
    ]
    # Clara heads Accounting herself: the head above her is told.
    assert [m["text"] for m in told(uow, company.olga, "robot_control")] == [
        "«Check the books» for Clara Chief"
    ]


def test_a_robot_scoped_to_a_department_watches_only_its_peoples_tasks(
    uow: UnitOfWork, clock: FakeClock, company: Company
) -> None:
    task_robot(uow, clock, S.PENDING, K.NOTIFY, TELL_CREATOR, department_id=company.accounting)

    paying = set_task(uow, clock, company.peter, company.anna, "Pay")
    accepting = set_task(uow, clock, company.peter, company.sam, "Accept")

    assert len(task_runs(uow, paying)) == 1
    assert task_runs(uow, accepting) == []
    # The head office's robot watches the departments below it too.
    task_robot(uow, clock, S.PENDING, K.NOTIFY, TELL_CREATOR, department_id=company.head_office)
    assert len(task_runs(uow, set_task(uow, clock, company.peter, company.sam, "Count"))) == 1


def test_a_robot_acts_only_when_its_condition_holds_when_due(
    uow: UnitOfWork, clock: FakeClock, company: Company
) -> None:
    task_robot(
        uow,
        clock,
        S.PENDING,
        K.NOTIFY,
        TELL_CREATOR,
        timing=after(1, TimeUnit.HOURS),
        condition="task.overdue and responsible.position == 'Accountant'",
    )
    late = set_task(
        uow, clock, company.peter, company.anna, "Pay", deadline=clock() + timedelta(minutes=30)
    )
    in_time = set_task(
        uow, clock, company.peter, company.anna, "Pay more", deadline=clock() + timedelta(days=1)
    )
    clock.advance(hours=1)
    run_worker(uow, clock)

    [fired] = task_runs(uow, late)
    [skipped] = task_runs(uow, in_time)
    assert fired.state is RunState.FIRED
    assert (skipped.state, skipped.reason) == (RunState.SKIPPED, Reason.CONDITION_FALSE)
    assert "task.overdue" in (skipped.detail or "")


def test_a_robot_that_cannot_act_fails_with_its_reason_and_the_change_stands(
    uow: UnitOfWork, clock: FakeClock, company: Company
) -> None:
    task_robot(uow, clock, S.IN_PROGRESS, K.CHANGE_RESPONSIBLE, {"to": {"position": "Auditor"}})
    task_id = set_task(uow, clock, company.peter, company.anna, "Pay")

    act(uow, clock, task_id, A.START, company.anna)

    task = task_of(uow, task_id)
    assert (task.status, task.responsible_id) == (S.IN_PROGRESS, company.anna)
    [run] = task_runs(uow, task_id)
    assert (run.state, run.reason) == (RunState.FAILED, Reason.ACTION_FAILED)
    assert run.detail == "Nobody active to hand the task to (position «Auditor»)"


def test_a_disabled_robot_is_skipped_when_due_and_a_deleted_one_cancelled_at_once(
    uow: UnitOfWork, clock: FakeClock, company: Company
) -> None:
    disabled = task_robot(
        uow, clock, S.PENDING, K.NOTIFY, TELL_CREATOR, timing=after(1, TimeUnit.HOURS)
    )
    deleted = task_robot(
        uow, clock, S.PENDING, K.NOTIFY, TELL_CREATOR, timing=after(1, TimeUnit.HOURS)
    )
    task_id = set_task(uow, clock, company.peter, company.anna, "Pay")
    task_robots.update_task_robot(
        uow, disabled.id or 0, {"enabled": False}, actor=SYSTEM, now=clock()
    )
    task_robots.delete_task_robot(uow, deleted.id or 0, actor=SYSTEM, now=clock())

    first, second = task_runs(uow, task_id)
    assert (second.state, second.reason) == (RunState.CANCELLED, Reason.ROBOT_DELETED)
    assert [j.payload["run_id"] for j in robot_jobs(uow)] == [first.id]
    clock.advance(hours=1)
    run_worker(uow, clock)
    first, _ = task_runs(uow, task_id)
    assert (first.state, first.reason) == (RunState.SKIPPED, Reason.ROBOT_DISABLED)
    assert told(uow, company.peter, "robot_message") == []


def test_a_run_whose_job_died_ends_failed_with_the_jobs_last_error(
    uow: UnitOfWork, clock: FakeClock, company: Company
) -> None:
    task_robot(uow, clock, S.PENDING, K.NOTIFY, TELL_CREATOR, timing=after(10, TimeUnit.MINUTES))
    task_id = set_task(uow, clock, company.peter, company.anna, "Pay")
    clock.advance(minutes=10)
    for _ in range(DEFAULT_MAX_ATTEMPTS + 1):
        run_worker(uow, clock, JobHandlers())  # a worker of a version without task robots
        clock.advance(hours=2)
    [job] = robot_jobs(uow)
    assert job.state is JobState.DEAD

    assert task_robot_runs.end_runs_of_dead_jobs(uow, now=clock()) == 1

    [run] = task_runs(uow, task_id)
    assert (run.state, run.reason) == (RunState.FAILED, Reason.JOB_DIED)
    assert (job.last_error or "") in (run.detail or "")
    jobs.rerun_job(uow, job.id or 0, actor=SYSTEM, now=clock())
    run_worker(uow, clock)
    assert told(uow, company.peter, "robot_message") == []


def test_robots_commit_with_the_status_change_or_not_at_all(
    uow: UnitOfWork, clock: FakeClock, company: Company
) -> None:
    task_robot(uow, clock, S.IN_PROGRESS, K.NOTIFY, TELL_CREATOR)
    task_robot(uow, clock, S.IN_PROGRESS, K.NOTIFY, TELL_CREATOR, timing=after(1, TimeUnit.HOURS))
    task_id = set_task(uow, clock, company.peter, company.anna, "Pay")
    with uow:
        task = uow.tasks.get(task_id, for_update=True)
        uow.emit(task.take(A.START, actor_id=company.anna, now=clock()))
        started = task_robot_runs.task_entered_status(uow, task, now=clock())
        assert [r.state for r in started] == [RunState.FIRED, RunState.SCHEDULED]
        # The change's transaction ends without a commit (refused further on, say).

    assert task_of(uow, task_id).status is S.PENDING
    assert task_runs(uow, task_id) == []
    assert told(uow, company.peter, "robot_message") == []
    assert robot_jobs(uow) == []


def test_a_robot_is_refused_on_save_naming_what_is_wrong(
    uow: UnitOfWork, clock: FakeClock, company: Company
) -> None:
    cases: list[tuple[dict[str, Any], type[Exception], str]] = [
        ({"params": {"to": [company.anna, 999], "text": "x"}}, NotFound, "action.to.1"),
        ({"params": {"to": ["head"], "text": "{deal.title}"}}, InvalidExpression, "action.text"),
        ({"condition": "task.title ==", "params": TELL_CREATOR}, InvalidExpression, "condition"),
        ({"condition": "1/0", "params": TELL_CREATOR}, InvalidExpression, "condition"),
        ({"department_id": 999, "params": TELL_CREATOR}, NotFound, "department_id"),
        (
            {"timing": Timing(kind=TimingKind.AT_FIELD, field="start"), "params": TELL_CREATOR},
            InvalidValue,
            "timing.field",
        ),
    ]
    for fields, error, field in cases:
        params = fields.pop("params")
        with pytest.raises(error) as refused:
            task_robot(uow, clock, S.PENDING, K.NOTIFY, params, **fields)
        assert refused.value.field == field, fields  # type: ignore[attr-defined]
    org.update_employee(uow, company.stas, {"status": "dismissed"}, actor=SYSTEM, now=clock())
    with pytest.raises(InvalidValue) as dismissed:
        task_robot(uow, clock, S.PENDING, K.CHANGE_RESPONSIBLE, {"to": company.stas})
    assert dismissed.value.field == "action.to"
    with pytest.raises(Forbidden):
        task_robots.create_task_robot(
            uow,
            task_robots.TaskRobotSpec(
                name="x", status=S.PENDING, action=K.NOTIFY, params=TELL_CREATOR
            ),
            actor=company.as_(company.anna),
            now=clock(),
        )
    with uow:
        assert uow.task_robots.where() == []


def test_a_status_keeps_its_robots_in_order(
    uow: UnitOfWork, clock: FakeClock, company: Company
) -> None:
    first = task_robot(uow, clock, S.PENDING, K.NOTIFY, TELL_CREATOR, name="first")
    second = task_robot(uow, clock, S.PENDING, K.CONTROL, {"text": "x"}, name="second")
    front = task_robot(uow, clock, S.PENDING, K.NOTIFY, TELL_CREATOR, name="front", position=0)
    task_robot(uow, clock, S.IN_PROGRESS, K.NOTIFY, TELL_CREATOR, name="elsewhere")
    head = company.as_(company.olga, Role.HEAD)

    listed = task_robots.list_task_robots(uow, actor=head, status=S.PENDING)
    assert [r.name for r in listed] == ["front", "first", "second"]
    ids = [second.id or 0, front.id or 0, first.id or 0]
    reordered = task_robots.reorder_task_robots(uow, S.PENDING, ids, actor=head, now=clock())
    assert [r.name for r in reordered] == ["second", "front", "first"]
    # A robot for the whole company is an admin's to delete.
    task_robots.delete_task_robot(uow, front.id or 0, actor=SYSTEM, now=clock())
    listed = task_robots.list_task_robots(uow, actor=head, status=S.PENDING)
    assert [(r.name, r.position) for r in listed] == [("second", 0), ("first", 1)]
    everything = task_robots.list_task_robots(uow, actor=head)
    assert [r.name for r in everything] == ["second", "first", "elsewhere"]


def test_a_task_the_rules_hand_out_starts_its_robots_with_the_one_they_picked(
    uow: UnitOfWork, clock: FakeClock, company: Company
) -> None:
    distribution_rules.create_rule(
        uow,
        distribution_rules.RuleSpec(
            name="Storekeepers take acceptances",
            entity_type=RuleEntity.TASK,
            employee_ids=[company.sam],
        ),
        actor=SYSTEM,
        now=clock(),
    )
    task_robot(uow, clock, S.PENDING, K.NOTIFY, {"to": ["responsible"], "text": "Yours"})

    command = tasks.CreateTask(title="Accept the material")
    view = tasks.create_task(uow, command, actor=company.as_(company.peter), now=clock())

    assert view.task.responsible_id == company.sam
    assert [m["text"] for m in told(uow, company.sam, "robot_message")] == ["Yours"]
    assert told(uow, company.peter, "robot_message") == []
