"""The notification feed over the API: a deal assigned by a rule shows in its assignee's feed,
a long wait in the head's; each employee reads and counts only their own; admins subscribe
webhooks; and a served app emails the assignee by itself, while a mail server that hangs
holds up nothing else."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from conveyor.api.app import create_app
from conveyor.domain.notifications import Channel
from conveyor.outbound import Outgoing, SmtpConfig, SmtpSender
from conveyor.services.assignment_queue import sweep_assignments
from conveyor.services.bootstrap import create_admin
from conveyor.services.deliveries import Dispatch
from conveyor.storage.unit_of_work import UnitOfWork
from conveyor.testing import FakeClock, FakeSender
from tests.e2e.agency import sales_pipeline
from tests.e2e.conftest import Api
from tests.integration.outside import SmtpInbox, smtp_inbox

__all__ = ["smtp_inbox"]


def person(api: Api, name: str, role: str = "employee", **fields: Any) -> tuple[int, Api]:
    employee = api.ok("POST", "/employees", 201, json={"name": name, **fields})
    token = api.ok("POST", "/tokens", 201, json={"employee_id": employee["id"], "role": role})
    return employee["id"], api.as_(token["token"])


@pytest.fixture
def studio(api: Api) -> dict[str, Any]:
    """Design: head Hanna (Russian); Vera (Russian) and John (English) take prepaid deals,
    one deal each at most; the rule escalates after 30 minutes of waiting."""
    pipeline = sales_pipeline(api)
    stage = pipeline["stage"]
    design = api.ok("POST", "/departments", 201, json={"name": "Design"})["id"]
    hanna, hanna_api = person(api, "Hanna Head", "head", department_ids=[design])
    api.ok("PATCH", f"/departments/{design}", json={"head_id": hanna})
    vera, vera_api = person(api, "Vera", department_ids=[design], email="vera@agency.example")
    john, john_api = person(api, "John", department_ids=[design], language="en")
    rule = api.ok(
        "POST",
        "/assignment-rules",
        201,
        json={
            "name": "Designers take prepaid deals",
            "entity_type": "deal",
            "pipeline_id": pipeline["id"],
            "trigger_stage_id": stage["Prepayment received"],
            "department_ids": [design],
            "exclude_heads": True,
            "default_capacity_points": 1,
            "in_work_stage_ids": [stage["Prepayment received"]],
            "escalate_after_minutes": 30,
        },
    )
    return {
        "stage": stage,
        "rule": rule,
        "ids": {"Hanna": hanna, "Vera": vera, "John": john},
        "as": {"Hanna": hanna_api, "Vera": vera_api, "John": john_api},
    }


def prepaid(api: Api, studio: dict[str, Any], title: str) -> dict[str, Any]:
    body = {"title": title, "stage_id": studio["stage"]["Prepayment received"]}
    return api.ok("POST", "/deals", 201, json=body)  # type: ignore[no-any-return]


def feed(api: Api, **params: Any) -> dict[str, Any]:
    return api.ok("GET", "/notifications", params=params)  # type: ignore[no-any-return]


def test_a_deal_assigned_by_a_rule_shows_in_its_assignees_feed_in_their_language(
    api: Api, studio: dict[str, Any]
) -> None:
    shop, site = prepaid(api, studio, "Shop"), prepaid(api, studio, "Site")
    owners = {shop["responsible_id"], site["responsible_id"]}
    assert owners == {studio["ids"]["Vera"], studio["ids"]["John"]}
    by_name = {studio["ids"]["Vera"]: "Vera", studio["ids"]["John"]: "John"}
    deals = {by_name[d["responsible_id"]]: d for d in (shop, site)}
    vera = feed(studio["as"]["Vera"])
    assert (vera["total"], vera["unread"], vera["language"]) == (1, 1, "ru")
    [line] = vera["items"]
    title = deals["Vera"]["title"]
    assert line["kind"] == "item_assigned"
    assert line["link"] == {"entity": "deal", "id": deals["Vera"]["id"]}
    assert line["subject"] == f"Сделка «{title}» теперь ваша"
    decision = api.ok("GET", f"/deals/{deals['Vera']['id']}/assignment")
    assert line["text"] == f"Сделка «{title}» теперь ваша: {decision['sentence']}"
    assert line["params"]["decision_id"] == decision["id"]
    assert (line["read"], line["read_at"]) == (False, None)
    john = feed(studio["as"]["John"])
    assert john["language"] == "en"
    assert john["items"][0]["subject"] == f"Deal «{deals['John']['title']}» is yours"
    # The client may ask for another language we speak.
    vera_api = studio["as"]["Vera"]
    response = vera_api.client.get(
        "/notifications", headers={**vera_api.headers, "Accept-Language": "en-GB,ru;q=0.5"}
    )
    english = response.json()
    assert english["language"] == "en"
    assert english["items"][0]["subject"] == f"Deal «{title}» is yours"
    assert feed(studio["as"]["Hanna"])["total"] == 0


def test_a_deal_waiting_too_long_shows_in_the_heads_feed(
    api: Api, studio: dict[str, Any], clock: FakeClock, app_client: TestClient
) -> None:
    prepaid(api, studio, "Shop")
    prepaid(api, studio, "Site")
    waiting = prepaid(api, studio, "Landing")  # both designers are full: it waits
    assert waiting["responsible_id"] not in studio["ids"].values()
    clock.advance(timedelta(minutes=31))
    uow = UnitOfWork(app_client.app.state.sessions)  # type: ignore[attr-defined]
    assert sweep_assignments(uow, now=clock()).escalated == 1
    hanna = feed(studio["as"]["Hanna"])
    [line] = hanna["items"]
    assert line["kind"] == "assignment_escalated"
    assert line["link"] == {"entity": "deal", "id": waiting["id"]}
    assert line["text"] == (
        "Сделка «Landing» ждёт исполнителя 31 мин по правилу «Designers take prepaid deals»"
    )
    assert line["params"]["rule_id"] == studio["rule"]["id"]
    assert sweep_assignments(uow, now=clock()).escalated == 0
    assert feed(studio["as"]["Hanna"])["total"] == 1


def test_reading_notifications_one_by_one_and_all_at_once(
    api: Api, studio: dict[str, Any], clock: FakeClock
) -> None:
    hanna = studio["as"]["Hanna"]
    vera_id, vera = studio["ids"]["Vera"], studio["as"]["Vera"]
    for text in ("First", "Second", "Third"):
        hanna.ok("POST", "/notifications", 201, json={"recipient_ids": [vera_id], "text": text})
        clock.advance(timedelta(minutes=1))
    lines = feed(vera)["items"]
    assert [line["text"] for line in lines] == ["Third", "Second", "First"]
    assert lines[0]["subject"] == "Сообщение"
    assert lines[0]["params"] == {"text": "Third", "sender_id": studio["ids"]["Hanna"]}
    assert vera.ok("GET", "/notifications/unread-count") == {"unread": 3}
    read = vera.ok("POST", f"/notifications/{lines[1]['id']}/read")
    assert (read["read"], read["read_at"]) == (True, "2026-03-02T09:03:00Z")
    clock.advance(timedelta(minutes=1))
    again = vera.ok("POST", f"/notifications/{lines[1]['id']}/read")
    assert again["read_at"] == read["read_at"]
    assert vera.ok("GET", "/notifications/unread-count") == {"unread": 2}
    unread = feed(vera, unread="true")
    assert [line["text"] for line in unread["items"]] == ["Third", "First"]
    assert (unread["total"], unread["unread"]) == (2, 2)
    assert [line["text"] for line in feed(vera, limit=1, offset=1)["items"]] == ["Second"]
    assert vera.ok("POST", "/notifications/read-all") == {"marked": 2}
    assert vera.ok("POST", "/notifications/read-all") == {"marked": 0}
    assert vera.ok("GET", "/notifications/unread-count") == {"unread": 0}
    assert vera.ok("GET", f"/notifications/{lines[0]['id']}")["read"] is True


def test_an_employee_sees_only_their_own_notifications_and_deliveries(
    api: Api, studio: dict[str, Any]
) -> None:
    hanna, vera, john = (studio["as"][n] for n in ("Hanna", "Vera", "John"))
    # The integration's URL carries its own key: a bearer secret only admins may see.
    secret_url = "https://chat.example/hook?key=s3cr3t"
    api.ok("POST", "/webhooks", 201, json={"name": "Chat", "url": secret_url})
    sent = hanna.ok(
        "POST", "/notifications", 201, json={"recipient_ids": [studio["ids"]["Vera"]], "text": "Hi"}
    )
    [notification_id] = sent["notification_ids"]
    for method, url in (
        ("GET", f"/notifications/{notification_id}"),
        ("POST", f"/notifications/{notification_id}/read"),
        ("GET", f"/notifications/{notification_id}/deliveries"),
    ):
        assert john.request(method, url).status_code == 404, url
    assert john.ok("POST", "/notifications/read-all") == {"marked": 0}
    assert vera.ok("GET", "/notifications/unread-count") == {"unread": 1}
    # Vera has an email: one delivery, pending, no attempt yet; she and an admin may see it.
    # The webhook's delivery (its URL, its errors) only the admin sees.
    [delivery] = vera.ok("GET", f"/notifications/{notification_id}/deliveries")
    assert delivery["channel"] == "email" and delivery["address"] == "vera@agency.example"
    assert (delivery["state"], delivery["attempts"], delivery["history"]) == ("pending", 0, [])
    email, hook = api.ok("GET", f"/notifications/{notification_id}/deliveries")
    assert email == delivery
    assert (hook["channel"], hook["address"]) == ("webhook", secret_url)
    assert hanna.request("GET", f"/notifications/{notification_id}/deliveries").status_code == 404
    assert vera.request("GET", "/notifications/999999").status_code == 404


def test_only_heads_and_admins_write_messages_and_only_to_active_employees(
    api: Api, studio: dict[str, Any]
) -> None:
    vera_id = studio["ids"]["Vera"]
    refused = studio["as"]["John"].post(
        "/notifications", json={"recipient_ids": [vera_id], "text": "Hi"}
    )
    assert refused.status_code == 403
    unknown = api.post("/notifications", json={"recipient_ids": [vera_id, 999999], "text": "Hi"})
    assert unknown.status_code == 422 and unknown.json()["field"] == "recipient_ids.1"
    empty = api.post("/notifications", json={"recipient_ids": [vera_id], "text": "  "})
    assert empty.status_code == 422
    assert studio["as"]["Vera"].ok("GET", "/notifications/unread-count") == {"unread": 0}


def test_admins_subscribe_webhooks_and_see_the_secret_once(
    api: Api, studio: dict[str, Any]
) -> None:
    body = {"name": "CRM", "url": "https://crm.example/hook", "kinds": ["item_assigned"]}
    created = api.ok("POST", "/webhooks", 201, json=body)
    assert created["secret"].startswith("whsec_") and len(created["secret"]) > 30
    assert created["secret_hint"] == created["secret"][:10] + "…"
    shown = api.ok("GET", f"/webhooks/{created['id']}")
    assert "secret" not in shown and shown["kinds"] == ["item_assigned"]
    assert api.ok("GET", "/webhooks")["total"] == 1
    changed = api.ok("PATCH", f"/webhooks/{created['id']}", json={"active": False, "kinds": []})
    assert (changed["active"], changed["kinds"]) == (False, [])
    renewed = api.ok("POST", f"/webhooks/{created['id']}/secret")
    assert renewed["secret"] != created["secret"]
    for bad, field in (
        ({**body, "url": "ftp://crm.example"}, "url"),
        ({**body, "kinds": ["item_assigned", "fireworks"]}, "kinds.1"),
    ):
        refused = api.post("/webhooks", json=bad)
        assert refused.status_code == 422 and refused.json()["field"] == field
    assert studio["as"]["Hanna"].post("/webhooks", json=body).status_code == 403
    assert studio["as"]["Vera"].get("/webhooks").status_code == 403
    api.ok("DELETE", f"/webhooks/{created['id']}", 204)
    assert api.get(f"/webhooks/{created['id']}").status_code == 404


def test_an_employee_has_a_phone_and_a_language(api: Api) -> None:
    created = api.ok("POST", "/employees", 201, json={"name": "Ivan", "phone": "+79161234567"})
    assert (created["phone"], created["language"]) == ("+79161234567", "ru")
    changed = api.ok("PATCH", f"/employees/{created['id']}", json={"language": "en", "phone": None})
    assert (changed["phone"], changed["language"]) == (None, "en")
    for bad, field in (({"phone": "8 916 123"}, "phone"), ({"language": "de"}, "language")):
        refused = api.patch(f"/employees/{created['id']}", json=bad)
        assert refused.status_code == 422 and refused.json()["field"] == field
    assert api.patch(f"/employees/{created['id']}", json={"language": None}).status_code == 422


@pytest.fixture
def serving(
    database_url: str, clock: FakeClock, smtp_inbox: SmtpInbox
) -> Iterator[tuple[Api, SmtpInbox]]:
    smtp = SmtpSender(
        SmtpConfig(host="127.0.0.1", port=smtp_inbox.port, sender="crm@agency.example")
    )
    app = create_app(
        database_url,
        clock=clock,
        sweep_seconds=60,
        dispatch=Dispatch(senders={Channel.EMAIL: smtp}),
        delivery_seconds=1,
    )
    with TestClient(app, raise_server_exceptions=False) as client:
        uow = UnitOfWork(app.state.sessions)
        _, secret = create_admin(uow, name="Anna Admin", email="admin@example.com", now=clock())
        yield Api(client, secret), smtp_inbox
    app.state.engine.dispose()


def test_the_served_app_emails_the_assignee_by_itself(
    serving: tuple[Api, SmtpInbox], clock: FakeClock
) -> None:
    api, inbox = serving
    pipeline = sales_pipeline(api)
    stage = pipeline["stage"]
    vera, _ = person(api, "Vera", email="vera@agency.example", language="en")
    api.ok(
        "POST",
        "/assignment-rules",
        201,
        json={
            "name": "Paid deals to Vera",
            "entity_type": "deal",
            "pipeline_id": pipeline["id"],
            "trigger_stage_id": stage["Prepayment received"],
            "employee_ids": [vera],
        },
    )
    deal = api.ok(
        "POST", "/deals", 201, json={"title": "Shop", "stage_id": stage["Prepayment received"]}
    )
    assert deal["responsible_id"] == vera
    deadline = time.monotonic() + 15
    while not inbox.mails and time.monotonic() < deadline:
        time.sleep(0.1)
    [mail] = inbox.mails
    assert mail.recipients == ["vera@agency.example"]
    assert mail.message["Subject"] == "Deal «Shop» is yours"
    assert mail.body.startswith(f"Deal «Shop» is yours: Deal {deal['id']} went to Vera")


class HangingMailServer(FakeSender):
    """Takes a message and does not answer until ``answer`` is set."""

    def __init__(self) -> None:
        super().__init__(Channel.EMAIL)
        self.busy = threading.Event()
        self.answer = threading.Event()

    def send(self, message: Outgoing) -> None:
        self.busy.set()
        self.answer.wait(30)
        super().send(message)


def test_a_hanging_mail_server_does_not_hold_up_the_sweep_and_its_escalations(
    database_url: str, clock: FakeClock
) -> None:
    mail = HangingMailServer()
    app = create_app(
        database_url,
        clock=clock,
        sweep_seconds=0.2,
        dispatch=Dispatch(senders={Channel.EMAIL: mail}),
        delivery_seconds=0.2,
        run_jobs=False,
    )
    try:
        with TestClient(app, raise_server_exceptions=False) as client:
            _, secret = create_admin(
                UnitOfWork(app.state.sessions), name="Anna", email="admin@example.com", now=clock()
            )
            api = Api(client, secret)
            pipeline = sales_pipeline(api)
            paid = pipeline["stage"]["Prepayment received"]
            design = api.ok("POST", "/departments", 201, json={"name": "Design"})["id"]
            hanna, hanna_api = person(api, "Hanna Head", "head", department_ids=[design])
            api.ok("PATCH", f"/departments/{design}", json={"head_id": hanna})
            person(api, "Vera", department_ids=[design], email="vera@agency.example")
            api.ok(
                "POST",
                "/assignment-rules",
                201,
                json={
                    "name": "Designers take prepaid deals",
                    "entity_type": "deal",
                    "pipeline_id": pipeline["id"],
                    "trigger_stage_id": paid,
                    "department_ids": [design],
                    "exclude_heads": True,
                    "default_capacity_points": 1,
                    "in_work_stage_ids": [paid],
                    "escalate_after_minutes": 30,
                },
            )
            api.ok("POST", "/deals", 201, json={"title": "Shop", "stage_id": paid})
            # Vera's email is being sent, and the mail server does not answer.
            assert mail.busy.wait(10)
            waiting = api.ok("POST", "/deals", 201, json={"title": "Site", "stage_id": paid})
            clock.advance(timedelta(minutes=31))
            deadline = time.monotonic() + 10
            while feed(hanna_api)["total"] == 0 and time.monotonic() < deadline:
                time.sleep(0.1)
            [line] = feed(hanna_api)["items"]
            assert line["kind"] == "assignment_escalated"
            assert line["link"] == {"entity": "deal", "id": waiting["id"]}
            assert mail.sent == []  # still hanging
            mail.answer.set()
    finally:
        mail.answer.set()
        app.state.engine.dispose()
