"""/assignment-rules: distribution rules managed through the API, validated on save."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.agency import equipment_type, sales_pipeline, token_for
from tests.e2e.conftest import Api

WEIGHT = '5 if deal.equipment_type == "special" else 1'


@pytest.fixture
def agency(api: Api) -> dict[str, Any]:
    """The Sales pipeline and the Design department: a head and two designers."""
    pipeline = sales_pipeline(api)
    equipment_type(api)
    head = api.ok("POST", "/employees", 201, json={"name": "Hanna Head"})
    department = api.ok("POST", "/departments", 201, json={"name": "Design", "head_id": head["id"]})
    people = [
        api.ok("POST", "/employees", 201, json={"name": n, "department_ids": [department["id"]]})[
            "id"
        ]
        for n in ("Dmitry Designer", "Daria Designer")
    ]
    return {"pipeline": pipeline, "department": department, "people": people, "head": head}


def seed_rule(agency: dict[str, Any]) -> dict[str, Any]:
    """At Prepayment received, deals go to the least-loaded present designer, never to the
    head, cap 10 points, weighted by equipment, then move to Development started."""
    stage = agency["pipeline"]["stage"]
    return {
        "name": "Designers take prepaid deals",
        "entity_type": "deal",
        "pipeline_id": agency["pipeline"]["id"],
        "trigger_stage_id": stage["Prepayment received"],
        "department_ids": [agency["department"]["id"]],
        "exclude_heads": True,
        "respect_absences": True,
        "respect_day_status": True,
        "default_capacity_points": 10,
        "capacity_overrides": {str(agency["people"][1]): 2.5},
        "in_work_stage_ids": [stage["Development started"]],
        "weight": WEIGHT,
        "strategy": "least_loaded",
        "next_stage_id": stage["Development started"],
    }


@pytest.fixture
def rule(api: Api, agency: dict[str, Any]) -> dict[str, Any]:
    return api.ok("POST", "/assignment-rules", 201, json=seed_rule(agency))


def test_the_seed_rule_is_created_as_data_and_read_back(
    api: Api, agency: dict[str, Any], rule: dict[str, Any]
) -> None:
    stage = agency["pipeline"]["stage"]
    assert rule["version"] == 1
    assert rule["weight"] == WEIGHT
    assert rule["default_capacity_points"] == 10
    assert rule["capacity_overrides"] == {str(agency["people"][1]): 2.5}
    assert rule["target_field"] == "responsible"
    assert rule["next_stage_id"] == stage["Development started"]
    assert api.ok("GET", f"/assignment-rules/{rule['id']}") == rule


def test_rules_are_listed_by_entity_pipeline_stage_and_switch(
    api: Api, agency: dict[str, Any], rule: dict[str, Any]
) -> None:
    stage = agency["pipeline"]["stage"]
    later = {
        **seed_rule(agency),
        "name": "Production after development",
        "trigger_stage_id": stage["Development started"],
        "next_stage_id": None,
        "weight": 1,
        "enabled": False,
        "priority": 5,
    }
    other = api.ok("POST", "/assignment-rules", 201, json=later)
    assert other["weight"] == "1"

    def ids(**params: Any) -> list[int]:
        found = api.ok("GET", "/assignment-rules", params=params)
        return [r["id"] for r in found["items"]]

    assert ids() == [other["id"], rule["id"]]  # highest priority first
    assert ids(trigger_stage_id=stage["Prepayment received"], enabled=True) == [rule["id"]]
    assert ids(enabled=False) == [other["id"]]
    assert ids(entity_type="lead") == []
    assert ids(pipeline_id=agency["pipeline"]["id"], entity_type="deal") == [
        other["id"],
        rule["id"],
    ]


def test_every_change_raises_the_version(api: Api, rule: dict[str, Any]) -> None:
    url = f"/assignment-rules/{rule['id']}"
    changed = api.ok("PATCH", url, json={"default_capacity_points": 8, "strategy": "fair_share"})
    assert (changed["version"], changed["default_capacity_points"]) == (2, 8)
    assert api.ok("PATCH", url, json={"weight": 2.5})["weight"] == "2.5"
    assert api.ok("PATCH", url, json={"weight": "2.5"})["version"] == 3  # the same: no change
    assert api.ok("PATCH", url, json={"condition": "deal.amount > 1000"})["version"] == 4
    assert api.ok("GET", url)["condition"] == "deal.amount > 1000"


def _other_pipeline_stage(api: Api) -> int:
    support = api.ok(
        "POST",
        "/pipelines",
        201,
        json={"entity_type": "deal", "name": "Support", "stages": [{"name": "New"}]},
    )
    return int(support["stages"][0]["id"])


@pytest.mark.parametrize(
    ("change", "status", "field"),
    [
        pytest.param(
            lambda api: {"trigger_stage_id": _other_pipeline_stage(api)},
            422,
            "trigger_stage_id",
            id="stage of another pipeline",
        ),
        pytest.param(
            lambda api: {"employee_ids": [2**40]}, 422, "employee_ids.0", id="unknown employee"
        ),
        pytest.param(
            lambda api: {"condition": "deal.clear()"},
            422,
            "condition",
            id="method call in the condition",
        ),
        pytest.param(
            lambda api: {"condition": "().__class__.__bases__"},
            422,
            "condition",
            id="escape in the condition",
        ),
        pytest.param(lambda api: {"weight": "9**9**9"}, 422, "weight", id="endless weight"),
        pytest.param(lambda api: {"weight": -1}, 422, "weight", id="negative weight"),
        pytest.param(
            lambda api: {"default_capacity_points": 0},
            422,
            "default_capacity_points",
            id="zero capacity",
        ),
        pytest.param(lambda api: {"strategy": "random"}, 422, "strategy", id="unknown strategy"),
        pytest.param(lambda api: {"weight": None}, 422, "weight", id="no weight"),
        pytest.param(
            lambda api: {"condition": "x" * 2001}, 422, "condition", id="condition too long"
        ),
    ],
)
def test_bad_input_names_the_field_and_changes_nothing(
    api: Api, rule: dict[str, Any], change: Any, status: int, field: str
) -> None:
    url = f"/assignment-rules/{rule['id']}"
    response = api.patch(url, json=change(api))
    assert response.status_code == status, response.text
    assert response.json()["field"] == field
    assert api.ok("GET", url) == rule


def test_a_bad_condition_is_refused_at_its_position(api: Api, agency: dict[str, Any]) -> None:
    response = api.post(
        "/assignment-rules", json={**seed_rule(agency), "condition": "deal.clear()"}
    )
    assert response.status_code == 422
    problem = response.json()
    assert problem["field"] == "condition"
    assert "line 1, column 6" in problem["detail"]
    assert api.ok("GET", "/assignment-rules")["total"] == 0


def test_only_admins_manage_rules(api: Api, rule: dict[str, Any]) -> None:
    _, designer = token_for(api, "Dmitry Again")
    url = f"/assignment-rules/{rule['id']}"
    assert designer.get(url).status_code == 403
    assert designer.patch(url, json={"priority": 1}).status_code == 403
    assert designer.delete(url).status_code == 403
    assert api.ok("GET", url) == rule


def test_a_deleted_rule_is_gone(api: Api, rule: dict[str, Any]) -> None:
    url = f"/assignment-rules/{rule['id']}"
    api.ok("DELETE", url, 204)
    assert api.get(url).status_code == 404
    assert api.delete(url).status_code == 404
