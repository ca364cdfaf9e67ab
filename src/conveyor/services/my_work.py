"""My work: the tasks a person owes, those waiting for their acceptance, and what each allows.

A person's own work only, whatever their role: a head or an admin sees the department's on the
workload board. "My tasks" are those they are responsible for or help with (co-executor) that
are still owed or wait for acceptance; "approvals" are those they created that wait for their
control. A task the creator returned carries their comment (``Task.return_comment``) until it
is finished, so its card says what is to be redone and who asked. The actions offered are those
``Task.take`` would allow them now, so a button is never shown for a step the task would refuse
(the task still decides when it is pressed).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from conveyor.domain.actors import Actor
from conveyor.domain.errors import Forbidden, InvalidValue, TransitionNotAllowed
from conveyor.domain.pipelines import EntityType
from conveyor.domain.tasks import TaskAction, TaskQuery, TaskStatus
from conveyor.services import tasks
from conveyor.storage.unit_of_work import UnitOfWork

__all__ = [
    "CONTROL_ACTIONS",
    "EXECUTOR_ACTIONS",
    "ItemRef",
    "MyWork",
    "WorkTask",
    "allowed",
    "my_work",
]

S, A = TaskStatus, TaskAction
#: What a task's executor is offered on their list, in the order shown.
EXECUTOR_ACTIONS = (A.START, A.RESUME, A.COMPLETE, A.PAUSE, A.DEFER)
#: What the creator is offered on a task waiting for their control.
CONTROL_ACTIONS = (A.ACCEPT, A.RETURN)
#: The statuses of "my tasks": owed, put off, or done and waiting for acceptance.
MINE = frozenset({S.PENDING, S.IN_PROGRESS, S.DEFERRED, S.AWAITING_CONTROL})


@dataclass(frozen=True, kw_only=True)
class ItemRef:
    """The lead or deal a task is about, as its reader may see it."""

    entity: EntityType
    id: int
    title: str


@dataclass(frozen=True, kw_only=True)
class WorkTask:
    view: tasks.TaskView
    item: ItemRef | None
    #: What the reader may do with it now, in the order to offer.
    actions: tuple[TaskAction, ...]


@dataclass(frozen=True, kw_only=True)
class MyWork:
    tasks: list[WorkTask]
    approvals: list[WorkTask]
    #: How many more there are than ``limit`` shows.
    more_tasks: int
    more_approvals: int
    #: The names of the tasks' creators, responsibles and returners, by employee id.
    names: dict[int, str]


def my_work(uow: UnitOfWork, *, actor: Actor, now: datetime, limit: int = 100) -> MyWork:
    """The actor's own tasks and approvals, each by deadline (none last), then id."""
    me = actor.employee_id

    def find(query: TaskQuery) -> tuple[list[tasks.TaskView], int]:
        found = tasks.list_tasks(uow, query, actor=actor, now=now, limit=limit, offset=0)
        return found.items, found.total

    responsible, responsible_total = find(TaskQuery(responsible_id=me, statuses=MINE))
    helping, _ = find(TaskQuery(member_id=me, statuses=MINE))
    helping = [v for v in helping if me in v.co_executor_ids and v.task.responsible_id != me]
    waiting, waiting_total = find(
        TaskQuery(creator_id=me, statuses=frozenset({S.AWAITING_CONTROL}))
    )

    owed = sorted({v.task.id: v for v in responsible + helping}.values(), key=_by_deadline)[:limit]
    with uow:
        items = _items(uow, [v.task.item_id for v in owed + waiting], actor)
        names = _names(
            uow,
            {v.task.creator_id for v in owed}
            | {v.task.responsible_id for v in waiting}
            | {v.task.returned_by_id for v in owed + waiting if v.task.returned_by_id},
        )
    return MyWork(
        tasks=[_work(v, items, actor, EXECUTOR_ACTIONS, now) for v in owed],
        approvals=[_work(v, items, actor, CONTROL_ACTIONS, now) for v in waiting],
        more_tasks=max(0, responsible_total + len(helping) - len(owed)),
        more_approvals=max(0, waiting_total - len(waiting)),
        names=names,
    )


def allowed(
    view: tasks.TaskView, actor: Actor, offered: tuple[TaskAction, ...], now: datetime
) -> tuple[TaskAction, ...]:
    """Those of ``offered`` the task would let ``actor`` take now: each is tried on a copy of
    the task, so the task's own rules decide (a return needing a comment counts as allowed)."""
    found = []
    for action in offered:
        trial = replace(view.task)  # a new, unsaved task: trying changes nothing stored
        try:
            trial.take(
                action,
                actor_id=actor.employee_id,
                co_executor_ids=frozenset(view.co_executor_ids),
                is_admin=actor.is_admin,
                now=now,
            )
        except (Forbidden, TransitionNotAllowed):
            continue
        except InvalidValue:
            pass  # allowed, with what the form asks for (a comment)
        found.append(action)
    return tuple(found)


def _work(
    view: tasks.TaskView,
    items: dict[int, ItemRef],
    actor: Actor,
    offered: tuple[TaskAction, ...],
    now: datetime,
) -> WorkTask:
    item_id = view.task.item_id
    return WorkTask(
        view=view,
        item=None if item_id is None else items.get(item_id),
        actions=allowed(view, actor, offered, now),
    )


def _items(uow: UnitOfWork, item_ids: list[int | None], actor: Actor) -> dict[int, ItemRef]:
    """The items the actor may see among ``item_ids`` (a hidden one is left out)."""
    found = {}
    for item_id in {i for i in item_ids if i is not None}:
        item = uow.items.find(item_id)
        if item is not None and item.visible_to(actor):
            found[item_id] = ItemRef(entity=item.entity_type, id=item_id, title=item.title)
    return found


def _names(uow: UnitOfWork, employee_ids: set[int]) -> dict[int, str]:
    found = {}
    for employee_id in employee_ids:
        employee = uow.employees.find(employee_id)
        if employee is not None:
            found[employee_id] = employee.name
    return found


def _by_deadline(view: tasks.TaskView) -> tuple[bool, datetime | None, int]:
    task = view.task
    deadline = task.deadline
    return (deadline is None, deadline, task.id or 0)
