"""Day status through the API: each employee's time clock, everyone's day, and presence."""

from __future__ import annotations

from typing import Any

from conveyor.testing import FakeClock
from tests.e2e.conftest import Api


def _hire(api: Api, name: str, role: str = "employee", **fields: Any) -> tuple[int, Api]:
    employee = api.ok("POST", "/employees", 201, json={"name": name, **fields})
    token = api.ok("POST", "/tokens", 201, json={"employee_id": employee["id"], "role": role})
    return employee["id"], api.as_(token["token"])


def _act(api: Api, employee_id: int, action: Any) -> Any:
    return api.post(f"/employees/{employee_id}/workday", json={"action": action})


def _history(api: Api, employee_id: int) -> list[str]:
    entries = api.ok("GET", f"/employees/{employee_id}/workday/history")
    return [e["action"] for e in entries]


def test_an_employee_runs_their_day_on_the_time_clock(api: Api, clock: FakeClock) -> None:
    ivan, as_ivan = _hire(api, "Ivan")  # Moscow: 09:00 UTC is 12:00 on Monday 2 March
    before = as_ivan.ok("GET", f"/employees/{ivan}/workday")
    assert before == {
        "employee_id": ivan,
        "day": "2026-03-02",
        "state": None,
        "opened_at": None,
        "closed_at": None,
        "updated_at": None,
    }
    opened = as_ivan.ok("POST", f"/employees/{ivan}/workday", json={"action": "open"})
    assert (opened["state"], opened["opened_at"]) == ("open", "2026-03-02T09:00:00Z")
    for action, state in [("pause", "paused"), ("resume", "open"), ("close", "closed")]:
        clock.advance(hours=2)
        assert (
            as_ivan.ok("POST", f"/employees/{ivan}/workday", json={"action": action})["state"]
            == state
        )
    current = as_ivan.ok("GET", f"/employees/{ivan}/workday")
    assert (current["state"], current["closed_at"]) == ("closed", "2026-03-02T15:00:00Z")
    assert _history(as_ivan, ivan) == ["close", "resume", "pause", "open"]
    newest = as_ivan.ok("GET", f"/employees/{ivan}/workday/history?limit=1")
    assert newest == [
        {
            "id": newest[0]["id"],
            "day": "2026-03-02",
            "action": "close",
            "state": "closed",
            "at": "2026-03-02T15:00:00Z",
        }
    ]


def test_pausing_a_closed_day_is_a_conflict_and_changes_nothing(api: Api) -> None:
    ivan, as_ivan = _hire(api, "Ivan")
    assert _act(as_ivan, ivan, "pause").status_code == 409
    _act(as_ivan, ivan, "open")
    _act(as_ivan, ivan, "close")
    response = _act(as_ivan, ivan, "pause")
    assert response.status_code == 409
    assert response.json()["field"] == "action"
    assert "closed" in response.json()["detail"]
    assert as_ivan.ok("GET", f"/employees/{ivan}/workday")["state"] == "closed"
    assert _history(as_ivan, ivan) == ["close", "open"]


def test_another_employees_day_is_off_limits_except_for_an_admin(api: Api) -> None:
    ivan, as_ivan = _hire(api, "Ivan")
    olga, _ = _hire(api, "Olga")
    _, as_head = _hire(api, "Boris", role="head")
    for intruder in (as_ivan, as_head):
        response = _act(intruder, olga, "open")
        assert response.status_code == 403
    assert _history(api, olga) == []
    assert api.ok("GET", f"/employees/{olga}/workday")["state"] is None
    assert api.ok("POST", f"/employees/{olga}/workday", json={"action": "open"})["state"] == "open"
    # Reading is open to colleagues: a head watches the board.
    assert as_ivan.ok("GET", f"/employees/{olga}/workday")["state"] == "open"
    assert _history(api, ivan) == []


def test_bad_time_clock_input_is_refused_and_changes_nothing(api: Api) -> None:
    ivan, as_ivan = _hire(api, "Ivan")
    url = f"/employees/{ivan}/workday"
    for body, field in [
        ({"action": "start"}, "action"),
        ({"action": None}, "action"),
        ({}, "action"),
        ({"action": "open", "at": "2026-03-02T09:00:00Z"}, "at"),
        ({"action": "o" * 100_000}, "action"),
    ]:
        response = as_ivan.post(url, json=body)
        assert (response.status_code, response.json()["field"]) == (422, field), body
    assert api.post("/employees/999999/workday", json={"action": "open"}).status_code == 404
    assert api.post(f"/employees/{2**64}/workday", json={"action": "open"}).status_code == 422
    assert api.get("/employees/999999/workday").status_code == 404
    assert api.get("/employees/999999/workday/history").status_code == 404
    assert api.get(f"/employees/{ivan}/workday/history?limit=0").status_code == 422
    assert _history(api, ivan) == []


