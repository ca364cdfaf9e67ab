"""The organization's own timezone and default schedule: robots on an item nobody is
responsible for count their working time there, on both databases."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from conveyor.domain.actors import SYSTEM, Actor
from conveyor.domain.errors import Forbidden, InvalidValue, NotFound
from conveyor.domain.robot_params import ActionKind
from conveyor.domain.tokens import Role
from conveyor.services import organization, schedules
from conveyor.storage.unit_of_work import UnitOfWork
from conveyor.testing import FakeClock
from tests.integration.robot_office import Office, deal, robot, runs, sales_office

HEAD_TOLD = {"to": ["head"], "text": "Deal {deal.title} came in"}


@pytest.fixture
def office(uow: UnitOfWork, clock: FakeClock) -> Office:
    return sales_office(uow, clock)


def tell_the_head_in_working_hours(uow: UnitOfWork, clock: FakeClock, office: Office) -> None:
    robot(
        uow,
        clock,
        office.stages["Invoice"],
        ActionKind.NOTIFY,
        {"to": [office.head], "text": "Deal {deal.title} came in"},
        working_hours_only=True,
    )


def test_an_unowned_deal_at_night_waits_for_the_morning_in_moscow_until_told_otherwise(
    uow: UnitOfWork, clock: FakeClock, office: Office
) -> None:
    assert organization.get_organization(uow).timezone == "Europe/Moscow"
    clock.set(datetime(2026, 3, 2, 19, 30, tzinfo=UTC))  # Monday 22:30 in Moscow
    tell_the_head_in_working_hours(uow, clock, office)

    item = deal(uow, clock, office.stages["Invoice"])

    assert item.responsible_id is None
    [run] = runs(uow, item)
    assert run.due_at == datetime(2026, 3, 3, 6, 0, tzinfo=UTC)  # Tuesday 09:00 in Moscow


def test_an_organization_in_yekaterinburg_counts_unowned_work_in_its_own_morning(
    uow: UnitOfWork, clock: FakeClock, office: Office
) -> None:
    organization.update_organization(
        uow, {"name": "Ural Kitchens", "timezone": "Asia/Yekaterinburg"}, actor=SYSTEM, now=clock()
    )
    clock.set(datetime(2026, 3, 2, 19, 30, tzinfo=UTC))  # Tuesday 00:30 in Yekaterinburg
    tell_the_head_in_working_hours(uow, clock, office)

    item = deal(uow, clock, office.stages["Invoice"])

    [run] = runs(uow, item)
    assert run.due_at == datetime(2026, 3, 3, 4, 0, tzinfo=UTC)  # Tuesday 09:00 there


def test_the_default_schedule_of_the_organization_sets_the_hours_of_unowned_work(
    uow: UnitOfWork, clock: FakeClock, office: Office
) -> None:
    late_shop = schedules.create_schedule(
        uow,
        schedules.CreateSchedule(
            name="Late shop",
            week={day: [["12:00", "21:00"]] for day in ("mon", "tue", "wed", "thu", "fri")},
        ),
        actor=SYSTEM,
        now=clock(),
    )
    organization.update_organization(uow, {"schedule_id": late_shop.id}, actor=SYSTEM, now=clock())
    clock.set(datetime(2026, 3, 3, 6, 0, tzinfo=UTC))  # Tuesday 09:00 in Moscow
    tell_the_head_in_working_hours(uow, clock, office)

    item = deal(uow, clock, office.stages["Invoice"])

    [run] = runs(uow, item)
    assert run.due_at == datetime(2026, 3, 3, 9, 0, tzinfo=UTC)  # 12:00 in Moscow


def test_a_change_is_recorded_with_what_changed_and_a_repeat_changes_nothing(
    uow: UnitOfWork, clock: FakeClock
) -> None:
    changes = {"name": "Ural Kitchens", "timezone": "Asia/Yekaterinburg"}
    organization.update_organization(uow, changes, actor=SYSTEM, now=clock())
    organization.update_organization(uow, changes, actor=SYSTEM, now=clock())
    with uow:
        [changed] = uow.events.where(type="OrganizationChanged")
    assert changed.payload["changes"] == {
        "name": ["", "Ural Kitchens"],
        "timezone": ["Europe/Moscow", "Asia/Yekaterinburg"],
    }


@pytest.mark.parametrize(
    ("changes", "error", "field"),
    [
        ({"timezone": "Mars/Olympus"}, InvalidValue, "timezone"),
        ({"schedule_id": 4242}, NotFound, "schedule_id"),
        ({"name": "x" * 201}, InvalidValue, "name"),
        ({"task_remind_hours": 9000}, InvalidValue, "task_remind_hours"),
        ({"colour": "red"}, InvalidValue, "colour"),
    ],
)
def test_a_bad_change_names_the_field_and_changes_nothing(
    uow: UnitOfWork,
    clock: FakeClock,
    changes: dict[str, object],
    error: type[Exception],
    field: str,
) -> None:
    with pytest.raises(error) as refused:
        organization.update_organization(
            uow, {"name": "Ural Kitchens", **changes}, actor=SYSTEM, now=clock()
        )
    assert getattr(refused.value, "field", None) == field
    assert organization.get_organization(uow).name == ""
    with uow:
        assert uow.events.where(type="OrganizationChanged") == []


def test_only_an_admin_changes_the_organization(uow: UnitOfWork, clock: FakeClock) -> None:
    head = Actor(employee_id=7, role=Role.HEAD)
    with pytest.raises(Forbidden):
        organization.update_organization(uow, {"name": "Mine"}, actor=head, now=clock())
    assert organization.get_organization(uow).name == ""
