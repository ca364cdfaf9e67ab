"""Tasks through the API: a designer's task under the head's control, counters, bad input."""

from __future__ import annotations

from typing import Any

import pytest

from conveyor.testing import FakeClock
from tests.e2e.conftest import Api

COUNTERS = ("in_work", "overdue", "completed", "deferred", "awaiting_control", "to_accept")


class Office:
    """The admin, a head and a designer (and a stranger), each with their own API."""

    def __init__(self, api: Api) -> None:
        self.admin = api
        self.ids: dict[str, int] = {}
        self.apis: dict[str, Api] = {}
        for name, role in (("head", "head"), ("designer", "employee"), ("stranger", "employee")):
            person = api.ok("POST", "/employees", 201, json={"name": f"{name.title()} One"})
            token = api.ok("POST", "/tokens", 201, json={"employee_id": person["id"], "role": role})
            self.ids[name] = person["id"]
            self.apis[name] = api.as_(token["token"])

    def counters(self, who: str) -> dict[str, int]:
        found = self.apis[who].ok("GET", f"/employees/{self.ids[who]}/task-counters")
        return {name: found[name] for name in COUNTERS}


@pytest.fixture
def office(api: Api) -> Office:
    return Office(api)


def _act(api: Api, task_id: int, action: str, comment: str | None = None) -> Any:
    return api.post(f"/tasks/{task_id}/actions", json={"action": action, "comment": comment})


def test_a_designer_completes_a_task_the_head_returns_with_a_comment_then_accepts(
    office: Office, clock: FakeClock
) -> None:
    head, designer = office.apis["head"], office.apis["designer"]
    task = head.ok(
        "POST",
        "/tasks",
        201,
        json={
            "title": "Shop sign for the bakery",
            "responsible_id": office.ids["designer"],
            "deadline": "2026-03-04T18:00:00+03:00",
            "requires_acceptance": True,
        },
    )
    assert task["creator_id"] == office.ids["head"]
    assert task["deadline"] == "2026-03-04T15:00:00Z"
    assert (task["status"], task["overdue"]) == ("pending", False)
    assert office.counters("designer")["in_work"] == 1
    url = f"/tasks/{task['id']}"

    assert _act(designer, task["id"], "start").status_code == 200
    done = _act(designer, task["id"], "complete").json()
    assert (done["status"], done["completed_at"]) == ("awaiting_control", None)
    assert done["return_comment"] is None
    [waiting] = head.ok("GET", "/notifications")["items"]
    assert (waiting["kind"], waiting["link"]) == (
        "task_awaiting_control",
        {"entity": "task", "id": task["id"]},
    )
    assert office.counters("designer") == dict.fromkeys(COUNTERS, 0) | {"awaiting_control": 1}
    assert office.counters("head")["to_accept"] == 1

    # Only the creator controls the work, and a return needs a reason.
    assert _act(designer, task["id"], "accept").status_code == 403
    refused = _act(head, task["id"], "return")
    assert (refused.status_code, refused.json()["field"]) == (422, "comment")
    assert head.ok("GET", url)["status"] == "awaiting_control"

    clock.advance(hours=2)
    returned = _act(head, task["id"], "return", "Make the letters bigger").json()
    assert returned["status"] == "in_progress"
    # The task says why it came back, who sent it back and when, to whoever reads it.
    shown = designer.ok("GET", url)
    assert (shown["return_comment"], shown["returned_by_id"]) == (
        "Make the letters bigger",
        office.ids["head"],
    )
    assert shown["returned_at"] == clock().isoformat().replace("+00:00", "Z")
    told = designer.ok("GET", "/notifications")["items"][0]
    assert told["kind"] == "task_returned" and "Make the letters bigger" in told["text"]
    assert office.counters("designer")["in_work"] == 1
    assert office.counters("head")["to_accept"] == 0

    clock.advance(hours=3)
    _act(designer, task["id"], "complete")
    accepted = _act(head, task["id"], "accept").json()
    assert accepted["status"] == "completed"
    assert accepted["completed_at"] == clock().isoformat().replace("+00:00", "Z")
    assert accepted["return_comment"] is None  # finished: nothing is left to redo
    assert designer.ok("GET", "/notifications")["items"][0]["kind"] == "task_accepted"
    assert office.counters("designer") == dict.fromkeys(COUNTERS, 0) | {"completed": 1}
    assert office.counters("head") == dict.fromkeys(COUNTERS, 0)

    again = _act(head, task["id"], "accept")
    assert again.status_code == 409
    assert "completed" in again.json()["detail"]


def test_strangers_do_not_see_a_task_and_heads_see_every_task(office: Office) -> None:
    task = office.admin.ok(
        "POST",
        "/tasks",
        201,
        json={"title": "Order paint", "responsible_id": office.ids["designer"]},
    )
    stranger = office.apis["stranger"]
    assert stranger.get(f"/tasks/{task['id']}").status_code == 404
    assert _act(stranger, task["id"], "start").status_code == 404
    assert stranger.patch(f"/tasks/{task['id']}", json={"title": "Mine"}).status_code == 404
    assert stranger.ok("GET", "/tasks")["total"] == 0
    assert office.apis["head"].ok("GET", "/tasks")["total"] == 1
    assert office.apis["designer"].ok("GET", "/tasks")["items"][0]["id"] == task["id"]
    # Seeing is not acting: the head neither created the task nor does it.
    assert _act(office.apis["head"], task["id"], "start").status_code == 403
    response = stranger.get(f"/employees/{office.ids['designer']}/task-counters")
    assert response.status_code == 403


