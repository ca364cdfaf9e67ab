"""Deals and leads through the API: the digital agency's sales story and its bad input."""

from __future__ import annotations

from typing import Any

from conveyor.testing import FakeClock
from tests.e2e.agency import contract_number, sales_pipeline, token_for
from tests.e2e.conftest import Api


def _move(api: Api, deal: dict[str, Any], stage_id: int) -> Any:
    return api.post(f"/deals/{deal['id']}/move", json={"stage_id": stage_id})


def test_a_deal_cannot_reach_invoice_without_the_contract_number_and_nothing_changes(
    api: Api, clock: FakeClock
) -> None:
    sales = sales_pipeline(api)
    contract_number(api, sales)
    stage = sales["stage"]
    deal = api.ok("POST", "/deals", 201, json={"title": "Corporate website", "amount": "480000"})
    assert (deal["pipeline_id"], deal["stage_id"]) == (sales["id"], stage["Conclude contract"])
    assert deal["amount"] == "480000.00" and deal["currency"] == "RUB"
    clock.advance(hours=1)
    for name in ("Sign contract", "Upload copy"):
        deal = api.ok("POST", f"/deals/{deal['id']}/move", json={"stage_id": stage[name]})
    assert deal["stage_entered_at"] == deal["updated_at"] != deal["created_at"]
    before = api.ok("GET", f"/deals/{deal['id']}")
    clock.advance(hours=1)
    refused = _move(api, deal, stage["Invoice"])
    assert refused.status_code == 422
    problem = refused.json()
    assert problem["type"] == "/problems/required-field-missing"
    assert problem["field"] == "fields.contract_number"
    assert "Contract number" in problem["detail"] and "Invoice" in problem["detail"]
    assert api.ok("GET", f"/deals/{deal['id']}") == before
    # Skipping ahead is refused too, but losing the deal is always possible.
    assert _move(api, deal, stage["Done"]).status_code == 422
    api.ok("PATCH", f"/deals/{deal['id']}", json={"fields": {"contract_number": "WEB-2026-17"}})
    for name in ("Invoice", "Awaiting payment", "Prepayment received", "Development started"):
        deal = api.ok("POST", f"/deals/{deal['id']}/move", json={"stage_id": stage[name]})
    done = api.ok("POST", f"/deals/{deal['id']}/move", json={"stage_id": stage["Done"]})
    assert done["closed_at"] == done["stage_entered_at"]
    # Past Invoice the number can be changed but not cleared.
    cleared = api.patch(f"/deals/{deal['id']}", json={"fields": {"contract_number": None}})
    assert cleared.status_code == 422
    assert cleared.json()["field"] == "fields.contract_number"
    assert api.ok("GET", f"/deals/{deal['id']}")["fields"] == {"contract_number": "WEB-2026-17"}


def test_losing_a_deal_needs_no_fields(api: Api) -> None:
    sales = sales_pipeline(api)
    contract_number(api, sales)
    deal = api.ok("POST", "/deals", 201, json={"title": "Landing page"})
    lost = api.ok("POST", f"/deals/{deal['id']}/move", json={"stage_id": sales["stage"]["Lost"]})
    assert lost["closed_at"] is not None
    assert api.ok("GET", "/deals?closed=true")["total"] == 1
    assert api.ok("GET", "/deals?closed=false")["total"] == 0


def test_a_deal_changes_hands_and_moves_to_client_service(api: Api) -> None:
    sales = sales_pipeline(api)
    service = api.ok(
        "POST",
        "/pipelines",
        201,
        json={"entity_type": "deal", "name": "Client service", "stages": [{"name": "Support"}]},
    )
    maria, _ = token_for(api, "Maria Manager")
    deal = api.ok("POST", "/deals", 201, json={"title": "Website support", "amount": 1500.5})
    assert deal["amount"] == "1500.50"
    changed = api.ok(
        "PATCH",
        f"/deals/{deal['id']}",
        json={"responsible_id": maria, "currency": "EUR", "amount": None},
    )
    assert (changed["responsible_id"], changed["currency"], changed["amount"]) == (
        maria,
        "EUR",
        None,
    )
    moved = api.ok("POST", f"/deals/{deal['id']}/pipeline", json={"pipeline_id": service["id"]})
    assert (moved["pipeline_id"], moved["stage_id"]) == (service["id"], service["stages"][0]["id"])
    assert api.ok("GET", f"/deals?pipeline_id={sales['id']}")["total"] == 0
    assert api.ok("GET", f"/deals?responsible_id={maria}")["items"][0]["id"] == deal["id"]


