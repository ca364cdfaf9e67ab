"""The organization's settings through the API: everyone reads them, admins change them."""

from __future__ import annotations

from tests.e2e.conftest import Api


def employee_token(api: Api) -> str:
    worker = api.ok("POST", "/employees", 201, json={"name": "Wanda Worker"})
    return str(api.ok("POST", "/tokens", 201, json={"employee_id": worker["id"]})["token"])


def test_an_admin_names_the_organization_and_moves_it_to_samara(api: Api) -> None:
    assert api.ok("GET", "/organization") == {
        "name": "",
        "timezone": "Europe/Moscow",
        "schedule_id": None,
        "task_remind_hours": 24,
        "updated_at": None,
    }
    office = api.ok("POST", "/schedules", 201, json={"name": "Office 5/2"})
    changed = api.ok(
        "PATCH",
        "/organization",
        json={"name": "Volga Kitchens", "timezone": "Europe/Samara", "schedule_id": office["id"]},
    )
    assert (changed["name"], changed["timezone"], changed["schedule_id"]) == (
        "Volga Kitchens",
        "Europe/Samara",
        office["id"],
    )
    assert changed["updated_at"] is not None
    worker = api.as_(employee_token(api))
    assert worker.ok("GET", "/organization") == changed
    cleared = api.ok("PATCH", "/organization", json={"schedule_id": None})
    assert cleared["schedule_id"] is None and cleared["timezone"] == "Europe/Samara"


def test_a_bad_change_is_a_problem_naming_the_field_and_changes_nothing(api: Api) -> None:
    api.ok("PATCH", "/organization", json={"name": "Volga Kitchens"})
    before = api.ok("GET", "/organization")
    for body, status, field in [
        ({"timezone": "Volga/Samara"}, 422, "timezone"),
        ({"timezone": None}, 422, "timezone"),
        ({"task_remind_hours": -1}, 422, "task_remind_hours"),
        ({"task_remind_hours": None}, 422, "task_remind_hours"),
        ({"schedule_id": 999}, 422, "schedule_id"),
        ({"colour": "red"}, 422, "colour"),
    ]:
        response = api.patch("/organization", json={"name": "Other", **body})
        assert response.status_code == status, (body, response.text)
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["field"] == field, (body, response.json())
    assert api.ok("GET", "/organization") == before


def test_an_employee_reads_but_cannot_change_the_organization(api: Api) -> None:
    worker = api.as_(employee_token(api))
    response = worker.patch("/organization", json={"name": "Mine"})
    assert response.status_code == 403, response.text
    assert api.ok("GET", "/organization")["name"] == ""
