"""Through the API: a task posted without a responsible is given by the task rules to the
least-loaded support agent, the decision says why, and with no rule the request is refused
naming the field."""

from __future__ import annotations

from tests.e2e.conftest import Api


def test_a_task_without_a_responsible_is_assigned_by_the_task_rule(api: Api) -> None:
    agents = [
        api.ok("POST", "/employees", 201, json={"name": name})["id"] for name in ("Alex", "Bella")
    ]
    api.ok(
        "POST",
        "/tasks",
        201,
        json={"title": "Earlier ticket", "responsible_id": agents[0]},
    )
    rule = api.ok(
        "POST",
        "/assignment-rules",
        201,
        json={
            "name": "Support tasks",
            "entity_type": "task",
            "employee_ids": agents,
            "count_open_tasks": True,
            "default_capacity_points": 1,
        },
    )
    task = api.ok("POST", "/tasks", 201, json={"title": "Reset a password"})
    assert task["responsible_id"] == agents[1]  # Alex already holds a task
    decision = api.ok("GET", f"/tasks/{task['id']}/assignment")
    assert (decision["outcome"], decision["chosen_id"], decision["rule_id"]) == (
        "assigned",
        agents[1],
        rule["id"],
    )
    verdicts = {v["employee_id"]: v for v in decision["verdicts"]}
    assert set(verdicts) == set(agents)

    waiting = api.ok("POST", "/tasks", 201, json={"title": "Restore a backup"})
    admin = waiting["creator_id"]
    assert waiting["responsible_id"] == admin  # both agents full: the creator holds it
    queue = api.ok("GET", f"/assignment-rules/{rule['id']}/queue")
    assert [e["item_id"] for e in queue["items"]] == [waiting["id"]]
    api.ok("POST", f"/tasks/{task['id']}/actions", json={"action": "complete"})
    assert api.ok("GET", f"/tasks/{waiting['id']}")["responsible_id"] == agents[1]


def test_without_a_task_rule_a_task_needs_its_responsible(api: Api) -> None:
    before = api.ok("GET", "/tasks")["total"]
    problem = api.ok("POST", "/tasks", 422, json={"title": "Nobody's"})
    assert problem["field"] == "responsible_id"
    assert api.ok("GET", "/tasks")["total"] == before
    task = api.ok("POST", "/tasks", 201, json={"title": "Mine", "responsible_id": 1})
    api.ok("GET", f"/tasks/{task['id']}/assignment", 404)
