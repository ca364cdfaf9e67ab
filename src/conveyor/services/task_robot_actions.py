"""What task robots do to their task: tell people, hand it over, add helpers, move its
deadline.

``carry_out`` runs INSIDE the open unit of work of the run (the change that made the task
enter its status, or the job worker's transaction for a delayed run) and never commits. An
action first finds everyone it needs and only then changes anything; it refuses with a
``ConveyorError`` (``ActionRefused`` when there is simply nobody to act on), and the caller
records the run ``failed`` after rolling its savepoint back.

Each change is the one a person makes through ``PATCH /tasks/{id}``, made by the system
(actor 0): the task's own rules decide (``Task.hand_over``, ``Task.edit``,
``settle_members``), ``TaskResponsibleChanged`` / ``TaskChanged`` say what changed (and the
run), and ``task_motion.task_changed`` does what follows a change (the new responsible
told, reminders re-planned, the tasks after it moved). Whoever the change concerns is told:
the previous responsible of a task handed over, each new co-executor, the responsible of a
task whose deadline moved.

People (``domain.task_robot_params``) are found when the robot acts: "head" is the head of
the responsible's department through the org structure (the next head up when the
responsible heads it), a position is whoever holds it then. A task goes to ONE person: of a
position's holders, the current responsible when they hold it (nothing changes), otherwise
the first by id.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from conveyor.domain.actors import SYSTEM
from conveyor.domain.departments import subtree_ids
from conveyor.domain.events import DomainEvent
from conveyor.domain.notification_texts import (
    ROBOT_CONTROL,
    ROBOT_MESSAGE,
    TASK_CO_EXECUTOR_ADDED,
    TASK_DEADLINE_MOVED,
    TASK_TAKEN_OVER,
)
from conveyor.domain.notifications import Link
from conveyor.domain.robot_params import MAX_TEXT
from conveyor.domain.robot_recipients import DEPARTMENT, Position
from conveyor.domain.robots import TimeUnit, Timing, TimingKind
from conveyor.domain.task_members import settle_members
from conveyor.domain.task_reminders import moment_text
from conveyor.domain.task_robot_params import (
    CO_EXECUTORS,
    CREATOR,
    HEAD,
    RESPONSIBLE,
    Person,
    TaskActionKind,
)
from conveyor.domain.task_robots import TaskRobot
from conveyor.domain.tasks import MemberRole, Task
from conveyor.engines.automation import due_at
from conveyor.services import task_motion
from conveyor.services.assignment_queue import retry_after_task_change
from conveyor.services.notifications import notify
from conveyor.services.robot_acting import ActionRefused, Done
from conveyor.services.robot_context import heads_of, names_of, working_time_source
from conveyor.services.robot_recipients import holders
from conveyor.services.task_robot_checks import template
from conveyor.services.task_robot_timing import deadline_moved
from conveyor.storage.unit_of_work import UnitOfWork

CO, OBSERVER = MemberRole.CO_EXECUTOR, MemberRole.OBSERVER


def carry_out(
    uow: UnitOfWork,
    robot: TaskRobot,
    task: Task,
    context: Mapping[str, Any],
    *,
    run_id: int,
    now: datetime,
) -> Done:
    """Carry out ``robot``'s action on ``task`` (``context`` is what its templates read)."""
    act = _Act(uow, robot, task, context, run_id, now)
    return _ACTIONS[robot.action](act)


