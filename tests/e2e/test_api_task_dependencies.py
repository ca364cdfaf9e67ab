"""Task dependencies and reminders through the API: a chain linked, read, refused where it
would go wrong, unlinked; planned starts and reminder lead times on tasks."""

from __future__ import annotations

from typing import Any

import pytest

from conveyor.testing import FakeClock
from tests.e2e.conftest import Api


class Works:
    """The admin, a head, an accountant and a storekeeper, each with their own API."""

    def __init__(self, api: Api) -> None:
        self.admin = api
        self.ids: dict[str, int] = {}
        self.apis: dict[str, Api] = {}
        for name, role in (
            ("head", "head"),
            ("accountant", "employee"),
            ("storekeeper", "employee"),
        ):
            person = api.ok("POST", "/employees", 201, json={"name": f"{name.title()} One"})
            token = api.ok("POST", "/tokens", 201, json={"employee_id": person["id"], "role": role})
            self.ids[name] = person["id"]
            self.apis[name] = api.as_(token["token"])

    def task(self, by: str, to: str, title: str, **fields: Any) -> dict[str, Any]:
        body = {"title": title, "responsible_id": self.ids[to], **fields}
        return self.apis[by].ok("POST", "/tasks", 201, json=body)


@pytest.fixture
def works(api: Api) -> Works:
    return Works(api)


def link(api: Api, successor: int, predecessor: int, **extra: Any) -> Any:
    return api.post(
        f"/tasks/{successor}/dependencies", json={"predecessor_id": predecessor, **extra}
    )


def test_a_chain_is_linked_read_from_both_ends_and_moved_by_a_late_payment(
    works: Works, clock: FakeClock
) -> None:
    head = works.apis["head"]
    pay = works.task(
        "head", "accountant", "Pay for the material", deadline="2026-03-02T18:00:00+03:00"
    )
    deliver = works.task(
        "head",
        "storekeeper",
        "Deliver the material",
        start_at="2026-03-03T09:00:00+03:00",
        deadline="2026-03-04T18:00:00+03:00",
        remind_before_hours=4,
    )
    assert (deliver["start_at"], deliver["remind_before_hours"]) == ("2026-03-03T06:00:00Z", 4)

    linked = link(head, deliver["id"], pay["id"], lag=0, lag_unit="working_days")
    assert linked.status_code == 201, linked.text
    body = linked.json()
    assert body["shifts"] == []
    [predecessor] = body["predecessors"]
    assert (predecessor["task_id"], predecessor["title"], predecessor["lag_unit"]) == (
        pay["id"],
        "Pay for the material",
        "working_days",
    )
    following = head.ok("GET", f"/tasks/{pay['id']}/dependencies")
    assert [s["task_id"] for s in following["successors"]] == [deliver["id"]]
    assert head.ok("GET", f"/tasks/{deliver['id']}")["predecessor_ids"] == [pay["id"]]
    assert head.ok("GET", f"/tasks/{pay['id']}")["successor_ids"] == [deliver["id"]]

    clock.set(clock().replace(day=3, hour=15))  # Tuesday 18:00 in Moscow: a day late
    accountant = works.apis["accountant"]
    accountant.ok("POST", f"/tasks/{pay['id']}/actions", json={"action": "complete"})
    moved = works.apis["storekeeper"].ok("GET", f"/tasks/{deliver['id']}")
    assert (moved["start_at"], moved["deadline"]) == (
        "2026-03-04T06:00:00Z",
        "2026-03-05T15:00:00Z",
    )
    feed = works.apis["storekeeper"].ok("GET", "/notifications")["items"]
    assert feed[0]["kind"] == "task_dates_shifted"


