"""Absences through the API: who may register them, no overlaps, and bad input refused."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import Api


def _hire(api: Api, name: str, role: str = "employee") -> tuple[int, Api]:
    employee = api.ok("POST", "/employees", 201, json={"name": name})
    token = api.ok("POST", "/tokens", 201, json={"employee_id": employee["id"], "role": role})
    return employee["id"], api.as_(token["token"])


def _vacation(employee_id: int, starts_on: str, ends_on: str, **extra: Any) -> dict[str, Any]:
    return {
        "employee_id": employee_id,
        "kind": "vacation",
        "starts_on": starts_on,
        "ends_on": ends_on,
        **extra,
    }


def test_an_employee_books_their_own_vacation_and_everyone_can_see_it(api: Api) -> None:
    ivan, as_ivan = _hire(api, "Ivan")
    created = as_ivan.ok(
        "POST", "/absences", 201, json=_vacation(ivan, "2026-03-02", "2026-03-06", note="Sochi")
    )
    assert created == {
        "id": created["id"],
        "employee_id": ivan,
        "kind": "vacation",
        "starts_on": "2026-03-02",
        "ends_on": "2026-03-06",
        "note": "Sochi",
    }
    assert api.ok("GET", f"/absences/{created['id']}") == created
    assert as_ivan.ok("GET", f"/absences?employee_id={ivan}")["items"] == [created]


def test_an_employee_cannot_touch_a_colleagues_absences_but_a_head_can(api: Api) -> None:
    _, as_ivan = _hire(api, "Ivan")
    olga, as_olga = _hire(api, "Olga")
    _, as_head = _hire(api, "Boris", role="head")
    response = as_ivan.post("/absences", json=_vacation(olga, "2026-03-02", "2026-03-06"))
    assert response.status_code == 403
    assert api.ok("GET", "/absences")["total"] == 0
    booked = as_head.ok("POST", "/absences", 201, json=_vacation(olga, "2026-03-02", "2026-03-06"))
    url = f"/absences/{booked['id']}"
    assert as_ivan.patch(url, json={"ends_on": "2026-03-20"}).status_code == 403
    assert as_ivan.delete(url).status_code == 403
    assert api.ok("GET", url) == booked
    as_olga.ok("PATCH", url, json={"ends_on": "2026-03-04"})
    as_head.ok("DELETE", url, 204)
    assert api.get(url).status_code == 404


def test_an_overlapping_absence_is_a_conflict_naming_the_dates_and_nothing_changes(
    api: Api,
) -> None:
    ivan, _ = _hire(api, "Ivan")
    api.ok("POST", "/absences", 201, json=_vacation(ivan, "2026-03-02", "2026-03-06"))
    sick = {**_vacation(ivan, "2026-03-05", "2026-03-10"), "kind": "sick_leave"}
    response = api.post("/absences", json=sick)
    assert response.status_code == 409
    assert response.json()["field"] == "starts_on"
    assert "2026-03-02 to 2026-03-06" in response.json()["detail"]
    assert api.ok("GET", "/absences")["total"] == 1
    # The day after it ends is free.
    api.ok("POST", "/absences", 201, json=_vacation(ivan, "2026-03-07", "2026-03-07"))


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"ends_on": "2026-02-28"}, "ends_on"),
        ({"employee_id": 999_999}, "employee_id"),
        ({"employee_id": 2**70}, "employee_id"),
        ({"starts_on": "2026-02-30"}, "starts_on"),
        ({"starts_on": "02/03/2026"}, "starts_on"),
        ({"starts_on": 1772409600}, "starts_on"),
        ({"ends_on": "2026-03-06T00:00:00"}, "ends_on"),
        ({"note": "x" * 100_000}, "note"),
        ({"kind": "holiday"}, "kind"),
        ({"kind": None}, "kind"),
        ({"reason": "tired"}, "reason"),
    ],
)
def test_bad_absence_input_names_the_field_and_registers_nothing(
    api: Api, change: dict[str, Any], field: str
) -> None:
    ivan, _ = _hire(api, "Ivan")
    response = api.post("/absences", json={**_vacation(ivan, "2026-03-02", "2026-03-06"), **change})
    assert response.status_code == 422, response.text
    assert response.json()["field"] == field
    assert api.ok("GET", "/absences")["total"] == 0


def test_a_dismissed_employee_gets_no_new_absence(api: Api) -> None:
    ivan, _ = _hire(api, "Ivan")
    api.ok("PATCH", f"/employees/{ivan}", json={"status": "dismissed"})
    response = api.post("/absences", json=_vacation(ivan, "2026-03-02", "2026-03-06"))
    assert response.status_code == 422
    assert response.json()["field"] == "employee_id"
    assert api.ok("GET", "/absences")["total"] == 0


def test_an_absence_is_changed_within_the_rules_and_bad_changes_change_nothing(api: Api) -> None:
    ivan, _ = _hire(api, "Ivan")
    first = api.ok("POST", "/absences", 201, json=_vacation(ivan, "2026-03-02", "2026-03-06"))
    api.ok("POST", "/absences", 201, json=_vacation(ivan, "2026-03-09", "2026-03-13"))
    url = f"/absences/{first['id']}"
    changed = api.ok("PATCH", url, json={"kind": "business_trip", "note": "Kazan"})
    assert (changed["kind"], changed["note"], changed["ends_on"]) == (
        "business_trip",
        "Kazan",
        "2026-03-06",
    )
    bad = [
        ({"ends_on": "2026-03-10"}, 409, "starts_on"),
        ({"ends_on": "2026-03-01"}, 422, "ends_on"),
        ({"starts_on": None}, 422, "starts_on"),
        ({"employee_id": 1}, 422, "employee_id"),
        ({"note": "x" * 501}, 422, "note"),
    ]
    for body, status, field in bad:
        response = api.patch(url, json=body)
        assert (response.status_code, response.json()["field"]) == (status, field), body
    assert api.ok("GET", url) == changed
    assert api.ok("PATCH", url, json={"note": None})["note"] is None
    assert api.patch("/absences/999999", json={"note": "x"}).status_code == 404
    assert api.delete("/absences/999999").status_code == 404


def test_absences_are_filtered_by_kind_date_and_period(api: Api) -> None:
    ivan, _ = _hire(api, "Ivan")
    olga, _ = _hire(api, "Olga")
    api.ok("POST", "/absences", 201, json=_vacation(ivan, "2026-03-02", "2026-03-06"))
    sick = {**_vacation(olga, "2026-03-09", "2026-03-13"), "kind": "sick_leave"}
    api.ok("POST", "/absences", 201, json=sick)

    def who(query: str) -> list[int]:
        return [a["employee_id"] for a in api.ok("GET", f"/absences?{query}")["items"]]

    assert who("") == [ivan, olga]
    assert who("kind=sick_leave") == [olga]
    assert who("on=2026-03-06") == [ivan]
    assert who("on=2026-03-07") == []
    assert who("from=2026-03-06&to=2026-03-09") == [ivan, olga]
    assert who("from=2026-03-07") == [olga]
    assert who("to=2026-03-08") == [ivan]
    page = api.ok("GET", "/absences?limit=1&offset=1")
    assert (page["total"], len(page["items"])) == (2, 1)
    for query, field in [
        ("on=yesterday", "on"),
        ("on=2026-13-01", "on"),
        ("from=2026-03-09&to=2026-03-01", "to"),
        ("kind=holiday", "kind"),
        ("employee_id=0", "employee_id"),
        ("limit=0", "limit"),
    ]:
        response = api.get(f"/absences?{query}")
        assert (response.status_code, response.json()["field"]) == (422, field), query
