"""Weekly call distribution through the API: a head defines "every Monday 09:00, 30
companies each", runs it, reads what each run gave to whom; bad input changes nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from conveyor.testing import FakeClock
from tests.e2e.agency import token_for
from tests.e2e.conftest import Api
from tests.e2e.test_api_lists import MANAGERS


@pytest.fixture
def team(api: Api) -> dict[str, Any]:
    """The Managers list with Olga and Pavel active, Rita inactive; Pavel on vacation this
    week; a head to run it all."""
    managers = api.ok("POST", "/lists", 201, json=MANAGERS)
    people = {}
    for name, status in [("Olga", "active"), ("Pavel", "active"), ("Rita", "inactive")]:
        employee = api.ok("POST", "/employees", 201, json={"name": name})
        people[name] = employee["id"]
        api.ok(
            "POST",
            f"/lists/{managers['id']}/elements",
            201,
            json={"name": name, "values": {"employee": employee["id"], "status": status}},
        )
    api.ok(
        "POST",
        "/absences",
        201,
        json={
            "employee_id": people["Pavel"],
            "kind": "vacation",
            "starts_on": "2026-03-02",
            "ends_on": "2026-03-06",
        },
    )
    head_id, head = token_for(api, "Helena Head", role="head")
    return {
        "list_id": managers["id"],
        "people": people,
        "head": head,
        "head_id": head_id,
        "admin": api,
    }


@pytest.fixture
def sales(api: Api, team: dict[str, Any]) -> dict[str, Any]:
    """The team and 70 client companies."""
    companies = [
        api.ok("POST", "/companies", 201, json={"name": f"Client {n:02d}"})["id"]
        for n in range(1, 71)
    ]
    return {**team, "companies": companies}


def monday_calls(sales: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "name": "Monday calls",
        "managers_list_id": sales["list_id"],
        "managers_where": {"status": "active"},
        **extra,
    }


def test_a_head_defines_monday_calls_runs_them_and_reads_who_got_what(
    sales: dict[str, Any], clock: FakeClock
) -> None:
    head, olga, pavel = sales["head"], sales["people"]["Olga"], sales["people"]["Pavel"]
    # The clock stands on Monday 2 March 2026, 12:00 Moscow.
    created = head.ok("POST", "/call-distributions", 201, json=monday_calls(sales))
    assert created["schedule"] == "0 9 * * mon"
    assert created["timezone"] == "Europe/Moscow"
    assert created["per_manager"] == 30
    assert created["creator_id"] == sales["head_id"]
    assert created["next_run_at"] == "2026-03-09T06:00:00Z"
    assert head.ok("GET", f"/call-distributions/{created['id']}") == created

    run = head.ok("POST", f"/call-distributions/{created['id']}/run", 201)

    assert run["trigger"] == "manual"
    assert run["actor_id"] == sales["head_id"]
    assert run["companies_given"] == 30
    assert run["given"] == [
        {"employee_id": olga, "companies": 30, "deadline": "2026-03-02T15:00:00Z"}
    ]
    assert run["skipped"] == [
        {
            "employee_id": pavel,
            "reason": "absent",
            "absence_kind": "vacation",
            "until": "2026-03-06",
        }
    ]
    assert run["company_cursor_after"] == sales["companies"][29]
    first_company = sales["companies"][0]
    [task] = head.ok("GET", f"/tasks?company_id={first_company}")["items"]
    assert task["title"] == "Call Client 01"
    assert task["responsible_id"] == olga
    assert task["creator_id"] == sales["head_id"]
    assert head.ok("GET", f"/tasks?responsible_id={olga}&limit=500")["total"] == 30

    # Next Monday Pavel is back: both get 30, from company 31 on, round to the start.
    clock.advance(timedelta(days=7))
    second = head.ok("POST", f"/call-distributions/{created['id']}/run", 201)
    assert second["company_cursor_before"] == sales["companies"][29]
    assert {g["employee_id"]: g["companies"] for g in second["given"]} == {olga: 30, pavel: 30}
    assert second["wrapped"] is True
    runs = head.ok("GET", f"/call-distributions/{created['id']}/runs")
    assert [r["id"] for r in runs["items"]] == [second["id"], run["id"]]
    assert runs["total"] == 2


def test_running_twice_at_one_moment_is_refused_and_creates_nothing(
    sales: dict[str, Any],
) -> None:
    head = sales["head"]
    created = head.ok("POST", "/call-distributions", 201, json=monday_calls(sales, per_manager=5))
    head.ok("POST", f"/call-distributions/{created['id']}/run", 201)
    again = head.post(f"/call-distributions/{created['id']}/run")
    assert again.status_code == 409
    assert head.ok("GET", "/tasks?limit=500")["total"] == 5
    assert head.ok("GET", f"/call-distributions/{created['id']}/runs")["total"] == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"schedule": "every monday"}, "schedule"),
        ({"schedule": "0 9 31 2 *"}, "schedule"),
        ({"timezone": "Europe/Atlantis"}, "timezone"),
        ({"managers_list_id": 999}, "managers_list_id"),
        ({"employee_column": "status"}, "employee_column"),
        ({"employee_column": "boss"}, "employee_column"),
        ({"managers_where": {"mood": "happy"}}, "managers_where.mood"),
        ({"managers_where": {"status": "asleep"}}, "managers_where.status"),
        ({"per_manager": 0}, "per_manager"),
        ({"per_manager": 100_001}, "per_manager"),
        ({"deadline_working_days": -1}, "deadline_working_days"),
        ({"quiet_days": 0}, "quiet_days"),
        ({"task_title": "Call {name}"}, "task_title"),
        ({"company_responsible_id": 999}, "company_responsible_id"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_changes_nothing(
    team: dict[str, Any], change: dict[str, Any], field: str
) -> None:
    head = team["head"]
    refused = head.post("/call-distributions", json=monday_calls(team, **change))
    assert refused.status_code == 422, refused.text
    assert _fields(refused.json()) == [field]
    assert head.ok("GET", "/call-distributions")["total"] == 0

    created = head.ok("POST", "/call-distributions", 201, json=monday_calls(team))
    refused = head.patch(f"/call-distributions/{created['id']}", json=change)
    assert refused.status_code == 422, refused.text
    assert _fields(refused.json()) == [field]
    assert head.ok("GET", f"/call-distributions/{created['id']}") == created


def test_only_an_admin_sets_the_calls_on_someone_elses_behalf(
    api: Api, team: dict[str, Any]
) -> None:
    olga = team["people"]["Olga"]
    as_someone_else = team["head"].post(
        "/call-distributions", json=monday_calls(team, creator_id=olga)
    )
    assert as_someone_else.status_code == 403
    assert as_someone_else.json()["field"] == "creator_id"
    unknown = api.post("/call-distributions", json=monday_calls(team, creator_id=999))
    assert (unknown.status_code, unknown.json()["field"]) == (422, "creator_id")
    api.ok("PATCH", f"/employees/{olga}", json={"status": "dismissed"})
    dismissed = api.post("/call-distributions", json=monday_calls(team, creator_id=olga))
    assert (dismissed.status_code, dismissed.json()["field"]) == (422, "creator_id")
    assert api.ok("GET", "/call-distributions")["total"] == 0
    created = api.ok("POST", "/call-distributions", 201, json=monday_calls(team))
    assert created["creator_id"] == api.ok("GET", "/employees?limit=1")["items"][0]["id"]


def test_a_change_moves_the_next_run_and_keeps_where_the_last_one_stopped(
    sales: dict[str, Any],
) -> None:
    head = sales["head"]
    created = head.ok("POST", "/call-distributions", 201, json=monday_calls(sales, per_manager=3))
    run = head.ok("POST", f"/call-distributions/{created['id']}/run", 201)
    changed = head.ok(
        "PATCH",
        f"/call-distributions/{created['id']}",
        json={"schedule": "30 10 * * fri", "timezone": "Europe/Samara", "per_manager": 5},
    )
    assert changed["next_run_at"] == "2026-03-06T06:30:00Z"
    assert changed["company_cursor"] == run["company_cursor_after"]
    paused = head.ok("PATCH", f"/call-distributions/{created['id']}", json={"enabled": False})
    assert paused["next_run_at"] is None
    assert head.ok("GET", "/call-distributions?enabled=false")["total"] == 1


def test_only_heads_and_admins_see_and_run_distributions(api: Api, team: dict[str, Any]) -> None:
    created = api.ok("POST", "/call-distributions", 201, json=monday_calls(team))
    _, employee = token_for(api, "Ivan Employee")
    _, partner = token_for(api, "Pat Partner", external=True)
    for who in (employee, partner):
        assert who.get("/call-distributions").status_code == 403
        assert who.post(f"/call-distributions/{created['id']}/run").status_code == 403
        assert who.post("/call-distributions", json=monday_calls(team)).status_code == 403
    assert api.ok("GET", "/tasks")["total"] == 0


def test_unknown_distributions_are_not_found(team: dict[str, Any]) -> None:
    head = team["head"]
    for method, url in [
        ("GET", "/call-distributions/77"),
        ("PATCH", "/call-distributions/77"),
        ("DELETE", "/call-distributions/77"),
        ("POST", "/call-distributions/77/run"),
        ("GET", "/call-distributions/77/runs"),
    ]:
        response = head.request(method, url, json={} if method == "PATCH" else None)
        assert response.status_code == 404, (method, url)


def test_deleting_a_distribution_keeps_the_calls_it_set(sales: dict[str, Any]) -> None:
    head = sales["head"]
    created = head.ok("POST", "/call-distributions", 201, json=monday_calls(sales, per_manager=2))
    head.ok("POST", f"/call-distributions/{created['id']}/run", 201)
    # While a distribution names the list, the list stays.
    assert sales["admin"].delete(f"/lists/{sales['list_id']}").status_code == 409
    head.ok("DELETE", f"/call-distributions/{created['id']}", 204)
    assert head.get(f"/call-distributions/{created['id']}").status_code == 404
    assert head.ok("GET", "/tasks")["total"] == 2
    sales["admin"].ok("DELETE", f"/lists/{sales['list_id']}", 204)


def _fields(problem: dict[str, Any]) -> list[str]:
    """The fields a problem names: ``field``, or each of ``errors``."""
    if "field" in problem:
        return [problem["field"]]
    return [e["field"] for e in problem.get("errors", [])]
