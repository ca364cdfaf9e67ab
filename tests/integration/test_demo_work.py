"""The demo's web logins on both databases: the designer who signs in finds open tasks, one of
them returned with the head's comment, and the head of Design a designer's work waiting for
his acceptance — each with the notice that told them."""

from __future__ import annotations

from conveyor.domain.actors import Actor
from conveyor.domain.notification_texts import TASK_AWAITING_CONTROL, TASK_RETURNED
from conveyor.domain.tasks import TaskStatus
from conveyor.domain.tokens import Role
from conveyor.services import my_work
from conveyor.services.demo.build import build_demo
from conveyor.services.demo.tasks import RETURN_COMMENT
from conveyor.storage.unit_of_work import UnitOfWork
from conveyor.testing import FakeClock
from tests.integration.task_timeline import notices

S = TaskStatus


def test_the_demos_designer_and_head_of_design_each_find_work_waiting_for_them(
    uow: UnitOfWork, clock: FakeClock
) -> None:
    summary = build_demo(uow, now=clock(), seed=2026)
    actors = {}
    for login in summary.logins:
        with uow:
            [employee] = uow.employees.where(email=login.email)
        assert employee.id is not None
        actors[login.role] = Actor(employee_id=employee.id, role=login.role)
    head, designer = actors[Role.HEAD], actors[Role.EMPLOYEE]
    admins = my_work.my_work(uow, actor=actors[Role.ADMIN], now=clock())
    assert [w.view.task.title for w in admins.tasks] == ["Give the new designer a web login"]

    mine = my_work.my_work(uow, actor=designer, now=clock())
    owed = [w.view.task for w in mine.tasks]
    assert sum(t.status in (S.PENDING, S.IN_PROGRESS) for t in owed) >= 2
    [returned] = [t for t in owed if t.return_comment]
    assert (returned.status, returned.return_comment) == (S.IN_PROGRESS, RETURN_COMMENT)
    assert returned.returned_by_id == head.employee_id
    assert mine.names[head.employee_id]  # who returned it, by name
    [told] = notices(uow, designer.employee_id, TASK_RETURNED)
    assert told["comment"] == RETURN_COMMENT

    approvals = my_work.my_work(uow, actor=head, now=clock()).approvals
    from_designer = [w for w in approvals if w.view.task.responsible_id == designer.employee_id]
    assert from_designer, "the head of Design has the designer's work to accept"
    assert all(w.actions == ("accept", "return") for w in from_designer)
    waiting = notices(uow, head.employee_id, TASK_AWAITING_CONTROL)
    assert {n["link"][1] for n in waiting} >= {w.view.task.id for w in from_designer}
