"""Universal lists through the API: admins define them, heads keep their elements, everyone
reads and filters them; changes that would lose or break data are refused."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.agency import token_for
from tests.e2e.conftest import Api

MANAGERS = {
    "code": "managers",
    "name": "Managers",
    "columns": [
        {"code": "employee", "name": "Employee", "type": "employee", "required": True},
        {
            "code": "status",
            "name": "Status",
            "type": "enum",
            "required": True,
            "options": ["active", "inactive"],
        },
        {"code": "note", "name": "Note", "type": "string"},
        {"code": "since", "name": "Since", "type": "date"},
    ],
}


@pytest.fixture
def managers(api: Api) -> dict[str, Any]:
    """The "Managers" list with three elements: Olga and Pavel active, Rita inactive."""
    universal = api.ok("POST", "/lists", 201, json=MANAGERS)
    universal["elements"] = {}
    for name, status in [("Olga", "active"), ("Pavel", "active"), ("Rita", "inactive")]:
        employee = api.ok("POST", "/employees", 201, json={"name": name})
        element = api.ok(
            "POST",
            f"/lists/{universal['id']}/elements",
            201,
            json={"name": name, "values": {"employee": employee["id"], "status": status}},
        )
        universal["elements"][name] = element
    return universal


def names(api: Api, list_id: int, query: str = "") -> list[str]:
    page = api.ok("GET", f"/lists/{list_id}/elements?{query}")
    return [e["name"] for e in page["items"]]


def test_an_admin_defines_managers_and_anyone_filters_them_by_status(
    api: Api, managers: dict[str, Any]
) -> None:
    m = managers["id"]
    assert api.ok("GET", f"/lists/{m}")["columns"][1]["options"] == ["active", "inactive"]
    assert names(api, m, "where.status=active") == ["Olga", "Pavel"]
    rita = managers["elements"]["Rita"]
    assert names(api, m, f"where.employee={rita['values']['employee']}") == ["Rita"]
    assert names(api, m, "where.status=active&limit=1&offset=1") == ["Pavel"]
    assert names(api, m, "where.note=") == ["Olga", "Pavel", "Rita"]
    assert names(api, m, "name=OLG") == ["Olga"]
    _, employee = token_for(api, "Wanda Worker")
    assert names(employee, m, "where.status=inactive") == ["Rita"]
    assert [u["code"] for u in employee.ok("GET", "/lists")["items"]] == ["managers"]


def test_an_element_changes_by_merging_values_and_null_clears_an_optional_one(
    api: Api, managers: dict[str, Any]
) -> None:
    m, olga = managers["id"], managers["elements"]["Olga"]
    url = f"/lists/{m}/elements/{olga['id']}"
    changed = api.ok("PATCH", url, json={"values": {"status": "inactive", "note": "on leave"}})
    assert changed["values"]["status"] == "inactive" and changed["values"]["note"] == "on leave"
    cleared = api.ok("PATCH", url, json={"name": "Olga K.", "values": {"note": None}})
    assert cleared["name"] == "Olga K." and "note" not in cleared["values"]
    assert names(api, m, "where.status=active") == ["Pavel"]
    response = api.patch(url, json={"values": {"status": None}})
    assert response.status_code == 422 and response.json()["field"] == "values.status"


def test_bad_element_input_names_the_field_and_changes_nothing(
    api: Api, managers: dict[str, Any]
) -> None:
    m, olga = managers["id"], managers["elements"]["Olga"]
    employee = olga["values"]["employee"]
    cases: list[tuple[dict[str, Any], str]] = [
        ({"name": "X", "values": {"status": "active"}}, "values.employee"),
        ({"name": "X", "values": {"employee": 999_999, "status": "active"}}, "values.employee"),
        ({"name": "X", "values": {"employee": "Olga", "status": "active"}}, "values.employee"),
        ({"name": "X", "values": {"employee": employee, "status": "retired"}}, "values.status"),
        (
            {"name": "X", "values": {"employee": employee, "status": "active", "colour": 1}},
            "values.colour",
        ),
        (
            {"name": "X", "values": {"employee": employee, "status": "active", "since": "May"}},
            "values.since",
        ),
        (
            {"name": "X", "values": {"employee": employee, "status": "active", "note": "n" * 4001}},
            "values.note",
        ),
        ({"name": "X" * 301, "values": {}}, "name"),
        ({"name": "X", "values": {}, "extra": True}, "extra"),
    ]
    for body, field in cases:
        response = api.post(f"/lists/{m}/elements", json=body)
        assert response.status_code == 422, (body, response.text)
        assert response.json()["field"] == field, (body, response.json())
        if body["values"] != {"status": "active"}:  # a valid change: values merge
            response = api.patch(f"/lists/{m}/elements/{olga['id']}", json=body)
            assert response.status_code == 422, (body, response.text)
            assert response.json()["field"] == field, (body, response.json())
    assert names(api, m) == ["Olga", "Pavel", "Rita"]
    assert api.ok("GET", f"/lists/{m}/elements/{olga['id']}") == olga


def test_bad_filters_name_the_filter(api: Api, managers: dict[str, Any]) -> None:
    m = managers["id"]
    for query, field in [
        ("where.colour=red", "where.colour"),
        ("where.status=retired", "where.status"),
        ("where.employee=Olga", "where.employee"),
        ("where.since=soon", "where.since"),
        ("where.=x", "where."),
        ("where.status=active&where.status=inactive", "where.status"),
    ]:
        response = api.get(f"/lists/{m}/elements?{query}")
        assert response.status_code == 422, (query, response.text)
        assert response.json()["field"] == field, (query, response.json())
    assert api.get(f"/lists/{m}/elements?where.status={'x' * 5000}").status_code == 422


def test_bad_list_definitions_name_the_column_and_create_nothing(api: Api) -> None:
    column = {"code": "status", "name": "Status", "type": "enum", "options": ["a"]}
    cases: list[tuple[dict[str, Any], str]] = [
        ({"code": "Bad Code", "name": "X"}, "code"),
        ({"code": "x", "name": ""}, "name"),
        ({"code": "x", "name": "X", "columns": [column, column]}, "columns.1.code"),
        ({"code": "x", "name": "X", "columns": [{**column, "options": []}]}, "columns.0.options"),
        ({"code": "x", "name": "X", "columns": [{**column, "type": "colour"}]}, "columns.0.type"),
        (
            {
                "code": "x",
                "name": "X",
                "columns": [{**column, "type": "list_element", "options": []}],
            },
            "columns.0.list_id",
        ),
        (
            {
                "code": "x",
                "name": "X",
                "columns": [{**column, "type": "list_element", "options": [], "list_id": 999}],
            },
            "columns.0.list_id",
        ),
        ({"code": "x", "name": "X", "columns": [column] * 51}, "columns"),
    ]
    for body, field in cases:
        response = api.post("/lists", json=body)
        assert response.status_code == 422, (body, response.text)
        assert response.json()["field"] == field, (body, response.json())
    assert api.ok("GET", "/lists")["total"] == 0
    api.ok("POST", "/lists", 201, json={"code": "x", "name": "X"})
    response = api.post("/lists", json={"code": "x", "name": "Again"})
    assert response.status_code == 409 and response.json()["field"] == "code"


def test_removing_a_column_that_holds_values_needs_discard_values(
    api: Api, managers: dict[str, Any]
) -> None:
    m, olga = managers["id"], managers["elements"]["Olga"]
    url = f"/lists/{m}/elements/{olga['id']}"
    api.ok("PATCH", url, json={"values": {"note": "keeps the keys"}})
    without_note = [c for c in MANAGERS["columns"] if c["code"] != "note"]  # type: ignore[index]
    response = api.patch(f"/lists/{m}", json={"columns": without_note})
    assert response.status_code == 409 and response.json()["field"] == "columns"
    assert len(api.ok("GET", f"/lists/{m}")["columns"]) == 4
    assert api.ok("GET", url)["values"]["note"] == "keeps the keys"
    changed = api.ok("PATCH", f"/lists/{m}?discard_values=true", json={"columns": without_note})
    assert [c["code"] for c in changed["columns"]] == ["employee", "status", "since"]
    assert "note" not in api.ok("GET", url)["values"]


def test_an_option_in_use_cannot_be_removed_from_a_column(
    api: Api, managers: dict[str, Any]
) -> None:
    m = managers["id"]
    columns = [dict(c) for c in MANAGERS["columns"]]  # type: ignore[attr-defined]
    columns[1]["options"] = ["active"]
    response = api.patch(f"/lists/{m}", json={"columns": columns})
    assert response.status_code == 409 and response.json()["field"] == "columns.1"
    assert "Rita" in response.json()["detail"]
    assert api.ok("GET", f"/lists/{m}")["columns"][1]["options"] == ["active", "inactive"]


def test_a_list_behind_a_custom_field_and_an_element_a_company_uses_stay(api: Api) -> None:
    segments = api.ok("POST", "/lists", 201, json={"code": "segments", "name": "Segments"})
    s = segments["id"]
    retail = api.ok("POST", f"/lists/{s}/elements", 201, json={"name": "Retail"})
    spare = api.ok("POST", f"/lists/{s}/elements", 201, json={"name": "Spare"})
    api.ok(
        "POST",
        "/custom-fields",
        201,
        json={
            "entity_type": "company",
            "code": "segment",
            "name": "Segment",
            "type": "list_element",
            "list_id": s,
        },
    )
    api.ok("POST", "/companies", 201, json={"name": "Shop", "fields": {"segment": retail["id"]}})
    response = api.delete(f"/lists/{s}")
    assert response.status_code == 409 and "segment" in response.json()["detail"]
    response = api.delete(f"/lists/{s}/elements/{retail['id']}")
    assert response.status_code == 409 and "company" in response.json()["detail"]
    api.ok("DELETE", f"/lists/{s}/elements/{spare['id']}", 204)
    assert names(api, s) == ["Retail"]
    assert api.get(f"/lists/{s}/elements/{spare['id']}").status_code == 404


def test_an_unused_list_is_deleted_with_its_elements(api: Api, managers: dict[str, Any]) -> None:
    m = managers["id"]
    api.ok("DELETE", f"/lists/{m}", 204)
    assert api.get(f"/lists/{m}").status_code == 404
    olga = managers["elements"]["Olga"]
    assert api.get(f"/lists/{m}/elements/{olga['id']}").status_code == 404


def test_admins_define_lists_heads_keep_elements_employees_read(
    api: Api, managers: dict[str, Any]
) -> None:
    m = managers["id"]
    employee_id, head = token_for(api, "Harry Head", role="head")
    _, employee = token_for(api, "Wanda Worker")
    assert head.post("/lists", json={"code": "mine", "name": "Mine"}).status_code == 403
    assert head.patch(f"/lists/{m}", json={"name": "Bosses"}).status_code == 403
    assert head.delete(f"/lists/{m}").status_code == 403
    element = head.ok(
        "POST",
        f"/lists/{m}/elements",
        201,
        json={"name": "Harry", "values": {"employee": employee_id, "status": "active"}},
    )
    body = {"name": "Wanda", "values": {"employee": employee_id, "status": "active"}}
    assert employee.post(f"/lists/{m}/elements", json=body).status_code == 403
    assert employee.delete(f"/lists/{m}/elements/{element['id']}").status_code == 403
    head.ok("DELETE", f"/lists/{m}/elements/{element['id']}", 204)


def test_an_element_is_reached_only_through_its_own_list(
    api: Api, managers: dict[str, Any]
) -> None:
    other = api.ok("POST", "/lists", 201, json={"code": "other", "name": "Other"})
    olga = managers["elements"]["Olga"]
    assert api.get(f"/lists/{other['id']}/elements/{olga['id']}").status_code == 404
    response = api.patch(f"/lists/{other['id']}/elements/{olga['id']}", json={"name": "Mine"})
    assert response.status_code == 404
    assert api.delete(f"/lists/{other['id']}/elements/{olga['id']}").status_code == 404
    assert api.get("/lists/999999/elements").status_code == 404
    assert api.ok("GET", f"/lists/{managers['id']}/elements/{olga['id']}")["name"] == "Olga"