def test_bad_deals_name_the_field_and_change_nothing(api: Api) -> None:
    sales = sales_pipeline(api)
    contract_number(api, sales)
    api.ok(
        "POST",
        "/custom-fields",
        201,
        json={"entity_type": "deal", "code": "pages", "name": "Pages", "type": "number"},
    )
    inbound = api.ok(
        "POST",
        "/pipelines",
        201,
        json={"entity_type": "lead", "name": "Inbound", "stages": [{"name": "New"}]},
    )
    other = api.ok(
        "POST",
        "/pipelines",
        201,
        json={"entity_type": "deal", "name": "Client service", "stages": [{"name": "Support"}]},
    )
    dismissed = api.ok("POST", "/employees", 201, json={"name": "Gone"})
    api.ok("PATCH", f"/employees/{dismissed['id']}", json={"status": "dismissed"})
    t = {"title": "Site"}
    cases = [
        ({**t, "stage_id": 999_999}, "stage_id"),
        ({**t, "stage_id": inbound["stages"][0]["id"]}, "stage_id"),
        ({**t, "pipeline_id": sales["id"], "stage_id": other["stages"][0]["id"]}, "stage_id"),
        ({**t, "pipeline_id": inbound["id"]}, "pipeline_id"),
        ({**t, "pipeline_id": 999_999}, "pipeline_id"),
        ({**t, "stage_id": sales["stage"]["Invoice"]}, "fields.contract_number"),
        ({**t, "fields": {"pages": "twelve"}}, "fields.pages"),
        ({**t, "fields": {"colour": "red"}}, "fields.colour"),
        ({**t, "fields": {"x" * 100: 1}}, "fields." + "x" * 100 + ".[key]"),
        ({**t, "currency": "rub"}, "currency"),
        ({**t, "currency": "RUBL"}, "currency"),
        ({**t, "amount": "10.005"}, "amount"),
        ({**t, "amount": "1e30"}, "amount"),
        ({**t, "amount": "lots"}, "amount"),
        ({"title": "T" * 10_000}, "title"),
        ({"title": ""}, "title"),
        ({**t, "responsible_id": 999_999}, "responsible_id"),
        ({**t, "responsible_id": dismissed["id"]}, "responsible_id"),
        ({**t, "contact_id": 999_999}, "contact_id"),
        ({**t, "company_id": 2**70}, "company_id"),
        ({**t, "stage": 1}, "stage"),
    ]
    for body, field in cases:
        response = api.post("/deals", json=body)
        assert response.status_code == 422, (body, response.text)
        assert response.json()["field"] == field, (body, response.json())
    assert api.ok("GET", "/deals")["total"] == 0


def test_bad_changes_and_moves_name_the_field_and_change_nothing(api: Api) -> None:
    sales = sales_pipeline(api)
    other = api.ok(
        "POST",
        "/pipelines",
        201,
        json={"entity_type": "deal", "name": "Client service", "stages": [{"name": "Support"}]},
    )
    inbound = api.ok(
        "POST",
        "/pipelines",
        201,
        json={"entity_type": "lead", "name": "Inbound", "stages": [{"name": "New"}]},
    )
    deal = api.ok("POST", "/deals", 201, json={"title": "Site", "amount": "10"})
    url = f"/deals/{deal['id']}"
    cases = [
        ("PATCH", url, {"title": None}, "title"),
        ("PATCH", url, {"title": "T" * 301}, "title"),
        ("PATCH", url, {"amount": 0.125}, "amount"),
        ("PATCH", url, {"currency": "12$"}, "currency"),
        ("PATCH", url, {"responsible_id": None}, "responsible_id"),
        ("PATCH", url, {"fields": {"nope": 1}}, "fields.nope"),
        ("PATCH", url, {"pipeline_id": other["id"]}, "pipeline_id"),
        ("POST", f"{url}/move", {"stage_id": 999_999}, "stage_id"),
        ("POST", f"{url}/move", {"stage_id": other["stages"][0]["id"]}, "stage_id"),
        ("POST", f"{url}/move", {}, "stage_id"),
        ("POST", f"{url}/pipeline", {"pipeline_id": inbound["id"]}, "pipeline_id"),
        ("POST", f"{url}/pipeline", {"pipeline_id": 999_999}, "pipeline_id"),
    ]
    for method, target, body, field in cases:
        response = api.request(method, target, json=body)
        assert response.status_code == 422, (body, response.text)
        assert response.json()["field"] == field, (body, response.json())
    assert api.ok("GET", url) == deal
    assert api.get("/deals/999999").status_code == 404
    assert (
        api.post("/deals/999999/move", json={"stage_id": sales["stage"]["Lost"]}).status_code == 404
    )


