"""Companies and contacts through the API: custom fields, search, deletion rules, access."""

from __future__ import annotations

from typing import Any

from conveyor.storage.unit_of_work import UnitOfWork
from tests.e2e.agency import sales_pipeline, token_for
from tests.e2e.conftest import Api


def company_field(api: Api, code: str, type_: str, **extra: Any) -> dict[str, Any]:
    body = {"entity_type": "company", "code": code, "name": code.title(), "type": type_, **extra}
    return api.ok("POST", "/custom-fields", 201, json=body)  # type: ignore[no-any-return]


def events(api: Api, type_: str) -> list[Any]:
    uow = UnitOfWork(api.client.app.state.sessions)  # type: ignore[attr-defined]
    with uow:
        return uow.events.where(type=type_)


def test_a_manager_keeps_a_company_with_custom_fields_and_its_contacts(api: Api) -> None:
    manager = api.ok("POST", "/employees", 201, json={"name": "Olga Manager"})
    company_field(api, "segment", "enum", options=["retail", "wholesale"])
    company_field(api, "account_manager", "employee")
    company_field(api, "inn", "string")
    romashka = api.ok(
        "POST",
        "/companies",
        201,
        json={
            "name": "ООО Ромашка",
            "responsible_id": manager["id"],
            "fields": {"segment": "retail", "account_manager": manager["id"], "inn": "7701"},
        },
    )
    assert romashka["fields"] == {
        "segment": "retail",
        "account_manager": manager["id"],
        "inn": "7701",
    }
    # fields merge: a code set to null is cleared, the others stay.
    changed = api.ok(
        "PATCH",
        f"/companies/{romashka['id']}",
        json={"fields": {"segment": "wholesale", "inn": None}},
    )
    assert changed["fields"] == {"segment": "wholesale", "account_manager": manager["id"]}
    ivan = api.ok(
        "POST",
        "/contacts",
        201,
        json={
            "name": "Иван Петров",
            "email": "ivan@romashka.ru",
            "phone": "+7 (495) 123-45-67",
            "company_id": romashka["id"],
        },
    )
    assert api.ok("GET", f"/contacts/{ivan['id']}")["company_id"] == romashka["id"]
    staff = api.ok("GET", f"/contacts?company_id={romashka['id']}")
    assert [c["name"] for c in staff["items"]] == ["Иван Петров"]
    assert [e.entity_id for e in events(api, "CompanyChanged")] == [romashka["id"]]
    assert events(api, "CompanyChanged")[0].payload == {"changed": ["fields.inn", "fields.segment"]}


def test_companies_are_found_by_part_of_the_name_in_any_case_and_by_responsible(api: Api) -> None:
    olga = api.ok("POST", "/employees", 201, json={"name": "Olga"})
    for name in ["ООО Ромашка", "Ромашка-Трейд", "АО Василёк", "100% Cotton_Ltd"]:
        api.ok("POST", "/companies", 201, json={"name": name, "responsible_id": olga["id"]})
    api.ok("POST", "/companies", 201, json={"name": "Ромашка без менеджера"})

    def found(query: str) -> list[str]:
        return [c["name"] for c in api.ok("GET", f"/companies?{query}")["items"]]

    assert found("name=ромашка") == ["ООО Ромашка", "Ромашка-Трейд", "Ромашка без менеджера"]
    assert found(f"name=РОМАШКА&responsible_id={olga['id']}") == ["ООО Ромашка", "Ромашка-Трейд"]
    # % and _ are letters to a user, not wildcards.
    assert found("name=0%25 cotton_") == ["100% Cotton_Ltd"]
    assert found("name=%25%25") == []
    second = api.ok("GET", "/companies?limit=2&offset=2")
    assert [c["name"] for c in second["items"]] == ["АО Василёк", "100% Cotton_Ltd"]
    assert second["total"] == 5


def test_bad_company_input_names_the_field_and_changes_nothing(api: Api) -> None:
    dismissed = api.ok("POST", "/employees", 201, json={"name": "Gone"})
    api.ok("PATCH", f"/employees/{dismissed['id']}", json={"status": "dismissed"})
    company_field(api, "size", "number")
    company_field(api, "manager", "employee")
    cases = [
        ({"name": ""}, "name"),
        ({"name": "X" * 301}, "name"),
        ({"name": "X", "responsible_id": 999_999}, "responsible_id"),
        ({"name": "X", "responsible_id": dismissed["id"]}, "responsible_id"),
        ({"name": "X", "responsible_id": 2**70}, "responsible_id"),
        ({"name": "X", "fields": {"colour": "red"}}, "fields.colour"),
        ({"name": "X", "fields": {"size": "big"}}, "fields.size"),
        ({"name": "X", "fields": {"manager": 999_999}}, "fields.manager"),
        ({"name": "X", "fields": {"manager": "Olga"}}, "fields.manager"),
        ({"name": "X", "extra": 1}, "extra"),
    ]
    for body, field in cases:
        response = api.post("/companies", json=body)
        assert response.status_code == 422, (body, response.text)
        assert response.json()["field"] == field, (body, response.json())
    assert api.ok("GET", "/companies")["total"] == 0
    assert events(api, "CompanyCreated") == []


