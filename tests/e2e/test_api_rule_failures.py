"""Through the API: a rule that reads a field deals do not have is refused on save, and a
rule whose field was deleted since explains, on the deal, why it assigned nobody."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.agency import sales_pipeline
from tests.e2e.conftest import Api


@pytest.fixture
def studio(api: Api) -> dict[str, Any]:
    """Deals with a number of ``pages``; prepaid ones go to Dmitry, weighed by pages."""
    pipeline = sales_pipeline(api)
    pages = api.ok(
        "POST",
        "/custom-fields",
        201,
        json={"entity_type": "deal", "code": "pages", "name": "Pages", "type": "number"},
    )
    dmitry = api.ok("POST", "/employees", 201, json={"name": "Dmitry Designer"})
    rule = api.ok(
        "POST",
        "/assignment-rules",
        201,
        json={
            "name": "Prepaid deals to Dmitry",
            "entity_type": "deal",
            "pipeline_id": pipeline["id"],
            "trigger_stage_id": pipeline["stage"]["Prepayment received"],
            "employee_ids": [dmitry["id"]],
            "weight": "deal.pages * 2",
        },
    )
    return {"pipeline": pipeline, "pages": pages, "dmitry": dmitry, "rule": rule}


def test_patching_a_weight_that_reads_a_field_deals_do_not_have_is_refused_at_the_weight(
    api: Api, studio: dict[str, Any]
) -> None:
    url = f"/assignment-rules/{studio['rule']['id']}"
    response = api.patch(url, json={"weight": "deal.nonexistent * 2"})
    assert response.status_code == 422
    problem = response.json()
    assert problem["field"] == "weight"
    assert "deal has no attribute or field 'nonexistent'" in problem["detail"]
    assert "line 1, column 6" in problem["detail"]
    assert api.ok("GET", url)["weight"] == "deal.pages * 2"
    assert api.ok("GET", url)["version"] == 1


def test_a_deal_reaching_a_rule_whose_field_was_deleted_explains_why_nobody_took_it(
    api: Api, studio: dict[str, Any]
) -> None:
    stage = studio["pipeline"]["stage"]
    api.ok("DELETE", f"/custom-fields/{studio['pages']['id']}", 204)
    deal = api.ok("POST", "/deals", 201, json={"title": "Shop", "stage_id": stage["Invoice"]})
    moved = api.ok(
        "POST", f"/deals/{deal['id']}/move", json={"stage_id": stage["Prepayment received"]}
    )
    assert moved["stage_id"] == stage["Prepayment received"]
    assert moved["responsible_id"] == deal["responsible_id"]  # still the admin's

    decision = api.ok("GET", f"/deals/{deal['id']}/assignment")
    assert (decision["outcome"], decision["chosen_id"]) == ("rule_failed", None)
    assert decision["data"]["failure"]["field"] == "weight"
    assert "could not compute its weight: cannot compute empty * number" in decision["sentence"]
    assert api.ok("GET", f"/assignment-rules/{studio['rule']['id']}/queue")["items"] == []
    failed = api.ok("GET", "/assignment-decisions", params={"outcome": "rule_failed"})
    assert [d["item_id"] for d in failed["items"]] == [deal["id"]]

    feed = api.ok("GET", "/notifications")
    [notice] = [n for n in feed["items"] if n["kind"] == "assignment_failed"]
    assert notice["link"] == {"entity": "deal", "id": deal["id"]}
    assert "Prepaid deals to Dmitry" in notice["subject"] and "Shop" in notice["subject"]
