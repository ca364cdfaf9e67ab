"""Tasks under control on both databases: the head hears the designer's work waits for him,
the designer hears it was accepted, or returned with the head's comment — which the task
keeps until it is finished — and nobody hears of what they did themselves."""

from __future__ import annotations

from datetime import timedelta

import pytest

from conveyor.domain.actors import SYSTEM
from conveyor.domain.errors import Forbidden, InvalidValue
from conveyor.domain.languages import Language
from conveyor.domain.notification_texts import (
    TASK_ACCEPTED,
    TASK_ASSIGNED,
    TASK_AWAITING_CONTROL,
    TASK_RETURNED,
    render,
)
from conveyor.domain.tasks import TaskAction, TaskStatus
from conveyor.services import tasks
from conveyor.storage.unit_of_work import UnitOfWork
from conveyor.testing import FakeClock
from tests.integration.task_team import Team, build_team, set_task
from tests.integration.task_timeline import notices

A, S = TaskAction, TaskStatus
COMMENT = "Цвета не по брендбуку: возьмите палитру со страницы 4"


@pytest.fixture
def team(uow: UnitOfWork, clock: FakeClock) -> Team:
    return build_team(uow, clock())


def kinds(uow: UnitOfWork, employee_id: int) -> list[str]:
    return [n["kind"] for n in notices(uow, employee_id)]


def test_completed_work_waits_for_the_head_who_hears_it_then_the_designer_hears_it_is_accepted(
    uow: UnitOfWork, clock: FakeClock, team: Team
) -> None:
    view = set_task(uow, team.head, team.designer, clock(), title="Logo", requires_acceptance=True)
    task_id = view.task.id or 0
    tasks.act_on_task(uow, task_id, A.START, actor=team.designer, now=clock())
    assert kinds(uow, team.head.employee_id) == []  # starting is nobody's news

    clock.advance(hours=1)
    tasks.act_on_task(uow, task_id, A.COMPLETE, actor=team.designer, now=clock())
    [waiting] = notices(uow, team.head.employee_id)
    assert waiting == {
        "kind": TASK_AWAITING_CONTROL,
        "title": "Logo",
        "by": "Daria Designer",
        "link": ("task", task_id),
    }
    assert kinds(uow, team.designer.employee_id) == [TASK_ASSIGNED]  # she did it herself

    clock.advance(hours=1)
    tasks.act_on_task(uow, task_id, A.ACCEPT, actor=team.head, now=clock())
    [accepted] = notices(uow, team.designer.employee_id, TASK_ACCEPTED)
    assert accepted == {
        "kind": TASK_ACCEPTED,
        "title": "Logo",
        "by": "Boris Head",
        "link": ("task", task_id),
    }
    assert kinds(uow, team.head.employee_id) == [TASK_AWAITING_CONTROL]
    text = render(TASK_ACCEPTED, accepted, Language.RU)
    assert text.body == "Boris Head принимает вашу работу по задаче «Logo»: задача завершена."


def test_a_returned_task_tells_the_designer_why_and_keeps_the_comment_until_it_is_accepted(
    uow: UnitOfWork, clock: FakeClock, team: Team
) -> None:
    view = set_task(
        uow, team.head, team.designer, clock(), title="Banner", requires_acceptance=True
    )
    task_id = view.task.id or 0
    tasks.act_on_task(uow, task_id, A.COMPLETE, actor=team.designer, now=clock())
    clock.advance(hours=2)
    returned_at = clock()
    tasks.act_on_task(
        uow, task_id, A.RETURN, comment=f"  {COMMENT}  ", actor=team.head, now=returned_at
    )

    [told] = notices(uow, team.designer.employee_id, TASK_RETURNED)
    assert told["by"] == "Boris Head" and told["comment"] == COMMENT
    assert render(TASK_RETURNED, told, Language.RU).body == (
        f"Boris Head возвращает задачу «Banner» на доработку: {COMMENT}"
    )
    assert render(TASK_RETURNED, told, Language.EN).body == (
        f"Boris Head returned the task «Banner» for rework: {COMMENT}"
    )
    task = tasks.get_task(uow, task_id, actor=team.designer, now=clock()).task
    assert task.status is S.IN_PROGRESS
    assert (task.return_comment, task.returned_by_id, task.returned_at) == (
        COMMENT,
        team.head.employee_id,
        returned_at,
    )

    # Done again: the head hears it a second time, and the task still says what was asked.
    clock.advance(hours=1)
    tasks.act_on_task(uow, task_id, A.COMPLETE, actor=team.designer, now=clock())
    assert kinds(uow, team.head.employee_id) == [TASK_AWAITING_CONTROL] * 2
    again = tasks.get_task(uow, task_id, actor=team.head, now=clock()).task
    assert again.status is S.AWAITING_CONTROL and again.return_comment == COMMENT

    # Accepted: finished work has nothing left to redo.
    tasks.act_on_task(uow, task_id, A.ACCEPT, actor=team.head, now=clock())
    done = tasks.get_task(uow, task_id, actor=team.head, now=clock()).task
    assert (done.return_comment, done.returned_by_id, done.returned_at) == (None, None, None)
    assert kinds(uow, team.designer.employee_id) == [TASK_ASSIGNED, TASK_RETURNED, TASK_ACCEPTED]


