"""Tasks: create, read, change, act on (start ... accept), list.

Visibility: an employee with the ``employee`` role sees, changes and acts on only the
tasks they created, are responsible for, help with or observe; any other task is "not
found" to them. Heads and admins see every task. Seeing is not acting: who may take an
action or change a field is decided by ``Task`` (heads included), admins may do all.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

from conveyor.domain.actors import Actor
from conveyor.domain.errors import Forbidden, InvalidValue, NotFound
from conveyor.domain.events import DomainEvent
from conveyor.domain.pages import Page
from conveyor.domain.task_dependencies import TaskDependency
from conveyor.domain.task_members import check_members, settle_members
from conveyor.domain.tasks import MemberRole, Task, TaskAction, TaskMember, TaskQuery
from conveyor.domain.tokens import Role
from conveyor.services import (
    task_motion,
    task_robot_runs,
    task_robot_timing,
    task_visibility,
    trigger_firing,
)
from conveyor.services.assignment import assign_new_task
from conveyor.services.assignment_queue import retry_after_task_change
from conveyor.storage.unit_of_work import UnitOfWork

CO, OBSERVER = MemberRole.CO_EXECUTOR, MemberRole.OBSERVER
#: No employee has this id (``SYSTEM``'s): "no responsible yet" for the member checks.
NOBODY = 0


@dataclass(frozen=True, kw_only=True)
class CreateTask:
    title: str
    #: ``None``: the task rules choose (the creator holds the task until someone is free).
    responsible_id: int | None = None
    description: str = ""
    #: Who set the task; only an admin may name someone else than themselves.
    creator_id: int | None = None
    co_executor_ids: list[int] = field(default_factory=list)
    observer_ids: list[int] = field(default_factory=list)
    deadline: datetime | None = None
    requires_acceptance: bool = False
    item_id: int | None = None
    start_at: datetime | None = None
    #: ``None``: the company's default; 0: no reminder before the deadline.
    remind_before_hours: int | None = None


@dataclass(frozen=True, kw_only=True)
class TaskView:
    """A task with its members and whether it is overdue at the time it was read."""

    task: Task
    co_executor_ids: list[int]
    observer_ids: list[int]
    overdue: bool
    #: The tasks it follows and those following it (``services/task_dependencies.py``).
    predecessor_ids: list[int] = field(default_factory=list)
    successor_ids: list[int] = field(default_factory=list)


def create_task(uow: UnitOfWork, command: CreateTask, *, actor: Actor, now: datetime) -> TaskView:
    creator_id = actor.employee_id if command.creator_id is None else command.creator_id
    if creator_id != actor.employee_id and not actor.is_admin:
        raise Forbidden("Only an admin may set a task on someone else's behalf", field="creator_id")
    by_rule = command.responsible_id is None
    responsible_id = creator_id if command.responsible_id is None else command.responsible_id
    with uow:
        _active_employee(uow, creator_id, field="creator_id")
        _active_employee(uow, responsible_id, field="responsible_id")
        # A task for the rules has no responsible yet (the creator only holds it), so the
        # creator may be among its members; the one chosen leaves them when assigned.
        check_members(
            NOBODY if by_rule else responsible_id, command.co_executor_ids, command.observer_ids
        )
        for name, ids in (
            ("co_executor_ids", command.co_executor_ids),
            ("observer_ids", command.observer_ids),
        ):
            for index, employee_id in enumerate(ids):
                _active_employee(uow, employee_id, field=f"{name}.{index}")
        if command.item_id is not None:
            _linkable_item(uow, command.item_id, actor)
        task = Task(
            title=command.title,
            description=command.description,
            creator_id=creator_id,
            responsible_id=responsible_id,
            deadline=command.deadline,
            requires_acceptance=command.requires_acceptance,
            item_id=command.item_id,
            start_at=command.start_at,
            remind_before_hours=command.remind_before_hours,
            created_at=now,
            updated_at=now,
            status_changed_at=now,
        )
        view = add_task(
            uow,
            task,
            co_executor_ids=command.co_executor_ids,
            observer_ids=command.observer_ids,
            actor_id=actor.employee_id,
            now=now,
            hold=by_rule,
        )
        if by_rule:
            uow.flush()
            if assign_new_task(uow, task, now=now) is None:
                raise InvalidValue(
                    "No task rule takes this task: name its responsible", field="responsible_id"
                )
            task_robot_runs.task_entered_status(uow, task, now=now)
            view = _view(uow, task, now)
        uow.commit()
    return view


def add_task(
    uow: UnitOfWork,
    task: Task,
    *,
    co_executor_ids: list[int] | None = None,
    observer_ids: list[int] | None = None,
    actor_id: int,
    now: datetime,
    hold: bool = False,
    **cause: object,
) -> TaskView:
    """Write ``task``, already checked by the caller, with its members and its
    ``TaskCreated`` event (``cause`` adds to the event's payload: a robot's run, say),
    inside the caller's open ``uow``; never commits. ``hold``: its responsible only holds
    it until a task rule picks someone (who is told then)."""
    uow.tasks.add(task)
    task_id = _id(task)
    uow.tasks.set_members(task_id, CO, co_executor_ids or [])
    uow.tasks.set_members(task_id, OBSERVER, observer_ids or [])
    view = _view(uow, task, now)
    uow.emit(
        _event(
            task,
            "TaskCreated",
            now,
            title=task.title,
            creator_id=task.creator_id,
            responsible_id=task.responsible_id,
            co_executor_ids=view.co_executor_ids,
            observer_ids=view.observer_ids,
            deadline=None if task.deadline is None else task.deadline.isoformat(),
            requires_acceptance=task.requires_acceptance,
            item_id=task.item_id,
            actor_id=actor_id,
            **cause,
        )
    )
    task_motion.task_set(uow, task, actor_id=actor_id, held=hold, now=now)
    if not hold:
        task_robot_runs.task_entered_status(uow, task, now=now)
    return view


def get_task(uow: UnitOfWork, task_id: int, *, actor: Actor, now: datetime) -> TaskView:
    with uow:
        return _view(uow, _visible(uow, task_id, actor), now, actor)


def update_task(
    uow: UnitOfWork, task_id: int, changes: dict[str, object], *, actor: Actor, now: datetime
) -> TaskView:
    """Change the fields in ``changes``; a field sent with its current value is unchanged.

    The responsible given is promoted out of the co-executors and observers when those
    are not sent; someone moved between co-executors and observers by sending one list
    leaves the other.
    """
    with uow:
        task = _locked(uow, task_id, actor)
        was = task_motion.before_change(task)
        current_co = sorted(uow.tasks.member_ids(task_id, CO))
        current_observers = sorted(uow.tasks.member_ids(task_id, OBSERVER))
        current = {
            **{name: getattr(task, name) for name in _PLAIN_FIELDS},
            "co_executor_ids": current_co,
            "observer_ids": current_observers,
        }
        unknown = sorted(set(changes) - set(current))
        if unknown:
            raise InvalidValue(f"A task has no field '{unknown[0]}'", field=unknown[0])
        differing = {name for name, value in changes.items() if _differs(current[name], value)}
        task.check_may_edit(differing, actor_id=actor.employee_id, is_admin=actor.is_admin)

        events: list[DomainEvent | None] = []
        changed: list[str] = []
        if "responsible_id" in differing:
            responsible_id = changes["responsible_id"]
            assert isinstance(responsible_id, int)
            _active_employee(uow, responsible_id, field="responsible_id")
            events.append(task.hand_over(responsible_id, actor_id=actor.employee_id, now=now))
            changed.append("responsible_id")
        item_id = changes.get("item_id")
        if "item_id" in differing and item_id is not None:
            assert isinstance(item_id, int)
            _linkable_item(uow, item_id, actor)
        changed += task.edit({k: v for k, v in changes.items() if k in differing}, now=now)

        given_co = _ids(changes.get("co_executor_ids"))
        given_observers = _ids(changes.get("observer_ids"))
        co, observers = settle_members(
            task.responsible_id, (current_co, current_observers), (given_co, given_observers)
        )
        for name, role, ids, before in (
            ("co_executor_ids", CO, co, current_co),
            ("observer_ids", OBSERVER, observers, current_observers),
        ):
            if set(ids) == set(before):
                continue
            for index, employee_id in enumerate(ids):
                if employee_id not in before:
                    _active_employee(uow, employee_id, field=f"{name}.{index}")
            uow.tasks.set_members(task_id, role, ids)
            changed.append(name)
            task.updated_at = now
        if changed:
            events.append(
                _event(
                    task,
                    "TaskChanged",
                    now,
                    changed=sorted(set(changed)),
                    actor_id=actor.employee_id,
                )
            )
        uow.emit(*events)
        if "responsible_id" in differing:
            uow.flush()
            retry_after_task_change(uow, now=now)
        task_motion.task_changed(uow, task, was, actor_id=actor.employee_id, now=now)
        if "deadline" in changed:
            task_robot_timing.deadline_moved(uow, task, now=now)
        view = _view(uow, task, now, actor)
        uow.commit()
    return view


def act_on_task(
    uow: UnitOfWork,
    task_id: int,
    action: TaskAction,
    *,
    comment: str | None = None,
    actor: Actor,
    now: datetime,
) -> TaskView:
    """Take ``action`` on the task (see ``Task.take`` for who may do what, from where)."""
    with uow:
        task = _locked(uow, task_id, actor)
        event = task.take(
            action,
            actor_id=actor.employee_id,
            co_executor_ids=uow.tasks.member_ids(task_id, CO),
            is_admin=actor.is_admin,
            comment=comment,
            now=now,
        )
        uow.emit(event)
        uow.flush()
        retry_after_task_change(uow, now=now)
        task_motion.task_acted(uow, task, event, now=now)
        trigger_firing.task_finished(uow, task, now=now)
        task_robot_runs.task_entered_status(uow, task, now=now)
        view = _view(uow, task, now, actor)
        uow.commit()
    return view


def list_tasks(
    uow: UnitOfWork, query: TaskQuery, *, actor: Actor, now: datetime, limit: int, offset: int
) -> Page[TaskView]:
    """Tasks matching ``query`` that the actor may see, by deadline (none last), then id."""
    if not _sees_all(actor):
        query = replace(query, visible_to_id=actor.employee_id)
    with uow:
        found = uow.tasks.search(query, now=now, limit=limit, offset=offset)
        members = uow.tasks.members_of(_id(t) for t in found.items)
        links = _links_seen(uow, [_id(t) for t in found.items], actor)
        items = [_assemble(t, members[_id(t)], now, links) for t in found.items]
    return Page(items=items, total=found.total, limit=found.limit, offset=found.offset)


_PLAIN_FIELDS = (
    "title",
    "description",
    "deadline",
    "responsible_id",
    "requires_acceptance",
    "item_id",
    "start_at",
    "remind_before_hours",
)


def _sees_all(actor: Actor) -> bool:
    return actor.is_admin or actor.role is Role.HEAD


def _linkable_item(uow: UnitOfWork, item_id: int, actor: Actor) -> None:
    """A task may link only a lead or deal its actor may see (``CrmItem.visible_to``)."""
    item = uow.items.find(item_id)
    if item is None or not item.visible_to(actor):
        # A hidden item answers exactly like a missing one, so ids cannot be probed.
        raise NotFound(uow.items.label, item_id, field="item_id")


def _locked(uow: UnitOfWork, task_id: int, actor: Actor) -> Task:
    """The task (see ``_visible``) locked for a change, after the item it is linked to.

    Item, then task, everywhere: a robot acting on an item holds the item and then locks
    its tasks, and a task's change may reach its item (a completed task fires the item's
    triggers). Locking the task first would let the two wait on each other (a deadlock on
    PostgreSQL)."""
    item_id = _visible(uow, task_id, actor).item_id
    if item_id is not None:
        uow.items.find(item_id, for_update=True)
    task = _visible(uow, task_id, actor, for_update=True)
    if task.item_id is not None and task.item_id != item_id:
        # Relinked between the two reads (rare): its item is locked after it, as before.
        uow.items.find(task.item_id, for_update=True)
    return task


def _visible(uow: UnitOfWork, task_id: int, actor: Actor, *, for_update: bool = False) -> Task:
    """The task, or ``NotFound`` also when the actor may not see it (so that its existence
    does not leak)."""
    task = uow.tasks.get(task_id, for_update=for_update)
    me = actor.employee_id
    if (
        _sees_all(actor)
        or me in (task.creator_id, task.responsible_id)
        or uow.tasks.is_member(task_id, me)
    ):
        return task
    raise NotFound("task", task_id)


def _active_employee(uow: UnitOfWork, employee_id: int, *, field: str) -> None:
    if not uow.employees.get(employee_id, field=field).is_active:
        raise InvalidValue(f"Employee {employee_id} is dismissed", field=field)


def _view(uow: UnitOfWork, task: Task, now: datetime, actor: Actor | None = None) -> TaskView:
    """The task with its members and links; with ``actor``, only the links to tasks they
    may see (a robot's or a rule's view, with no reader, shows every link)."""
    links = _links_seen(uow, [_id(task)], actor)
    return _assemble(task, uow.tasks.members(_id(task)), now, links)


def _links_seen(uow: UnitOfWork, task_ids: list[int], actor: Actor | None) -> list[TaskDependency]:
    links = uow.task_dependencies.touching(task_ids)
    if actor is None:
        return links
    others = {d.predecessor_id for d in links} | {d.successor_id for d in links}
    seen = set(task_ids) | task_visibility.seen_by(uow, others - set(task_ids), actor)
    return [d for d in links if d.predecessor_id in seen and d.successor_id in seen]


def _assemble(
    task: Task, members: list[TaskMember], now: datetime, links: list[TaskDependency]
) -> TaskView:
    return TaskView(
        task=task,
        co_executor_ids=sorted(m.employee_id for m in members if m.role is CO),
        observer_ids=sorted(m.employee_id for m in members if m.role is OBSERVER),
        overdue=task.is_overdue(now),
        predecessor_ids=sorted(d.predecessor_id for d in links if d.successor_id == task.id),
        successor_ids=sorted(d.successor_id for d in links if d.predecessor_id == task.id),
    )


def _differs(current: object, given: object) -> bool:
    if isinstance(current, list) and isinstance(given, list):
        return set(current) != set(given)
    return current != given


def _ids(value: object) -> list[int] | None:
    if value is None:
        return None
    assert isinstance(value, list)
    return [int(i) for i in value]


def _id(task: Task) -> int:
    assert task.id is not None
    return task.id


def _event(task: Task, kind: str, now: datetime, **payload: object) -> DomainEvent:
    return DomainEvent(
        type=kind, entity="task", entity_id=_id(task), occurred_at=now, payload=payload
    )
