"""What CRM robots do to the item's tasks: add co-executors, shift the deadline.

"The item's tasks" for a CRM robot: with ``task_robot_id``, the tasks that ``create_task``
robot created for this item (what its fired runs recorded, whichever stage entry they
belonged to); without it, every task linked to the item (``Task.item_id``), however made.
Of those, only the open ones: not completed, not declined (a task awaiting the creator's
acceptance is still open: "acceptance not finished in a day → two co-executors").

Each change is the one a person makes through ``PATCH /tasks/{id}``, made by the system
(actor 0, as every robot acts): the members settled by ``settle_members`` (an observer
added as a co-executor leaves the observers; the task's own responsible is never its
co-executor), a deadline moved with ``Task.edit``, ``TaskChanged`` naming what changed (and
the run), and what follows a change (``task_motion``: reminders re-planned, tasks after it
moved). Whoever the change concerns is told: each new co-executor, the responsible of a
task whose deadline moved.
"""

from __future__ import annotations

from dataclasses import dataclass

from conveyor.domain.actors import SYSTEM
from conveyor.domain.events import DomainEvent
from conveyor.domain.notification_texts import TASK_CO_EXECUTOR_ADDED, TASK_DEADLINE_MOVED
from conveyor.domain.notifications import Link
from conveyor.domain.robot_runs import RunState
from conveyor.domain.robots import TimeUnit, Timing, TimingKind
from conveyor.domain.task_members import settle_members
from conveyor.domain.task_reminders import moment_text
from conveyor.domain.tasks import MemberRole, Task, TaskStatus
from conveyor.engines.automation import due_at
from conveyor.services import task_motion
from conveyor.services.notifications import notify
from conveyor.services.robot_acting import ActionContext, ActionRefused, Done
from conveyor.services.robot_context import names_of, working_time_source

CO, OBSERVER = MemberRole.CO_EXECUTOR, MemberRole.OBSERVER
#: Tasks a robot may still change.
CLOSED = frozenset({TaskStatus.COMPLETED, TaskStatus.DECLINED})


@dataclass(frozen=True, kw_only=True)
class _Changed:
    task: Task
    names: list[str]


def add_co_executors(act: ActionContext) -> Done:
    uow = act.uow
    tasks = _open_tasks(act)
    wanted: list[int] = []
    for person in act.params["employees"]:
        for employee_id in _people(act, person):
            if employee_id not in wanted:
                wanted.append(employee_id)
    if not wanted:
        raise ActionRefused("Nobody active to add as a co-executor")
    added: dict[int, list[int]] = {}
    for task in tasks:
        task_id = _id(task)
        current_co = sorted(uow.tasks.member_ids(task_id, CO))
        observers = sorted(uow.tasks.member_ids(task_id, OBSERVER))
        new = [e for e in wanted if e != task.responsible_id and e not in current_co]
        if not new:
            continue
        before = task_motion.before_change(task)
        co, kept = settle_members(
            task.responsible_id, (current_co, observers), (current_co + new, None)
        )
        uow.tasks.set_members(task_id, CO, co)
        names = ["co_executor_ids"]
        if set(kept) != set(observers):
            uow.tasks.set_members(task_id, OBSERVER, kept)
            names.append("observer_ids")
        task.updated_at = act.now
        _changed(act, _Changed(task=task, names=names), before)
        notify(
            uow,
            recipient_ids=new,
            kind=TASK_CO_EXECUTOR_ADDED,
            params={"title": task.title, "robot": act.robot.name},
            link=Link(entity="task", id=task_id),
            now=act.now,
        )
        added[task_id] = new
    if not added:
        return Done(
            detail="nothing to add: they already help with the tasks",
            data={"task_ids": [_id(t) for t in tasks], "added": {}},
        )
    everyone = sorted({e for ids in added.values() for e in ids})
    return Done(
        detail=f"added {names_of(uow, everyone)} to task(s) {_list(added)}",
        data={"task_ids": sorted(added), "added": {str(k): v for k, v in added.items()}},
    )


def shift_deadline(act: ActionContext) -> Done:
    uow, params = act.uow, act.params
    tasks = [t for t in _open_tasks(act) if t.deadline is not None]
    if not tasks:
        raise ActionRefused(f"No open task of {act.what().lower()} has a deadline to move")
    unit = TimeUnit(params["unit"])
    kind = TimingKind.AFTER_WORKING if params["working"] else TimingKind.AFTER
    step = Timing(kind=kind, amount=params["amount"], unit=unit)
    moved: dict[str, dict[str, str]] = {}
    for task in tasks:
        assert task.deadline is not None
        previous = task.deadline
        # On the task responsible's own schedule and calendar, as a person counts it.
        source = working_time_source(uow, task.responsible_id)
        deadline = due_at(step, entered_at=previous, working_time=source.build)
        before = task_motion.before_change(task)
        names = task.edit({"deadline": deadline}, now=act.now)
        if not names:
            continue
        _changed(act, _Changed(task=task, names=names), before)
        notify(
            uow,
            recipient_ids=[task.responsible_id],
            kind=TASK_DEADLINE_MOVED,
            params={
                "title": task.title,
                "robot": act.robot.name,
                "deadline": moment_text(deadline, source.timezone),
                "previous": moment_text(previous, source.timezone),
            },
            link=Link(entity="task", id=_id(task)),
            now=act.now,
        )
        moved[str(_id(task))] = {"from": previous.isoformat(), "to": deadline.isoformat()}
    return Done(
        detail=f"moved the deadline of task(s) {', '.join(moved)}",
        data={"task_ids": [int(k) for k in moved], "deadlines": moved},
    )


def _open_tasks(act: ActionContext) -> list[Task]:
    """The item's open tasks this robot works on (see the module), by id; refused when
    there are none."""
    uow = act.uow
    robot_id = act.params["task_robot_id"]
    if robot_id is None:
        found = uow.tasks.where(item_id=act.item_id)
    else:
        runs = uow.robot_runs.where(item_id=act.item_id, robot_id=robot_id, state=RunState.FIRED)
        task_ids = [r.data["task_id"] for r in runs if isinstance(r.data.get("task_id"), int)]
        found = uow.tasks.with_ids(task_ids)
    # Locked (and read again) as a change by hand locks a task: a person's edit and the
    # robot's never cross.
    locked = [
        uow.tasks.get(task_id, for_update=True) for task_id in sorted({_id(t) for t in found})
    ]
    tasks = [t for t in locked if t.status not in CLOSED]
    if not tasks:
        made = "" if robot_id is None else f" made by robot {robot_id}"
        raise ActionRefused(f"{act.what()} has no open task{made}")
    return tasks


def _people(act: ActionContext, person: object) -> list[int]:
    try:
        return [act.one(person, "co-executor")]
    except ActionRefused:
        return []


def _changed(act: ActionContext, changed: _Changed, before: task_motion.Before) -> None:
    task = changed.task
    act.uow.emit(
        DomainEvent(
            type="TaskChanged",
            entity="task",
            entity_id=_id(task),
            occurred_at=act.now,
            payload={
                "changed": sorted(changed.names),
                "actor_id": SYSTEM.employee_id,
                "robot_run_id": act.run_id,
            },
        )
    )
    act.uow.flush()
    task_motion.task_changed(act.uow, task, before, actor_id=SYSTEM.employee_id, now=act.now)


def _list(added: dict[int, list[int]]) -> str:
    return ", ".join(str(task_id) for task_id in sorted(added))


def _id(task: Task) -> int:
    assert task.id is not None
    return task.id
