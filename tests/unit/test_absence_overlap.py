"""Two absences of one employee never share a day; touching periods are fine."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conveyor.domain.absences import (
    Absence,
    AbsenceKind,
    check_may_manage,
    check_no_overlap,
    first_overlap,
    periods_overlap,
)
from conveyor.domain.actors import Actor
from conveyor.domain.errors import Conflict, Forbidden, InvalidValue
from conveyor.domain.tokens import Role

BASE = date(2026, 1, 1)


@st.composite
def periods(draw: st.DrawFn) -> tuple[date, date]:
    start = BASE + timedelta(days=draw(st.integers(0, 90)))
    return start, start + timedelta(days=draw(st.integers(0, 20)))


def _days(period: tuple[date, date]) -> set[date]:
    start, end = period
    return {start + timedelta(days=n) for n in range((end - start).days + 1)}


def _absence(period: tuple[date, date], absence_id: int) -> Absence:
    return Absence(
        id=absence_id,
        employee_id=1,
        kind=AbsenceKind.VACATION,
        starts_on=period[0],
        ends_on=period[1],
    )


@settings(database=None, max_examples=300)
@given(periods(), periods())
def test_two_periods_overlap_exactly_when_they_share_a_day(
    a: tuple[date, date], b: tuple[date, date]
) -> None:
    shared = bool(_days(a) & _days(b))
    assert periods_overlap(*a, *b) is shared
    assert periods_overlap(*b, *a) is shared


@settings(database=None)
@given(periods(), st.integers(0, 10))
def test_an_absence_starting_the_day_after_another_ends_does_not_overlap_it(
    a: tuple[date, date], length: int
) -> None:
    after = a[1] + timedelta(days=1)
    assert not periods_overlap(*a, after, after + timedelta(days=length))


@settings(database=None, max_examples=200)
@given(st.lists(periods(), max_size=15))
def test_absences_accepted_one_by_one_never_share_a_day(attempts: list[tuple[date, date]]) -> None:
    accepted: list[Absence] = []
    for index, period in enumerate(attempts, start=1):
        try:
            check_no_overlap(*period, accepted)
        except Conflict as refusal:
            assert refusal.field == "starts_on"
            assert any(_days(period) & _days((a.starts_on, a.ends_on)) for a in accepted)
            continue
        accepted.append(_absence(period, index))
    taken: set[date] = set()
    for absence in accepted:
        days = _days((absence.starts_on, absence.ends_on))
        assert not days & taken
        taken |= days


@settings(database=None, max_examples=200)
@given(periods(), st.lists(periods(), max_size=8), st.data())
def test_the_first_overlap_is_the_earliest_clash_and_never_the_absence_being_changed(
    period: tuple[date, date], others: list[tuple[date, date]], data: st.DataObject
) -> None:
    existing = [_absence(p, i) for i, p in enumerate(others, start=1)]
    ignore = data.draw(st.sampled_from([None, *range(1, len(others) + 1)]))
    found = first_overlap(*period, existing, ignore_id=ignore)
    clashing = [
        a for a in existing if a.id != ignore and _days(period) & _days((a.starts_on, a.ends_on))
    ]
    if not clashing:
        assert found is None
    else:
        assert found is not None and found.id != ignore
        assert found.starts_on == min(a.starts_on for a in clashing)


def test_an_absence_cannot_end_before_it_starts_nor_be_moved_so() -> None:
    with pytest.raises(InvalidValue) as error:
        Absence(employee_id=1, kind=AbsenceKind.OTHER, starts_on=BASE, ends_on=BASE - timedelta(1))
    assert error.value.field == "ends_on"
    absence = _absence((BASE, BASE), 1)
    with pytest.raises(InvalidValue):
        absence.reschedule(starts_on=BASE + timedelta(5), ends_on=BASE + timedelta(4))
    assert (absence.starts_on, absence.ends_on) == (BASE, BASE)


def test_a_one_day_absence_covers_only_its_day() -> None:
    absence = _absence((BASE, BASE), 1)
    assert absence.covers(BASE)
    assert not absence.covers(BASE + timedelta(1))
    assert not absence.covers(BASE - timedelta(1))


def test_admins_and_heads_manage_anyones_absences_an_employee_only_their_own() -> None:
    check_may_manage(Actor(employee_id=1, role=Role.ADMIN), 2)
    check_may_manage(Actor(employee_id=1, role=Role.HEAD), 2)
    check_may_manage(Actor(employee_id=2, role=Role.EMPLOYEE), 2)
    with pytest.raises(Forbidden):
        check_may_manage(Actor(employee_id=1, role=Role.EMPLOYEE), 2)
