"""External partners (freelancers) through the API: they see only their own absences, day
status and deals, and nothing of the lists or the client base."""

from __future__ import annotations

from typing import Any

from tests.e2e.agency import sales_pipeline, token_for
from tests.e2e.conftest import Api


def _vacation(employee_id: int, starts_on: str, ends_on: str) -> dict[str, Any]:
    return {
        "employee_id": employee_id,
        "kind": "vacation",
        "starts_on": starts_on,
        "ends_on": ends_on,
    }


def test_a_partner_sees_only_their_own_absences_and_cannot_probe_others(api: Api) -> None:
    partner_id, partner = token_for(api, "Pavel Partner", external=True)
    ivan_id, ivan = token_for(api, "Ivan Insider")
    own = api.ok("POST", "/absences", 201, json=_vacation(partner_id, "2026-03-02", "2026-03-03"))
    other = api.ok("POST", "/absences", 201, json=_vacation(ivan_id, "2026-03-02", "2026-03-06"))

    listed = partner.ok("GET", "/absences")
    assert [a["id"] for a in listed["items"]] == [own["id"]] and listed["total"] == 1
    assert partner.ok("GET", f"/absences?employee_id={ivan_id}")["total"] == 0
    assert partner.ok("GET", f"/absences/{own['id']}")["id"] == own["id"]
    missing = partner.get("/absences/999999")
    for method, body in (("GET", None), ("PATCH", {"note": "mine"}), ("DELETE", None)):
        hidden = partner.request(method, f"/absences/{other['id']}", json=body)
        assert hidden.status_code == 404 == missing.status_code, method
        assert hidden.json()["type"] == missing.json()["type"]
    assert api.ok("GET", f"/absences/{other['id']}") == other
    assert ivan.ok("GET", "/absences")["total"] == 2


def test_a_partner_sees_only_their_own_working_day_and_presence(api: Api) -> None:
    partner_id, partner = token_for(api, "Pavel Partner", external=True)
    ivan_id, ivan = token_for(api, "Ivan Insider")
    ivan.ok("POST", f"/employees/{ivan_id}/workday", json={"action": "open"})
    opened = partner.ok("POST", f"/employees/{partner_id}/workday", json={"action": "open"})
    day = opened["day"]

    listed = partner.ok("GET", f"/workdays?day={day}")
    assert [w["employee_id"] for w in listed["items"]] == [partner_id] and listed["total"] == 1
    for suffix in ("workday", "workday/history", "presence"):
        assert partner.get(f"/employees/{ivan_id}/{suffix}").status_code == 403, suffix
        assert partner.get(f"/employees/{partner_id}/{suffix}").status_code == 200, suffix
    # Who does not exist is refused the same way, so ids cannot be probed.
    assert partner.get("/employees/999999/workday").status_code == 403
    assert ivan.ok("GET", f"/workdays?day={day}")["total"] == 2
    assert ivan.ok("GET", f"/employees/{partner_id}/presence")


def test_a_partner_has_no_access_to_universal_lists_and_changes_nothing(api: Api) -> None:
    _, partner = token_for(api, "Pavel Partner", external=True)
    universal = api.ok("POST", "/lists", 201, json={"code": "segments", "name": "Segments"})
    lid = universal["id"]
    element = api.ok("POST", f"/lists/{lid}/elements", 201, json={"name": "Retail"})
    eid = element["id"]
    for method, url, body in (
        ("GET", "/lists", None),
        ("GET", f"/lists/{lid}", None),
        ("POST", "/lists", {"code": "mine", "name": "Mine"}),
        ("PATCH", f"/lists/{lid}", {"name": "Renamed"}),
        ("DELETE", f"/lists/{lid}", None),
        ("GET", f"/lists/{lid}/elements", None),
        ("GET", f"/lists/{lid}/elements/{eid}", None),
        ("POST", f"/lists/{lid}/elements", {"name": "Wholesale"}),
        ("PATCH", f"/lists/{lid}/elements/{eid}", {"name": "Renamed"}),
        ("DELETE", f"/lists/{lid}/elements/{eid}", None),
    ):
        assert partner.request(method, url, json=body).status_code == 403, (method, url)
    assert api.ok("GET", "/lists")["total"] == 1
    assert api.ok("GET", f"/lists/{lid}") == universal
    assert api.ok("GET", f"/lists/{lid}/elements")["items"] == [element]


def test_a_partner_can_link_a_task_only_to_their_own_deals(api: Api) -> None:
    sales_pipeline(api)
    partner_id, partner = token_for(api, "Pavel Partner", external=True)
    _, colleague = token_for(api, "Ivan Insider")
    theirs = partner.ok("POST", "/deals", 201, json={"title": "Printing"})
    hidden = colleague.ok("POST", "/deals", 201, json={"title": "Internal"})
    task = {"title": "Call back", "responsible_id": partner_id}

    missing = partner.post("/tasks", json={**task, "item_id": 999999})
    refused = partner.post("/tasks", json={**task, "item_id": hidden["id"]})
    for response in (missing, refused):
        assert (response.status_code, response.json()["field"]) == (422, "item_id")
        assert response.json()["type"].endswith("unknown-reference")
    assert partner.ok("GET", "/tasks")["total"] == 0

    linked = partner.ok("POST", "/tasks", 201, json={**task, "item_id": theirs["id"]})
    relink = partner.patch(f"/tasks/{linked['id']}", json={"item_id": hidden["id"]})
    assert (relink.status_code, relink.json()["field"]) == (422, "item_id")
    assert relink.json()["type"] == missing.json()["type"]
    assert partner.ok("GET", f"/tasks/{linked['id']}")["item_id"] == theirs["id"]
    # Staff may still link any deal.
    assert colleague.ok("POST", "/tasks", 201, json={**task, "item_id": theirs["id"]})


def test_a_partner_cannot_link_clients_to_their_deals_and_nothing_changes(api: Api) -> None:
    sales_pipeline(api)
    _, partner = token_for(api, "Pavel Partner", external=True)
    company = api.ok("POST", "/companies", 201, json={"name": "Romashka"})
    contact = api.ok("POST", "/contacts", 201, json={"name": "Ivan", "email": "i@x.ru"})
    for extra in ({"contact_id": contact["id"]}, {"company_id": company["id"]}):
        response = partner.post("/deals", json={"title": "Printing", **extra})
        assert response.status_code == 403, extra
    assert api.ok("GET", "/deals")["total"] == 0

    deal = partner.ok("POST", "/deals", 201, json={"title": "Printing"})
    for changes in (
        {"contact_id": contact["id"]},
        {"company_id": company["id"]},
        {"company_id": None},
        {"contact_id": 999999},
    ):
        assert partner.patch(f"/deals/{deal['id']}", json=changes).status_code == 403, changes
    again = api.ok("GET", f"/deals/{deal['id']}")
    assert (again["contact_id"], again["company_id"]) == (None, None)
    assert again["updated_at"] == deal["updated_at"]