def test_a_refused_return_tells_nobody_and_keeps_the_task_as_it_was(
    uow: UnitOfWork, clock: FakeClock, team: Team
) -> None:
    view = set_task(uow, team.head, team.designer, clock(), requires_acceptance=True)
    task_id = view.task.id or 0
    tasks.act_on_task(uow, task_id, A.COMPLETE, actor=team.designer, now=clock())
    with pytest.raises(InvalidValue):
        tasks.act_on_task(uow, task_id, A.RETURN, comment="  ", actor=team.head, now=clock())
    with pytest.raises(Forbidden):
        tasks.act_on_task(uow, task_id, A.RETURN, comment=COMMENT, actor=team.designer, now=clock())
    assert kinds(uow, team.designer.employee_id) == [TASK_ASSIGNED]
    task = tasks.get_task(uow, task_id, actor=team.head, now=clock()).task
    assert task.status is S.AWAITING_CONTROL and task.return_comment is None


def test_nobody_hears_of_their_own_control(uow: UnitOfWork, clock: FakeClock, team: Team) -> None:
    """The head controls a task he does himself: completing, returning and accepting it are
    all his own doing."""
    view = set_task(uow, team.head, team.head, clock(), requires_acceptance=True)
    task_id = view.task.id or 0
    tasks.act_on_task(uow, task_id, A.COMPLETE, actor=team.head, now=clock())
    tasks.act_on_task(uow, task_id, A.RETURN, comment="Redo", actor=team.head, now=clock())
    tasks.act_on_task(uow, task_id, A.COMPLETE, actor=team.head, now=clock())
    tasks.act_on_task(uow, task_id, A.ACCEPT, actor=team.head, now=clock())
    assert kinds(uow, team.head.employee_id) == []


def test_a_helper_finishing_is_named_to_the_head_and_the_responsible_hears_the_return(
    uow: UnitOfWork, clock: FakeClock, team: Team
) -> None:
    view = set_task(
        uow,
        team.head,
        team.designer,
        clock(),
        requires_acceptance=True,
        co_executor_ids=[team.helper.employee_id],
    )
    task_id = view.task.id or 0
    tasks.act_on_task(uow, task_id, A.COMPLETE, actor=team.helper, now=clock())
    [waiting] = notices(uow, team.head.employee_id, TASK_AWAITING_CONTROL)
    assert waiting["by"] == "Hleb Helper"
    # An admin returns it on the head's behalf: the responsible hears who did.
    tasks.act_on_task(uow, task_id, A.RETURN, comment="Sharper", actor=team.admin, now=clock())
    [returned] = notices(uow, team.designer.employee_id, TASK_RETURNED)
    assert (returned["by"], returned["comment"]) == ("Anna Admin", "Sharper")
    assert kinds(uow, team.helper.employee_id) == []


def test_a_task_without_control_completed_tells_nobody(
    uow: UnitOfWork, clock: FakeClock, team: Team
) -> None:
    view = set_task(uow, team.head, team.designer, clock(), deadline=clock() + timedelta(days=1))
    tasks.act_on_task(uow, view.task.id or 0, A.COMPLETE, actor=team.designer, now=clock())
    assert kinds(uow, team.head.employee_id) == []
    assert kinds(uow, team.designer.employee_id) == [TASK_ASSIGNED]


def test_a_return_by_the_system_names_nobody_on_the_task_and_the_creator_in_the_notice(
    uow: UnitOfWork, clock: FakeClock, team: Team
) -> None:
    view = set_task(uow, team.head, team.designer, clock(), requires_acceptance=True)
    task_id = view.task.id or 0
    tasks.act_on_task(uow, task_id, A.COMPLETE, actor=team.designer, now=clock())
    tasks.act_on_task(uow, task_id, A.RETURN, comment="Redo", actor=SYSTEM, now=clock())
    task = tasks.get_task(uow, task_id, actor=team.head, now=clock()).task
    assert (task.return_comment, task.returned_by_id) == ("Redo", None)
    [told] = notices(uow, team.designer.employee_id, TASK_RETURNED)
    assert told["by"] == "Boris Head"  # on whose behalf the system acts