class _Act:
    """One run's action about to be carried out."""

    def __init__(
        self,
        uow: UnitOfWork,
        robot: TaskRobot,
        task: Task,
        context: Mapping[str, Any],
        run_id: int,
        now: datetime,
    ) -> None:
        self.uow, self.robot, self.task, self.context = uow, robot, task, context
        self.run_id, self.now = run_id, now
        assert task.id is not None
        self.task_id: int = task.id

    @property
    def params(self) -> dict[str, Any]:
        return self.robot.params

    def render(self, name: str) -> str:
        return template(self.params[name], f"action.{name}").render(self.context, limit=MAX_TEXT)

    def people(self, person: Person) -> list[int]:
        """The active employees ``person`` stands for on the task now (see the module)."""
        uow, task = self.uow, self.task
        if isinstance(person, dict):
            return _holders(uow, Position.of(person), task.responsible_id)
        if person == RESPONSIBLE:
            found = [task.responsible_id]
        elif person == CREATOR:
            found = [task.creator_id]
        elif person == HEAD:
            found = heads_of(uow, task.responsible_id)
        elif person == CO_EXECUTORS:
            found = sorted(uow.tasks.member_ids(self.task_id, CO))
        else:
            assert isinstance(person, int)
            found = [person]
        return [e for e in found if _active(uow, e)]

    def link(self) -> Link:
        return Link(entity="task", id=self.task_id)

    def changed(
        self, names: list[str], before: task_motion.Before, *extra: DomainEvent | None
    ) -> None:
        """Record a change made to the task as a change by hand is, and do what follows."""
        self.task.updated_at = self.now
        self.uow.emit(
            *extra,
            DomainEvent(
                type="TaskChanged",
                entity="task",
                entity_id=self.task_id,
                occurred_at=self.now,
                payload={
                    "changed": sorted(names),
                    "actor_id": SYSTEM.employee_id,
                    "task_robot_run_id": self.run_id,
                },
            ),
        )
        self.uow.flush()
        task_motion.task_changed(
            self.uow, self.task, before, actor_id=SYSTEM.employee_id, now=self.now
        )


def _notify(act: _Act) -> Done:
    recipients: list[int] = []
    for person in act.params["to"]:
        recipients += [p for p in act.people(person) if p not in recipients]
    return _send(act, ROBOT_MESSAGE, recipients, act.render("text"))


def _control(act: _Act) -> Done:
    named = act.params["employee_id"]
    if named is not None:
        recipients = [named]
    else:
        recipients = heads_of(act.uow, act.task.responsible_id)
        if not recipients:
            who = names_of(act.uow, [act.task.responsible_id])
            raise ActionRefused(f"No department of {who} has an active head to tell")
    return _send(act, ROBOT_CONTROL, recipients, act.render("text"))


def _send(act: _Act, kind: str, recipients: list[int], text: str) -> Done:
    params = {"title": act.task.title, "robot": act.robot.name, "text": text}
    written = notify(
        act.uow, recipient_ids=recipients, kind=kind, params=params, link=act.link(), now=act.now
    )
    if not written:
        raise ActionRefused("Nobody to notify: no recipient is an active employee")
    reached = [n.recipient_id for n in written]
    # Who was told, never what: the run's readers need not see the text's private words.
    return Done(
        detail=f"notified {names_of(act.uow, reached)}",
        data={"recipient_ids": reached, "notification_ids": [n.id for n in written]},
    )


def _change_responsible(act: _Act) -> Done:
    uow, task, person = act.uow, act.task, act.params["to"]
    found = act.people(person)
    if not found:
        raise ActionRefused(f"Nobody active to hand the task to ({_said(person)})")
    previous = task.responsible_id
    target = previous if previous in found else found[0]
    data: dict[str, Any] = {"from": previous, "to": target}
    if target == previous:
        return Done(detail=f"already with {names_of(uow, [target])}", data=data)
    before = task_motion.before_change(task)
    handed = task.hand_over(target, actor_id=SYSTEM.employee_id, now=act.now)
    co = sorted(uow.tasks.member_ids(act.task_id, CO))
    observers = sorted(uow.tasks.member_ids(act.task_id, OBSERVER))
    # The new responsible leaves the co-executors or observers, as by hand.
    new_co, new_observers = settle_members(target, (co, observers), (None, None))
    names = ["responsible_id"]
    for name, role, ids, was in (
        ("co_executor_ids", CO, new_co, co),
        ("observer_ids", OBSERVER, new_observers, observers),
    ):
        if set(ids) != set(was):
            uow.tasks.set_members(act.task_id, role, ids)
            names.append(name)
    act.changed(names, before, handed)
    retry_after_task_change(uow, now=act.now)
    told = notify(
        uow,
        recipient_ids=[previous],
        kind=TASK_TAKEN_OVER,
        params={"title": task.title, "robot": act.robot.name, "to": names_of(uow, [target])},
        link=act.link(),
        now=act.now,
    )
    data["notification_ids"] = [n.id for n in told]
    return Done(
        detail=f"handed from {names_of(uow, [previous])} to {names_of(uow, [target])}",
        data=data,
    )


