"""The company calendar through the API: the official production calendar and overrides."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from conveyor.storage.unit_of_work import UnitOfWork
from tests.e2e.conftest import Api

REFERENCE = Path(__file__).resolve().parents[3] / "shared" / "data" / "ru-production-calendar.json"


def reference(year: int) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(REFERENCE.read_text())[str(year)]
    return data


def event_types(api: Api) -> list[str]:
    uow = UnitOfWork(api.client.app.state.sessions)  # type: ignore[attr-defined]
    with uow:
        return [e.type for e in uow.events.where()]


@pytest.mark.parametrize("year", [2025, 2026])
def test_the_calendar_of_a_year_matches_the_official_production_calendar(
    api: Api, year: int
) -> None:
    expected = reference(year)
    calendar = api.ok("GET", f"/calendar?year={year}&country=RU")
    assert calendar["year"] == year
    assert calendar["holidays"] == expected["holidays"]
    assert calendar["extra_days_off"] == expected["extra_days_off"]
    assert calendar["working_weekends"] == expected["working_weekends"]
    assert calendar["short_days"] == expected["short_days"]
    assert calendar["working_days"] == expected["working_days"] == 247
    assert calendar["hours_40h_week"] == expected["hours_40h_week"] == 1972
    assert len(calendar["days_off"]) == 365 - 247
    days_off = set(calendar["days_off"])
    assert set(expected["holidays"]) | set(expected["extra_days_off"]) <= days_off
    assert not days_off & set(expected["working_weekends"])
    assert calendar["overrides"] == []


def test_the_country_defaults_to_russia(api: Api) -> None:
    assert api.ok("GET", "/calendar?year=2026") == api.ok("GET", "/calendar?year=2026&country=ru")


def test_a_company_working_december_31_gains_a_working_day_and_eight_hours(api: Api) -> None:
    override = api.ok(
        "POST",
        "/calendar/overrides",
        201,
        json={"day": "2026-12-31", "kind": "working_day", "note": "Year-end closing"},
    )
    assert override["kind"] == "working_day"

    calendar = api.ok("GET", "/calendar?year=2026")
    assert "2026-12-31" not in calendar["extra_days_off"]
    assert "2026-12-31" not in calendar["days_off"]
    assert calendar["working_days"] == 248
    assert calendar["hours_40h_week"] == 1980
    assert calendar["overrides"] == [override]

    api.ok("DELETE", "/calendar/overrides/2026-12-31", 204)
    assert api.ok("GET", "/calendar?year=2026")["working_days"] == 247
    assert event_types(api)[-2:] == ["CalendarOverrideSet", "CalendarOverrideRemoved"]


def test_company_days_off_and_short_days_show_in_the_calendar(api: Api) -> None:
    api.ok("POST", "/calendar/overrides", 201, json={"day": "2026-06-10", "kind": "day_off"})
    # A working Saturday before Unity Day, one hour shorter.
    api.ok("POST", "/calendar/overrides", 201, json={"day": "2026-10-31", "kind": "short_day"})

    calendar = api.ok("GET", "/calendar?year=2026")
    assert "2026-06-10" in calendar["extra_days_off"]
    assert "2026-06-10" in calendar["days_off"]
    assert "2026-10-31" in calendar["working_weekends"]
    assert "2026-10-31" in calendar["short_days"]
    assert calendar["working_days"] == 247  # one lost, one gained
    assert calendar["hours_40h_week"] == 1972 - 8 + 7
    assert [o["day"] for o in calendar["overrides"]] == ["2026-06-10", "2026-10-31"]
    # Overrides of other years stay out of this year's calendar.
    api.ok("POST", "/calendar/overrides", 201, json={"day": "2027-01-11", "kind": "day_off"})
    assert len(api.ok("GET", "/calendar?year=2026")["overrides"]) == 2


def test_overrides_are_listed_by_date_and_read_one_by_one(api: Api) -> None:
    for day in ("2027-01-11", "2026-06-10", "2026-12-31"):
        api.ok("POST", "/calendar/overrides", 201, json={"day": day, "kind": "day_off"})
    listed = api.ok("GET", "/calendar/overrides")
    assert [o["day"] for o in listed["items"]] == ["2026-06-10", "2026-12-31", "2027-01-11"]
    of_2026 = api.ok("GET", "/calendar/overrides?year=2026&limit=1&offset=1")
    assert [o["day"] for o in of_2026["items"]] == ["2026-12-31"]
    assert of_2026["total"] == 2
    assert api.ok("GET", "/calendar/overrides/2026-06-10")["kind"] == "day_off"
    assert api.get("/calendar/overrides/2026-06-11").status_code == 404
    assert api.delete("/calendar/overrides/2026-06-11").status_code == 404


def test_a_date_takes_one_override_and_a_second_is_refused_leaving_the_first(api: Api) -> None:
    first = api.ok(
        "POST", "/calendar/overrides", 201, json={"day": "2026-12-31", "kind": "working_day"}
    )
    response = api.post("/calendar/overrides", json={"day": "2026-12-31", "kind": "day_off"})
    assert response.status_code == 409
    assert response.json()["field"] == "day"
    assert api.ok("GET", "/calendar/overrides/2026-12-31") == first
    assert api.ok("GET", "/calendar/overrides")["total"] == 1
    assert event_types(api).count("CalendarOverrideSet") == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"day": "2026-02-30", "kind": "day_off"}, "day"),
        ({"day": "1900-01-01", "kind": "day_off"}, "day"),
        ({"day": "2026-03-10", "kind": "holiday"}, "kind"),
        ({"day": "2026-03-10"}, "kind"),
        ({"day": "2026-03-10", "kind": "day_off", "note": "x" * 501}, "note"),
        ({"day": "2026-03-10", "kind": "day_off", "extra": 1}, "extra"),
    ],
)
def test_a_malformed_override_is_refused_naming_the_field(
    api: Api, body: dict[str, Any], field: str
) -> None:
    response = api.post("/calendar/overrides", json=body)
    assert response.status_code == 422, response.text
    assert response.json()["field"] == field
    assert api.ok("GET", "/calendar/overrides")["total"] == 0


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("year=1800", "year"),
        ("year=99999", "year"),
        ("year=abc", "year"),
        ("", "year"),
        ("year=2026&country=XX", "country"),
        ("year=2026&country=RUS", "country"),
    ],
)
def test_a_calendar_for_a_bad_year_or_country_is_refused(api: Api, query: str, field: str) -> None:
    response = api.get(f"/calendar?{query}")
    assert response.status_code == 422, response.text
    assert response.json()["field"] == field


def test_only_admins_set_overrides_but_everyone_reads_the_calendar(api: Api) -> None:
    worker = api.ok("POST", "/employees", 201, json={"name": "Wanda Worker"})
    token = api.ok("POST", "/tokens", 201, json={"employee_id": worker["id"]})["token"]
    as_worker = api.as_(token)
    response = as_worker.post("/calendar/overrides", json={"day": "2026-12-31", "kind": "day_off"})
    assert response.status_code == 403
    api.ok("POST", "/calendar/overrides", 201, json={"day": "2026-06-10", "kind": "day_off"})
    assert as_worker.delete("/calendar/overrides/2026-06-10").status_code == 403
    assert as_worker.ok("GET", "/calendar?year=2026")["working_days"] == 246
    assert as_worker.ok("GET", "/calendar/overrides")["total"] == 1
    assert api.client.get("/calendar?year=2026").status_code == 401
