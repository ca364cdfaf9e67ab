"""The newer robots through the API: timed by a date field of the deal (and following it
when it changes), the seed's material chain (acceptance not finished in a day → two
co-executors), the other actions saved and shown as sent, every bad one refused naming
its field, and the OpenAPI document telling all of it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from conveyor.testing import FakeClock
from tests.e2e.conftest import Api
from tests.e2e.test_api_robots import Shop, add_robot, new_deal, open_shop, runs_of, work

# Friday 6 March 2026, 11:00 in Moscow; Monday 9 March is a day off (8 March moved to it).
FRIDAY_11_MSK = datetime(2026, 3, 6, 8, 0, tzinfo=UTC)
TELL = {"kind": "notify", "to": ["responsible"], "text": "Payment of «{deal.title}» is due"}


@pytest.fixture
def shop(api: Api) -> Shop:
    opened = open_shop(api)
    for code, kind in (("pay_day", "date"), ("pay_by", "datetime")):
        body = {"entity_type": "deal", "code": code, "name": code, "type": kind}
        api.ok("POST", "/custom-fields", 201, json=body)
    return opened


def test_a_reminder_a_working_day_before_the_payment_day_follows_the_day(
    api: Api, shop: Shop, app_client: TestClient, clock: FakeClock
) -> None:
    clock.set(FRIDAY_11_MSK)
    timing = {
        "kind": "before_field",
        "field": "pay_day",
        "amount": 1,
        "unit": "days",
        "working": True,
    }
    robot = add_robot(api, shop.stage["Payment"], TELL, name="Day before", timing=timing)
    assert robot["timing"] == {**timing, "working_hours_only": False}

    deal = new_deal(api, shop, "Payment", fields={"pay_day": "2026-03-11"})
    [run] = runs_of(api, deal)
    # Wednesday 11 March starts at 00:00 in Moscow: the working day before is Tuesday
    # (Monday is a day off), from its opening.
    assert (run["state"], run["due_at"]) == ("scheduled", "2026-03-10T06:00:00Z")

    api.ok("PATCH", f"/deals/{deal['id']}", json={"fields": {"pay_day": "2026-03-13"}})
    [run] = runs_of(api, deal)
    assert run["due_at"] == "2026-03-12T06:00:00Z"
    clock.set(datetime(2026, 3, 10, 6, 0, tzinfo=UTC))
    work(app_client, clock)
    assert runs_of(api, deal)[0]["state"] == "scheduled"

    api.ok("PATCH", f"/deals/{deal['id']}", json={"fields": {"pay_day": None}})
    [run] = runs_of(api, deal)
    assert (run["state"], run["reason"]) == ("skipped", "field_empty")


def test_a_robot_at_an_empty_field_is_skipped_saying_which(api: Api, shop: Shop) -> None:
    add_robot(api, shop.stage["New"], TELL, timing={"kind": "at_field", "field": "pay_by"})

    deal = new_deal(api, shop, "New")

    [run] = runs_of(api, deal)
    assert (run["state"], run["reason"], run["detail"]) == (
        "skipped",
        "field_empty",
        "field 'pay_by' is empty",
    )


def test_acceptance_not_finished_in_a_day_brings_two_co_executors(
    api: Api, shop: Shop, app_client: TestClient, clock: FakeClock
) -> None:
    clock.set(FRIDAY_11_MSK)
    helpers = [
        api.ok("POST", "/employees", 201, json={"name": name, "position": "Storekeeper"})["id"]
        for name in ("Stas", "Sveta")
    ]
    task_robot = add_robot(
        api,
        shop.stage["Payment"],
        {
            "kind": "create_task",
            "title": "Accept the material for «{deal.title}»",
            "creator": "head",
            "requires_acceptance": True,
        },
        name="Acceptance",
    )
    add_robot(
        api,
        shop.stage["Payment"],
        {"kind": "add_co_executors", "employees": helpers, "task_robot_id": task_robot["id"]},
        name="Help with the acceptance",
        timing={"kind": "after_working", "amount": 1, "unit": "days"},
    )
    deal = new_deal(api, shop, "Payment")
    [task] = api.ok("GET", f"/tasks?item_id={deal['id']}")["items"]
    shop.as_mark.ok("POST", f"/tasks/{task['id']}/actions", json={"action": "complete"})

    clock.set(datetime(2026, 3, 10, 8, 0, tzinfo=UTC))  # Tuesday 11:00: a working day later
    work(app_client, clock)

    task = api.ok("GET", f"/tasks/{task['id']}")
    assert (task["status"], task["co_executor_ids"]) == ("awaiting_control", sorted(helpers))
    helper_run = [r for r in runs_of(api, deal) if r["robot_name"] == "Help with the acceptance"]
    assert helper_run[0]["detail"] == f"added Stas, Sveta to task(s) {task['id']}"


def test_the_other_new_actions_are_saved_as_sent(api: Api, shop: Shop) -> None:
    leads = api.ok(
        "POST",
        "/pipelines",
        201,
        json={"entity_type": "lead", "name": "Leads", "stages": [{"name": "Fresh"}]},
    )
    api.ok("POST", "/employees", 201, json={"name": "Vera", "position": "Chief accountant"})
    hook = api.ok("POST", "/webhooks", 201, json={"name": "ERP", "url": "https://erp.example/in"})
    stage = shop.stage["Done"]
    actions: list[dict[str, Any]] = [
        {
            "kind": "create_item",
            "entity_type": "lead",
            "pipeline_id": leads["id"],
            "title": "Upsell to {contact.name}",
            "responsible": "head",
            "copy_clients": False,
        },
        {
            "kind": "send_email",
            "to": ["contact.email", {"position": "Chief accountant"}],
            "subject": "Thank you",
            "text": "Dear {contact.name}, thank you.",
        },
        {"kind": "send_sms", "to": ["contact.phone", "head"], "text": "Done: {deal.title}"},
        {"kind": "webhook", "webhook_id": hook["id"]},
        {"kind": "shift_deadline", "amount": 2, "unit": "hours", "working": False},
        {"kind": "start_process", "process": "after-sale.survey"},
        {
            "kind": "notify",
            "to": [{"position": "chief accountant", "within": "department"}],
            "text": "Closed",
        },
    ]
    for action in actions:
        saved = add_robot(api, stage, action, name=action["kind"])
        assert saved["action"]["kind"] == action["kind"]
    shown = {r["name"]: r["action"] for r in api.ok("GET", f"/robots?stage_id={stage}")}
    assert shown["create_item"] == {**actions[0], "stage_id": None, "fields": {}}
    assert shown["send_email"]["to"][1] == {"position": "Chief accountant", "within": "company"}
    assert shown["webhook"] == {"kind": "webhook", "webhook_id": hook["id"], "url": None}
    assert shown["shift_deadline"]["task_robot_id"] is None


def test_an_email_to_the_client_is_queued_with_the_move_and_admins_see_its_delivery(
    api: Api, shop: Shop
) -> None:
    email = {
        "kind": "send_email",
        "to": ["contact.email"],
        "subject": "Your order «{deal.title}»",
        "text": "Dear {contact.name}, your invoice is attached.",
    }
    add_robot(api, shop.stage["Payment"], email, name="Invoice to the client")
    body = {"name": "Ivan Petrov", "email": "ivan@client.example", "fields": {"vip": False}}
    ivan = api.ok("POST", "/contacts", 201, json=body)["id"]

    deal = new_deal(api, shop, "Payment", contact_id=ivan)

    [run] = runs_of(api, deal)
    assert (run["state"], run["detail"]) == ("fired", "emailed the contact")
    [delivery] = api.ok("GET", f"/robot-runs/{run['id']}/deliveries")
    assert (delivery["channel"], delivery["address"], delivery["state"]) == (
        "email",
        "ivan@client.example",
        "pending",
    )
    assert delivery["history"] == []
    shop.as_mark.ok("GET", f"/robot-runs/{run['id']}/deliveries", 403)
    # Mark reads what the robot did on his deal, not the client's address.
    [seen] = shop.as_mark.ok("GET", f"/deals/{deal['id']}/robot-runs")["items"]
    assert "ivan@client.example" not in str(seen)


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({"timing": {"kind": "at_field", "field": "nope"}}, "timing.field", "not a field"),
        ({"timing": {"kind": "at_field", "field": "paid"}}, "timing.field", "boolean"),
        ({"timing": {"kind": "at_field"}}, "timing.field", "Name the date field"),
        (
            {"timing": {"kind": "at_field", "field": "pay_by", "amount": 2, "unit": "hours"}},
            "timing.amount",
            "no delay",
        ),
        (
            {"timing": {"kind": "after", "amount": 2, "unit": "hours", "working": True}},
            "timing.working",
            "after_working",
        ),
        (
            {"timing": {"kind": "before_field", "field": "pay_by", "amount": 2}},
            "timing.unit",
            "unit",
        ),
        (
            {"action": {"kind": "notify", "to": [{"position": "Astronaut"}], "text": "x"}},
            "action.to.0.position",
            "Astronaut",
        ),
        (
            {
                "action": {
                    "kind": "notify",
                    "to": [{"position": "x", "within": "city"}],
                    "text": "x",
                }
            },
            "action.to.0.within",
            "department",
        ),
        (
            {"action": {"kind": "send_sms", "to": ["contact.email"], "text": "x"}},
            "action.to.0",
            "contact.phone",
        ),
        ({"action": {"kind": "send_email", "to": ["head"], "text": "x"}}, "action.subject", ""),
        ({"action": {"kind": "webhook", "webhook_id": 999}}, "action.webhook_id", "999"),
        (
            {"action": {"kind": "webhook", "webhook_id": 1, "url": "ftp://erp.example"}},
            "action.url",
            "http",
        ),
        ({"action": {"kind": "start_process", "process": "a b"}}, "action.process", "key"),
        ({"action": {"kind": "shift_deadline", "amount": 2, "unit": "weeks"}}, "action.unit", ""),
        ({"action": {"kind": "add_co_executors", "employees": []}}, "action.employees", "1 to"),
        (
            {"action": {"kind": "add_co_executors", "employees": [999]}},
            "action.employees.0",
            "999",
        ),
    ],
)
def test_a_new_robot_that_cannot_work_is_refused_naming_the_field(
    api: Api, shop: Shop, body: dict[str, Any], field: str, words: str
) -> None:
    api.ok("POST", "/webhooks", 201, json={"name": "ERP", "url": "https://erp.example/in"})
    base = {"name": "Robot", "stage_id": shop.stage["New"], "action": TELL}
    problem = api.ok("POST", "/robots", 422, json={**base, **body})
    assert problem["field"] == field
    assert words in problem["detail"]
    assert api.ok("GET", f"/robots?stage_id={shop.stage['New']}") == []


def test_an_item_to_create_is_checked_against_its_pipeline_stage_and_fields(
    api: Api, shop: Shop
) -> None:
    leads = api.ok(
        "POST",
        "/pipelines",
        201,
        json={"entity_type": "lead", "name": "Leads", "stages": [{"name": "Fresh"}]},
    )
    body = {"name": "Spawn", "stage_id": shop.stage["Done"]}
    lead = {"kind": "create_item", "entity_type": "lead", "title": "t"}
    cases = [
        ({**lead, "pipeline_id": 9999}, "action.pipeline_id"),
        # A deal pipeline for a lead.
        ({**lead, "pipeline_id": _pipeline_of(api, shop)}, "action.pipeline_id"),
        ({**lead, "pipeline_id": leads["id"], "stage_id": shop.stage["New"]}, "action.stage_id"),
        ({**lead, "pipeline_id": leads["id"], "fields": {"nope": 1}}, "action.fields.nope"),
        (
            {
                **lead,
                "entity_type": "deal",
                "pipeline_id": _pipeline_of(api, shop),
                "fields": {"paid": "no"},
            },
            "action.fields.paid",
        ),
    ]
    for action, field in cases:
        problem = api.ok("POST", "/robots", 422, json={**body, "action": action})
        assert problem["field"] == field, (action, problem)


def test_a_task_robot_named_must_be_one_that_creates_tasks(api: Api, shop: Shop) -> None:
    notifier = add_robot(api, shop.stage["New"], TELL)
    action = {"kind": "shift_deadline", "amount": 1, "task_robot_id": notifier["id"]}
    problem = api.ok(
        "POST",
        "/robots",
        422,
        json={"name": "Shift", "stage_id": shop.stage["New"], "action": action},
    )
    assert problem["field"] == "action.task_robot_id"
    assert "does not create tasks" in problem["detail"]


def test_a_robot_is_changed_to_a_field_timing_and_back(api: Api, shop: Shop) -> None:
    robot = add_robot(api, shop.stage["New"], TELL)
    at = {"kind": "at_field", "field": "created_at"}
    changed = api.ok("PATCH", f"/robots/{robot['id']}", json={"timing": at})
    assert (changed["timing"]["kind"], changed["timing"]["field"], changed["version"]) == (
        "at_field",
        "created_at",
        2,
    )
    back = api.ok("PATCH", f"/robots/{robot['id']}", json={"timing": {"kind": "immediately"}})
    assert (back["timing"]["field"], back["version"]) == (None, 3)


def test_the_openapi_document_tells_the_new_timings_and_actions(api: Api) -> None:
    document = api.ok("GET", "/openapi.json")
    schemas = document["components"]["schemas"]
    assert {"at_field", "before_field", "after_field"} <= set(schemas["TimingKind"]["enum"])
    kinds = set(schemas["ActionKind"]["enum"])
    assert {
        "create_item",
        "add_co_executors",
        "shift_deadline",
        "send_email",
        "send_sms",
        "webhook",
        "start_process",
    } <= kinds
    action = schemas["ActionIn"]["properties"]
    assert {"subject", "employees", "task_robot_id", "webhook_id", "process", "fields"} <= set(
        action
    )
    assert {"field", "working"} <= set(schemas["TimingIn"]["properties"])


def _pipeline_of(api: Api, shop: Shop) -> int:
    """The shop's deal pipeline."""
    [pipeline] = [
        p
        for p in api.ok("GET", "/pipelines?entity_type=deal")
        if shop.stage["New"] in [s["id"] for s in p["stages"]]
    ]
    return int(pipeline["id"])