def test_yesterdays_open_day_must_be_closed_before_today_opens(api: Api, clock: FakeClock) -> None:
    ivan, as_ivan = _hire(api, "Ivan")
    _act(as_ivan, ivan, "open")
    clock.advance(days=1)
    response = _act(as_ivan, ivan, "open")
    assert response.status_code == 409
    assert response.json()["field"] == "action"
    assert "2026-03-02 is still open; close it" in response.json()["detail"]
    assert as_ivan.ok("GET", f"/employees/{ivan}/workday")["day"] == "2026-03-02"
    closed = as_ivan.ok("POST", f"/employees/{ivan}/workday", json={"action": "close"})
    assert (closed["day"], closed["state"]) == ("2026-03-02", "closed")
    today = as_ivan.ok("POST", f"/employees/{ivan}/workday", json={"action": "open"})
    assert (today["day"], today["state"]) == ("2026-03-03", "open")


def test_a_dismissed_employee_cannot_open_a_day(api: Api) -> None:
    ivan, _ = _hire(api, "Ivan")
    api.ok("PATCH", f"/employees/{ivan}", json={"status": "dismissed"})
    response = _act(api, ivan, "open")
    assert response.status_code == 409
    assert "dismissed" in response.json()["detail"]
    assert _history(api, ivan) == []


def test_everyones_day_is_listed_by_local_date_and_state(api: Api) -> None:
    ivan, as_ivan = _hire(api, "Ivan")
    olga, as_olga = _hire(api, "Olga")
    _act(as_ivan, ivan, "open")
    _act(as_olga, olga, "open")
    _act(as_olga, olga, "pause")
    board = api.ok("GET", "/workdays?day=2026-03-02")
    assert [(w["employee_id"], w["state"]) for w in board["items"]] == [
        (ivan, "open"),
        (olga, "paused"),
    ]
    assert [
        w["employee_id"] for w in api.ok("GET", "/workdays?day=2026-03-02&state=open")["items"]
    ] == [ivan]
    assert api.ok("GET", "/workdays?day=2026-03-02&limit=1&offset=1")["total"] == 2
    assert api.ok("GET", "/workdays?day=2026-03-03")["total"] == 0
    for query, field in [
        ("", "day"),
        ("day=2026-02-30", "day"),
        ("day=today", "day"),
        ("day=2026-03-02&state=lunch", "state"),
        ("day=2026-03-02&limit=501", "limit"),
    ]:
        response = api.get(f"/workdays?{query}")
        assert (response.status_code, response.json()["field"]) == (422, field), query


def test_presence_tells_who_is_away_why_and_how_their_day_stands(api: Api) -> None:
    ivan, as_ivan = _hire(api, "Ivan")
    _act(as_ivan, ivan, "open")
    here = as_ivan.ok("GET", f"/employees/{ivan}/presence")
    assert here == {
        "employee_id": ivan,
        "at": "2026-03-02T09:00:00Z",
        "day": "2026-03-02",
        "present": True,
        "reasons": [],
        "absence": None,
        "day_state": "open",
    }
    trip = {
        "employee_id": ivan,
        "kind": "business_trip",
        "starts_on": "2026-03-03",
        "ends_on": "2026-03-05",
    }
    absence = as_ivan.ok("POST", "/absences", 201, json=trip)
    # 01:30 on Tuesday in Moscow, written with its own offset.
    away = api.ok("GET", f"/employees/{ivan}/presence", params={"at": "2026-03-03T01:30:00+03:00"})
    assert (away["present"], away["reasons"], away["day"]) == (False, ["absence"], "2026-03-03")
    assert away["absence"] == {
        "id": absence["id"],
        "kind": "business_trip",
        "starts_on": "2026-03-03",
        "ends_on": "2026-03-05",
    }
    api.ok("PATCH", f"/employees/{ivan}", json={"status": "dismissed"})
    gone = api.ok("GET", f"/employees/{ivan}/presence")
    assert (gone["present"], gone["reasons"]) == (False, ["dismissed"])
    for at in ["2026-03-02T09:00:00", "tomorrow", "9999-12-31T23:00:00-05:00"]:
        response = api.get(f"/employees/{ivan}/presence", params={"at": at})
        assert (response.status_code, response.json()["field"]) == (422, "at"), at
    assert api.get("/employees/999999/presence").status_code == 404
