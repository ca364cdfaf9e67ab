"""Work schedules through the API: weekly hours and shift rotations employees follow."""

from __future__ import annotations

from typing import Any

import pytest

from conveyor.storage.unit_of_work import UnitOfWork
from tests.e2e.conftest import Api

OFFICE_WEEK = {
    day: [["09:00", "13:00"], ["14:00", "18:00"]] for day in ("mon", "tue", "wed", "thu", "fri")
}
SHOP_WEEK = {day: [["10:00", "22:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


def worker_token(api: Api) -> str:
    worker = api.ok("POST", "/employees", 201, json={"name": "Wanda Worker"})
    return str(api.ok("POST", "/tokens", 201, json={"employee_id": worker["id"]})["token"])


def event_types(api: Api) -> list[str]:
    uow = UnitOfWork(api.client.app.state.sessions)  # type: ignore[attr-defined]
    with uow:
        return [e.type for e in uow.events.where()]


def test_an_admin_defines_the_office_schedule_and_it_defaults_to_nine_to_six(api: Api) -> None:
    office = api.ok("POST", "/schedules", 201, json={"name": "Office 5/2"})
    assert office["country"] == "RU"
    assert office["week"] == OFFICE_WEEK | {"sat": [], "sun": []}
    assert office["rotation"] is None
    assert api.ok("GET", f"/schedules/{office['id']}") == office
    assert "ScheduleCreated" in event_types(api)


def test_a_shop_schedule_runs_a_2_2_rotation_and_can_be_renamed_and_reshaped(api: Api) -> None:
    shop = api.ok(
        "POST",
        "/schedules",
        201,
        json={
            "name": "Shop 2/2",
            "week": SHOP_WEEK,
            "rotation": {"start": "2026-03-02", "on": 2, "off": 2},
        },
    )
    assert shop["rotation"] == {"start": "2026-03-02", "on": 2, "off": 2}
    changed = api.ok(
        "PATCH",
        f"/schedules/{shop['id']}",
        json={"name": "Shop 3/3", "rotation": {"start": "2026-03-02", "on": 3, "off": 3}},
    )
    assert changed["name"] == "Shop 3/3"
    assert changed["rotation"]["on"] == 3
    weekly = api.ok("PATCH", f"/schedules/{shop['id']}", json={"rotation": None})
    assert weekly["rotation"] is None
    assert weekly["week"] == SHOP_WEEK
    assert event_types(api).count("ScheduleChanged") == 2


def test_schedules_are_listed_a_page_at_a_time(api: Api) -> None:
    for name in ("A", "B", "C"):
        api.ok("POST", "/schedules", 201, json={"name": name})
    page = api.ok("GET", "/schedules?limit=2&offset=1")
    assert [s["name"] for s in page["items"]] == ["B", "C"]
    assert page["total"] == 3


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"week": {"wed": [["18:00", "09:00"]]}}, "week.wed.0"),
        ({"week": {"wed": [["09:00", "13:00"], ["12:00", "18:00"]]}}, "week.wed"),
        ({"week": {"wed": [["14:00", "18:00"], ["09:00", "13:00"]]}}, "week.wed"),
        ({"week": {"xyz": [["09:00", "18:00"]]}}, "week.xyz"),
        ({"week": {"mon": [["9 am", "18:00"]]}}, "week.mon.0"),
        ({"week": {"mon": [["09:00", "18:00", "19:00"]]}}, "week.mon.0"),
        ({"week": {}}, "week"),
        ({"week": {"mon": [["09:00", "18:00"]] * 49}}, "week.mon"),
        ({"country": "XX"}, "country"),
        ({"country": "R1"}, "country"),
        ({"rotation": {"start": "2026-03-02", "on": 0, "off": 2}}, "rotation.on"),
        ({"rotation": {"start": "2026-03-02", "on": 2, "off": 99}}, "rotation.off"),
        ({"rotation": {"start": "not a date", "on": 2, "off": 2}}, "rotation.start"),
        # Monday on, six days off: the on-day is always a Monday and Monday has no hours.
        (
            {
                "week": {"tue": [["09:00", "18:00"]]},
                "rotation": {"start": "2026-03-02", "on": 1, "off": 6},
            },
            "rotation",
        ),
        ({"timezone": "Mars/Olympus"}, "timezone"),
    ],
)
def test_an_invalid_schedule_is_refused_naming_the_field_and_nothing_is_saved(
    api: Api, body: dict[str, Any], field: str
) -> None:
    response = api.post("/schedules", json={"name": "Broken"} | body)
    assert response.status_code == 422, response.text
    assert response.json()["field"] == field, response.json()
    assert api.ok("GET", "/schedules")["total"] == 0
    assert "ScheduleCreated" not in event_types(api)


