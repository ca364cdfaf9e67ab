"""A deal reaching "Prepayment received" goes to a designer in the same request, and the
decision says why, candidate by candidate."""

from __future__ import annotations

from typing import Any

import pytest

from conveyor.testing import FakeClock
from tests.e2e.agency import sales_pipeline, token_for
from tests.e2e.conftest import Api

WEIGHT = '5 if deal.equipment_type == "special" else 1'


@pytest.fixture
def studio(api: Api) -> dict[str, Any]:
    """Designers: a head and three designers, Vera on vacation, Lev with 8 of 10 points in
    work (one special deal and three standard ones), Sam with 3; and the seed rule."""
    pipeline = sales_pipeline(api)
    stage = pipeline["stage"]
    api.ok(
        "POST",
        "/custom-fields",
        201,
        json={
            "entity_type": "deal",
            "code": "equipment_type",
            "name": "Equipment",
            "type": "string",
        },
    )
    department = api.ok("POST", "/departments", 201, json={"name": "Designers"})
    head = api.ok(
        "POST", "/employees", 201, json={"name": "Hanna Head", "department_ids": [department["id"]]}
    )["id"]
    api.ok("PATCH", f"/departments/{department['id']}", json={"head_id": head})
    people = {
        name: api.ok(
            "POST", "/employees", 201, json={"name": name, "department_ids": [department["id"]]}
        )["id"]
        for name in ("Vera", "Lev", "Sam")
    }
    vacation = {"kind": "vacation", "starts_on": "2026-03-01", "ends_on": "2026-03-10"}
    api.ok("POST", "/absences", 201, json={"employee_id": people["Vera"], **vacation})
    in_work = [("Lev", "special")] + [("Lev", "standard")] * 3 + [("Sam", "standard")] * 3
    for name, equipment in in_work:
        deal(api, stage["Development started"], responsible_id=people[name], equipment=equipment)
    rule = api.ok(
        "POST",
        "/assignment-rules",
        201,
        json={
            "name": "Designers take prepaid deals",
            "entity_type": "deal",
            "pipeline_id": pipeline["id"],
            "trigger_stage_id": stage["Prepayment received"],
            "department_ids": [department["id"]],
            "exclude_heads": True,
            "default_capacity_points": 10,
            "in_work_stage_ids": [stage["Development started"]],
            "weight": WEIGHT,
            "strategy": "least_loaded",
            "next_stage_id": stage["Development started"],
        },
    )
    return {"stage": stage, "head": head, "people": people, "rule": rule}


def deal(api: Api, stage_id: int, *, equipment: str = "standard", **extra: Any) -> dict[str, Any]:
    body = {"title": "Website", "stage_id": stage_id, "fields": {"equipment_type": equipment}}
    return api.ok("POST", "/deals", 201, json={**body, **extra})  # type: ignore[no-any-return]


def prepaid(api: Api, studio: dict[str, Any], *, equipment: str = "standard") -> dict[str, Any]:
    """A deal awaiting payment (the admin responsible) moved to Prepayment received."""
    stage = studio["stage"]
    created = deal(api, stage["Awaiting payment"], equipment=equipment)
    return move(api, created["id"], stage["Prepayment received"])


def move(api: Api, deal_id: int, stage_id: int) -> dict[str, Any]:
    return api.ok("POST", f"/deals/{deal_id}/move", json={"stage_id": stage_id})  # type: ignore[no-any-return]


def verdicts(decision: dict[str, Any]) -> dict[int, str]:
    return {v["employee_id"]: v["reason"] for v in decision["verdicts"]}


def test_a_prepaid_deal_goes_to_the_least_loaded_present_designer_and_moves_on(
    api: Api, studio: dict[str, Any]
) -> None:
    people, stage = studio["people"], studio["stage"]
    moved = prepaid(api, studio)
    assert moved["responsible_id"] == people["Sam"]
    assert moved["stage_id"] == stage["Development started"]
    decision = api.ok("GET", f"/deals/{moved['id']}/assignment")
    assert decision["rule_id"] == studio["rule"]["id"]
    assert decision["rule_version"] == 1
    assert (decision["outcome"], decision["chosen_id"]) == ("assigned", people["Sam"])
    assert decision["stage_id"] == stage["Prepayment received"]
    assert verdicts(decision) == {
        studio["head"]: "department_head",
        people["Vera"]: "absent",
        people["Lev"]: "kept",
        people["Sam"]: "kept",
    }
    sentence = decision["sentence"]
    assert sentence.startswith(f"Deal {moved['id']} went to Sam (least loaded: 3/10 points).")
    for reason in (
        "Hanna Head — department head",
        "Vera — on vacation until 10.03",
        "Lev — ranked lower (8/10 points)",
    ):
        assert reason in sentence
    assert decision["data"]["next_stage"]["moved"] is True


def test_a_special_deal_skips_the_designer_it_would_push_over_the_cap(
    api: Api, studio: dict[str, Any]
) -> None:
    people = studio["people"]
    moved = prepaid(api, studio, equipment="special")
    assert moved["responsible_id"] == people["Sam"]  # 3 + 5 fits; Lev's 8 + 5 would not
    decision = api.ok("GET", f"/deals/{moved['id']}/assignment")
    assert verdicts(decision)[people["Lev"]] == "at_capacity"
    assert decision["data"]["weight"] == "5"
    assert "Lev — 8/10 points, no room for 5 more" in decision["sentence"]


