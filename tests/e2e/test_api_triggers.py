"""Triggers through the API: admins define them per target stage; payments, incoming
webhooks and field changes move deals forward; every run is listed on the deal for whoever
sees it."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.e2e.conftest import Api
from tests.e2e.test_api_robots import Shop, new_deal, open_shop

PROBLEM = "application/problem+json"
HOOK_HEADER = "X-Conveyor-Hook-Token"


@pytest.fixture
def shop(api: Api) -> Shop:
    return open_shop(api)


def add_trigger(api: Api, stage_id: int, event: dict[str, Any], **extra: Any) -> Any:
    body = {"name": extra.pop("name", "Trigger"), "stage_id": stage_id, "event": event, **extra}
    return api.ok("POST", "/triggers", 201, json=body)


def runs_of(api: Api, deal: Any) -> list[Any]:
    found = api.ok("GET", f"/deals/{deal['id']}/trigger-runs")
    return found["items"]  # type: ignore[no-any-return]


def stage_of(api: Api, deal: Any) -> int:
    return api.ok("GET", f"/deals/{deal['id']}")["stage_id"]  # type: ignore[no-any-return]


def hook(app_client: TestClient, path: str, body: Any) -> Any:
    """An outside system calling a hook: no API token."""
    return app_client.post(path, json=body)


def test_triggers_are_listed_in_order_changed_reordered_and_deleted(api: Api, shop: Shop) -> None:
    payment = shop.stage["Payment"]
    paid = add_trigger(api, payment, {"kind": "field_changed", "field": "paid", "value": True})
    assert paid["event"] == {"kind": "field_changed", "field": "paid", "value": True}
    assert (paid["position"], paid["version"], paid["allow_backwards"]) == (0, 1, False)
    assert (paid["hook_token"], paid["hook_path"]) == (None, None)
    called = add_trigger(
        api,
        payment,
        {"kind": "communication_received", "channels": ["call"], "direction": "incoming"},
        name="Called back",
        position=0,
    )
    done = add_trigger(
        api, shop.stage["Done"], {"kind": "payment_registered", "paid_in_full": True}
    )

    listed = api.ok("GET", f"/triggers?stage_id={payment}")
    assert [t["id"] for t in listed] == [called["id"], paid["id"]]
    pipeline = api.ok("GET", f"/stages/{payment}")["pipeline_id"]
    everything = api.ok("GET", f"/triggers?pipeline_id={pipeline}")
    assert [t["id"] for t in everything] == [called["id"], paid["id"], done["id"]]

    changed = api.ok(
        "PATCH",
        f"/triggers/{paid['id']}",
        json={"event": {"kind": "field_changed", "field": "equipment_type", "value": "special"}},
    )
    assert (changed["version"], changed["event"]["field"]) == (2, "equipment_type")
    assert api.ok("PATCH", f"/triggers/{paid['id']}", json={"name": "Trigger"})["version"] == 2
    reordered = api.ok(
        "POST",
        "/triggers/reorder",
        json={"stage_id": payment, "trigger_ids": [paid["id"], called["id"]]},
    )
    assert [(t["id"], t["position"]) for t in reordered] == [(paid["id"], 0), (called["id"], 1)]

    api.ok("DELETE", f"/triggers/{paid['id']}", 204)
    api.ok("GET", f"/triggers/{paid['id']}", 404)
    [left] = api.ok("GET", f"/triggers?stage_id={payment}")
    assert (left["id"], left["position"]) == (called["id"], 0)


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({"event": {"kind": "field_changed", "field": "nope"}}, "event.field", "nope"),
        (
            {"event": {"kind": "field_changed", "field": "paid", "value": "yes"}},
            "event.value",
            "true or false",
        ),
        ({"event": {"kind": "field_changed"}}, "event.field", "needs"),
        ({"event": {"kind": "task_completed", "field": "paid"}}, "event.field", "takes: nothing"),
        ({"event": {"kind": "payment_registered", "min_amount": "0"}}, "event.min_amount", "above"),
        (
            {"event": {"kind": "communication_received", "channels": ["fax"]}},
            "event.channels.0",
            "",
        ),
        ({"condition": "deal.amount >"}, "condition", "line 1"),
        ({"condition": "boss.name == 'x'"}, "condition", "boss"),
        ({"stage_id": 999}, "stage_id", "999"),
        ({"stage_id": "NEW"}, "stage_id", ""),
        ({"name": " "}, "name", ""),
    ],
)
def test_a_trigger_that_cannot_work_is_refused_naming_the_field(
    api: Api, shop: Shop, body: dict[str, Any], field: str, words: str
) -> None:
    base = {
        "name": "Trigger",
        "stage_id": shop.stage["Payment"],
        "event": {"kind": "webhook"},
    }
    if body.get("stage_id") == "NEW":
        body = {"stage_id": shop.stage["New"]}
        words = "first stage"
    problem = api.ok("POST", "/triggers", 422, json={**base, **body})
    assert problem["field"] == field
    assert words in problem["detail"]
    assert api.ok("GET", f"/triggers?stage_id={shop.stage['Payment']}") == []


def test_only_admins_define_triggers(api: Api, shop: Shop) -> None:
    body = {"name": "Trigger", "stage_id": shop.stage["Payment"], "event": {"kind": "webhook"}}
    shop.as_mark.ok("POST", "/triggers", 403, json=body)
    made = add_trigger(api, shop.stage["Payment"], {"kind": "webhook"})
    shop.as_mark.ok("GET", "/triggers", 403)
    shop.as_head.ok("GET", f"/triggers/{made['id']}", 403)
    shop.as_mark.ok("PATCH", f"/triggers/{made['id']}", 403, json={"enabled": False})
    shop.as_mark.ok("DELETE", f"/triggers/{made['id']}", 403)


def test_payments_are_registered_listed_and_move_the_deal_when_paid_in_full(
    api: Api, shop: Shop
) -> None:
    add_trigger(api, shop.stage["Done"], {"kind": "payment_registered", "paid_in_full": True})
    deal = new_deal(api, shop, "Payment", amount="1000.00")
    url = f"/deals/{deal['id']}/payments"

    first = shop.as_mark.ok("POST", url, 201, json={"amount": "400.5", "note": "Advance"})
    assert (first["amount"], first["currency"], first["note"]) == ("400.50", "RUB", "Advance")
    assert first["registered_by_id"] == shop.mark
    assert stage_of(api, deal) == shop.stage["Payment"]
    assert runs_of(api, deal) == []
    paid_at = "2026-03-01T10:00:00+03:00"
    shop.as_mark.ok("POST", url, 201, json={"amount": 599.5, "paid_at": paid_at})

    assert stage_of(api, deal) == shop.stage["Done"]
    [run] = runs_of(api, deal)
    assert (run["event"], run["outcome"], run["detail"]) == (
        "payment_registered",
        "moved",
        "moved to «Done»",
    )
    assert run["event_data"]["paid_total"] == "1000.00"
    listed = api.ok("GET", url)
    assert [p["amount"] for p in listed["items"]] == ["400.50", "599.50"]
    assert listed["items"][1]["paid_at"] == "2026-03-01T07:00:00Z"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"amount": "0"}, "amount"),
        ({"amount": "-10"}, "amount"),
        ({"amount": "10.001"}, "amount"),
        ({}, "amount"),
        ({"amount": "10", "currency": "rub"}, "currency"),
        ({"amount": "10", "paid_at": "2099-01-01T00:00:00+00:00"}, "paid_at"),
        ({"amount": "10", "paid_at": "2026-03-01T10:00:00"}, "paid_at"),
        ({"amount": "10", "who": "me"}, "who"),
    ],
)
def test_a_payment_that_is_no_payment_is_refused_naming_the_field(
    api: Api, shop: Shop, body: dict[str, Any], field: str
) -> None:
    deal = new_deal(api, shop, "Payment", amount="1000.00")
    problem = api.ok("POST", f"/deals/{deal['id']}/payments", 422, json=body)
    assert problem["field"] == field
    assert api.ok("GET", f"/deals/{deal['id']}/payments")["total"] == 0


def test_a_payment_is_for_whoever_sees_the_deal(api: Api, shop: Shop) -> None:
    deal = new_deal(api, shop, "Payment")
    api.ok("POST", f"/leads/{deal['id']}/payments", 404, json={"amount": "10"})
    api.ok("GET", f"/leads/{deal['id']}/payments", 404)
    partner = api.ok("POST", "/employees", 201, json={"name": "Pat", "is_external": True})
    token = api.ok("POST", "/tokens", 201, json={"employee_id": partner["id"], "role": "employee"})
    as_partner = api.as_(token["token"])
    as_partner.ok("POST", f"/deals/{deal['id']}/payments", 404, json={"amount": "10"})
    as_partner.ok("GET", f"/deals/{deal['id']}/payments", 404)


def test_an_incoming_webhook_moves_the_deal_named_with_the_triggers_token(
    api: Api, shop: Shop, app_client: TestClient
) -> None:
    made = add_trigger(api, shop.stage["Payment"], {"kind": "webhook"}, name="Bank says paid")
    token, path = made["hook_token"], made["hook_path"]
    assert token.startswith(f"cvh_{made['id']}_")
    assert path == f"/triggers/hooks/{token}"
    assert api.ok("GET", f"/triggers/{made['id']}")["hook_token"] == token
    deal = new_deal(api, shop, "Processing")

    answer = hook(app_client, path, {"entity_type": "deal", "item_id": deal["id"]})

    assert answer.status_code == 200, answer.text
    assert (answer.json()["outcome"], answer.json()["trigger_id"]) == ("moved", made["id"])
    assert stage_of(api, deal) == shop.stage["Payment"]
    [run] = runs_of(api, deal)
    assert (run["event"], run["outcome"], run["depth"]) == ("webhook", "moved", 0)
    # Called again, the deal is already there.
    again = hook(app_client, path, {"entity_type": "deal", "item_id": deal["id"]})
    assert again.json()["outcome"] == "not_applicable"


def test_a_webhook_refuses_unknown_tokens_and_bad_bodies_and_leaves_other_pipelines(
    api: Api, shop: Shop, app_client: TestClient
) -> None:
    made = add_trigger(api, shop.stage["Payment"], {"kind": "webhook"})
    deal = new_deal(api, shop, "Processing")
    body = {"entity_type": "deal", "item_id": deal["id"]}
    forged = made["hook_token"][:-4] + "AAAA"
    other_trigger = add_trigger(api, shop.stage["Done"], {"kind": "task_completed"})
    for token in (
        forged,
        "nonsense",
        f"cvh_{other_trigger['id']}_{'A' * 43}",
        "cvh_999_" + "B" * 43,
    ):
        answer = hook(app_client, f"/triggers/hooks/{token}", body)
        assert answer.status_code == 404, token
        assert answer.headers["content-type"] == PROBLEM
        assert token not in answer.json()["detail"]
    path = made["hook_path"]
    for bad, field in (
        ({"entity_type": "deal"}, "item_id"),
        ({"entity_type": "deal", "item_id": "seven"}, "item_id"),
        ({"entity_type": "lead", "item_id": deal["id"]}, "entity_type"),
        ({"entity_type": "deal", "item_id": 999999}, "item_id"),
        ({**body, "extra": 1}, "extra"),
    ):
        answer = hook(app_client, path, bad)
        assert answer.status_code == 422, bad
        assert answer.headers["content-type"] == PROBLEM
        assert answer.json()["field"] == field
    assert stage_of(api, deal) == shop.stage["Processing"]

    pipeline = api.ok(
        "POST",
        "/pipelines",
        201,
        json={"entity_type": "deal", "name": "Other", "stages": [{"name": "A"}, {"name": "B"}]},
    )
    elsewhere = api.ok(
        "POST", "/deals", 201, json={"title": "Elsewhere", "pipeline_id": pipeline["id"]}
    )
    missing = hook(app_client, path, {"entity_type": "deal", "item_id": 999999}).json()
    # A deal of another pipeline answers exactly like a missing one: the caller, who holds
    # no API token, learns nothing about it, and nothing is recorded on it.
    answer = hook(app_client, path, {"entity_type": "deal", "item_id": elsewhere["id"]})
    assert answer.status_code == 422
    assert answer.json()["field"] == "item_id"
    assert answer.json()["detail"] == missing["detail"].replace("999999", str(elsewhere["id"]))
    assert stage_of(api, elsewhere) == pipeline["stages"][0]["id"]
    assert runs_of(api, elsewhere) == []
    assert runs_of(api, deal) == []


def test_a_webhook_does_not_reach_an_item_of_another_entity(
    api: Api, shop: Shop, app_client: TestClient
) -> None:
    made = add_trigger(api, shop.stage["Payment"], {"kind": "webhook"})
    pipeline = api.ok(
        "POST",
        "/pipelines",
        201,
        json={"entity_type": "lead", "name": "Leads", "stages": [{"name": "A"}, {"name": "B"}]},
    )
    lead = api.ok("POST", "/leads", 201, json={"title": "A lead", "pipeline_id": pipeline["id"]})

    answer = hook(app_client, made["hook_path"], {"entity_type": "deal", "item_id": lead["id"]})

    assert answer.status_code == 422
    assert answer.json()["field"] == "item_id"
    assert api.ok("GET", f"/leads/{lead['id']}/trigger-runs")["items"] == []


def test_the_hook_token_may_come_in_a_header_instead_of_the_url(
    api: Api, shop: Shop, app_client: TestClient
) -> None:
    made = add_trigger(api, shop.stage["Payment"], {"kind": "webhook"})
    deal = new_deal(api, shop, "Processing")
    body = {"entity_type": "deal", "item_id": deal["id"]}

    forged = made["hook_token"][:-4] + "AAAA"
    refused = app_client.post("/triggers/hooks", json=body, headers={HOOK_HEADER: forged})
    assert refused.status_code == 404
    assert app_client.post("/triggers/hooks", json=body).status_code == 404
    assert stage_of(api, deal) == shop.stage["Processing"]

    answer = app_client.post(
        "/triggers/hooks", json=body, headers={HOOK_HEADER: made["hook_token"]}
    )

    assert answer.status_code == 200, answer.text
    assert answer.json()["outcome"] == "moved"
    assert stage_of(api, deal) == shop.stage["Payment"]


def test_a_new_hook_token_retires_the_old_one(api: Api, shop: Shop, app_client: TestClient) -> None:
    made = add_trigger(api, shop.stage["Payment"], {"kind": "webhook"})
    deal = new_deal(api, shop, "Processing")
    renewed = api.ok("PATCH", f"/triggers/{made['id']}", json={"new_hook_token": True})
    assert renewed["hook_token"] != made["hook_token"]
    body = {"entity_type": "deal", "item_id": deal["id"]}
    assert hook(app_client, made["hook_path"], body).status_code == 404
    assert hook(app_client, renewed["hook_path"], body).json()["outcome"] == "moved"
    other = add_trigger(api, shop.stage["Done"], {"kind": "task_completed"})
    problem = api.ok("PATCH", f"/triggers/{other['id']}", 422, json={"new_hook_token": True})
    assert problem["field"] == "new_hook_token"
    # A webhook trigger turned into another kind loses its token.
    changed = api.ok("PATCH", f"/triggers/{made['id']}", json={"event": {"kind": "task_completed"}})
    assert changed["hook_token"] is None
    assert hook(app_client, renewed["hook_path"], body).status_code == 404


def test_a_disabled_trigger_moves_nothing_and_says_so(
    api: Api, shop: Shop, app_client: TestClient
) -> None:
    made = add_trigger(api, shop.stage["Payment"], {"kind": "webhook"}, enabled=False)
    paid = add_trigger(
        api,
        shop.stage["Payment"],
        {"kind": "field_changed", "field": "paid", "value": True},
        enabled=False,
    )
    deal = new_deal(api, shop, "Processing")
    api.ok("PATCH", f"/deals/{deal['id']}", json={"fields": {"paid": True}})
    answer = hook(app_client, made["hook_path"], {"entity_type": "deal", "item_id": deal["id"]})
    assert (answer.json()["outcome"], answer.json()["detail"]) == (
        "not_applicable",
        "the trigger is disabled",
    )
    assert stage_of(api, deal) == shop.stage["Processing"]
    assert paid["id"] not in [r["trigger_id"] for r in runs_of(api, deal)]


def test_trigger_runs_are_seen_by_whoever_sees_the_deal(api: Api, shop: Shop) -> None:
    add_trigger(
        api,
        shop.stage["Payment"],
        {"kind": "field_changed", "field": "paid", "value": True},
        condition="contact.vip",
        name="VIP paid",
    )
    deal = new_deal(api, shop, "Processing")
    shop.as_mark.ok("PATCH", f"/deals/{deal['id']}", json={"fields": {"paid": True}})

    [run] = shop.as_mark.ok("GET", f"/deals/{deal['id']}/trigger-runs")["items"]
    assert (run["trigger_name"], run["outcome"]) == ("VIP paid", "condition_false")
    assert run["detail"] == "the condition is false: contact.vip"
    assert shop.as_mark.ok("GET", f"/deals/{deal['id']}/trigger-runs?outcome=moved")["items"] == []
    api.ok("GET", f"/leads/{deal['id']}/trigger-runs", 404)
    api.ok("GET", "/deals/999999/trigger-runs", 404)
    partner = api.ok("POST", "/employees", 201, json={"name": "Pat", "is_external": True})
    token = api.ok("POST", "/tokens", 201, json={"employee_id": partner["id"], "role": "employee"})
    as_partner = api.as_(token["token"])
    as_partner.ok("GET", f"/deals/{deal['id']}/trigger-runs", 404)
    own = api.ok("POST", "/deals", 201, json={"title": "Own", "responsible_id": partner["id"]})
    assert as_partner.ok("GET", f"/deals/{own['id']}/trigger-runs")["items"] == []


def test_a_lead_moves_on_a_payment_and_its_runs_are_listed_under_leads(api: Api) -> None:
    pipeline = api.ok(
        "POST",
        "/pipelines",
        201,
        json={
            "entity_type": "lead",
            "name": "Inbound",
            "stages": [{"name": "New"}, {"name": "Qualified"}, {"name": "Paid deposit"}],
        },
    )
    new, _, deposit = (s["id"] for s in pipeline["stages"])
    add_trigger(api, deposit, {"kind": "payment_registered", "min_amount": 50})
    lead = api.ok("POST", "/leads", 201, json={"title": "Website form", "stage_id": new})

    payment = api.ok("POST", f"/leads/{lead['id']}/payments", 201, json={"amount": "50"})

    assert payment["item_id"] == lead["id"]
    assert api.ok("GET", f"/leads/{lead['id']}")["stage_id"] == deposit
    [run] = api.ok("GET", f"/leads/{lead['id']}/trigger-runs")["items"]
    assert (run["outcome"], run["event_data"]["payment_id"]) == ("moved", payment["id"])
    api.ok("GET", f"/deals/{lead['id']}/trigger-runs", 404)
    api.ok("GET", f"/deals/{lead['id']}/payments", 404)