def _add_co_executors(act: _Act) -> Done:
    uow, task = act.uow, act.task
    wanted: list[int] = []
    for person in act.params["to"]:
        wanted += [e for e in act.people(person) if e not in wanted]
    if not wanted:
        raise ActionRefused("Nobody active to add as a co-executor")
    co = sorted(uow.tasks.member_ids(act.task_id, CO))
    observers = sorted(uow.tasks.member_ids(act.task_id, OBSERVER))
    new = [e for e in wanted if e != task.responsible_id and e not in co]
    if not new:
        return Done(
            detail=f"nothing to add: {names_of(uow, wanted)} already do or help with the task",
            data={"added": []},
        )
    before = task_motion.before_change(task)
    # An observer added becomes a co-executor only (settled as a change by hand is).
    new_co, kept = settle_members(task.responsible_id, (co, observers), (co + new, None))
    uow.tasks.set_members(act.task_id, CO, new_co)
    names = ["co_executor_ids"]
    if set(kept) != set(observers):
        uow.tasks.set_members(act.task_id, OBSERVER, kept)
        names.append("observer_ids")
    act.changed(names, before)
    told = notify(
        uow,
        recipient_ids=new,
        kind=TASK_CO_EXECUTOR_ADDED,
        params={"title": task.title, "robot": act.robot.name},
        link=act.link(),
        now=act.now,
    )
    return Done(
        detail=f"added {names_of(uow, new)} as co-executors",
        data={"added": new, "notification_ids": [n.id for n in told]},
    )


def _shift_deadline(act: _Act) -> Done:
    uow, task, params = act.uow, act.task, act.params
    previous = task.deadline
    if previous is None:
        raise ActionRefused("The task has no deadline to move")
    kind = TimingKind.AFTER_WORKING if params["working"] else TimingKind.AFTER
    step = Timing(kind=kind, amount=params["amount"], unit=TimeUnit(params["unit"]))
    # Counted on the responsible's own schedule and calendar, as they count their days.
    source = working_time_source(uow, task.responsible_id)
    deadline = due_at(step, entered_at=previous, working_time=source.build)
    before = task_motion.before_change(task)
    names = task.edit({"deadline": deadline}, now=act.now)
    if not names:
        # Nothing moved: nobody is told of a move.
        return Done(
            detail=f"the deadline stays at {previous.isoformat()}",
            data={"from": previous.isoformat(), "to": previous.isoformat(), "notification_ids": []},
        )
    act.changed(names, before)
    deadline_moved(uow, task, now=act.now, skip_run_id=act.run_id)
    told = notify(
        uow,
        recipient_ids=[task.responsible_id],
        kind=TASK_DEADLINE_MOVED,
        params={
            "title": task.title,
            "robot": act.robot.name,
            "deadline": moment_text(deadline, source.timezone),
            "previous": moment_text(previous, source.timezone),
        },
        link=act.link(),
        now=act.now,
    )
    return Done(
        detail=f"moved the deadline from {previous.isoformat()} to {deadline.isoformat()}",
        data={
            "from": previous.isoformat(),
            "to": deadline.isoformat(),
            "notification_ids": [n.id for n in told],
        },
    )


def _holders(uow: UnitOfWork, position: Position, responsible_id: int) -> list[int]:
    """The active holders of ``position`` by id: anywhere, or within the responsible's
    departments and those below them (as a CRM robot's position reads them)."""
    if position.within != DEPARTMENT:
        found = holders(uow, position)
    else:
        parents = uow.departments.parents()
        departments: set[int] = set()
        for root in uow.employees.department_ids(responsible_id):
            departments |= subtree_ids(root, parents)
        members = uow.employees.in_departments(departments) if departments else []
        found = [e for e in members if e.is_active and position.matches(e.position)]
    return sorted(e.id for e in found if e.id is not None)


def _active(uow: UnitOfWork, employee_id: int) -> bool:
    employee = uow.employees.find(employee_id)
    return employee is not None and employee.is_active


def _said(person: Person) -> str:
    if isinstance(person, dict):
        return f"position «{person['position']}»"
    return str(person)


_ACTIONS: dict[TaskActionKind, Callable[[_Act], Done]] = {
    TaskActionKind.NOTIFY: _notify,
    TaskActionKind.CONTROL: _control,
    TaskActionKind.CHANGE_RESPONSIBLE: _change_responsible,
    TaskActionKind.ADD_CO_EXECUTORS: _add_co_executors,
    TaskActionKind.SHIFT_DEADLINE: _shift_deadline,
}
