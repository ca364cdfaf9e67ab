"""Work schedules: construction, validation and their JSON form."""

from __future__ import annotations

import json
from datetime import time, timedelta

import pytest

from conveyor.domain.errors import InvalidSchedule, InvalidValue
from conveyor.domain.schedules import WEEKDAY_KEYS, WorkInterval, WorkSchedule


def interval(start: str, end: str) -> WorkInterval:
    return WorkInterval(
        start=time.fromisoformat(start), end=time(0) if end == "24:00" else time.fromisoformat(end)
    )


def week(*days: tuple[WorkInterval, ...]) -> tuple[tuple[WorkInterval, ...], ...]:
    return tuple(days) + ((),) * (7 - len(days))


def test_the_common_five_day_week_works_nine_to_six_with_a_lunch_from_one_to_two() -> None:
    schedule = WorkSchedule.five_day_week("Europe/Moscow")

    monday = schedule.intervals_on(0)
    assert [i.describe() for i in monday] == ["09:00-13:00", "14:00-18:00"]
    assert all(schedule.intervals_on(d) == monday for d in range(5))
    assert schedule.intervals_on(5) == schedule.intervals_on(6) == ()
    assert schedule.weekly_duration == timedelta(hours=40)


def test_a_five_day_week_without_lunch_is_one_interval_a_day() -> None:
    schedule = WorkSchedule.five_day_week(
        "Asia/Vladivostok", start=time(8), end=time(17), lunch=None
    )

    assert [i.describe() for i in schedule.intervals_on(4)] == ["08:00-17:00"]
    assert schedule.weekly_duration == timedelta(hours=45)


def test_a_schedule_survives_a_round_trip_through_json() -> None:
    schedule = WorkSchedule(
        timezone="Europe/Samara",
        week=week(
            (interval("09:00", "13:00"), interval("14:00", "18:00")),
            (interval("08:30:15", "12:00"),),
            (),
            (interval("00:00", "24:00"),),
            (interval("22:00", "24:00"),),
            (interval("00:00", "06:00"),),
        ),
    )

    as_json = json.dumps(schedule.to_dict())

    assert WorkSchedule.from_dict(json.loads(as_json)) == schedule


def test_the_json_form_names_weekdays_and_writes_midnight_as_24_00() -> None:
    schedule = WorkSchedule(timezone="UTC", week=week((), (interval("12:00", "24:00"),)))

    assert schedule.to_dict() == {
        "timezone": "UTC",
        "week": {"mon": [], "tue": [["12:00", "24:00"]]} | {k: [] for k in WEEKDAY_KEYS[2:]},
    }


def test_a_weekday_missing_from_json_has_no_work() -> None:
    schedule = WorkSchedule.from_dict({"timezone": "UTC", "week": {"sat": [["10:00", "14:00"]]}})

    assert schedule.intervals_on(5) == (interval("10:00", "14:00"),)
    assert all(not schedule.intervals_on(d) for d in range(5))


def test_lists_are_accepted_and_the_schedule_stays_hashable() -> None:
    schedule = WorkSchedule(timezone="UTC", week=[[interval("09:00", "18:00")]] + [[]] * 6)  # type: ignore[arg-type]

    assert isinstance(schedule.week[0], tuple)
    assert hash(schedule) == hash(WorkSchedule.from_dict(schedule.to_dict()))


def test_an_interval_that_ends_before_it_starts_is_refused() -> None:
    with pytest.raises(InvalidSchedule, match="must end after it starts: 18:00-09:00"):
        interval("18:00", "09:00")


def test_an_empty_interval_is_refused() -> None:
    with pytest.raises(InvalidSchedule, match="must end after it starts"):
        interval("09:00", "09:00")


def test_overlapping_intervals_are_refused_with_the_weekday_named() -> None:
    with pytest.raises(InvalidSchedule, match="on wed must be sorted and must not overlap") as err:
        WorkSchedule(
            timezone="UTC",
            week=week((), (), (interval("09:00", "13:00"), interval("12:00", "18:00"))),
        )
    assert err.value.field == "week.wed"


def test_unsorted_intervals_are_refused() -> None:
    with pytest.raises(InvalidSchedule, match="14:00-18:00 then 09:00-13:00"):
        WorkSchedule(
            timezone="UTC", week=week((interval("14:00", "18:00"), interval("09:00", "13:00")))
        )


def test_touching_intervals_are_allowed() -> None:
    schedule = WorkSchedule(
        timezone="UTC", week=week((interval("09:00", "13:00"), interval("13:00", "18:00")))
    )

    assert schedule.weekly_duration == timedelta(hours=9)


@pytest.mark.parametrize("name", ["Mars/Olympus", "Europe/Moskva", "", "../etc/passwd", "MSK+3"])
def test_an_unknown_timezone_is_refused_with_a_hint(name: str) -> None:
    with pytest.raises(InvalidSchedule, match=r"Unknown timezone .* IANA name") as err:
        WorkSchedule.five_day_week(name)
    assert err.value.field == "timezone"


def test_a_week_without_any_working_hours_is_refused() -> None:
    with pytest.raises(InvalidSchedule, match="no working hours"):
        WorkSchedule(timezone="UTC", week=week())


def test_a_week_must_have_seven_days() -> None:
    with pytest.raises(InvalidSchedule, match="needs 7 weekdays"):
        WorkSchedule(timezone="UTC", week=((interval("09:00", "18:00"),),) * 5)


def test_interval_times_carry_no_timezone_of_their_own() -> None:
    from datetime import UTC

    with pytest.raises(InvalidSchedule, match="wall-clock times"):
        WorkInterval(start=time(9, tzinfo=UTC), end=time(18))


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"week": {}}, "timezone", "needs a timezone"),
        ({"timezone": "UTC"}, "week", 'needs a "week" object'),
        ({"timezone": "UTC", "week": {"monday": []}}, "week", "Unknown weekday keys"),
        ({"timezone": "UTC", "week": {"mon": "09-18"}}, "week.mon", "list of"),
        ({"timezone": "UTC", "week": {"mon": [["09:00"]]}}, "week.mon[0]", "Expected"),
        ({"timezone": "UTC", "week": {"tue": [["9am", "18:00"]]}}, "week.tue[0]", "'9am'"),
        ({"timezone": "UTC", "week": {"mon": [["24:00", "24:00"]]}}, "week.mon[0]", "'24:00'"),
        ({"timezone": "UTC", "week": {"mon": [["09:00+03:00", "18:00"]]}}, "week.mon[0]", "offset"),
        ({"timezone": "UTC", "week": {"fri": [["18:00", "09:00"]]}}, "week.fri[0]", "end after"),
        (
            {"timezone": "Nowhere/City", "week": {"mon": [["09:00", "18:00"]]}},
            "timezone",
            "Unknown",
        ),
    ],
)
def test_malformed_json_is_refused_naming_the_field_at_fault(
    data: dict[str, object], field: str, message: str
) -> None:
    with pytest.raises(InvalidSchedule, match=message) as err:
        WorkSchedule.from_dict(data)
    assert err.value.field == field


def test_schedule_errors_are_invalid_values_for_the_api_to_map() -> None:
    assert issubclass(InvalidSchedule, InvalidValue)
