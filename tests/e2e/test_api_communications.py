"""The communications log through the API: logging on deals, contacts and companies, the
last communication with a client, the filtered log, and bad input that changes nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import quote

import pytest

from conveyor.testing import FakeClock
from tests.e2e.agency import sales_pipeline, token_for
from tests.e2e.conftest import Api


@pytest.fixture
def client(api: Api) -> dict[str, Any]:
    """Company Romashka, its contact Ivan, and a deal with both."""
    sales_pipeline(api)
    company = api.ok("POST", "/companies", 201, json={"name": "Romashka"})
    contact = api.ok("POST", "/contacts", 201, json={"name": "Ivan", "company_id": company["id"]})
    deal = api.ok(
        "POST",
        "/deals",
        201,
        json={"title": "Website", "company_id": company["id"], "contact_id": contact["id"]},
    )
    return {"company": company["id"], "contact": contact["id"], "deal": deal["id"]}


def at(clock: FakeClock, **delta: float) -> str:
    return (clock() + timedelta(**delta)).isoformat()


def test_a_call_logged_on_a_deal_is_the_last_communication_with_its_company_and_contact(
    api: Api, clock: FakeClock, client: dict[str, Any]
) -> None:
    assert api.ok("GET", f"/companies/{client['company']}/last-communication") is None
    call = api.ok(
        "POST",
        "/communications",
        201,
        json={
            "kind": "call",
            "direction": "outgoing",
            "occurred_at": at(clock, hours=-1),
            "subject": "Brief for the website",
            "item_id": client["deal"],
        },
    )
    assert (call["company_id"], call["contact_id"]) == (client["company"], client["contact"])
    admin = api.ok("GET", "/employees")["items"][0]
    assert call["employee_id"] == admin["id"]
    api.ok(
        "POST",
        "/communications",
        201,
        json={"kind": "email", "occurred_at": at(clock, days=-2), "company_id": client["company"]},
    )
    last = api.ok("GET", f"/companies/{client['company']}/last-communication")
    assert last["id"] == call["id"] and last["subject"] == "Brief for the website"
    assert api.ok("GET", f"/contacts/{client['contact']}/last-communication")["id"] == call["id"]
    assert api.get("/companies/999999/last-communication").status_code == 404
    assert api.get("/contacts/999999/last-communication").status_code == 404


def test_the_log_is_newest_first_and_filtered(
    api: Api, clock: FakeClock, client: dict[str, Any]
) -> None:
    def log(kind: str, hours: float, **links: int) -> int:
        body = {"kind": kind, "occurred_at": at(clock, hours=hours), **links}
        return api.ok("POST", "/communications", 201, json=body)["id"]  # type: ignore[no-any-return]

    meeting = log("meeting", -48, company_id=client["company"])
    note = log("note", -24, contact_id=client["contact"])
    message = log("message", -1, item_id=client["deal"])

    def ids(query: str = "") -> list[int]:
        return [c["id"] for c in api.ok("GET", f"/communications?{query}")["items"]]

    assert ids() == [message, note, meeting]
    assert ids(f"company_id={client['company']}") == [message, note, meeting]
    assert ids(f"contact_id={client['contact']}") == [message, note]
    assert ids(f"item_id={client['deal']}") == [message]
    assert ids("kind=note") == [note]
    since, until = quote(at(clock, hours=-30)), quote(at(clock, hours=-1))
    assert ids(f"from={since}&to={until}") == [note]
    assert ids("limit=1&offset=1") == [note]
    response = api.get("/communications?from=2026-03-01T10:00:00")
    assert response.status_code == 422 and response.json()["field"] == "from"
    response = api.get(f"/communications?from={until}&to={since}")
    assert response.status_code == 422 and response.json()["field"] == "to"
    response = api.get("/communications?kind=telegram")
    assert response.status_code == 422 and response.json()["field"] == "kind"


def test_bad_communications_name_the_field_and_log_nothing(
    api: Api, clock: FakeClock, client: dict[str, Any]
) -> None:
    company = client["company"]
    cases: list[tuple[dict[str, Any], str]] = [
        ({"kind": "call"}, "contact_id"),
        ({"kind": "fax", "company_id": company}, "kind"),
        ({"kind": "call", "direction": "sideways", "company_id": company}, "direction"),
        ({"kind": "call", "company_id": 999_999}, "company_id"),
        ({"kind": "call", "contact_id": 999_999}, "contact_id"),
        ({"kind": "call", "item_id": 999_999}, "item_id"),
        ({"kind": "call", "item_id": 2**70}, "item_id"),
        ({"kind": "call", "employee_id": 999_999, "company_id": company}, "employee_id"),
        (
            {"kind": "call", "occurred_at": "2026-03-02T08:00:00", "company_id": company},
            "occurred_at",
        ),
        (
            {"kind": "call", "occurred_at": at(clock, minutes=6), "company_id": company},
            "occurred_at",
        ),
        (
            {"kind": "call", "occurred_at": "0001-01-01T00:00:00+01:00", "company_id": company},
            "occurred_at",
        ),
        ({"kind": "call", "occurred_at": "yesterday", "company_id": company}, "occurred_at"),
        ({"kind": "note", "body": "x" * 20_001, "company_id": company}, "body"),
        ({"kind": "note", "subject": "x" * 501, "company_id": company}, "subject"),
        ({"kind": "note", "company_id": company, "attachments": []}, "attachments"),
    ]
    for body, field in cases:
        response = api.post("/communications", json=body)
        assert response.status_code == 422, (body, response.text)
        assert response.json()["field"] == field, (body, response.json())
    assert api.ok("GET", "/communications")["total"] == 0


def test_partners_have_no_access_to_the_log_but_employees_do(
    api: Api, client: dict[str, Any]
) -> None:
    employee_id, employee = token_for(api, "Wanda Worker")
    _, partner = token_for(api, "Studio Pixel", external=True)
    note = employee.ok(
        "POST", "/communications", 201, json={"kind": "note", "company_id": client["company"]}
    )
    assert note["employee_id"] == employee_id
    assert employee.ok("GET", f"/communications/{note['id']}")["kind"] == "note"
    assert partner.get("/communications").status_code == 403
    assert partner.get(f"/companies/{client['company']}/last-communication").status_code == 403
    response = partner.post(
        "/communications", json={"kind": "note", "company_id": client["company"]}
    )
    assert response.status_code == 403
    assert api.get("/communications/999999").status_code == 404
