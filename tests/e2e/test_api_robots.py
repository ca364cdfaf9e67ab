"""Robots through the API, with the job worker driven by a fake clock: the seed's four
stories (a deal not taken in 10 minutes, a VIP client, a VIP special deal in processing,
an unpaid invoice), and what the robot-runs of a deal say."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from conveyor.api.app import create_app
from conveyor.services import job_kinds
from conveyor.services.bootstrap import create_admin
from conveyor.services.jobs import JobHandlers
from conveyor.storage.unit_of_work import UnitOfWork
from conveyor.testing import FakeClock
from conveyor.workers.job_worker import JobWorker, WorkerOptions
from tests.e2e.conftest import Api

# Friday 6 March 2026, 11:00 in Moscow; Monday 9 March is a day off (8 March moved to it).
FRIDAY_11_MSK = datetime(2026, 3, 6, 8, 0, tzinfo=UTC)
VIP_SPECIAL = 'contact.vip and deal.equipment_type == "special"'


@dataclass(frozen=True, kw_only=True)
class Shop:
    stage: dict[str, int]
    head: int
    mark: int
    as_head: Api
    as_mark: Api


@pytest.fixture
def shop(api: Api) -> Shop:
    return open_shop(api)


def open_shop(api: Api) -> Shop:
    """Sales: Hanna heads the department, Mark sells; contacts may be VIP, deals have an
    equipment type and a paid flag; deals go New → Processing → Payment → Done."""
    stages = [("New", "in_progress"), ("Processing", "in_progress"), ("Payment", "in_progress")]
    stages += [("Done", "success"), ("Lost", "failure")]
    pipeline = api.ok(
        "POST",
        "/pipelines",
        201,
        json={
            "entity_type": "deal",
            "name": "Shop",
            "stages": [{"name": n, "semantics": s} for n, s in stages],
        },
    )
    for entity, code, kind in (
        ("contact", "vip", "boolean"),
        ("deal", "equipment_type", "string"),
        ("deal", "paid", "boolean"),
    ):
        body = {"entity_type": entity, "code": code, "name": code, "type": kind}
        api.ok("POST", "/custom-fields", 201, json=body)
    sales = api.ok("POST", "/departments", 201, json={"name": "Sales"})
    people = {}
    for name in ("Hanna Head", "Mark Manager"):
        body = {"name": name, "department_ids": [sales["id"]]}
        people[name] = api.ok("POST", "/employees", 201, json=body)["id"]
    api.ok("PATCH", f"/departments/{sales['id']}", json={"head_id": people["Hanna Head"]})
    tokens = {
        name: api.ok("POST", "/tokens", 201, json={"employee_id": i, "role": "employee"})
        for name, i in people.items()
    }
    return Shop(
        stage={s["name"]: s["id"] for s in pipeline["stages"]},
        head=people["Hanna Head"],
        mark=people["Mark Manager"],
        as_head=api.as_(tokens["Hanna Head"]["token"]),
        as_mark=api.as_(tokens["Mark Manager"]["token"]),
    )


def work(app_client: TestClient, clock: FakeClock) -> None:
    """What ``conveyor worker`` does, once, at the fake clock's now, with the kinds it
    knows (``services/job_kinds.py``)."""
    sessions = app_client.app.state.sessions  # type: ignore[attr-defined]
    worker = JobWorker(lambda: UnitOfWork(sessions), job_kinds.handlers(), clock=clock)
    try:
        while worker.run_batch()[0]:
            pass
    finally:
        worker.close()


@contextmanager
def served(
    database_url: str, clock: FakeClock, handlers: JobHandlers | None = None
) -> Iterator[Api]:
    """The app as ``conveyor serve`` runs it: its ticker (every second) and its job worker
    (looking every 0.2 s, with the kinds of ``services/job_kinds.py`` unless ``handlers``
    says otherwise), nobody driving either; the API as the admin."""
    app = create_app(
        database_url,
        clock=clock,
        sweep_seconds=1,
        job_options=WorkerOptions(poll_seconds=0.2),
        job_handlers=handlers,
    )
    try:
        with TestClient(app, raise_server_exceptions=False) as client:
            uow = UnitOfWork(app.state.sessions)
            _, secret = create_admin(uow, name="Anna Admin", email="admin@example.com", now=clock())
            yield Api(client, secret)
    finally:
        app.state.engine.dispose()


def wait_for_run(api: Api, deal: Any, state: str, *, advance: timedelta | None = None) -> Any:
    """The deal's only run once it is in ``state`` (15 s at most), moving the fake clock on
    by ``advance`` between looks."""
    deadline = time.monotonic() + 15
    while True:
        [run] = runs_of(api, deal)
        if run["state"] == state or time.monotonic() > deadline:
            return run
        if advance is not None:
            clock_of(api).advance(advance)
        time.sleep(0.2)


def clock_of(api: Api) -> FakeClock:
    return api.client.app.state.clock  # type: ignore[attr-defined,no-any-return]


def add_robot(api: Api, stage_id: int, action: dict[str, Any], **extra: Any) -> Any:
    body = {"name": extra.pop("name", "Robot"), "stage_id": stage_id, "action": action, **extra}
    return api.ok("POST", "/robots", 201, json=body)


def client(api: Api, name: str, *, vip: bool) -> int:
    body = {"name": name, "fields": {"vip": vip}}
    return api.ok("POST", "/contacts", 201, json=body)["id"]  # type: ignore[no-any-return]


def new_deal(api: Api, shop: Shop, stage: str, **extra: Any) -> Any:
    body = {"title": "Kitchen", "stage_id": shop.stage[stage], "responsible_id": shop.mark}
    return api.ok("POST", "/deals", 201, json={**body, **extra})


def feed(as_: Api) -> list[Any]:
    return as_.ok("GET", "/notifications")["items"]  # type: ignore[no-any-return]


def runs_of(api: Api, deal: Any) -> list[Any]:
    return api.ok("GET", f"/deals/{deal['id']}/robot-runs")["items"]  # type: ignore[no-any-return]


def test_a_new_deal_not_taken_within_10_minutes_is_reported_to_the_head(
    api: Api, shop: Shop, app_client: TestClient, clock: FakeClock
) -> None:
    text = "{responsible.name} has not taken deal «{deal.title}» within 10 minutes"
    add_robot(
        api,
        shop.stage["New"],
        {"kind": "control", "text": text},
        name="Not taken in 10 minutes",
        timing={"kind": "after", "amount": 10, "unit": "minutes"},
    )
    forgotten = new_deal(api, shop, "New")
    taken = new_deal(api, shop, "New", title="Wardrobe")
    clock.advance(minutes=4)
    shop.as_mark.ok(
        "POST", f"/deals/{taken['id']}/move", json={"stage_id": shop.stage["Processing"]}
    )

    clock.advance(minutes=5, seconds=59)
    work(app_client, clock)
    assert feed(shop.as_head) == []
    clock.advance(seconds=1)
    work(app_client, clock)

    [control] = feed(shop.as_head)
    assert control["kind"] == "robot_control"
    assert control["subject"] == "Контроль: «Kitchen»"  # Hanna reads Russian
    assert control["text"] == "Mark Manager has not taken deal «Kitchen» within 10 minutes"
    assert control["link"] == {"entity": "deal", "id": forgotten["id"]}
    [fired] = runs_of(api, forgotten)
    assert (fired["state"], fired["reason"]) == ("fired", "done")
    assert fired["detail"] == "notified Hanna Head"
    [cancelled] = runs_of(api, taken)
    assert (cancelled["state"], cancelled["reason"]) == ("cancelled", "left_stage")
    assert feed(shop.as_mark) == []


def test_a_deal_of_a_vip_client_is_told_to_the_head_at_once(api: Api, shop: Shop) -> None:
    text = "VIP client {contact.name}: deal «{deal.title}», responsible {responsible.name}"
    add_robot(
        api,
        shop.stage["New"],
        {"kind": "notify", "to": ["head"], "text": text},
        name="VIP to the head",
        condition="contact.vip",
    )

    new_deal(api, shop, "New", contact_id=client(api, "Ivan Petrov", vip=True))
    ordinary = new_deal(api, shop, "New", contact_id=client(api, "Olga", vip=False))

    [message] = feed(shop.as_head)
    assert message["kind"] == "robot_message"
    assert message["text"] == "VIP client Ivan Petrov: deal «Kitchen», responsible Mark Manager"
    [skipped] = runs_of(api, ordinary)
    assert (skipped["state"], skipped["reason"]) == ("skipped", "condition_false")


def test_the_served_app_fires_a_delayed_robot_by_itself(
    database_url: str, clock: FakeClock
) -> None:
    with served(database_url, clock) as api:
        shop = open_shop(api)
        text = "Deal «{deal.title}» waits"
        after_10 = {"kind": "after", "amount": 10, "unit": "minutes"}
        tell = {"kind": "notify", "to": ["responsible"], "text": text}
        add_robot(api, shop.stage["New"], tell, timing=after_10)
        deal = new_deal(api, shop, "New")
        clock.advance(minutes=10)

        run = wait_for_run(api, deal, "fired")

        assert (run["state"], run["detail"]) == ("fired", "notified Mark Manager")
        assert [m["text"] for m in feed(shop.as_mark)] == ["Deal «Kitchen» waits"]


def test_the_served_app_ends_the_run_of_a_dead_robot_job_as_failed(
    database_url: str, clock: FakeClock
) -> None:
    # Its worker knows no robots (an older version's, say): every attempt fails.
    with served(database_url, clock, JobHandlers()) as api:
        shop = open_shop(api)
        after_10 = {"kind": "after", "amount": 10, "unit": "minutes"}
        tell = {"kind": "notify", "to": ["responsible"], "text": "Hello"}
        add_robot(api, shop.stage["New"], tell, timing=after_10)
        deal = new_deal(api, shop, "New")

        run = wait_for_run(api, deal, "failed", advance=timedelta(hours=2))

        assert (run["state"], run["reason"]) == ("failed", "job_died")
        assert "No handler is registered for job kind 'robot.fire'" in run["detail"]
        assert feed(shop.as_mark) == []


def test_a_vip_special_deal_in_processing_gets_a_task_set_by_the_head(
    api: Api, shop: Shop, clock: FakeClock
) -> None:
    clock.set(FRIDAY_11_MSK)
    add_robot(
        api,
        shop.stage["Processing"],
        {
            "kind": "create_task",
            "title": "Processing a deal with a VIP client",
            "description": "Client {contact.name}, deal «{deal.title}»",
            "responsible": "responsible",
            "creator": "head",
            "deadline_working_days": 3,
            "requires_acceptance": True,
        },
        name="VIP special task",
        condition=VIP_SPECIAL,
    )
    vip = client(api, "Ivan Petrov", vip=True)
    special = new_deal(api, shop, "New", contact_id=vip, fields={"equipment_type": "special"})
    standard = new_deal(api, shop, "New", contact_id=vip, fields={"equipment_type": "standard"})

    for deal in (special, standard):
        api.ok("POST", f"/deals/{deal['id']}/move", json={"stage_id": shop.stage["Processing"]})

    [task] = api.ok("GET", f"/tasks?item_id={special['id']}")["items"]
    assert (task["title"], task["description"]) == (
        "Processing a deal with a VIP client",
        "Client Ivan Petrov, deal «Kitchen»",
    )
    assert (task["responsible_id"], task["creator_id"]) == (shop.mark, shop.head)
    assert task["requires_acceptance"] is True
    # Three working days past the holiday Monday: Thursday 12 March, 11:00 in Moscow.
    assert datetime.fromisoformat(task["deadline"]) == datetime(2026, 3, 12, 8, 0, tzinfo=UTC)
    assert api.ok("GET", f"/tasks?item_id={standard['id']}")["items"] == []
    # Acceptance: Mark's "done" waits for Hanna, who set it.
    done = shop.as_mark.ok("POST", f"/tasks/{task['id']}/actions", json={"action": "complete"})
    assert done["status"] == "awaiting_control"
    accepted = shop.as_head.ok("POST", f"/tasks/{task['id']}/actions", json={"action": "accept"})
    assert accepted["status"] == "completed"


def test_an_unpaid_invoice_is_reminded_sooner_for_a_vip_client(
    api: Api, shop: Shop, app_client: TestClient, clock: FakeClock
) -> None:
    clock.set(FRIDAY_11_MSK)
    text = "Invoice for «{deal.title}» is still unpaid"
    reminder = {"kind": "notify", "to": ["responsible"], "text": text}
    add_robot(
        api,
        shop.stage["Payment"],
        reminder,
        name="VIP: remind in 2 working days",
        condition="contact.vip and not deal.paid",
        timing={"kind": "after_working", "amount": 2, "unit": "days"},
    )
    add_robot(
        api,
        shop.stage["Payment"],
        reminder,
        name="Others: remind in 5 working days",
        condition="not contact.vip and not deal.paid",
        timing={"kind": "after_working", "amount": 5, "unit": "days"},
    )
    vip = new_deal(api, shop, "Payment", contact_id=client(api, "Ivan", vip=True))
    other = new_deal(api, shop, "Payment", title="Sofa", contact_id=client(api, "Olga", vip=False))
    paid_meanwhile = new_deal(api, shop, "Payment", title="Desk")

    pending = {r["robot_name"]: r["due_at"] for r in runs_of(api, vip)}
    assert {k: datetime.fromisoformat(v) for k, v in pending.items()} == {
        # Monday 9 March is a day off: Wednesday 11 and Monday 16 March, 11:00 in Moscow.
        "VIP: remind in 2 working days": datetime(2026, 3, 11, 8, 0, tzinfo=UTC),
        "Others: remind in 5 working days": datetime(2026, 3, 16, 8, 0, tzinfo=UTC),
    }
    api.ok("PATCH", f"/deals/{paid_meanwhile['id']}", json={"fields": {"paid": True}})

    clock.set(datetime(2026, 3, 11, 8, 0, tzinfo=UTC))
    work(app_client, clock)
    assert [m["text"] for m in feed(shop.as_mark)] == ["Invoice for «Kitchen» is still unpaid"]
    clock.set(datetime(2026, 3, 16, 8, 0, tzinfo=UTC))
    work(app_client, clock)

    texts = sorted(m["text"] for m in feed(shop.as_mark))
    assert texts == ["Invoice for «Kitchen» is still unpaid", "Invoice for «Sofa» is still unpaid"]
    states = {r["robot_name"]: (r["state"], r["reason"]) for r in runs_of(api, paid_meanwhile)}
    assert states == {
        "VIP: remind in 2 working days": ("skipped", "condition_false"),
        "Others: remind in 5 working days": ("skipped", "condition_false"),
    }
    assert {r["state"] for r in runs_of(api, other)} == {"fired", "skipped"}


def test_robots_are_listed_in_order_changed_reordered_and_deleted(
    api: Api, shop: Shop, clock: FakeClock
) -> None:
    stage = shop.stage["New"]
    tell = {"kind": "notify", "to": ["responsible"], "text": "Hello"}
    first = add_robot(api, stage, tell, name="First")
    second = add_robot(api, stage, tell, name="Second")
    zeroth = add_robot(api, stage, tell, name="Zeroth", position=0)
    listed = api.ok("GET", f"/robots?stage_id={stage}")
    assert [(r["name"], r["position"]) for r in listed] == [
        ("Zeroth", 0),
        ("First", 1),
        ("Second", 2),
    ]
    assert first["action"] == {"kind": "notify", "to": ["responsible"], "text": "Hello"}
    assert first["timing"] == {
        "kind": "immediately",
        "amount": 0,
        "unit": None,
        "working_hours_only": False,
        "field": None,
        "working": False,
    }

    clock.advance(minutes=1)
    changed = api.ok(
        "PATCH",
        f"/robots/{first['id']}",
        json={
            "timing": {"kind": "after", "amount": 2, "unit": "hours"},
            "action": {"kind": "change_stage", "stage_id": shop.stage["Processing"]},
        },
    )
    assert changed["version"] == 2
    assert changed["action"] == {"kind": "change_stage", "stage_id": shop.stage["Processing"]}
    assert api.ok("PATCH", f"/robots/{first['id']}", json={"name": "First"})["version"] == 2
    order = [second["id"], first["id"], zeroth["id"]]
    reordered = api.ok("POST", "/robots/reorder", json={"stage_id": stage, "robot_ids": order})
    assert [r["id"] for r in reordered] == order
    api.ok("DELETE", f"/robots/{second['id']}", 204)
    listed = api.ok("GET", f"/robots?stage_id={stage}")
    assert [(r["name"], r["position"]) for r in listed] == [("First", 0), ("Zeroth", 1)]
    api.ok("GET", f"/robots/{second['id']}", 404)


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({"condition": "contact.vip and (deal.amount >"}, "condition", "line 1, column"),
        ({"condition": "client.vip"}, "condition", "line 1, column 1"),
        (
            {"action": {"kind": "notify", "to": ["head"], "text": "Hi {client.name}"}},
            "action.text",
            "line 1, column 5",
        ),
        (
            {"action": {"kind": "notify", "to": ["head"], "text": "Hi {deal.title"}},
            "action.text",
            "is not closed",
        ),
        ({"action": {"kind": "notify", "to": ["head"]}}, "action.text", "needs 'text'"),
        (
            {"action": {"kind": "notify", "to": ["head"], "text": "x", "stage_id": 1}},
            "action.stage_id",
            "not a parameter of a notify action",
        ),
        ({"action": {"kind": "notify", "to": [999], "text": "x"}}, "action.to.0", "999"),
        ({"action": {"kind": "change_stage", "stage_id": 999}}, "action.stage_id", "999"),
        (
            {"action": {"kind": "set_field", "field": "paid", "value": "maybe"}},
            "action.value",
            "true or false",
        ),
        ({"action": {"kind": "notify", "to": [True], "text": "x"}}, "action.to.0", ""),
        ({"action": {"kind": "set_field", "field": "nope"}}, "action.field", "nope"),
        (
            {"action": {"kind": "change_responsible"}},
            "action.employee_id",
            "either the employee",
        ),
        ({"timing": {"kind": "after", "amount": 10}}, "timing.unit", "unit"),
        ({"timing": {"kind": "after", "unit": "days"}}, "timing.amount", "1 to 365"),
        ({"timing": {"kind": "immediately", "amount": 5}}, "timing.amount", "no delay"),
        ({"stage_id": 999}, "stage_id", "999"),
    ],
)
def test_a_robot_that_cannot_work_is_refused_naming_the_field(
    api: Api, shop: Shop, body: dict[str, Any], field: str, words: str
) -> None:
    base = {
        "name": "Robot",
        "stage_id": shop.stage["New"],
        "action": {"kind": "notify", "to": ["responsible"], "text": "Hi"},
    }
    problem = api.ok("POST", "/robots", 422, json={**base, **body})
    assert problem["field"] == field
    assert words in problem["detail"]
    assert api.ok("GET", f"/robots?stage_id={shop.stage['New']}") == []


def test_a_robot_cannot_move_a_deal_to_another_pipeline_or_its_own_stage(
    api: Api, shop: Shop
) -> None:
    other = api.ok(
        "POST",
        "/pipelines",
        201,
        json={"entity_type": "deal", "name": "Other", "stages": [{"name": "Elsewhere"}]},
    )
    base = {"name": "Mover", "stage_id": shop.stage["New"]}
    for target in (other["stages"][0]["id"], shop.stage["New"]):
        action = {"kind": "change_stage", "stage_id": target}
        problem = api.ok("POST", "/robots", 422, json={**base, "action": action})
        assert problem["field"] == "action.stage_id"


def test_only_admins_define_robots_and_runs_are_seen_by_whoever_sees_the_deal(
    api: Api, shop: Shop
) -> None:
    tell = {"kind": "notify", "to": ["responsible"], "text": "Hello {deal.title}"}
    body = {"name": "Robot", "stage_id": shop.stage["New"], "action": tell}
    shop.as_mark.ok("POST", "/robots", 403, json=body)
    add_robot(api, shop.stage["New"], tell)
    deal = new_deal(api, shop, "New")

    [run] = shop.as_mark.ok("GET", f"/deals/{deal['id']}/robot-runs")["items"]
    assert run["detail"] == "notified Mark Manager"
    [message] = feed(shop.as_mark)
    assert run["data"] == {"recipient_ids": [shop.mark], "notification_ids": [message["id"]]}
    api.ok("GET", f"/leads/{deal['id']}/robot-runs", 404)
    partner = api.ok("POST", "/employees", 201, json={"name": "Pat", "is_external": True})
    token = api.ok("POST", "/tokens", 201, json={"employee_id": partner["id"], "role": "employee"})
    api.as_(token["token"]).ok("GET", f"/deals/{deal['id']}/robot-runs", 404)


def test_an_external_partner_reads_what_robots_did_on_his_deal_but_not_what_they_said(
    api: Api, shop: Shop
) -> None:
    partner = api.ok("POST", "/employees", 201, json={"name": "Pat", "is_external": True})
    token = api.ok("POST", "/tokens", 201, json={"employee_id": partner["id"], "role": "employee"})
    as_partner = api.as_(token["token"])
    stage = shop.stage["New"]
    said = "Call {contact.name} about «{deal.title}»"
    add_robot(api, stage, {"kind": "notify", "to": [shop.head], "text": said}, name="Tell")
    private = "Between us: {contact.name} pays late"
    add_robot(api, stage, {"kind": "control", "employee_id": shop.head, "text": private})
    task = {"kind": "create_task", "title": "Call {contact.name}", "responsible": shop.head}
    add_robot(api, stage, task, name="Task")
    secret = client(api, "Secret Client Ivanov", vip=False)
    body = {"title": "Kitchen", "stage_id": stage, "responsible_id": partner["id"]}
    deal = api.ok("POST", "/deals", 201, json={**body, "contact_id": secret})

    as_partner.ok("GET", f"/contacts/{secret}", 403)
    runs = as_partner.ok("GET", f"/deals/{deal['id']}/robot-runs")["items"]

    assert [(r["robot_name"], r["state"]) for r in runs] == [
        ("Tell", "fired"),
        ("Robot", "fired"),
        ("Task", "fired"),
    ]
    assert "Ivanov" not in json.dumps(runs)
    assert "Between us" not in json.dumps(runs)
    # What the robots said went to Hanna, and only to her (besides the task set for her).
    texts = sorted(n["text"] for n in feed(shop.as_head) if n["kind"] != "task_assigned")
    assert texts == [
        "Between us: Secret Client Ivanov pays late",
        "Call Secret Client Ivanov about «Kitchen»",
    ]
    [made] = api.ok("GET", f"/tasks?item_id={deal['id']}")["items"]
    assert made["title"] == "Call Secret Client Ivanov"
    assert runs[2]["detail"] == f"created task {made['id']} for Hanna Head"
    assert runs[2]["data"]["task_id"] == made["id"]


def test_a_timing_is_changed_whole_and_a_partial_one_is_refused(api: Api, shop: Shop) -> None:
    after_10 = {"kind": "after", "amount": 10, "unit": "minutes", "working_hours_only": False}
    after_10 |= {"field": None, "working": False}
    tell = {"kind": "notify", "to": ["responsible"], "text": "Hello"}
    robot = add_robot(api, shop.stage["New"], tell, timing=after_10)

    problem = api.ok(
        "PATCH", f"/robots/{robot['id']}", 422, json={"timing": {"working_hours_only": True}}
    )
    assert problem["field"] == "timing.kind"
    # What a timing leaves out takes its default, not the robot's current value.
    partial = {"kind": "after", "working_hours_only": True}
    problem = api.ok("PATCH", f"/robots/{robot['id']}", 422, json={"timing": partial})
    assert problem["field"] == "timing.unit"
    unchanged = api.ok("GET", f"/robots/{robot['id']}")
    assert (unchanged["timing"], unchanged["version"]) == (after_10, 1)

    whole = {**after_10, "working_hours_only": True}
    changed = api.ok("PATCH", f"/robots/{robot['id']}", json={"timing": whole})
    assert (changed["timing"], changed["version"]) == (whole, 2)
    immediate = api.ok("PATCH", f"/robots/{robot['id']}", json={"timing": {"kind": "immediately"}})
    assert immediate["timing"] == {
        "kind": "immediately",
        "amount": 0,
        "unit": None,
        "working_hours_only": False,
        "field": None,
        "working": False,
    }


def test_a_robot_of_a_stage_deleted_with_its_pipeline_goes_with_it(
    api: Api, clock: FakeClock
) -> None:
    pipeline = api.ok(
        "POST",
        "/pipelines",
        201,
        json={"entity_type": "lead", "name": "Leads", "stages": [{"name": "Fresh"}]},
    )
    stage = pipeline["stages"][0]["id"]
    robot = add_robot(
        api,
        stage,
        {"kind": "notify", "to": ["responsible"], "text": "New lead {lead.title}"},
        timing={"kind": "after", "amount": 1, "unit": "hours"},
    )
    assert robot["entity_type"] == "lead"
    clock.advance(timedelta(minutes=1))
    api.ok("DELETE", f"/pipelines/{pipeline['id']}", 204)
    api.ok("GET", f"/robots/{robot['id']}", 404)


def test_a_new_lead_is_told_to_its_responsible_and_its_runs_are_listed(
    api: Api, shop: Shop
) -> None:
    pipeline = api.ok(
        "POST",
        "/pipelines",
        201,
        json={"entity_type": "lead", "name": "Leads", "stages": [{"name": "Fresh"}]},
    )
    stage = pipeline["stages"][0]["id"]
    add_robot(
        api, stage, {"kind": "notify", "to": ["responsible"], "text": "New lead {lead.title}"}
    )
    lead = api.ok(
        "POST",
        "/leads",
        201,
        json={"title": "Call me", "stage_id": stage, "responsible_id": shop.mark},
    )

    [message] = feed(shop.as_mark)
    assert message["text"] == "New lead Call me"
    assert message["link"] == {"entity": "lead", "id": lead["id"]}
    [run] = api.ok("GET", f"/leads/{lead['id']}/robot-runs?state=fired")["items"]
    assert run["reason"] == "done"
    assert api.ok("GET", f"/leads/{lead['id']}/robot-runs?state=scheduled")["items"] == []
