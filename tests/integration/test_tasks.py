"""Tasks on both databases: creating, reading, changing, acting, listing and visibility."""

from __future__ import annotations

from datetime import timedelta

import pytest

from conveyor.domain.errors import Forbidden, InvalidValue, NotFound, TransitionNotAllowed
from conveyor.domain.tasks import TaskAction, TaskQuery, TaskStatus
from conveyor.services import org, tasks
from conveyor.storage.unit_of_work import UnitOfWork
from conveyor.testing import FakeClock
from tests.integration.task_team import Team, a_deal, build_team, events, set_task

A, S = TaskAction, TaskStatus


@pytest.fixture
def team(uow: UnitOfWork, clock: FakeClock) -> Team:
    return build_team(uow, clock())


def _count_tasks(uow: UnitOfWork) -> int:
    with uow:
        return len(uow.tasks.where())


def test_a_task_is_set_with_helpers_and_watchers_and_becomes_overdue_after_its_deadline(
    uow: UnitOfWork, clock: FakeClock, team: Team
) -> None:
    deal_id = a_deal(uow, clock())
    view = set_task(
        uow,
        team.head,
        team.designer,
        clock(),
        co_executor_ids=[team.helper.employee_id],
        observer_ids=[team.watcher.employee_id, team.watcher.employee_id],
        deadline=clock() + timedelta(hours=2),
        item_id=deal_id,
    )
    task = view.task
    assert task.creator_id == team.head.employee_id
    assert task.status is S.PENDING
    assert view.co_executor_ids == [team.helper.employee_id]
    assert view.observer_ids == [team.watcher.employee_id]
    assert events(uow, task.id or 0) == ["TaskCreated"]
    assert not tasks.get_task(uow, task.id or 0, actor=team.designer, now=clock()).overdue
    clock.advance(hours=3)
    again = tasks.get_task(uow, task.id or 0, actor=team.watcher, now=clock())
    assert again.overdue
    assert again.task.item_id == deal_id


def test_bad_references_are_refused_by_field_and_create_nothing(
    uow: UnitOfWork, clock: FakeClock, team: Team
) -> None:
    org.update_employee(
        uow, team.stranger.employee_id, {"status": "dismissed"}, actor=team.admin, now=clock()
    )
    cases: list[tuple[dict[str, object], type[Exception], str]] = [
        ({"responsible_id": 4242}, NotFound, "responsible_id"),
        ({"responsible_id": team.stranger.employee_id}, InvalidValue, "responsible_id"),
        ({"co_executor_ids": [team.helper.employee_id, 4242]}, NotFound, "co_executor_ids.1"),
        ({"co_executor_ids": [team.designer.employee_id]}, InvalidValue, "co_executor_ids.0"),
        ({"observer_ids": [team.stranger.employee_id]}, InvalidValue, "observer_ids.0"),
        ({"item_id": 4242}, NotFound, "item_id"),
        ({"creator_id": team.head.employee_id}, Forbidden, "creator_id"),
    ]
    for fields, error, field in cases:
        command = tasks.CreateTask(
            **{"title": "X", "responsible_id": team.designer.employee_id, **fields}  # type: ignore[arg-type]
        )
        with pytest.raises(error) as refused:
            tasks.create_task(uow, command, actor=team.watcher, now=clock())
        assert getattr(refused.value, "field", None) == field, fields
    assert _count_tasks(uow) == 0


def test_an_admin_may_set_a_task_on_a_heads_behalf(
    uow: UnitOfWork, clock: FakeClock, team: Team
) -> None:
    view = set_task(uow, team.admin, team.designer, clock(), creator_id=team.head.employee_id)
    assert view.task.creator_id == team.head.employee_id


def test_an_employee_sees_only_the_tasks_they_take_part_in_and_heads_see_all(
    uow: UnitOfWork, clock: FakeClock, team: Team
) -> None:
    mine = set_task(uow, team.head, team.designer, clock(), observer_ids=[team.watcher.employee_id])
    other = set_task(uow, team.head, team.helper, clock())
    task_id = mine.task.id or 0
    for actor in (team.head, team.designer, team.watcher, team.admin):
        assert tasks.get_task(uow, task_id, actor=actor, now=clock()).task.id == task_id
    with pytest.raises(NotFound):
        tasks.get_task(uow, task_id, actor=team.stranger, now=clock())
    with pytest.raises(NotFound):
        tasks.act_on_task(uow, task_id, A.START, actor=team.stranger, now=clock())
    with pytest.raises(NotFound):
        tasks.update_task(uow, task_id, {"title": "Mine"}, actor=team.stranger, now=clock())

    def listed(actor: object) -> list[int]:
        page = tasks.list_tasks(uow, TaskQuery(), actor=actor, now=clock(), limit=50, offset=0)  # type: ignore[arg-type]
        return [v.task.id or 0 for v in page.items]

    assert listed(team.watcher) == [task_id]
    assert listed(team.stranger) == []
    assert sorted(listed(team.head)) == sorted([task_id, other.task.id or 0])