def test_the_creator_changes_a_task_and_the_responsible_only_its_watchers(office: Office) -> None:
    head, designer = office.apis["head"], office.apis["designer"]
    task = head.ok(
        "POST",
        "/tasks",
        201,
        json={"title": "Proof print", "responsible_id": office.ids["designer"]},
    )
    url = f"/tasks/{task['id']}"
    watched = designer.ok("PATCH", url, json={"observer_ids": [office.ids["stranger"]]})
    assert watched["observer_ids"] == [office.ids["stranger"]]
    refused = designer.patch(url, json={"deadline": "2026-03-10T10:00:00Z"})
    assert (refused.status_code, refused.json()["field"]) == (403, "deadline")
    moved = head.ok(
        "PATCH",
        url,
        json={"deadline": "2026-03-10T10:00:00Z", "responsible_id": office.ids["stranger"]},
    )
    # The new responsible stops being an observer.
    assert (moved["responsible_id"], moved["observer_ids"]) == (office.ids["stranger"], [])
    assert moved["deadline"] == "2026-03-10T10:00:00Z"
    assert head.ok("GET", f"/tasks?responsible_id={office.ids['stranger']}")["total"] == 1


def test_lists_filter_by_status_and_lateness(office: Office, clock: FakeClock) -> None:
    api = office.admin
    for title, deadline in (("Late", "2026-03-01T10:00:00Z"), ("Later", "2026-03-09T10:00:00Z")):
        api.ok(
            "POST",
            "/tasks",
            201,
            json={"title": title, "responsible_id": office.ids["designer"], "deadline": deadline},
        )
    late = api.ok("GET", "/tasks?overdue=true")["items"]
    assert [t["title"] for t in late] == ["Late"] and late[0]["overdue"]
    assert api.ok("GET", "/tasks?status=pending&status=deferred")["total"] == 2
    assert api.ok("GET", "/tasks?deadline_from=2026-03-05T00:00:00%2B03:00")["total"] == 1
    assert office.counters("designer")["overdue"] == 1


def test_bad_task_input_names_the_field_and_changes_nothing(office: Office) -> None:
    api = office.admin
    good = {"title": "Sign", "responsible_id": office.ids["designer"]}
    task = api.ok("POST", "/tasks", 201, json=good)
    cases: list[tuple[dict[str, Any], int, str]] = [
        ({**good, "deadline": "2026-03-04T18:00:00"}, 422, "deadline"),
        ({**good, "deadline": "0001-01-01T00:00:00+05:00"}, 422, "deadline"),
        ({**good, "responsible_id": 999_999}, 422, "responsible_id"),
        ({**good, "responsible_id": 2**70}, 422, "responsible_id"),
        ({**good, "title": "X" * 10_000}, 422, "title"),
        ({**good, "title": "   "}, 422, "title"),
        ({**good, "description": "X" * 30_000}, 422, "description"),
        ({**good, "item_id": 999_999}, 422, "item_id"),
        ({**good, "co_executor_ids": [office.ids["designer"]]}, 422, "co_executor_ids.0"),
        ({**good, "observer_ids": list(range(1, 100))}, 422, "observer_ids"),
        ({**good, "status": "completed"}, 422, "status"),
    ]
    for body, status, field in cases:
        response = api.post("/tasks", json=body)
        assert response.status_code == status, (body, response.text)
        assert response.json()["field"] == field, (body, response.json())
    as_designer = office.apis["designer"].post(
        "/tasks", json={**good, "creator_id": office.ids["head"]}
    )
    assert (as_designer.status_code, as_designer.json()["field"]) == (403, "creator_id")
    assert api.ok("GET", "/tasks")["total"] == 1

    url = f"/tasks/{task['id']}"
    for body, field in (
        ({"action": "finish"}, "action"),
        ({"action": "start", "extra": 1}, "extra"),
        ({"action": "start", "comment": "X" * 10_000}, "comment"),
    ):
        response = api.post(f"{url}/actions", json=body)
        assert (response.status_code, response.json()["field"]) == (422, field), body
    for body, field in (
        ({"title": None}, "title"),
        ({"deadline": "2026-03-04T18:00:00"}, "deadline"),
        ({"responsible_id": 999_999}, "responsible_id"),
    ):
        response = api.patch(url, json=body)
        assert (response.status_code, response.json()["field"]) == (422, field), body
    assert api.ok("GET", url) == task

    for query, field in (
        ("status=pending&status=finished", "status.1"),
        ("overdue=maybe", "overdue"),
        ("deadline_to=2026-03-04T18:00:00", "deadline_to"),
    ):
        response = api.get(f"/tasks?{query}")
        assert (response.status_code, response.json()["field"]) == (422, field), query
    counters = f"/employees/{office.ids['designer']}/task-counters"
    response = api.get(f"{counters}?from=2026-03-01T00:00:00")
    assert (response.status_code, response.json()["field"]) == (422, "from")
    response = api.get(f"{counters}?from=2026-03-02T00:00:00Z&to=2026-03-01T00:00:00Z")
    assert (response.status_code, response.json()["field"]) == (422, "to")
    assert api.get("/employees/999999/task-counters").status_code == 404
    assert api.get("/tasks/999999").status_code == 404
