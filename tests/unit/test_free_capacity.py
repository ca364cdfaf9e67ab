"""When will a designer next have room: the estimate and the reasons it gives."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from conveyor.domain.absences import AbsenceKind
from conveyor.domain.free_capacity import (
    MIN_OWN_SAMPLES,
    AwaySpell,
    FreeBasis,
    HeldWork,
    ObservedDurations,
    Plate,
    Stay,
    estimate_free_at,
    merge_spells,
)

MOSCOW = ZoneInfo("Europe/Moscow")
NOW = datetime(2025, 11, 20, 10, tzinfo=MOSCOW)  # a Thursday
DESIGN, REVIEW = 7, 8
LEV, SAM = 1, 2
NO_HISTORY = ObservedDurations(())


def nine_o_clock(day: date) -> datetime:
    """Working time starting at 09:00 Moscow on weekdays."""
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return datetime(day.year, day.month, day.day, 9, tzinfo=MOSCOW)


def deal(item_id: int, points: int, since: datetime, stage_id: int = DESIGN) -> HeldWork:
    return HeldWork(
        kind="deal", item_id=item_id, points=Decimal(points), stage_id=stage_id, since=since
    )


def task(item_id: int, deadline: datetime | None) -> HeldWork:
    return HeldWork(
        kind="task",
        item_id=item_id,
        points=Decimal(1),
        stage_id=None,
        since=NOW - timedelta(days=1),
        deadline=deadline,
    )


def stays(employee_id: int | None, days: list[float], stage_id: int = DESIGN) -> list[Stay]:
    start = NOW - timedelta(days=60)
    return [
        Stay(
            employee_id=employee_id,
            stage_id=stage_id,
            entered_at=start,
            left_at=start + timedelta(days=d),
        )
        for d in days
    ]


def plate(*held: HeldWork, capacity: int | None = 10, dismissed: bool = False) -> Plate:
    return Plate(
        employee_id=LEV,
        timezone="Europe/Moscow",
        held=held,
        capacity_points=None if capacity is None else Decimal(capacity),
        dismissed=dismissed,
    )


def vacation(first: date, last: date, kind: AbsenceKind = AbsenceKind.VACATION) -> AwaySpell:
    return AwaySpell(kind=kind, first=first, last=last)


def estimate(
    on: Plate,
    *,
    away: list[AwaySpell] | None = None,
    durations: ObservedDurations = NO_HISTORY,
    now: datetime = NOW,
) -> tuple[datetime | None, FreeBasis, str]:
    found = estimate_free_at(
        on,
        now=now,
        away=merge_spells(away or []),
        durations=durations,
        work_starts=nine_o_clock,
        stage_names={DESIGN: "Design", REVIEW: "Review"},
    )
    return found.at, found.basis, found.note


def test_with_room_and_present_a_designer_is_free_now() -> None:
    at, basis, note = estimate(plate(deal(1, 5, NOW), deal(2, 3, NOW)))

    assert (at, basis) == (NOW, FreeBasis.ROOM_NOW)
    assert note == "room now: 8 of 10 points"


def test_without_a_capacity_there_is_always_room() -> None:
    at, basis, note = estimate(plate(deal(1, 50, NOW), capacity=None))

    assert (at, basis, note) == (NOW, FreeBasis.ROOM_NOW, "room now: no capacity set")


def test_with_room_but_on_vacation_a_designer_is_free_at_nine_the_day_after_it_ends() -> None:
    away = [vacation(date(2025, 11, 17), date(2025, 11, 27))]

    at, basis, note = estimate(plate(deal(1, 8, NOW)), away=away)

    assert at == datetime(2025, 11, 28, 9, tzinfo=MOSCOW)
    assert basis is FreeBasis.BACK_FROM_ABSENCE
    assert note == "away (vacation) until 2025-11-27; back 2025-11-28 09:00 their time with room"


def test_a_vacation_followed_by_sick_leave_counts_as_one_absence() -> None:
    away = [
        vacation(date(2025, 11, 17), date(2025, 11, 21)),
        vacation(date(2025, 11, 22), date(2025, 11, 25), AbsenceKind.SICK_LEAVE),
    ]

    at, _, note = estimate(plate(), away=away)

    assert at == datetime(2025, 11, 26, 9, tzinfo=MOSCOW)
    assert "until 2025-11-25" in note


def test_a_return_on_a_weekend_moves_to_monday_and_a_second_absence_is_skipped_too() -> None:
    # Away until Friday the 21st; back Monday the 24th — but a trip starts that Monday.
    away = [
        vacation(date(2025, 11, 17), date(2025, 11, 21)),
        vacation(date(2025, 11, 24), date(2025, 11, 25), AbsenceKind.BUSINESS_TRIP),
    ]

    at, basis, note = estimate(plate(), away=away)

    assert at == datetime(2025, 11, 26, 9, tzinfo=MOSCOW)
    assert basis is FreeBasis.BACK_FROM_ABSENCE
    assert "business trip" in note


def test_a_full_designer_is_free_when_enough_points_have_gone_by_their_own_pace() -> None:
    history = ObservedDurations(stays(LEV, [1, 2, 3]) + stays(SAM, [10, 10, 10, 10]))
    held = plate(
        deal(1, 5, NOW - timedelta(hours=20)),
        deal(2, 3, NOW - timedelta(hours=30)),
        deal(3, 2, NOW),
    )

    at, basis, note = estimate(held, durations=history)

    # Deal 2 (3 points) ends first, at its entry + 2 days: 10 - 3 = 7 < 10.
    assert at == NOW - timedelta(hours=30) + timedelta(days=2)
    assert basis is FreeBasis.OWN_HISTORY
    assert note == (
        "deal 2 expected to leave 'Design' by 2025-11-21 04:00 "
        "(their median stay there is 2 d over 3 stays)"
    )


def test_until_they_have_enough_history_of_their_own_everyone_s_pace_applies() -> None:
    few = stays(LEV, [1] * (MIN_OWN_SAMPLES - 1))
    history = ObservedDurations(few + stays(SAM, [4, 4, 4, 4]))
    held = plate(deal(1, 10, NOW))

    at, basis, note = estimate(held, durations=history)

    # Everyone's stays: 1, 1, 4, 4, 4, 4 -> median 4 days.
    assert at == NOW + timedelta(days=4)
    assert basis is FreeBasis.TEAM_HISTORY
    assert "everyone's median stay there is 4 d over 6 stays" in note


def test_the_median_of_an_even_number_of_stays_is_the_middle_two_averaged() -> None:
    history = ObservedDurations(stays(LEV, [1, 2, 4, 10]))

    typical = history.expected(LEV, DESIGN)

    assert typical is not None
    assert (typical.duration, typical.samples) == (timedelta(days=3), 4)


def test_history_is_kept_per_stage() -> None:
    history = ObservedDurations(stays(LEV, [1, 1, 1], REVIEW))

    assert history.expected(LEV, DESIGN) is None
    assert history.expected(SAM, REVIEW) is not None


def test_a_stay_ending_before_it_began_is_not_an_observation() -> None:
    backwards = Stay(employee_id=LEV, stage_id=DESIGN, entered_at=NOW, left_at=NOW - timedelta(1))

    assert ObservedDurations([backwards]).expected(LEV, DESIGN) is None


def test_a_deadline_beats_history() -> None:
    due = NOW + timedelta(hours=3)
    held = plate(deal(1, 9, NOW), task(2, due))

    at, basis, note = estimate(held, durations=ObservedDurations(stays(LEV, [5, 5, 5])))

    assert (at, basis) == (due, FreeBasis.DEADLINE)
    assert note == "task 2 is due 2025-11-20 13:00"


def test_an_expected_end_already_past_means_any_moment_now() -> None:
    held = plate(task(2, NOW - timedelta(days=2)), deal(1, 9, NOW))

    at, basis, note = estimate(held)

    assert (at, basis) == (NOW, FreeBasis.DEADLINE)
    assert note.endswith("already past")


def test_a_full_designer_whose_work_has_no_deadline_and_no_history_cannot_be_told() -> None:
    at, basis, note = estimate(plate(deal(1, 6, NOW), deal(2, 6, NOW)))

    assert (at, basis) == (None, FreeBasis.UNKNOWN)
    assert note.startswith("full (12 of 10 points)")


def test_an_estimate_falling_in_an_upcoming_vacation_moves_past_it() -> None:
    history = ObservedDurations(stays(LEV, [3, 3, 3]))
    away = [vacation(date(2025, 11, 22), date(2025, 11, 30))]

    at, basis, note = estimate(plate(deal(1, 10, NOW)), away=away, durations=history)

    # Expected done Sunday the 23rd, in the vacation: back Monday 1 December at 09:00.
    assert at == datetime(2025, 12, 1, 9, tzinfo=MOSCOW)
    assert basis is FreeBasis.BACK_FROM_ABSENCE
    assert "their median stay" in note and "while away (vacation) until 2025-11-30" in note


def test_a_dismissed_employee_is_never_free_again() -> None:
    assert estimate(plate(dismissed=True)) == (None, FreeBasis.DISMISSED, "dismissed")


def test_merging_absences_joins_adjacent_and_overlapping_ones_only() -> None:
    spells = merge_spells(
        [
            vacation(date(2025, 12, 10), date(2025, 12, 12)),
            vacation(date(2025, 12, 1), date(2025, 12, 3)),
            vacation(date(2025, 12, 4), date(2025, 12, 5), AbsenceKind.SICK_LEAVE),
            vacation(date(2025, 12, 11), date(2025, 12, 14)),
        ]
    )

    assert [(s.kind, s.first, s.last) for s in spells] == [
        (AbsenceKind.VACATION, date(2025, 12, 1), date(2025, 12, 5)),
        (AbsenceKind.VACATION, date(2025, 12, 10), date(2025, 12, 14)),
    ]


days_ahead = st.integers(min_value=-5, max_value=40)
pieces = st.lists(
    st.tuples(
        st.integers(min_value=1, max_value=6),  # points
        st.integers(min_value=-100, max_value=100),  # hours since entry, or to the deadline
        st.booleans(),  # with a deadline
    ),
    max_size=8,
)
spells = st.lists(st.tuples(days_ahead, st.integers(min_value=0, max_value=12)), max_size=4)


@given(
    pieces=pieces,
    away=spells,
    capacity=st.one_of(st.none(), st.integers(min_value=1, max_value=20)),
    history=st.lists(st.floats(min_value=0, max_value=10), max_size=6),
)
def test_free_at_is_never_before_now_nor_on_a_day_away(
    pieces: list[tuple[int, int, bool]],
    away: list[tuple[int, int]],
    capacity: int | None,
    history: list[float],
) -> None:
    held = [
        HeldWork(
            kind="deal",
            item_id=n,
            points=Decimal(points),
            stage_id=DESIGN,
            since=NOW - timedelta(hours=hours),
            deadline=NOW + timedelta(hours=hours) if dated else None,
        )
        for n, (points, hours, dated) in enumerate(pieces)
    ]
    absences = [
        vacation(NOW.date() + timedelta(days=start), NOW.date() + timedelta(days=start + length))
        for start, length in away
    ]
    on = plate(*held, capacity=capacity)

    durations = ObservedDurations(stays(SAM, history))
    at, basis, _ = estimate(on, away=absences, durations=durations)

    merged = merge_spells(absences)
    if at is None:
        assert basis is FreeBasis.UNKNOWN
        return
    assert at >= NOW
    assert not any(s.covers(at.astimezone(MOSCOW).date()) for s in merged)
    here = not any(s.covers(NOW.date()) for s in merged)
    if on.has_room and here:
        assert (at, basis) == (NOW, FreeBasis.ROOM_NOW)
    if basis in (FreeBasis.DEADLINE, FreeBasis.TEAM_HISTORY):
        # Free exactly when the pieces ended by then bring the load under the capacity.
        assert on.capacity_points is not None
        typical = durations.expected(LEV, DESIGN)
        ends = [
            (max(p.deadline or p.since + (typical.duration if typical else timedelta(0)), NOW), p)
            for p in held
            if p.deadline is not None or typical is not None
        ]
        left_at = on.load_points - sum((p.points for end, p in ends if end <= at), Decimal(0))
        left_before = on.load_points - sum((p.points for end, p in ends if end < at), Decimal(0))
        assert left_at < on.capacity_points
        assert at == NOW or left_before >= on.capacity_points
