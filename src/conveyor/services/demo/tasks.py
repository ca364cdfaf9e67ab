"""The demo agency's tasks: each head sets work for their people, in every state.

The web logins' own work is set on purpose, not by chance: the designer who signs in has
open tasks (one returned with the head's comment) and the head of Design a designer's work
waiting for their acceptance, so each finds something to do on "My work"."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from conveyor.domain.actors import SYSTEM, Actor
from conveyor.domain.tasks import TaskAction
from conveyor.domain.tokens import Role
from conveyor.services.demo.org import DemoOrg
from conveyor.services.tasks import CreateTask, act_on_task, create_task
from conveyor.storage.unit_of_work import UnitOfWork

TASKS = {
    "Sales": ["Call back the client", "Prepare a commercial offer", "Send the contract draft"],
    "Design": ["Draw the homepage mock-up", "Prepare 3D renders", "Adapt the banner set"],
    "Development": ["Set up the staging server", "Integrate the payment gateway", "Fix the cart"],
    "Accounting": ["Issue the invoice", "Check the prepayment", "Close the month's acts"],
    "Management": ["Order office supplies"],
}

# What happens to a task after it is set, and how often.
PATHS: list[tuple[list[TaskAction], float]] = [
    ([], 0.35),
    ([TaskAction.START], 0.3),
    ([TaskAction.START, TaskAction.COMPLETE], 0.2),
    ([TaskAction.DEFER], 0.05),
    ([TaskAction.START, TaskAction.COMPLETE, TaskAction.RETURN], 0.05),
    ([TaskAction.START, TaskAction.COMPLETE, TaskAction.ACCEPT], 0.05),
]


def seed_tasks(
    uow: UnitOfWork, people: DemoOrg, *, now: datetime, rng: random.Random, item_ids: list[int]
) -> int:
    """Two or three tasks for every staff member; returns how many were created."""
    created = 0
    for department, staff in people.members.items():
        head = people.heads[department]
        for employee_id in staff:
            for _ in range(rng.randint(2, 3)):
                view = create_task(
                    uow,
                    CreateTask(
                        title=rng.choice(TASKS[department]),
                        responsible_id=employee_id,
                        creator_id=head,
                        deadline=now + timedelta(hours=rng.randint(-48, 24 * 10)),
                        requires_acceptance=rng.random() < 0.4,
                        item_id=rng.choice(item_ids) if item_ids and rng.random() < 0.5 else None,
                    ),
                    actor=SYSTEM,
                    now=now - timedelta(days=rng.randint(1, 10)),
                )
                assert view.task.id is not None
                _follow(uow, view.task.id, employee_id, head, now=now, rng=rng)
                created += 1
    return created + _design_showcase(uow, people, now=now)


#: The Design logins' own work: (title, requires acceptance, what has happened to it).
SHOWCASE: list[tuple[str, bool, list[TaskAction]]] = [
    ("Pick the palette for the bakery's signboard", False, []),
    (
        "Adapt the banner set for social networks",
        True,
        [TaskAction.START, TaskAction.COMPLETE, TaskAction.RETURN],
    ),
    (
        "Draw the homepage mock-up for the flower shop",
        True,
        [TaskAction.START, TaskAction.COMPLETE],
    ),
]
RETURN_COMMENT = "The colours are off the brand book: take them from the guide, page 4"


def _design_showcase(uow: UnitOfWork, people: DemoOrg, *, now: datetime) -> int:
    """The head of Design sets the first designer (the demo's designer login) an open task,
    one returned with a comment and one done and waiting for the head's acceptance; returns
    how many were created."""
    head, designer = people.heads["Design"], people.staff("Design")[0]
    for index, (title, controlled, actions) in enumerate(SHOWCASE):
        view = create_task(
            uow,
            CreateTask(
                title=title,
                responsible_id=designer,
                creator_id=head,
                deadline=now + timedelta(days=2 + index),
                requires_acceptance=controlled,
            ),
            actor=SYSTEM,
            now=now - timedelta(days=3),
        )
        assert view.task.id is not None
        for step, action in enumerate(actions):
            by_head = action in (TaskAction.ACCEPT, TaskAction.RETURN)
            actor = Actor(employee_id=head if by_head else designer, role=Role.EMPLOYEE)
            comment = RETURN_COMMENT if action is TaskAction.RETURN else None
            at = now - timedelta(days=2) + timedelta(hours=4 * step)
            act_on_task(uow, view.task.id, action, comment=comment, actor=actor, now=at)
    return len(SHOWCASE)


def _follow(
    uow: UnitOfWork, task_id: int, worker: int, head: int, *, now: datetime, rng: random.Random
) -> None:
    paths, weights = zip(*PATHS, strict=True)
    for action in rng.choices(paths, weights)[0]:
        by_head = action in (TaskAction.ACCEPT, TaskAction.RETURN)
        actor = Actor(employee_id=head if by_head else worker, role=Role.EMPLOYEE)
        comment = "Please fix the details" if action is TaskAction.RETURN else None
        view = act_on_task(uow, task_id, action, comment=comment, actor=actor, now=now)
        if action is TaskAction.COMPLETE and not view.task.requires_acceptance:
            return