def test_deal_lists_filter_by_time_and_refuse_bad_dates(api: Api, clock: FakeClock) -> None:
    sales_pipeline(api)
    start = clock().isoformat()
    first = api.ok("POST", "/deals", 201, json={"title": "First"})
    clock.advance(days=1)
    middle = clock().isoformat()
    api.ok("POST", "/deals", 201, json={"title": "Second"})
    clock.advance(days=1)
    api.ok("PATCH", f"/deals/{first['id']}", json={"title": "First, renamed"})
    newest_first = api.ok("GET", "/deals")
    assert [d["title"] for d in newest_first["items"]] == ["Second", "First, renamed"]
    paged = api.ok("GET", "/deals?limit=1&offset=1")
    assert (paged["total"], [d["title"] for d in paged["items"]]) == (2, ["First, renamed"])
    created = api.ok("GET", "/deals", params={"created_from": start, "created_to": middle})
    assert [d["title"] for d in created["items"]] == ["First, renamed"]
    updated = api.ok("GET", "/deals", params={"updated_from": clock().isoformat()})
    assert [d["title"] for d in updated["items"]] == ["First, renamed"]
    for name, value in (
        ("created_from", "yesterday"),
        ("created_to", "2026-13-01T00:00:00+00:00"),
        ("updated_from", "2026-03-01T00:00:00"),
        ("updated_to", "2026-03-01"),
        ("closed", "maybe"),
        ("stage_id", "0"),
        ("limit", "100000"),
    ):
        response = api.get("/deals", params={name: value})
        assert response.status_code == 422, (name, value, response.text)
        assert response.json()["field"] == name


def test_leads_walk_their_own_pipelines_and_are_not_deals(api: Api) -> None:
    sales = sales_pipeline(api)
    inbound = api.ok(
        "POST",
        "/pipelines",
        201,
        json={
            "entity_type": "lead",
            "name": "Inbound",
            "stages": [{"name": "New"}, {"name": "Qualified", "semantics": "success"}],
        },
    )
    lead = api.ok("POST", "/leads", 201, json={"title": "Call from the website form"})
    assert (lead["entity_type"], lead["pipeline_id"]) == ("lead", inbound["id"])
    qualified = inbound["stages"][1]["id"]
    moved = api.ok("POST", f"/leads/{lead['id']}/move", json={"stage_id": qualified})
    assert moved["closed_at"] is not None
    assert api.get(f"/deals/{lead['id']}").status_code == 404
    assert api.ok("GET", "/deals")["total"] == 0
    assert api.ok("GET", "/leads")["total"] == 1
    wrong = api.post(f"/leads/{lead['id']}/move", json={"stage_id": sales["stage"]["Invoice"]})
    assert (wrong.status_code, wrong.json()["field"]) == (422, "stage_id")


def test_no_pipeline_yet_means_no_deal(api: Api) -> None:
    response = api.post("/deals", json={"title": "Too early"})
    assert (response.status_code, response.json()["field"]) == (422, "pipeline_id")


def test_an_external_partner_sees_and_changes_only_their_own_deals(api: Api) -> None:
    sales = sales_pipeline(api)
    partner_id, partner = token_for(api, "Pavel Partner", external=True)
    colleague_id, colleague = token_for(api, "Ivan Insider")
    theirs = partner.ok("POST", "/deals", 201, json={"title": "Printing"})
    assert theirs["responsible_id"] == partner_id
    hidden = colleague.ok("POST", "/deals", 201, json={"title": "Internal"})
    assert hidden["responsible_id"] == colleague_id
    assert [d["title"] for d in partner.ok("GET", "/deals")["items"]] == ["Printing"]
    assert partner.ok("GET", f"/deals?responsible_id={colleague_id}")["total"] == 0
    assert colleague.ok("GET", "/deals")["total"] == 2
    for method, url, body in (
        ("GET", f"/deals/{hidden['id']}", None),
        ("PATCH", f"/deals/{hidden['id']}", {"title": "Mine now"}),
        ("POST", f"/deals/{hidden['id']}/move", {"stage_id": sales["stage"]["Lost"]}),
    ):
        assert partner.request(method, url, json=body).status_code == 404, (method, url)
    handover = partner.patch(f"/deals/{theirs['id']}", json={"responsible_id": colleague_id})
    assert (handover.status_code, handover.json()["field"]) == (403, "responsible_id")
    assert api.ok("GET", f"/deals/{hidden['id']}")["title"] == "Internal"
    moved = partner.ok(
        "POST", f"/deals/{theirs['id']}/move", json={"stage_id": sales["stage"]["Lost"]}
    )
    assert moved["stage_id"] == sales["stage"]["Lost"]