def test_lists_filter_by_people_status_lateness_deal_and_deadline_and_sort_by_deadline(
    uow: UnitOfWork, clock: FakeClock, team: Team
) -> None:
    now = clock()
    deal_id = a_deal(uow, now)
    late = set_task(uow, team.head, team.designer, now, deadline=now - timedelta(days=1))
    soon = set_task(
        uow,
        team.head,
        team.designer,
        now,
        deadline=now + timedelta(days=1),
        co_executor_ids=[team.helper.employee_id],
        item_id=deal_id,
    )
    open_ended = set_task(uow, team.designer, team.helper, now)
    later = set_task(uow, team.head, team.helper, now, deadline=now + timedelta(days=5))
    tasks.act_on_task(uow, soon.task.id or 0, A.START, actor=team.designer, now=now)
    tasks.act_on_task(uow, later.task.id or 0, A.COMPLETE, actor=team.helper, now=now)

    def ids(**filters: object) -> list[int]:
        page = tasks.list_tasks(
            uow,
            TaskQuery(**filters),
            actor=team.admin,
            now=now,
            limit=50,
            offset=0,  # type: ignore[arg-type]
        )
        return [v.task.id or 0 for v in page.items]

    late_id, soon_id, open_id, later_id = (v.task.id or 0 for v in (late, soon, open_ended, later))
    assert ids() == [late_id, soon_id, later_id, open_id]
    assert ids(responsible_id=team.designer.employee_id) == [late_id, soon_id]
    assert ids(creator_id=team.designer.employee_id) == [open_id]
    assert ids(member_id=team.helper.employee_id) == [soon_id]
    assert ids(statuses=frozenset({S.IN_PROGRESS, S.COMPLETED})) == [soon_id, later_id]
    assert ids(overdue=True) == [late_id]
    assert ids(overdue=False) == [soon_id, later_id, open_id]
    assert ids(item_id=deal_id) == [soon_id]
    assert ids(deadline_from=now, deadline_to=now + timedelta(days=5)) == [soon_id]
    page = tasks.list_tasks(uow, TaskQuery(), actor=team.admin, now=now, limit=2, offset=2)
    assert [v.task.id for v in page.items] == [later_id, open_id] and page.total == 4
    assert page.items[0].co_executor_ids == [] and page.items[0].task.completed_at == now


def test_the_creator_hands_a_task_over_and_the_new_responsible_leaves_the_helpers(
    uow: UnitOfWork, clock: FakeClock, team: Team
) -> None:
    view = set_task(
        uow, team.head, team.designer, clock(), co_executor_ids=[team.helper.employee_id]
    )
    task_id = view.task.id or 0
    clock.advance(minutes=5)
    changed = tasks.update_task(
        uow,
        task_id,
        {"responsible_id": team.helper.employee_id, "deadline": clock() + timedelta(days=1)},
        actor=team.head,
        now=clock(),
    )
    assert changed.task.responsible_id == team.helper.employee_id
    assert changed.co_executor_ids == []
    assert changed.task.updated_at == clock()
    assert events(uow, task_id) == ["TaskCreated", "TaskResponsibleChanged", "TaskChanged"]
    with uow:
        last = uow.events.where(entity="task", entity_id=task_id)[-1]
    assert last.payload["changed"] == ["co_executor_ids", "deadline", "responsible_id"]


def test_the_responsible_may_add_watchers_but_not_move_the_deadline_and_nothing_changes(
    uow: UnitOfWork, clock: FakeClock, team: Team
) -> None:
    deadline = clock() + timedelta(days=1)
    view = set_task(uow, team.head, team.designer, clock(), deadline=deadline)
    task_id = view.task.id or 0
    with pytest.raises(Forbidden) as refused:
        tasks.update_task(
            uow,
            task_id,
            {"observer_ids": [team.watcher.employee_id], "deadline": deadline + timedelta(days=3)},
            actor=team.designer,
            now=clock(),
        )
    assert refused.value.field == "deadline"
    unchanged = tasks.get_task(uow, task_id, actor=team.head, now=clock())
    assert unchanged.task.deadline == deadline and unchanged.observer_ids == []
    # The current deadline sent again is no change, so the responsible may send it.
    changed = tasks.update_task(
        uow,
        task_id,
        {"observer_ids": [team.watcher.employee_id], "deadline": deadline},
        actor=team.designer,
        now=clock(),
    )
    assert changed.observer_ids == [team.watcher.employee_id]
    with pytest.raises(Forbidden):
        tasks.update_task(uow, task_id, {"title": "Mine"}, actor=team.watcher, now=clock())
    assert events(uow, task_id) == ["TaskCreated", "TaskChanged"]


def test_a_refused_action_changes_nothing_and_writes_no_event(
    uow: UnitOfWork, clock: FakeClock, team: Team
) -> None:
    view = set_task(
        uow,
        team.head,
        team.designer,
        clock(),
        requires_acceptance=True,
        observer_ids=[team.watcher.employee_id],
    )
    task_id = view.task.id or 0
    with pytest.raises(TransitionNotAllowed) as wrong_state:
        tasks.act_on_task(uow, task_id, A.ACCEPT, actor=team.head, now=clock())
    assert "pending" in wrong_state.value.message
    with pytest.raises(Forbidden):
        tasks.act_on_task(uow, task_id, A.COMPLETE, actor=team.watcher, now=clock())
    tasks.act_on_task(uow, task_id, A.COMPLETE, actor=team.designer, now=clock())
    with pytest.raises(InvalidValue) as no_comment:
        tasks.act_on_task(uow, task_id, A.RETURN, comment=" ", actor=team.head, now=clock())
    assert no_comment.value.field == "comment"
    after = tasks.get_task(uow, task_id, actor=team.head, now=clock())
    assert after.task.status is S.AWAITING_CONTROL
    assert events(uow, task_id) == ["TaskCreated", "TaskAwaitingControl"]


def test_a_co_executor_may_complete_and_the_creator_accepts(
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
    clock.advance(hours=1)
    done = tasks.act_on_task(uow, task_id, A.ACCEPT, actor=team.head, now=clock())
    assert done.task.status is S.COMPLETED and done.task.completed_at == clock()
    with pytest.raises(TransitionNotAllowed):
        tasks.update_task(
            uow, task_id, {"responsible_id": team.helper.employee_id}, actor=team.head, now=clock()
        )
