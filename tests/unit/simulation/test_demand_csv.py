"""Demand from CSV: the documented columns read as items, and every bad cell refused with
its row and column."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from conveyor.engines.simulation import (
    Demand,
    InvalidDemandRow,
    read_demand_csv,
    replay,
    scenario_from_csv,
    standard_policies,
)

from .scenes import TZ, at

GOOD = """arrival,weight,duration,deadline,category
2026-03-02T09:05,1,1.5,,Design
2026-03-02T09:20,2,3,2026-03-03T18:00,dev
2026-03-02 10:00+00:00,0.5,6,,
2026-03-03T11:00,1,0.5,2026-03-03T12:00,design
"""


def read(text: str, *, slack_hours: float = 8.0) -> list[Demand]:
    parsed = read_demand_csv(
        text.splitlines(keepends=True), source="demand.csv", timezone=TZ, slack_hours=slack_hours
    )
    return list(parsed.demand)


def test_rows_become_items_in_arrival_order_with_their_deadlines_and_skills() -> None:
    parsed = read_demand_csv(GOOD.splitlines(), source="demand.csv", timezone=TZ, slack_hours=8)
    first, second, third, fourth = parsed.demand
    assert first.arrives_at == at(0, 9, 5)  # no offset: the company's timezone
    assert first.weight == Decimal(1) and first.effort == timedelta(hours=1.5)
    assert first.skill == "Design"
    assert second.deadline == at(1, 18)
    # With an offset the moment is kept: 10:00 UTC is 13:00 in Moscow.
    assert third.arrives_at == datetime(2026, 3, 2, 10, tzinfo=UTC)
    assert third.weight == Decimal("0.5") and third.skill is None
    assert fourth.deadline == at(1, 12)
    assert parsed.categories == ("design", "dev")
    assert (parsed.first_day, parsed.days) == (at(0, 0).date(), 2)


def test_an_empty_deadline_is_the_duration_plus_the_slack_in_working_hours() -> None:
    [row] = read("arrival,weight,duration,deadline\n2026-03-02T16:00,1,1.5,\n", slack_hours=8)
    # 16:00 + 9.5 working hours: 2 today (to 18:00), then 9:00-13:00, 14:00-17:30 on Tuesday.
    assert row.deadline == at(1, 17, 30)


def test_columns_may_come_in_any_order_and_case_and_skill_stands_for_category() -> None:
    [row] = read("Deadline,SKILL,Duration,Weight,Arrival\n,3d,2,1,2026-03-02T09:00\n")
    assert row.skill == "3d"


def test_a_csv_with_categories_makes_a_team_that_covers_them_and_matches_skills() -> None:
    parsed = read_demand_csv(GOOD.splitlines(), source="demand.csv", timezone=TZ, slack_hours=8)
    scenario = scenario_from_csv(parsed, timezone=TZ, employees=3, capacity=Decimal(4), seed=1)
    assert scenario.settings.skill_match
    covered = set().union(*(m.skills for m in scenario.team))
    assert covered == {"design", "dev"}
    for outcome in (replay(scenario, p) for p in standard_policies(scenario.settings)):
        for p, d in zip(outcome.placements, scenario.demand, strict=True):
            if d.skill is not None and p.employee_id is not None:
                holder = next(m for m in scenario.team if m.employee_id == p.employee_id)
                assert d.skill.casefold() in holder.skills


@pytest.mark.parametrize(
    ("text", "row", "column", "says"),
    [
        ("arrival,weight,duration,deadline\nsoon,1,1,\n", 2, "arrival", "not a date and time"),
        ("arrival,weight,duration,deadline\n2026-03-02T09:00,heavy,1,\n", 2, "weight", "points"),
        ("arrival,weight,duration,deadline\n2026-03-02T09:00,-1,1,\n", 2, "weight", "points"),
        ("arrival,weight,duration,deadline\n2026-03-02T09:00,NaN,1,\n", 2, "weight", "points"),
        ("arrival,weight,duration,deadline\n2026-03-02T09:00,1,0,\n", 2, "duration", "hours"),
        ("arrival,weight,duration,deadline\n2026-03-02T09:00,1,2h,\n", 2, "duration", "hours"),
        (
            "arrival,weight,duration,deadline\n2026-03-02T09:00,1,1,\n"
            "2026-03-03T09:00,1,1,2026-03-02T09:00\n",
            3,
            "deadline",
            "before the arrival",
        ),
        ("arrival,weight,duration,deadline\n2026-03-02T09:00,1,1,friday\n", 2, "deadline", "date"),
        ("arrival,wieght,duration,deadline\n", 1, "wieght", "unknown column"),
        ("arrival,weight,duration\n2026-03-02T09:00,1,1\n", 1, "deadline", "missing"),
        ("arrival,weight,weight,duration,deadline\n", 1, "weight", "twice"),
        ("arrival,weight,duration,deadline\n2026-03-02T09:00,1,1\n", 2, None, "3 cells"),
        ("arrival,weight,duration,deadline\n\n\n", 2, None, "no items"),
        ("", 1, None, "empty"),
    ],
)
def test_a_bad_cell_is_refused_naming_its_row_and_column(
    text: str, row: int, column: str | None, says: str
) -> None:
    with pytest.raises(InvalidDemandRow) as refused:
        read(text)
    error = refused.value
    assert (error.row, error.column) == (row, column)
    assert says in error.message
    where = f"demand.csv, row {row}" + (f", column {column}" if column else "")
    assert error.message.startswith(where)
    assert "\n" not in error.message


def test_rows_are_numbered_as_lines_of_the_file_even_after_blank_lines() -> None:
    text = "arrival,weight,duration,deadline\n\n2026-03-02T09:00,1,1,\n\n2026-03-02T09:00,x,1,\n"
    with pytest.raises(InvalidDemandRow) as refused:
        read(text)
    assert refused.value.row == 5


def test_an_offset_other_than_the_company_one_is_kept() -> None:
    [row] = read("arrival,weight,duration,deadline\n2026-03-02T09:00-05:00,1,1,\n")
    new_york_winter = timezone(timedelta(hours=-5))
    assert row.arrives_at == datetime(2026, 3, 2, 9, tzinfo=new_york_winter)
