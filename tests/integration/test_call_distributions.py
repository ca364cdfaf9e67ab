"""Weekly call distribution at the service level, on both databases: who gets which
companies, where next week starts, and why no week is ever given twice."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conveyor.domain.actors import SYSTEM, Actor
from conveyor.domain.clients import Company
from conveyor.domain.communications import CommunicationKind, Direction
from conveyor.domain.errors import Conflict, Forbidden
from conveyor.domain.field_types import FieldType
from conveyor.domain.lists import ListColumn
from conveyor.domain.tokens import Role
from conveyor.services import call_distributions, call_rounds, communications, lists, org
from conveyor.services.call_rounds import run_distribution, run_due_distributions
from conveyor.storage.database import build_engine, session_factory
from conveyor.storage.unit_of_work import UnitOfWork
from tests.integration.call_office import MONDAY_9_MSK, Office, open_office

WEEK = timedelta(days=7)


@pytest.fixture
def office(uow: UnitOfWork) -> Office:
    return open_office(uow)


def test_two_present_managers_get_30_each_and_next_monday_goes_on_with_company_61(
    office: Office,
) -> None:
    ivan, olga, petr = (office.hire(n) for n in ("Ivan", "Olga", "Petr"))
    office.away("Petr", date(2026, 3, 1), date(2026, 3, 14))
    companies = office.add_companies(100)
    distribution_id = office.distribution()

    [first] = run_due_distributions(office.uow, now=MONDAY_9_MSK)

    assert first.companies_given == 60
    given = Counter(responsible for _, responsible in office.calls())
    assert given == {ivan: 30, olga: 30}
    assert [c for c, _ in office.calls()] == companies[:60]
    assert first.skipped == [
        {"employee_id": petr, "reason": "absent", "absence_kind": "vacation", "until": "2026-03-14"}
    ]
    # Dina joins the list during the week; Petr is still on vacation next Monday.
    dina = office.hire("Dina")

    [second] = run_due_distributions(office.uow, now=MONDAY_9_MSK + WEEK)

    calls = office.calls()[60:]
    assert calls[0][0] == companies[60]
    assert [c for c, _ in calls] == companies[60:] + companies[:50]
    assert Counter(r for _, r in calls) == {ivan: 30, olga: 30, dina: 30}
    assert second.wrapped and second.company_cursor_after == companies[49]
    assert [g["employee_id"] for g in second.given] == [dina, ivan, olga]
    with office.uow:
        assert office.uow.call_distributions.get(distribution_id).company_cursor == companies[49]


def test_each_manager_is_dealt_in_turn_and_those_left_out_come_first_next_time(
    office: Office,
) -> None:
    people = [office.hire(n) for n in ("Ivan", "Olga", "Petr")]
    office.add_companies(4)
    office.distribution(per_manager=30)

    run_due_distributions(office.uow, now=MONDAY_9_MSK)
    # Four companies for three managers: Ivan gets two, the others one, in list order.
    assert [r for _, r in office.calls()] == [people[0], people[1], people[2], people[0]]

    run_due_distributions(office.uow, now=MONDAY_9_MSK + WEEK)
    assert [r for _, r in office.calls()[4:]] == [people[1], people[2], people[0], people[1]]


def test_running_twice_for_one_occurrence_creates_nothing_the_second_time(
    office: Office,
) -> None:
    office.hire("Ivan")
    office.add_companies(10)
    distribution_id = office.distribution()

    assert len(run_due_distributions(office.uow, now=MONDAY_9_MSK)) == 1
    assert run_due_distributions(office.uow, now=MONDAY_9_MSK) == []
    assert run_due_distributions(office.uow, now=MONDAY_9_MSK + timedelta(days=3)) == []

    assert len(office.calls()) == 10
    with office.uow:
        runs = office.uow.call_distribution_runs.where(distribution_id=distribution_id)
        assert [r.occurrence for r in runs] == [MONDAY_9_MSK]
        assert office.uow.call_distributions.get(distribution_id).next_run_at == MONDAY_9_MSK + WEEK


def test_a_server_down_for_three_mondays_runs_once_for_the_latest(office: Office) -> None:
    office.hire("Ivan")
    office.add_companies(100)
    distribution_id = office.distribution(per_manager=5)

    runs = run_due_distributions(office.uow, now=MONDAY_9_MSK + 2 * WEEK + timedelta(hours=5))

    assert [r.occurrence for r in runs] == [MONDAY_9_MSK + 2 * WEEK]
    assert len(office.calls()) == 5
    with office.uow:
        assert (
            office.uow.call_distributions.get(distribution_id).next_run_at
            == MONDAY_9_MSK + 3 * WEEK
        )


def test_the_schedule_is_read_on_its_own_timezone(office: Office) -> None:
    office.hire("Ivan")
    office.add_companies(3)
    # Monday 09:00 in Samara is 08:00 in Moscow, an hour before MONDAY_9_MSK.
    distribution_id = office.distribution(
        now=MONDAY_9_MSK - timedelta(days=1), timezone="Europe/Samara"
    )
    with office.uow:
        due = office.uow.call_distributions.get(distribution_id).next_run_at
    assert due == datetime(2026, 3, 2, 5, 0, tzinfo=UTC)
    assert run_due_distributions(office.uow, now=due - timedelta(seconds=1)) == []
    assert len(run_due_distributions(office.uow, now=due)) == 1


def test_one_summary_event_per_run_instead_of_one_per_task(office: Office) -> None:
    ivan = office.hire("Ivan")
    office.add_companies(7)
    distribution_id = office.distribution()

    run_due_distributions(office.uow, now=MONDAY_9_MSK)

    with office.uow:
        events = office.uow.events.where(entity="call_distribution", entity_id=distribution_id)
        tasks_created = office.uow.events.where(type="TaskCreated")
    assert [e.type for e in events] == ["CallDistributionCreated", "CallDistributionRan"]
    assert events[-1].payload["given"][0]["employee_id"] == ivan
    assert events[-1].payload["companies_given"] == 7
    assert tasks_created == []


def test_call_tasks_are_due_at_the_end_of_the_managers_own_working_day(office: Office) -> None:
    moscow = office.hire("Ivan")
    samara = office.hire("Sveta", timezone="Europe/Samara")
    office.add_companies(2)
    office.distribution(task_title="Ring {company} about the spring offer")

    [run] = run_due_distributions(office.uow, now=MONDAY_9_MSK)

    with office.uow:
        tasks = {t.responsible_id: t for t in office.uow.tasks.where()}
    assert tasks[moscow].deadline == datetime(2026, 3, 2, 15, 0, tzinfo=UTC)  # 18:00 Moscow
    assert tasks[samara].deadline == datetime(2026, 3, 2, 14, 0, tzinfo=UTC)  # 18:00 Samara
    assert tasks[moscow].title == "Ring Company 001 about the spring offer"
    assert tasks[moscow].creator_id == office.head.employee_id
    assert {g["deadline"] for g in run.given} == {
        "2026-03-02T15:00:00+00:00",
        "2026-03-02T14:00:00+00:00",
    }


def test_a_deadline_in_working_days_skips_the_weekend_and_holidays(office: Office) -> None:
    office.hire("Ivan")
    office.add_companies(1)
    distribution_id = office.distribution(deadline_working_days=2)
    # Run by hand on Friday 6 March at 11:00 Moscow. Monday 9 March is a day off (8 March
    # falls on a Sunday), so two working days on is Wednesday 11 March, 11:00.
    friday = datetime(2026, 3, 6, 8, 0, tzinfo=UTC)
    run_distribution(office.uow, distribution_id, actor=office.head, now=friday)
    with office.uow:
        [task] = office.uow.tasks.where()
    assert task.deadline == datetime(2026, 3, 11, 8, 0, tzinfo=UTC)


def test_dismissed_and_inactive_managers_get_nothing(office: Office) -> None:
    ivan = office.hire("Ivan")
    olga = office.hire("Olga")
    inactive = office.hire("Igor", listed=False)
    office.list_manager("Igor", inactive, status="inactive")
    org.update_employee(office.uow, olga, {"status": "dismissed"}, actor=SYSTEM, now=MONDAY_9_MSK)
    office.add_companies(5)
    office.distribution()

    [run] = run_due_distributions(office.uow, now=MONDAY_9_MSK)

    assert {r for _, r in office.calls()} == {ivan}
    assert [(s["employee_id"], s["reason"]) for s in run.skipped] == [(olga, "dismissed")]


def test_only_companies_of_the_chosen_responsible_nobody_called_lately(office: Office) -> None:
    ivan = office.hire("Ivan")
    owner = office.hire("Oleg Owner", listed=False)
    theirs = office.add_companies(3, responsible_id=owner)
    office.add_companies(2)  # somebody else's clients
    communications.log_communication(
        office.uow,
        communications.LogCommunication(
            kind=CommunicationKind.CALL,
            direction=Direction.OUTGOING,
            occurred_at=MONDAY_9_MSK - timedelta(days=3),
            company_id=theirs[1],
        ),
        actor=SYSTEM,
        now=MONDAY_9_MSK,
    )
    office.distribution(company_responsible_id=owner, quiet_days=30)

    run_due_distributions(office.uow, now=MONDAY_9_MSK)

    assert office.calls() == [(theirs[0], ivan), (theirs[2], ivan)]


def test_a_manual_run_goes_on_from_the_cursor_and_cannot_repeat_its_moment(
    office: Office,
) -> None:
    office.hire("Ivan")
    companies = office.add_companies(10)
    distribution_id = office.distribution(per_manager=4, enabled=False)
    now = MONDAY_9_MSK + timedelta(hours=2)

    first = run_distribution(office.uow, distribution_id, actor=office.head, now=now)
    with pytest.raises(Conflict):
        run_distribution(office.uow, distribution_id, actor=office.head, now=now)
    second = run_distribution(
        office.uow, distribution_id, actor=office.head, now=now + timedelta(minutes=1)
    )

    assert [c for c, _ in office.calls()] == companies[:8]
    assert (first.trigger, first.actor_id) == ("manual", office.head.employee_id)
    assert second.company_cursor_before == companies[3]
    # Disabled: the schedule never runs it.
    assert run_due_distributions(office.uow, now=MONDAY_9_MSK + 5 * WEEK) == []


def test_employees_may_not_run_or_define_distributions(office: Office) -> None:
    ivan = office.hire("Ivan")
    office.add_companies(3)
    distribution_id = office.distribution()
    employee = Actor(employee_id=ivan, role=Role.EMPLOYEE)
    with pytest.raises(Forbidden):
        run_distribution(office.uow, distribution_id, actor=employee, now=MONDAY_9_MSK)
    with pytest.raises(Forbidden):
        call_distributions.get_distribution(office.uow, distribution_id, actor=employee)
    assert office.calls() == []


def test_a_list_that_lost_the_filtered_column_gives_nothing_and_says_why(
    office: Office,
) -> None:
    office.hire("Ivan")
    office.add_companies(3)
    distribution_id = office.distribution()
    lists.update_list(
        office.uow,
        office.managers_list_id,
        {"columns": [ListColumn(code="employee", name="Employee", type=FieldType.EMPLOYEE)]},
        discard_values=True,
        actor=SYSTEM,
        now=MONDAY_9_MSK,
    )

    [run] = run_due_distributions(office.uow, now=MONDAY_9_MSK)

    assert run.error == "The list has no column 'status'"
    assert office.calls() == []
    with office.uow:
        assert office.uow.call_distributions.get(distribution_id).next_run_at == MONDAY_9_MSK + WEEK
        failed = office.uow.events.where(type="CallDistributionFailed")
    assert len(failed) == 1
    # And the schedule moves on: the same Monday is not retried every tick.
    assert run_due_distributions(office.uow, now=MONDAY_9_MSK + timedelta(minutes=1)) == []


def test_changing_the_schedule_moves_the_next_run_and_keeps_the_cursors(office: Office) -> None:
    office.hire("Ivan")
    companies = office.add_companies(6)
    distribution_id = office.distribution(per_manager=2)
    run_due_distributions(office.uow, now=MONDAY_9_MSK)

    changed = call_distributions.update_distribution(
        office.uow,
        distribution_id,
        {"schedule": "0  10 * * fri", "per_manager": 3},
        actor=office.head,
        now=MONDAY_9_MSK + timedelta(hours=1),
    )

    assert changed.schedule == "0 10 * * fri"
    assert changed.next_run_at == datetime(2026, 3, 6, 7, 0, tzinfo=UTC)
    [run] = run_due_distributions(office.uow, now=changed.next_run_at)
    assert run.company_cursor_before == companies[1]
    assert [c for c, _ in office.calls()] == companies[:5]


def test_workers_racing_for_one_monday_give_it_once(office: Office, database_url: str) -> None:
    office.hire("Ivan")
    office.hire("Olga")
    office.add_companies(40)
    office.distribution(per_manager=10)
    start = threading.Barrier(3)
    made: list[int] = []

    def worker() -> None:
        engine = build_engine(database_url)
        own = UnitOfWork(session_factory(engine))
        start.wait()
        made.extend(run.companies_given for run in run_due_distributions(own, now=MONDAY_9_MSK))
        engine.dispose()

    workers = [threading.Thread(target=worker) for _ in range(3)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()

    assert made == [20]
    assert len(office.calls()) == 20


_EXAMPLES = iter(range(10**6))


@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    companies=st.integers(1, 30),
    per_manager=st.integers(1, 8),
    away=st.lists(st.sets(st.integers(0, 3), max_size=3), min_size=1, max_size=6),
    joins_in_week=st.integers(0, 6),
)
def test_over_the_weeks_every_company_comes_round_once_per_cycle(
    office: Office, companies: int, per_manager: int, away: list[set[int]], joins_in_week: int
) -> None:
    # Each example has its own owner, companies, list and managers in the shared database.
    example = next(_EXAMPLES)
    owner = office.hire(f"Owner {example}", listed=False)
    theirs = office.add_companies(companies, responsible_id=owner)
    managers_list = lists.create_list(
        office.uow,
        lists.CreateList(
            code=f"team_{example}",
            name=f"Team {example}",
            columns=[
                ListColumn(code="employee", name="Employee", type=FieldType.EMPLOYEE),
                ListColumn(code="status", name="Status", type=FieldType.ENUM, options=("active",)),
            ],
        ),
        actor=SYSTEM,
        now=MONDAY_9_MSK,
    )
    assert managers_list.id is not None
    office.managers_list_id = managers_list.id
    names = [f"Manager {example}.{n}" for n in range(3)]
    for name in names:
        office.hire(name)
    distribution_id = office.distribution(
        per_manager=per_manager, company_responsible_id=owner, enabled=False
    )

    given: list[int] = []
    for week, absent in enumerate(away):
        monday = MONDAY_9_MSK + week * WEEK
        if week == joins_in_week:
            names.append(f"Manager {example}.new")
            office.hire(names[-1])
        away_now = {names[i] for i in absent if i < len(names)}
        for name in away_now:
            office.away(name, monday.date(), monday.date())
        present = len(names) - len(away_now)
        before = len(office.calls())
        run = run_distribution(office.uow, distribution_id, actor=office.head, now=monday)
        this_week = office.calls()[before:]

        assert run.companies_given == len(this_week) == min(per_manager * present, companies)
        assert all(n <= per_manager for n in Counter(r for _, r in this_week).values())
        assert len({c for c, _ in this_week}) == len(this_week)
        given += [c for c, _ in this_week]

    # The companies given, week after week, are the base again and again, in order.
    cycles = [given[i : i + companies] for i in range(0, len(given), companies)]
    for cycle in cycles:
        assert cycle == theirs[: len(cycle)]


def test_any_company_name_makes_a_faithful_title(office: Office) -> None:
    office.hire("Ivan")
    tricky = "Tab\there, back\\slash \\N and a\nnew line «Ромашка»"
    with office.uow:
        office.uow.companies.add(
            Company(name=tricky, created_at=MONDAY_9_MSK, updated_at=MONDAY_9_MSK)
        )
        office.uow.commit()
    office.distribution(task_description="Ask about \\t the\tspring offer")

    run_due_distributions(office.uow, now=MONDAY_9_MSK)

    with office.uow:
        [task] = office.uow.tasks.where()
    assert task.title == f"Call {tricky}"
    assert task.description == "Ask about \\t the\tspring offer"


def test_a_run_that_breaks_keeps_nothing_and_leaves_the_others_to_run(
    office: Office, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    office.hire("Ivan")
    office.add_companies(6)
    broken = office.distribution(name="Broken", per_manager=2)
    working = office.distribution(name="Working", per_manager=2)
    plan = call_rounds._plan

    def plan_failing_for_broken(uow: UnitOfWork, distribution: Any, *, now: datetime) -> Any:
        if distribution.id == broken:
            raise RuntimeError("the disk is full")
        return plan(uow, distribution, now=now)

    monkeypatch.setattr(call_rounds, "_plan", plan_failing_for_broken)

    runs = run_due_distributions(office.uow, now=MONDAY_9_MSK)

    assert [r.distribution_id for r in runs] == [working]
    assert "call distribution" in caplog.text and "the disk is full" in caplog.text
    with office.uow:
        assert office.uow.call_distribution_runs.where(distribution_id=broken) == []
        # Still due: the next tick tries it again.
        assert office.uow.call_distributions.get(broken).next_run_at == MONDAY_9_MSK
    monkeypatch.setattr(call_rounds, "_plan", plan)
    assert [r.distribution_id for r in run_due_distributions(office.uow, now=MONDAY_9_MSK)] == [
        broken
    ]
