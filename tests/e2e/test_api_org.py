"""The org structure through the API: departments, employees, tokens and roles."""

from __future__ import annotations

from tests.e2e.conftest import Api


def test_an_admin_builds_a_department_tree_with_heads(api: Api) -> None:
    head = api.ok("POST", "/employees", 201, json={"name": "Boris Head", "email": "b@x.ru"})
    sales = api.ok("POST", "/departments", 201, json={"name": "Sales", "head_id": head["id"]})
    b2b = api.ok("POST", "/departments", 201, json={"name": "B2B", "parent_id": sales["id"]})
    page = api.ok("GET", f"/departments?parent_id={sales['id']}")
    assert [d["name"] for d in page["items"]] == ["B2B"]
    assert page["total"] == 1
    assert api.ok("GET", f"/departments/{sales['id']}")["head_id"] == head["id"]
    # A department cannot move under its own child.
    response = api.patch(f"/departments/{sales['id']}", json={"parent_id": b2b["id"]})
    assert response.status_code == 422
    assert response.json()["field"] == "parent_id"


def test_an_employee_belongs_to_departments_and_can_be_dismissed(api: Api) -> None:
    dept = api.ok("POST", "/departments", 201, json={"name": "Design"})
    designer = api.ok(
        "POST",
        "/employees",
        201,
        json={
            "name": "Daria Designer",
            "timezone": "Europe/Samara",
            "skills": ["3D", "print", "3d"],
            "department_ids": [dept["id"]],
        },
    )
    assert designer["skills"] == ["3D", "print"]
    assert designer["department_ids"] == [dept["id"]]
    members = api.ok("GET", f"/employees?department_id={dept['id']}")
    assert [m["name"] for m in members["items"]] == ["Daria Designer"]
    dismissed = api.ok("PATCH", f"/employees/{designer['id']}", json={"status": "dismissed"})
    assert dismissed["status"] == "dismissed"
    assert dismissed["dismissed_at"] is not None


def test_bad_employee_input_names_the_field_and_changes_nothing(api: Api) -> None:
    before = api.ok("GET", "/employees")["total"]
    cases = [
        ({"name": ""}, "name"),
        ({"name": "X", "timezone": "Mars/Olympus"}, "timezone"),
        ({"name": "X", "department_ids": [999]}, "department_ids.0"),
        ({"name": "X", "email": "not-an-email"}, "email"),
        ({"name": "X" * 10_000}, "name"),
        ({"name": "X", "unknown": 1}, "unknown"),
        ({"name": "X", "department_ids": [2**70]}, "department_ids.0"),
    ]
    for body, field in cases:
        response = api.post("/employees", json=body)
        assert response.status_code == 422, (body, response.text)
        assert response.json()["field"] == field, (body, response.json())
    assert api.ok("GET", "/employees")["total"] == before


def test_malformed_json_and_unknown_ids_are_problems_not_crashes(api: Api) -> None:
    response = api.client.post(
        "/employees",
        content=b'{"name": ',
        headers={**api.headers, "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert api.get("/employees/999999").status_code == 404
    assert api.get(f"/employees/{2**64}").status_code == 422
    assert api.get("/employees/abc").status_code == 422
    assert api.patch("/employees/999999", json={"name": "Y"}).status_code == 404
    assert api.patch("/departments/1", json={"name": None}).status_code in (404, 422)


def test_only_admins_manage_org_and_tokens_require_a_valid_secret(api: Api) -> None:
    worker = api.ok("POST", "/employees", 201, json={"name": "Wanda Worker"})
    token = api.ok("POST", "/tokens", 201, json={"employee_id": worker["id"], "role": "employee"})
    as_worker = api.as_(token["token"])
    assert as_worker.ok("GET", "/employees")["total"] == 2
    response = as_worker.post("/departments", json={"name": "Rogue"})
    assert response.status_code == 403
    assert api.client.get("/employees").status_code == 401
    assert api.client.get("/employees", headers={"Authorization": "Bearer nope"}).status_code == 401
    api.ok("DELETE", f"/tokens/{token['id']}")
    assert as_worker.get("/employees").status_code == 401


def test_an_external_partner_cannot_hold_an_admin_token(api: Api) -> None:
    partner = api.ok("POST", "/employees", 201, json={"name": "Pavel Partner", "is_external": True})
    response = api.post("/tokens", json={"employee_id": partner["id"], "role": "admin"})
    assert response.status_code == 422
    assert response.json()["field"] == "role"
