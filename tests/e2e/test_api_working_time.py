"""An employee's working time through the API: at work now, deadlines, hours worked."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import Api

MONDAY_NINE_MSK = "2026-03-02T09:00:00+03:00"


@pytest.fixture
def designer(api: Api) -> dict[str, Any]:
    """A designer in Samara on the office schedule."""
    office = api.ok("POST", "/schedules", 201, json={"name": "Office 5/2"})
    employee: dict[str, Any] = api.ok(
        "POST",
        "/employees",
        201,
        json={"name": "Daria Designer", "timezone": "Europe/Samara", "schedule_id": office["id"]},
    )
    return employee


def test_a_samara_designer_is_at_work_at_nine_moscow_time_which_is_ten_in_samara(
    api: Api, designer: dict[str, Any]
) -> None:
    state = api.ok(
        "GET", f"/employees/{designer['id']}/working-time", params={"at": MONDAY_NINE_MSK}
    )
    assert state["working"] is True
    assert state["next_working_moment"] == "2026-03-02T09:00:00+03:00"
    assert state["timezone"] == "Europe/Samara"
    assert state["schedule_id"] == designer["schedule_id"]

    early = api.ok(
        "GET", f"/employees/{designer['id']}/working-time", params={"at": "2026-03-02T04:00:00Z"}
    )
    assert early["working"] is False
    assert early["next_working_moment"] == "2026-03-02T05:00:00Z"


def test_deadlines_count_working_days_or_hours_on_the_employees_calendar(
    api: Api, designer: dict[str, Any]
) -> None:
    url = f"/employees/{designer['id']}/working-time/deadline"
    # Friday 6 March 2026, 11:00 in Samara; Monday the 9th is the moved March 8 holiday.
    friday = "2026-03-06T11:00:00+04:00"
    by_days = api.ok("GET", url, params={"start": friday, "days": 1})
    assert by_days["deadline"] == "2026-03-10T11:00:00+04:00"
    by_hours = api.ok("GET", url, params={"start": friday, "hours": 1.5})
    assert by_hours["deadline"] == "2026-03-06T12:30:00+04:00"
    assert api.ok("GET", url, params={"start": friday, "days": 0})["deadline"] == by_days["start"]


def test_working_hours_between_two_moments_skip_lunch_nights_and_holidays(
    api: Api, designer: dict[str, Any]
) -> None:
    url = f"/employees/{designer['id']}/working-time/between"
    week = api.ok(
        "GET", url, params={"from": "2026-03-02T00:00:00+04:00", "to": "2026-03-09T00:00:00+04:00"}
    )
    assert week["hours"] == 40
    assert week["seconds"] == 40 * 3600
    assert week["from"] == "2026-03-02T00:00:00+04:00"
    backwards = api.ok(
        "GET", url, params={"from": "2026-03-09T00:00:00+04:00", "to": "2026-03-02T00:00:00+04:00"}
    )
    assert backwards["hours"] == -40


def test_an_employee_without_a_schedule_follows_the_company_default(api: Api) -> None:
    newcomer = api.ok("POST", "/employees", 201, json={"name": "Nina New"})
    state = api.ok(
        "GET", f"/employees/{newcomer['id']}/working-time", params={"at": MONDAY_NINE_MSK}
    )
    assert state["working"] is True
    assert state["schedule_id"] is None
    lunch = api.ok(
        "GET",
        f"/employees/{newcomer['id']}/working-time",
        params={"at": "2026-03-02T13:30:00+03:00"},
    )
    assert lunch["working"] is False
    assert lunch["next_working_moment"] == "2026-03-02T14:00:00+03:00"


def test_a_company_override_changes_the_answers_at_once(api: Api) -> None:
    accountant = api.ok("POST", "/employees", 201, json={"name": "Alla Accountant"})
    url = f"/employees/{accountant['id']}/working-time/deadline"
    query = {"start": "2026-12-30T10:00:00+03:00", "days": 1}
    assert api.ok("GET", url, params=query)["deadline"] == "2027-01-11T10:00:00+03:00"
    api.ok("POST", "/calendar/overrides", 201, json={"day": "2026-12-31", "kind": "working_day"})
    assert api.ok("GET", url, params=query)["deadline"] == "2026-12-31T10:00:00+03:00"


@pytest.mark.parametrize(
    ("path", "query", "field"),
    [
        ("", {"at": "2026-03-02T09:00:00"}, "at"),
        ("", {}, "at"),
        ("", {"at": "yesterday"}, "at"),
        ("", {"at": "1800-03-02T09:00:00Z"}, "at"),
        ("/deadline", {"start": "2026-03-02T09:00:00", "days": 1}, "start"),
        ("/deadline", {"start": MONDAY_NINE_MSK, "days": -1}, "days"),
        ("/deadline", {"start": MONDAY_NINE_MSK, "days": 3651}, "days"),
        ("/deadline", {"start": MONDAY_NINE_MSK, "hours": -0.5}, "hours"),
        ("/deadline", {"start": MONDAY_NINE_MSK, "hours": 100_001}, "hours"),
        ("/deadline", {"start": MONDAY_NINE_MSK, "hours": "nan"}, "hours"),
        ("/deadline", {"start": MONDAY_NINE_MSK, "hours": "inf"}, "hours"),
        ("/deadline", {"start": MONDAY_NINE_MSK, "days": 1, "hours": 2}, "hours"),
        ("/deadline", {"start": MONDAY_NINE_MSK}, "days"),
        ("/deadline", {"start": "2200-12-01T09:00:00Z", "days": 3650}, "days"),
        ("/between", {"from": "2026-03-02T09:00:00", "to": MONDAY_NINE_MSK}, "from"),
        ("/between", {"from": MONDAY_NINE_MSK, "to": "2026-03-09T09:00:00"}, "to"),
        ("/between", {"from": MONDAY_NINE_MSK}, "to"),
    ],
)
def test_bad_working_time_questions_are_refused_naming_the_parameter(
    api: Api, designer: dict[str, Any], path: str, query: dict[str, Any], field: str
) -> None:
    response = api.get(f"/employees/{designer['id']}/working-time{path}", params=query)
    assert response.status_code == 422, response.text
    assert response.json()["field"] == field, response.json()


def test_an_unknown_employee_has_no_working_time(api: Api) -> None:
    response = api.get("/employees/999/working-time", params={"at": MONDAY_NINE_MSK})
    assert response.status_code == 404


def test_moving_an_employee_to_an_unknown_timezone_is_refused_and_their_hours_stay(
    api: Api, designer: dict[str, Any]
) -> None:
    response = api.patch(f"/employees/{designer['id']}", json={"timezone": "Mars/Olympus"})
    assert response.status_code == 422
    assert response.json()["field"] == "timezone"
    state = api.ok(
        "GET", f"/employees/{designer['id']}/working-time", params={"at": "2026-03-02T05:00:00Z"}
    )
    assert state["timezone"] == "Europe/Samara"
    assert state["working"] is True  # 09:00 in Samara


@pytest.mark.parametrize(
    ("path", "query", "field"),
    [
        ("", {"at": "2200-12-31T23:00:00-12:00"}, "at"),
        ("/between", {"from": MONDAY_NINE_MSK, "to": "2200-12-31T23:00:00-12:00"}, "to"),
    ],
)
def test_moments_at_the_edge_of_the_counted_years_are_refused_not_crashed(
    api: Api, designer: dict[str, Any], path: str, query: dict[str, Any], field: str
) -> None:
    response = api.get(f"/employees/{designer['id']}/working-time{path}", params=query)
    assert response.status_code == 422, response.text
    assert response.json()["field"] == field