def test_bad_contact_changes_name_the_field_and_change_nothing(api: Api) -> None:
    contact = api.ok("POST", "/contacts", 201, json={"name": "Ivan", "email": "i@x.ru"})
    before = api.ok("GET", f"/contacts/{contact['id']}")
    cases = [
        ({"email": "not-an-email"}, "email"),
        ({"phone": "call me maybe"}, "phone"),
        ({"phone": "1" * 51}, "phone"),
        ({"company_id": 999_999}, "company_id"),
        ({"name": None}, "name"),
        ({"fields": None}, "fields"),
        ({"fields": {"unknown": 1}}, "fields.unknown"),
    ]
    for body, field in cases:
        response = api.patch(f"/contacts/{contact['id']}", json=body)
        assert response.status_code == 422, (body, response.text)
        assert response.json()["field"] == field, (body, response.json())
    assert api.ok("GET", f"/contacts/{contact['id']}") == before
    assert events(api, "ContactChanged") == []


def test_a_change_that_changes_nothing_writes_nothing(api: Api) -> None:
    company = api.ok("POST", "/companies", 201, json={"name": "Same"})
    again = api.ok("PATCH", f"/companies/{company['id']}", json={"name": "Same", "fields": {}})
    assert again["updated_at"] == company["updated_at"]
    assert events(api, "CompanyChanged") == []


def test_a_company_with_a_deal_cannot_be_deleted_and_one_without_keeps_its_contacts(
    api: Api,
) -> None:
    sales_pipeline(api)
    busy = api.ok("POST", "/companies", 201, json={"name": "Busy"})
    api.ok("POST", "/deals", 201, json={"title": "Website", "company_id": busy["id"]})
    response = api.delete(f"/companies/{busy['id']}")
    assert response.status_code == 409
    assert api.ok("GET", f"/companies/{busy['id']}")["name"] == "Busy"

    idle = api.ok("POST", "/companies", 201, json={"name": "Idle"})
    anna = api.ok("POST", "/contacts", 201, json={"name": "Anna", "company_id": idle["id"]})
    api.ok("DELETE", f"/companies/{idle['id']}", 204)
    assert api.get(f"/companies/{idle['id']}").status_code == 404
    assert api.ok("GET", f"/contacts/{anna['id']}")["company_id"] is None
    deleted = events(api, "CompanyDeleted")
    assert [(e.entity_id, e.payload["contacts_detached"]) for e in deleted] == [
        (idle["id"], [anna["id"]])
    ]


def test_a_contact_named_by_a_deal_cannot_be_deleted(api: Api) -> None:
    sales_pipeline(api)
    ivan = api.ok("POST", "/contacts", 201, json={"name": "Ivan"})
    api.ok("POST", "/deals", 201, json={"title": "Logo", "contact_id": ivan["id"]})
    assert api.delete(f"/contacts/{ivan['id']}").status_code == 409
    loner = api.ok("POST", "/contacts", 201, json={"name": "Loner"})
    api.ok("DELETE", f"/contacts/{loner['id']}", 204)
    assert [e.entity_id for e in events(api, "ContactDeleted")] == [loner["id"]]


def test_employees_work_with_clients_heads_delete_them_partners_see_none(api: Api) -> None:
    _, employee = token_for(api, "Wanda Worker")
    _, head = token_for(api, "Harry Head", role="head")
    _, partner = token_for(api, "Studio Pixel", external=True)
    company = employee.ok("POST", "/companies", 201, json={"name": "Client"})
    employee.ok("PATCH", f"/companies/{company['id']}", json={"name": "Client Ltd"})
    assert employee.delete(f"/companies/{company['id']}").status_code == 403
    assert partner.get("/companies").status_code == 403
    assert partner.get(f"/companies/{company['id']}").status_code == 403
    assert partner.post("/contacts", json={"name": "Spy"}).status_code == 403
    head.ok("DELETE", f"/companies/{company['id']}", 204)


def test_unknown_and_malformed_ids_are_problems(api: Api) -> None:
    assert api.get("/companies/999999").status_code == 404
    assert api.get("/contacts/999999").status_code == 404
    assert api.patch("/companies/999999", json={"name": "Y"}).status_code == 404
    assert api.delete("/contacts/999999").status_code == 404
    assert api.get(f"/companies/{2**64}").status_code == 422
    response = api.get("/contacts?company_id=abc")
    assert response.status_code == 422 and response.json()["field"] == "company_id"
    assert api.get(f"/companies?name={'x' * 301}").status_code == 422
