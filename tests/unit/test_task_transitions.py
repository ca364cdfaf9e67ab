"""Task statuses: every transition, who may take it, and the invariants of acceptance."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conveyor.domain.errors import Forbidden, InvalidValue, NaiveDatetime, TransitionNotAllowed
from conveyor.domain.task_counters import counting_period, month_of
from conveyor.domain.task_members import check_members, settle_members
from conveyor.domain.tasks import Task, TaskAction, TaskStatus

A, S = TaskAction, TaskStatus
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
CREATOR, RESPONSIBLE, HELPER, STRANGER = 1, 2, 3, 4
HELPERS = frozenset({HELPER})


def a_task(status: S = S.PENDING, *, requires_acceptance: bool = False) -> Task:
    task = Task(
        id=7,
        title="Design the sign",
        creator_id=CREATOR,
        responsible_id=RESPONSIBLE,
        requires_acceptance=requires_acceptance,
        created_at=NOW,
        updated_at=NOW,
        status_changed_at=NOW,
    )
    task.status = status
    task.completed_at = NOW if status is S.COMPLETED else None
    return task


def snapshot(task: Task) -> dict[str, object]:
    return dict(vars(task))


# (action, from, actor, to, event) — every allowed transition, by the person it belongs to.
TRANSITIONS = [
    (A.START, S.PENDING, RESPONSIBLE, S.IN_PROGRESS, "TaskStarted"),
    (A.START, S.PENDING, HELPER, S.IN_PROGRESS, "TaskStarted"),
    (A.PAUSE, S.IN_PROGRESS, RESPONSIBLE, S.PENDING, "TaskPaused"),
    (A.COMPLETE, S.PENDING, RESPONSIBLE, S.COMPLETED, "TaskCompleted"),
    (A.COMPLETE, S.IN_PROGRESS, HELPER, S.COMPLETED, "TaskCompleted"),
    (A.ACCEPT, S.AWAITING_CONTROL, CREATOR, S.COMPLETED, "TaskCompleted"),
    (A.RETURN, S.AWAITING_CONTROL, CREATOR, S.IN_PROGRESS, "TaskReturned"),
    (A.DEFER, S.PENDING, RESPONSIBLE, S.DEFERRED, "TaskDeferred"),
    (A.DEFER, S.IN_PROGRESS, HELPER, S.DEFERRED, "TaskDeferred"),
    (A.RESUME, S.DEFERRED, RESPONSIBLE, S.PENDING, "TaskResumed"),
    (A.DECLINE, S.PENDING, RESPONSIBLE, S.DECLINED, "TaskDeclined"),
    (A.RENEW, S.COMPLETED, CREATOR, S.PENDING, "TaskRenewed"),
    (A.RENEW, S.DECLINED, CREATOR, S.PENDING, "TaskRenewed"),
]
ALLOWED_FROM = {(action, start) for action, start, *_ in TRANSITIONS}


@pytest.mark.parametrize(("action", "start", "actor", "end", "kind"), TRANSITIONS)
def test_each_transition_moves_the_task_and_says_what_happened(
    action: A, start: S, actor: int, end: S, kind: str
) -> None:
    task = a_task(start)
    later = NOW + timedelta(hours=1)
    event = task.take(
        action, actor_id=actor, co_executor_ids=HELPERS, comment="Redo the logo", now=later
    )
    assert task.status is end
    assert task.status_changed_at == later
    assert (task.completed_at == later) if end is S.COMPLETED else task.completed_at is None
    assert event.type == kind
    assert event.entity == "task" and event.entity_id == 7
    assert event.payload["from"] == start.value and event.payload["to"] == end.value
    assert event.payload["actor_id"] == actor


def test_completing_a_task_that_requires_acceptance_puts_it_under_control() -> None:
    task = a_task(S.IN_PROGRESS, requires_acceptance=True)
    event = task.take(A.COMPLETE, actor_id=RESPONSIBLE, now=NOW)
    assert task.status is S.AWAITING_CONTROL
    assert task.completed_at is None
    assert event.type == "TaskAwaitingControl"


@pytest.mark.parametrize(
    ("action", "start"),
    [(a, s) for a in A for s in S if (a, s) not in ALLOWED_FROM],
)
def test_an_action_from_the_wrong_state_names_the_state_and_changes_nothing(
    action: A, start: S
) -> None:
    task = a_task(start)
    before = snapshot(task)
    with pytest.raises(TransitionNotAllowed) as refused:
        task.take(action, actor_id=CREATOR, is_admin=True, comment="why", now=NOW)
    assert start.value in refused.value.message
    assert snapshot(task) == before


WHO = {
    A.START: {RESPONSIBLE, HELPER},
    A.PAUSE: {RESPONSIBLE, HELPER},
    A.COMPLETE: {RESPONSIBLE, HELPER},
    A.DEFER: {RESPONSIBLE, HELPER},
    A.RESUME: {RESPONSIBLE, HELPER},
    A.DECLINE: {RESPONSIBLE},
    A.ACCEPT: {CREATOR},
    A.RETURN: {CREATOR},
    A.RENEW: {CREATOR},
}


@pytest.mark.parametrize(
    ("action", "actor"),
    [(a, p) for a in A for p in (CREATOR, RESPONSIBLE, HELPER, STRANGER) if p not in WHO[a]],
)
def test_the_wrong_person_is_refused_and_nothing_changes(action: A, actor: int) -> None:
    start = next(s for a, s in ALLOWED_FROM if a is action)
    task = a_task(start)
    before = snapshot(task)
    with pytest.raises(Forbidden):
        task.take(action, actor_id=actor, co_executor_ids=HELPERS, comment="why", now=NOW)
    assert snapshot(task) == before


def test_an_admin_may_act_on_anyones_behalf_even_accept_for_a_creator_who_left() -> None:
    task = a_task(S.AWAITING_CONTROL, requires_acceptance=True)
    task.take(A.ACCEPT, actor_id=99, is_admin=True, now=NOW)
    assert task.status is S.COMPLETED


@pytest.mark.parametrize("comment", [None, "", "   "])
def test_a_task_cannot_be_returned_without_saying_why(comment: str | None) -> None:
    task = a_task(S.AWAITING_CONTROL, requires_acceptance=True)
    before = snapshot(task)
    with pytest.raises(InvalidValue) as refused:
        task.take(A.RETURN, actor_id=CREATOR, comment=comment, now=NOW)
    assert refused.value.field == "comment"
    assert snapshot(task) == before


def test_a_returned_task_carries_the_comment_in_its_event() -> None:
    task = a_task(S.AWAITING_CONTROL, requires_acceptance=True)
    event = task.take(A.RETURN, actor_id=CREATOR, comment="  Bigger font ", now=NOW)
    assert event.payload["comment"] == "Bigger font"


def test_a_returned_task_keeps_why_while_it_is_worked_on_and_forgets_it_once_finished() -> None:
    later = NOW + timedelta(hours=1)
    task = a_task(S.AWAITING_CONTROL, requires_acceptance=True)
    task.take(A.RETURN, actor_id=CREATOR, comment=" Bigger font ", now=later)
    returned = (later, CREATOR, "Bigger font")
    assert (task.returned_at, task.returned_by_id, task.return_comment) == returned
    for action, by in ((A.PAUSE, HELPER), (A.START, RESPONSIBLE), (A.COMPLETE, RESPONSIBLE)):
        task.take(action, actor_id=by, co_executor_ids=HELPERS, now=NOW)
        assert (task.returned_at, task.returned_by_id, task.return_comment) == returned
    task.take(A.ACCEPT, actor_id=CREATOR, now=NOW)
    assert (task.returned_at, task.returned_by_id, task.return_comment) == (None, None, None)

    # Declining is finishing too: a task renewed later starts with nothing to redo.
    task = a_task(S.AWAITING_CONTROL, requires_acceptance=True)
    task.take(A.RETURN, actor_id=CREATOR, comment="Redo", now=NOW)
    task.take(A.PAUSE, actor_id=RESPONSIBLE, now=NOW)
    task.take(A.DECLINE, actor_id=RESPONSIBLE, now=NOW)
    task.take(A.RENEW, actor_id=CREATOR, now=NOW)
    assert task.return_comment is None


def test_a_task_is_overdue_only_while_its_work_is_still_owed() -> None:
    task = a_task(S.IN_PROGRESS)
    task.deadline = NOW - timedelta(minutes=1)
    assert task.is_overdue(NOW)
    assert not task.is_overdue(NOW - timedelta(hours=1))
    for status in (S.AWAITING_CONTROL, S.COMPLETED, S.DECLINED):
        task.status = status
        assert not task.is_overdue(NOW)
    task.status = S.DEFERRED
    assert task.is_overdue(NOW)


def test_a_naive_deadline_and_an_empty_title_are_refused() -> None:
    with pytest.raises(NaiveDatetime):
        Task(
            title="X",
            creator_id=1,
            responsible_id=1,
            deadline=datetime(2026, 3, 3),
            created_at=NOW,
            updated_at=NOW,
            status_changed_at=NOW,
        )
    task = a_task()
    with pytest.raises(InvalidValue) as refused:
        task.edit({"title": "  "}, now=NOW)
    assert refused.value.field == "title"


def test_the_responsible_may_change_only_the_members_and_others_nothing() -> None:
    task = a_task()
    task.check_may_edit({"title", "deadline"}, actor_id=CREATOR, is_admin=False)
    task.check_may_edit({"observer_ids"}, actor_id=RESPONSIBLE, is_admin=False)
    task.check_may_edit({"responsible_id"}, actor_id=STRANGER, is_admin=True)
    with pytest.raises(Forbidden) as refused:
        task.check_may_edit({"observer_ids", "deadline"}, actor_id=RESPONSIBLE, is_admin=False)
    assert refused.value.field == "deadline"
    with pytest.raises(Forbidden):
        task.check_may_edit({"observer_ids"}, actor_id=HELPER, is_admin=False)


def test_handing_over_a_task_names_both_people_and_a_completed_one_keeps_its_doer() -> None:
    task = a_task(S.IN_PROGRESS)
    event = task.hand_over(5, actor_id=CREATOR, now=NOW)
    assert event is not None and event.type == "TaskResponsibleChanged"
    assert event.payload["from"] == RESPONSIBLE and event.payload["to"] == 5
    assert task.hand_over(5, actor_id=CREATOR, now=NOW) is None
    done = a_task(S.COMPLETED)
    with pytest.raises(TransitionNotAllowed):
        done.hand_over(5, actor_id=CREATOR, now=NOW)


def test_the_responsible_is_neither_helper_nor_observer_and_nobody_is_both() -> None:
    check_members(2, [3], [4])
    with pytest.raises(InvalidValue) as refused:
        check_members(2, [3, 2], [])
    assert refused.value.field == "co_executor_ids.1"
    with pytest.raises(InvalidValue) as refused:
        check_members(2, [3], [4, 3])
    assert refused.value.field == "observer_ids.1"


def test_a_new_responsible_is_promoted_and_a_list_sent_alone_moves_people_across() -> None:
    # Handing the task to helper 3 takes them off the co-executors.
    assert settle_members(3, ([3, 5], [4]), (None, None)) == ([5], [4])
    # Sending only the observers moves co-executor 5 there.
    assert settle_members(2, ([3, 5], [4]), (None, [4, 5])) == ([3], [4, 5])
    with pytest.raises(InvalidValue) as refused:
        settle_members(2, ([3], []), ([3, 2], None))
    assert refused.value.field == "co_executor_ids.1"


def test_the_default_period_is_the_employees_calendar_month_across_a_dst_change() -> None:
    # 31 March 2026, 21:30 UTC is already April in Moscow but still March in Berlin.
    now = datetime(2026, 3, 31, 21, 30, tzinfo=UTC)
    start, end = month_of(now, "Europe/Moscow")
    assert (start.month, start.day, start.hour, end.month) == (4, 1, 0, 5)
    start, end = month_of(now, "Europe/Berlin")
    assert (start.month, end.month, end.hour) == (3, 4, 0)
    # Berlin skipped an hour in March.
    assert end.astimezone(UTC) - start.astimezone(UTC) == timedelta(days=31, hours=-1)
    with pytest.raises(InvalidValue) as refused:
        counting_period(now, "Europe/Berlin", end, start)
    assert refused.value.field == "to"


# Participants only: an admin may override anything, which the second property excludes.
actions = st.lists(
    st.tuples(st.sampled_from(list(A)), st.sampled_from([CREATOR, RESPONSIBLE, HELPER, STRANGER])),
    max_size=40,
)


def _play(
    task: Task,
    steps: list[tuple[A, int]],
    check: Callable[[S, A, int], None],
    *,
    is_admin: bool = False,
) -> None:
    """Take every step (refusals included) and ``check(previous status, action, actor)``."""
    now = NOW
    for action, actor in steps:
        now += timedelta(minutes=5)
        previous, before = task.status, snapshot(task)
        try:
            task.take(
                action,
                actor_id=actor,
                co_executor_ids=HELPERS,
                is_admin=is_admin,
                comment="note",
                now=now,
            )
        except (Forbidden, TransitionNotAllowed):
            assert snapshot(task) == before
        check(previous, action, actor)


@settings(max_examples=300, deadline=None)
@given(steps=actions, requires_acceptance=st.booleans(), is_admin=st.booleans())
def test_completed_at_is_set_exactly_while_a_task_is_completed(
    steps: list[tuple[A, int]], requires_acceptance: bool, is_admin: bool
) -> None:
    task = a_task(requires_acceptance=requires_acceptance)

    def check(before: S, action: A, actor: int) -> None:
        assert (task.completed_at is not None) == (task.status is S.COMPLETED)

    _play(task, steps, check, is_admin=is_admin)


@settings(max_examples=300, deadline=None)
@given(steps=actions)
def test_a_task_requiring_acceptance_is_completed_only_by_its_creators_accept(
    steps: list[tuple[A, int]],
) -> None:
    task = a_task(requires_acceptance=True)

    def check(before: S, action: A, actor: int) -> None:
        if task.status is S.COMPLETED and before is not S.COMPLETED:
            assert (action, actor, before) == (A.ACCEPT, CREATOR, S.AWAITING_CONTROL)

    _play(task, steps, check)