def test_an_invalid_change_leaves_the_schedule_as_it_was(api: Api) -> None:
    office = api.ok("POST", "/schedules", 201, json={"name": "Office", "week": OFFICE_WEEK})
    api.ok("POST", "/schedules", 201, json={"name": "Shop", "week": SHOP_WEEK})
    cases: list[tuple[dict[str, Any], int, str]] = [
        ({"name": "Shop", "week": SHOP_WEEK}, 409, "name"),
        ({"week": {"wed": [["18:00", "09:00"]]}}, 422, "week.wed.0"),
        ({"name": "Renamed", "country": "XX"}, 422, "country"),
        ({"week": None}, 422, "week"),
    ]
    for body, status, field in cases:
        response = api.patch(f"/schedules/{office['id']}", json=body)
        assert response.status_code == status, (body, response.text)
        assert response.json()["field"] == field, (body, response.json())
    assert api.ok("GET", f"/schedules/{office['id']}") == office
    assert "ScheduleChanged" not in event_types(api)


def test_two_schedules_cannot_share_a_name(api: Api) -> None:
    api.ok("POST", "/schedules", 201, json={"name": "Office"})
    response = api.post("/schedules", json={"name": "Office"})
    assert response.status_code == 409
    assert response.json()["field"] == "name"
    assert api.ok("GET", "/schedules")["total"] == 1


def test_a_schedule_employees_follow_cannot_be_deleted_until_they_move(api: Api) -> None:
    office = api.ok("POST", "/schedules", 201, json={"name": "Office"})
    clerk = api.ok("POST", "/employees", 201, json={"name": "Kira", "schedule_id": office["id"]})

    response = api.delete(f"/schedules/{office['id']}")
    assert response.status_code == 409
    assert api.ok("GET", f"/schedules/{office['id']}")["name"] == "Office"

    api.ok("PATCH", f"/employees/{clerk['id']}", json={"schedule_id": None})
    api.ok("DELETE", f"/schedules/{office['id']}", 204)
    assert api.get(f"/schedules/{office['id']}").status_code == 404
    assert event_types(api)[-1] == "ScheduleDeleted"


def test_only_admins_change_schedules_but_everyone_reads_them(api: Api) -> None:
    office = api.ok("POST", "/schedules", 201, json={"name": "Office"})
    worker = api.as_(worker_token(api))
    assert worker.ok("GET", f"/schedules/{office['id']}")["name"] == "Office"
    assert worker.post("/schedules", json={"name": "Mine"}).status_code == 403
    assert worker.patch(f"/schedules/{office['id']}", json={"name": "Mine"}).status_code == 403
    assert worker.delete(f"/schedules/{office['id']}").status_code == 403
    assert api.ok("GET", "/schedules")["total"] == 1
    assert api.ok("GET", f"/schedules/{office['id']}")["name"] == "Office"


def test_unknown_schedules_are_not_found(api: Api) -> None:
    assert api.get("/schedules/999").status_code == 404
    assert api.patch("/schedules/999", json={"name": "X"}).status_code == 404
    assert api.delete("/schedules/999").status_code == 404
    assert api.get(f"/schedules/{2**64}").status_code == 422
