"""Pipelines, stages and custom fields through the API."""

from __future__ import annotations

from tests.e2e.agency import contract_number, sales_pipeline, token_for
from tests.e2e.conftest import Api


def _names(api: Api, pipeline_id: int) -> list[str]:
    return [s["name"] for s in api.ok("GET", f"/pipelines/{pipeline_id}")["stages"]]


def test_an_admin_sets_up_the_agency_deal_pipelines_in_order(api: Api) -> None:
    sales = sales_pipeline(api)
    assert [s["name"] for s in sales["stages"]][:3] == [
        "Conclude contract",
        "Sign contract",
        "Upload copy",
    ]
    assert [s["semantics"] for s in sales["stages"]][-2:] == ["success", "failure"]
    service = api.ok(
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
    deals = api.ok("GET", "/pipelines?entity_type=deal")
    assert [p["name"] for p in deals] == ["Sales", "Client service"]
    assert [p["id"] for p in api.ok("GET", "/pipelines?entity_type=lead")] == [inbound["id"]]
    # Putting "Client service" first makes it the default for new deals.
    api.ok("PATCH", f"/pipelines/{service['id']}", json={"sort": 1})
    assert api.ok("GET", "/pipelines?entity_type=deal")[0]["name"] == "Client service"
    assert api.ok("POST", "/deals", 201, json={"title": "Retainer"})["pipeline_id"] == service["id"]


def test_stages_are_inserted_renamed_moved_and_removed(api: Api) -> None:
    sales = sales_pipeline(api)
    brief = api.ok(
        "POST", f"/pipelines/{sales['id']}/stages", 201, json={"name": "Brief", "position": 1}
    )
    assert _names(api, sales["id"])[:3] == ["Conclude contract", "Brief", "Sign contract"]
    api.ok("PATCH", f"/stages/{brief['id']}", json={"name": "Creative brief", "position": 0})
    assert _names(api, sales["id"])[:2] == ["Creative brief", "Conclude contract"]
    api.ok("POST", f"/pipelines/{sales['id']}/stages", 201, json={"name": "Archive"})
    assert _names(api, sales["id"])[-1] == "Archive"
    api.ok("DELETE", f"/stages/{brief['id']}", 204)
    assert "Creative brief" not in _names(api, sales["id"])
    assert api.get(f"/stages/{brief['id']}").status_code == 404


def test_bad_pipelines_name_the_field_and_change_nothing(api: Api) -> None:
    sales = sales_pipeline(api)
    cases = [
        ({"entity_type": "deal", "name": "X", "stages": []}, 422, "stages"),
        (
            {
                "entity_type": "deal",
                "name": "X",
                "stages": [{"name": "Won", "semantics": "success"}],
            },
            422,
            "stages.0.semantics",
        ),
        (
            {"entity_type": "deal", "name": "X", "stages": [{"name": "A"}, {"name": " a"}]},
            422,
            "stages.1.name",
        ),
        ({"entity_type": "contact", "name": "X", "stages": [{"name": "A"}]}, 422, "entity_type"),
        ({"entity_type": "deal", "name": "sales", "stages": [{"name": "A"}]}, 409, "name"),
        ({"entity_type": "deal", "name": "X" * 1000, "stages": [{"name": "A"}]}, 422, "name"),
        (
            {"entity_type": "deal", "name": "X", "stages": [{"name": "A", "x": 1}]},
            422,
            "stages.0.x",
        ),
        (
            {"entity_type": "deal", "name": "X", "stages": [{"name": "A", "semantics": "won"}]},
            422,
            "stages.0.semantics",
        ),
    ]
    for body, status, field in cases:
        response = api.post("/pipelines", json=body)
        assert response.status_code == status, (body, response.text)
        assert response.json()["field"] == field, (body, response.json())
    assert [p["id"] for p in api.ok("GET", "/pipelines")] == [sales["id"]]


def test_bad_stage_changes_name_the_field_and_change_nothing(api: Api) -> None:
    sales = sales_pipeline(api)
    first, done = sales["stage"]["Conclude contract"], sales["stage"]["Done"]
    url = f"/pipelines/{sales['id']}/stages"
    cases = [
        ("POST", url, {"name": "Invoice"}, 422, "name"),
        ("POST", url, {"name": "Won", "semantics": "success", "position": 0}, 422, "position"),
        ("POST", url, {"name": "Far", "position": 42}, 422, "position"),
        ("POST", url, {"name": "Far", "position": -1}, 422, "position"),
        ("PATCH", f"/stages/{done}", {"position": 0}, 422, "position"),
        ("PATCH", f"/stages/{first}", {"semantics": "failure"}, 422, "semantics"),
        ("PATCH", f"/stages/{first}", {"name": "LOST"}, 422, "name"),
        ("PATCH", f"/stages/{first}", {"name": None}, 422, "name"),
    ]
    before = api.ok("GET", f"/pipelines/{sales['id']}")
    for method, target, body, status, field in cases:
        response = api.request(method, target, json=body)
        assert response.status_code == status, (body, response.text)
        assert response.json()["field"] == field, (body, response.json())
    assert api.ok("GET", f"/pipelines/{sales['id']}") == before
    assert api.post("/pipelines/999999/stages", json={"name": "X"}).status_code == 404
    assert api.patch("/stages/999999", json={"name": "X"}).status_code == 404


def test_a_stage_or_pipeline_in_use_cannot_be_removed(api: Api) -> None:
    sales = sales_pipeline(api)
    contract_number(api, sales)
    api.ok("POST", "/deals", 201, json={"title": "Website"})
    for url in (
        f"/stages/{sales['stage']['Conclude contract']}",
        f"/stages/{sales['stage']['Invoice']}",
        f"/pipelines/{sales['id']}",
    ):
        response = api.delete(url)
        assert response.status_code == 409, (url, response.text)
    assert len(_names(api, sales["id"])) == 9
    empty = api.ok(
        "POST",
        "/pipelines",
        201,
        json={"entity_type": "deal", "name": "Unused", "stages": [{"name": "Only"}]},
    )
    assert api.delete(f"/stages/{empty['stages'][0]['id']}").status_code == 409
    api.ok("DELETE", f"/pipelines/{empty['id']}", 204)
    assert api.get(f"/pipelines/{empty['id']}").status_code == 404


def test_only_admins_change_pipelines_and_fields_but_everyone_reads_them(api: Api) -> None:
    sales = sales_pipeline(api)
    _, worker = token_for(api, "Wanda Worker")
    assert worker.ok("GET", f"/pipelines/{sales['id']}")["name"] == "Sales"
    assert worker.ok("GET", "/custom-fields")["total"] == 0
    for method, url, body in (
        ("POST", "/pipelines", {"entity_type": "deal", "name": "Mine", "stages": [{"name": "A"}]}),
        ("PATCH", f"/pipelines/{sales['id']}", {"name": "Mine"}),
        ("POST", f"/pipelines/{sales['id']}/stages", {"name": "Mine"}),
        ("PATCH", f"/stages/{sales['stage']['Invoice']}", {"name": "Mine"}),
        ("DELETE", f"/stages/{sales['stage']['Invoice']}", None),
        ("DELETE", f"/pipelines/{sales['id']}", None),
        (
            "POST",
            "/custom-fields",
            {"entity_type": "deal", "code": "x", "name": "X", "type": "string"},
        ),
    ):
        assert worker.request(method, url, json=body).status_code == 403, (method, url)
    assert api.ok("GET", f"/pipelines/{sales['id']}")["name"] == "Sales"


def test_an_admin_defines_fields_for_each_kind_of_record(api: Api) -> None:
    sales = sales_pipeline(api)
    field = contract_number(api, sales)
    assert field["required_from_stage_id"] == sales["stage"]["Invoice"]
    api.ok(
        "POST",
        "/custom-fields",
        201,
        json={"entity_type": "contact", "code": "birthday", "name": "Birthday", "type": "date"},
    )
    api.ok(
        "POST",
        "/custom-fields",
        201,
        json={
            "entity_type": "deal",
            "code": "channel",
            "name": "Channel",
            "type": "enum",
            "options": ["site", "call"],
        },
    )
    deal_fields = api.ok("GET", "/custom-fields?entity_type=deal")
    assert [f["code"] for f in deal_fields["items"]] == ["contract_number", "channel"]
    renamed = api.ok("PATCH", f"/custom-fields/{field['id']}", json={"name": "Contract no."})
    assert renamed["name"] == "Contract no."
    # No values yet, so the type may still change.
    retyped = api.ok("PATCH", f"/custom-fields/{field['id']}", json={"type": "number"})
    assert retyped["type"] == "number"
    api.ok("DELETE", f"/custom-fields/{field['id']}", 204)
    assert api.get(f"/custom-fields/{field['id']}").status_code == 404


def test_bad_fields_name_the_field_and_change_nothing(api: Api) -> None:
    sales = sales_pipeline(api)
    lead = api.ok(
        "POST",
        "/pipelines",
        201,
        json={"entity_type": "lead", "name": "Inbound", "stages": [{"name": "New"}]},
    )
    contract_number(api, sales)
    base = {"entity_type": "deal", "code": "x", "name": "X", "type": "string"}
    invoice = sales["stage"]["Invoice"]
    cases = [
        ({**base, "code": "Bad Code"}, 422, "code"),
        ({**base, "code": "contract_number"}, 409, "code"),
        ({**base, "type": "colour"}, 422, "type"),
        ({**base, "type": "enum"}, 422, "options"),
        ({**base, "options": ["a"]}, 422, "options"),
        ({**base, "type": "enum", "options": ["a", "a"]}, 422, "options"),
        ({**base, "type": "list_element"}, 422, "list_id"),
        ({**base, "type": "list_element", "list_id": 999}, 422, "list_id"),
        ({**base, "required_from_stage_id": 999}, 422, "required_from_stage_id"),
        ({**base, "entity_type": "contact", "required_from_stage_id": invoice}, 422,
         "required_from_stage_id"),
        ({**base, "required_from_stage_id": lead["stages"][0]["id"]}, 422,
         "required_from_stage_id"),
        ({**base, "required_from_stage_id": sales["stage"]["Lost"]}, 422,
         "required_from_stage_id"),
        ({**base, "name": "X" * 500}, 422, "name"),
        ({**base, "entity_type": "task"}, 422, "entity_type"),
    ]  # fmt: skip
    for body, status, field in cases:
        response = api.post("/custom-fields", json=body)
        assert response.status_code == status, (body, response.text)
        assert response.json()["field"] == field, (body, response.json())
    assert api.ok("GET", "/custom-fields")["total"] == 1


def test_a_field_with_values_cannot_change_type(api: Api) -> None:
    sales = sales_pipeline(api)
    field = contract_number(api, sales)
    api.ok("POST", "/deals", 201, json={"title": "Website", "fields": {"contract_number": "A-1"}})
    response = api.patch(f"/custom-fields/{field['id']}", json={"type": "number"})
    assert response.status_code == 409
    assert response.json()["field"] == "type"
    assert api.ok("GET", f"/custom-fields/{field['id']}")["type"] == "string"
    # The stage it is required from cannot go away while it is.
    assert api.delete(f"/stages/{sales['stage']['Invoice']}").status_code == 409
