"""Dealing one round of calls, without a database: order, turns, titles and deadlines."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conveyor.domain.call_distributions import (
    MAX_TITLE,
    CallDistribution,
    check_title_template,
    render_title,
)
from conveyor.domain.call_rounds import (
    Manager,
    Round,
    Segment,
    SkippedManager,
    SkipReason,
    call_deadline,
    managers_in_order,
)
from conveyor.domain.errors import InvalidValue
from conveyor.domain.work_schedules import DEFAULT_WEEK, work_schedule
from conveyor.domain.working_time import WorkingTime
from conveyor.storage.holiday_calendars import official_holiday_calendar

IVAN, OLGA, PETR, DINA = (Manager(element_id=e, employee_id=100 + e) for e in (1, 2, 3, 7))


def test_a_list_names_each_manager_once_at_their_first_place() -> None:
    elements = [(1, 101), (2, None), (3, 103), (4, 101), (5, "7"), (6, True)]
    assert managers_in_order(elements) == [
        Manager(element_id=1, employee_id=101),
        Manager(element_id=3, employee_id=103),
    ]


def test_dealing_starts_after_the_manager_who_got_the_last_company() -> None:
    dealing = Round.deal(
        [IVAN, OLGA, PETR], per_manager=30, company_cursor=None, manager_cursor=OLGA.element_id
    )
    assert dealing.order == (PETR, IVAN, OLGA)
    assert [dealing.recipient(k) for k in range(4)] == [PETR, IVAN, OLGA, PETR]


def test_a_manager_gone_from_the_list_passes_the_turn_to_the_next_one() -> None:
    # Olga (element 2) got the last company and has left; Petr is next, then round again.
    dealing = Round.deal([IVAN, PETR, DINA], per_manager=1, company_cursor=None, manager_cursor=2)
    assert dealing.order == (PETR, DINA, IVAN)
    # The cursor past everyone's element starts over from the first.
    dealing = Round.deal([IVAN, PETR], per_manager=1, company_cursor=None, manager_cursor=9)
    assert dealing.order == (IVAN, PETR)


def test_counts_give_the_extra_companies_to_the_first_in_turn() -> None:
    dealing = Round.deal(
        [IVAN, OLGA, PETR], per_manager=30, company_cursor=None, manager_cursor=None
    )
    assert dealing.capacity == 90
    assert dealing.counts(4) == [(IVAN, 2), (OLGA, 1), (PETR, 1)]
    assert dealing.manager_cursor_after(4, before=None) == IVAN.element_id
    assert dealing.manager_cursor_after(0, before=5) == 5


def test_nobody_present_means_nothing_to_deal() -> None:
    dealing = Round.deal([], per_manager=30, company_cursor=12, manager_cursor=3)
    assert dealing.capacity == 0
    assert dealing.counts(0) == []


def test_the_walk_goes_on_after_the_cursor_then_round_to_it() -> None:
    fresh = Round.deal([IVAN], per_manager=1, company_cursor=None, manager_cursor=None)
    assert fresh.segments() == (Segment(after=None, through=None),)
    going_on = Round.deal([IVAN], per_manager=1, company_cursor=60, manager_cursor=None)
    assert going_on.segments() == (
        Segment(after=60, through=None),
        Segment(after=None, through=60),
    )


@given(
    present=st.lists(st.integers(1, 50), unique=True, max_size=12).map(sorted),
    cursor=st.none() | st.integers(0, 60),
    per_manager=st.integers(1, 40),
    given_count=st.integers(0, 500),
)
def test_no_manager_is_dealt_more_than_their_share(
    present: list[int], cursor: int | None, per_manager: int, given_count: int
) -> None:
    managers = [Manager(element_id=e, employee_id=e * 10) for e in present]
    dealing = Round.deal(
        managers, per_manager=per_manager, company_cursor=None, manager_cursor=cursor
    )
    given_count = min(given_count, dealing.capacity)
    counts = dealing.counts(given_count)
    assert sorted(m.element_id for m, _ in counts) == present
    assert sum(n for _, n in counts) == given_count
    assert all(n <= per_manager for _, n in counts)
    assert max((n for _, n in counts), default=0) - min((n for _, n in counts), default=0) <= 1
    dealt = [dealing.recipient(k) for k in range(given_count)]
    assert all(dealt.count(m) == n for m, n in counts)


def test_titles_name_the_company_and_nothing_else() -> None:
    assert render_title("Call {company}", "ООО Ромашка") == "Call ООО Ромашка"
    assert render_title("{company}: {company}", "ACME") == "ACME: ACME"
    # A name is data, never a format: no attribute lookups, no braces interpreted.
    assert render_title("Call {company}", "{company.__class__}") == "Call {company.__class__}"
    long = render_title("Call {company}", "x" * 400)
    assert len(long) == MAX_TITLE and long.endswith("…")


@pytest.mark.parametrize("template", ["Call {name}", "Call {company.__class__}", "{0}", "  ", "}"])
def test_a_title_with_other_placeholders_is_refused(template: str) -> None:
    with pytest.raises(InvalidValue) as refused:
        check_title_template(template)
    assert refused.value.field == "task_title"


def test_a_distribution_checks_its_own_bounds_naming_the_field() -> None:
    now = datetime(2026, 3, 1, tzinfo=UTC)
    for changes, field in [
        ({"per_manager": 0}, "per_manager"),
        ({"deadline_working_days": -1}, "deadline_working_days"),
        ({"quiet_days": 0}, "quiet_days"),
        ({"name": " "}, "name"),
        ({"managers_where": {f"c{n}": "x" for n in range(11)}}, "managers_where"),
    ]:
        distribution = CallDistribution(
            name="Monday calls", managers_list_id=1, creator_id=1, created_at=now, updated_at=now
        )
        distribution.change(changes, now=now)
        with pytest.raises(InvalidValue) as refused:
            distribution.check()
        assert refused.value.field == field


def test_cursors_cannot_be_changed_by_hand() -> None:
    now = datetime(2026, 3, 1, tzinfo=UTC)
    distribution = CallDistribution(
        name="Monday calls", managers_list_id=1, creator_id=1, created_at=now, updated_at=now
    )
    with pytest.raises(InvalidValue) as refused:
        distribution.change({"company_cursor": 5}, now=now)
    assert refused.value.field == "company_cursor"
    # A new managers list starts the managers' turn afresh.
    distribution.manager_cursor = 4
    assert distribution.change({"managers_list_id": 2}, now=now) == ["managers_list_id"]
    assert distribution.manager_cursor is None


def test_a_skipped_manager_says_why_and_until_when() -> None:
    skipped = SkippedManager(
        employee_id=7, reason=SkipReason.ABSENT, absence_kind="vacation", until=date(2026, 3, 14)
    )
    assert skipped.to_json() == {
        "employee_id": 7,
        "reason": "absent",
        "absence_kind": "vacation",
        "until": "2026-03-14",
    }


@pytest.fixture
def office_hours() -> WorkingTime:
    calendar = official_holiday_calendar("RU", first_year=2025, last_year=2028)
    return WorkingTime(work_schedule(DEFAULT_WEEK, "Europe/Moscow"), calendar)


@pytest.mark.parametrize(
    ("given_at", "days", "due"),
    [
        # Monday 09:00 Moscow: the end of that day, 18:00.
        (datetime(2026, 3, 2, 6, 0, tzinfo=UTC), 0, datetime(2026, 3, 2, 15, 0, tzinfo=UTC)),
        # Monday 07:00, before opening: still the end of Monday.
        (datetime(2026, 3, 2, 4, 0, tzinfo=UTC), 0, datetime(2026, 3, 2, 15, 0, tzinfo=UTC)),
        # Friday 19:00, after closing: the end of the coming working day, Tuesday (9 March
        # is a public holiday).
        (datetime(2026, 3, 6, 16, 0, tzinfo=UTC), 0, datetime(2026, 3, 10, 15, 0, tzinfo=UTC)),
        # Monday 09:00 plus three working days: Thursday 09:00.
        (datetime(2026, 3, 2, 6, 0, tzinfo=UTC), 3, datetime(2026, 3, 5, 6, 0, tzinfo=UTC)),
    ],
)
def test_a_call_is_due_on_the_managers_working_time(
    office_hours: WorkingTime, given_at: datetime, days: int, due: datetime
) -> None:
    assert call_deadline(office_hours, given_at, days) == due