def test_bad_links_are_refused_naming_the_field(works: Works) -> None:
    head = works.apis["head"]
    a = works.task("head", "accountant", "A", deadline="2026-03-02T18:00:00+03:00")["id"]
    b = works.task("head", "storekeeper", "B")["id"]
    assert link(head, b, a).status_code == 201

    for successor, predecessor, status, slug in (
        (a, b, 409, "conflict"),  # a circle
        (b, a, 409, "conflict"),  # already linked
        (a, a, 422, None),  # itself
        (a, 4242, 422, "unknown-reference"),
    ):
        refused = link(head, successor, predecessor)
        assert (refused.status_code, refused.json()["field"]) == (status, "predecessor_id")
        if slug is not None:
            assert refused.json()["type"].endswith(slug)
    circle = link(head, a, b).json()
    assert (
        circle["detail"]
        == f"Task {b} already follows task {a} ({a} → {b}), so {a} cannot wait for it"
    )
    for lag in ({"lag": -1}, {"lag": 251, "lag_unit": "working_days"}, {"lag_unit": "weeks"}):
        assert link(head, a, b, **lag).status_code == 422
    assert len(head.ok("GET", f"/tasks/{b}/dependencies")["predecessors"]) == 1


def test_only_the_successors_creator_or_an_admin_links_it_and_strangers_see_nothing(
    works: Works,
) -> None:
    a = works.task("head", "accountant", "A")["id"]
    b = works.task("head", "accountant", "B")["id"]
    accountant, storekeeper = works.apis["accountant"], works.apis["storekeeper"]
    # The responsible sees both but may not move B's dates.
    assert link(accountant, b, a).status_code == 403
    # The storekeeper sees neither.
    assert link(storekeeper, b, a).status_code == 404
    assert storekeeper.get(f"/tasks/{b}/dependencies").status_code == 404
    own = works.task("storekeeper", "storekeeper", "Count stock")["id"]
    hidden = link(storekeeper, own, a)
    assert (hidden.status_code, hidden.json()["field"]) == (422, "predecessor_id")
    assert link(works.admin, b, a).status_code == 201
    assert accountant.delete(f"/tasks/{b}/dependencies/{a}").status_code == 403


def test_a_link_is_removed_once_and_then_is_not_found(works: Works) -> None:
    head = works.apis["head"]
    a = works.task("head", "accountant", "A")["id"]
    b = works.task("head", "storekeeper", "B")["id"]
    link(head, b, a)
    assert head.delete(f"/tasks/{b}/dependencies/{a}").status_code == 204
    assert head.delete(f"/tasks/{b}/dependencies/{a}").status_code == 404
    assert head.ok("GET", f"/tasks/{b}")["predecessor_ids"] == []


def test_planned_starts_and_reminder_lead_times_are_checked_and_changed(works: Works) -> None:
    head = works.apis["head"]
    bad = head.post(
        "/tasks",
        json={
            "title": "X",
            "responsible_id": works.ids["accountant"],
            "start_at": "2026-03-05T09:00:00+03:00",
            "deadline": "2026-03-04T18:00:00+03:00",
        },
    )
    assert (bad.status_code, bad.json()["field"]) == (422, "start_at")
    too_long = head.post(
        "/tasks",
        json={"title": "X", "responsible_id": works.ids["accountant"], "remind_before_hours": 9000},
    )
    assert too_long.status_code == 422
    task = works.task("head", "accountant", "X", deadline="2026-03-04T18:00:00+03:00")
    assert task["remind_before_hours"] is None
    url = f"/tasks/{task['id']}"
    changed = head.ok(
        "PATCH", url, json={"remind_before_hours": 0, "start_at": "2026-03-03T09:00:00+03:00"}
    )
    assert (changed["remind_before_hours"], changed["start_at"]) == (0, "2026-03-03T06:00:00Z")
    assert head.ok("PATCH", url, json={"remind_before_hours": None})["remind_before_hours"] is None
    late = head.patch(url, json={"start_at": "2026-03-05T09:00:00+03:00"})
    assert (late.status_code, late.json()["field"]) == (422, "start_at")
    # The responsible may not change them: they are the creator's terms.
    refused = works.apis["accountant"].patch(url, json={"remind_before_hours": 2})
    assert (refused.status_code, refused.json()["field"]) == (403, "remind_before_hours")