def test_when_nobody_fits_the_deal_waits_and_keeps_its_responsible(
    api: Api, studio: dict[str, Any]
) -> None:
    prepaid(api, studio, equipment="special")  # Sam now at 8 points
    waiting = prepaid(api, studio, equipment="special")
    admin = api.ok("GET", f"/deals/{waiting['id']}")["responsible_id"]
    assert waiting["responsible_id"] == admin
    assert waiting["stage_id"] == studio["stage"]["Prepayment received"]
    decision = api.ok("GET", f"/deals/{waiting['id']}/assignment")
    assert (decision["outcome"], decision["chosen_id"]) == ("nobody_free", None)
    assert decision["sentence"].startswith(f"Deal {waiting['id']} waits: nobody is free.")
    found = api.ok("GET", "/assignment-decisions", params={"outcome": "nobody_free"})
    assert [d["item_id"] for d in found["items"]] == [waiting["id"]]


def test_a_waiting_deal_is_listed_in_the_rule_queue_and_assigned_when_work_is_finished(
    api: Api, studio: dict[str, Any], clock: FakeClock
) -> None:
    stage, rule = studio["stage"], studio["rule"]
    prepaid(api, studio, equipment="special")  # Sam now at 8 points, Lev at 8
    clock.advance(minutes=5)
    waiting = prepaid(api, studio, equipment="special")
    queue = api.ok("GET", f"/assignment-rules/{rule['id']}/queue")
    assert [(e["item_id"], e["attempts"]) for e in queue["items"]] == [(waiting["id"], 0)]
    # Lev finishes his special deal: 3 points left in work, room for 5 more.
    lev = studio["people"]["Lev"]
    levs = api.ok("GET", "/deals", params={"responsible_id": lev, "limit": 100})["items"]
    [special] = [d for d in levs if d["fields"]["equipment_type"] == "special"]
    clock.advance(minutes=7)
    move(api, special["id"], stage["Done"])
    assigned = api.ok("GET", f"/deals/{waiting['id']}")
    assert (assigned["responsible_id"], assigned["stage_id"]) == (lev, stage["Development started"])
    decision = api.ok("GET", f"/deals/{waiting['id']}/assignment")
    assert (decision["outcome"], decision["chosen_id"]) == ("assigned", lev)
    assert decision["data"]["waited"]["seconds"] == 7 * 60
    assert api.ok("GET", f"/assignment-rules/{rule['id']}/queue")["items"] == []


def test_a_rule_queue_is_for_heads_and_names_an_unknown_rule(
    api: Api, studio: dict[str, Any]
) -> None:
    _, someone = token_for(api, "Ivan Employee")
    someone.ok("GET", f"/assignment-rules/{studio['rule']['id']}/queue", 403)
    problem = api.ok("GET", "/assignment-rules/999999/queue", 404)
    assert problem["status"] == 404


def test_moving_out_and_back_in_is_a_new_entry_with_a_new_decision(
    api: Api, studio: dict[str, Any], clock: FakeClock
) -> None:
    stage = studio["stage"]
    moved = prepaid(api, studio)
    first = api.ok("GET", f"/deals/{moved['id']}/assignment")
    clock.advance(minutes=5)
    move(api, moved["id"], stage["Awaiting payment"])
    clock.advance(minutes=5)
    again = move(api, moved["id"], stage["Prepayment received"])
    assert again["stage_id"] == stage["Development started"]
    second = api.ok("GET", f"/deals/{moved['id']}/assignment")
    assert second["id"] != first["id"]
    assert second["stage_entered_at"] > first["stage_entered_at"]
    found = api.ok("GET", "/assignment-decisions", params={"item_id": moved["id"]})
    assert found["total"] == 2
    assert [d["id"] for d in found["items"]] == [second["id"], first["id"]]  # newest first


def test_a_rule_whose_condition_is_false_does_nothing(api: Api, studio: dict[str, Any]) -> None:
    rule_url = f"/assignment-rules/{studio['rule']['id']}"
    api.ok("PATCH", rule_url, json={"condition": "deal.amount > 1000"})
    stage = studio["stage"]
    created = deal(api, stage["Awaiting payment"], amount="500")
    moved = move(api, created["id"], stage["Prepayment received"])
    assert moved["stage_id"] == stage["Prepayment received"]
    assert moved["responsible_id"] == created["responsible_id"]
    response = api.get(f"/deals/{created['id']}/assignment")
    assert response.status_code == 404
    assert api.ok("GET", "/assignment-decisions")["total"] == 0


def test_a_deal_created_right_at_the_trigger_stage_is_assigned_too(
    api: Api, studio: dict[str, Any]
) -> None:
    created = deal(api, studio["stage"]["Prepayment received"])
    assert created["responsible_id"] == studio["people"]["Sam"]
    assert created["stage_id"] == studio["stage"]["Development started"]


def test_decisions_are_listed_for_heads_only_and_a_lead_without_one_is_404(
    api: Api, studio: dict[str, Any]
) -> None:
    moved = prepaid(api, studio)
    _, as_employee = token_for(api, "Eve Employee")
    _, as_head = token_for(api, "Hugo Head", role="head")
    assert as_employee.get("/assignment-decisions").status_code == 403
    rule_id = studio["rule"]["id"]
    found = as_head.ok("GET", "/assignment-decisions", params={"rule_id": rule_id})
    assert [d["item_id"] for d in found["items"]] == [moved["id"]]
    assert api.get(f"/leads/{moved['id']}/assignment").status_code == 404
    assert api.get("/deals/999999/assignment").status_code == 404
