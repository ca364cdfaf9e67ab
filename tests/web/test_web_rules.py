"""The distribution rule editor: admins create and edit rules in a form of the API's fields;
a refusal is the API's, shown at the input at fault, and changes nothing."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.e2e.agency import equipment_type, sales_pipeline
from tests.e2e.conftest import Api
from tests.web.conftest import Reader, person

WEIGHT = '5 if deal.equipment_type == "special" else 1'


@pytest.fixture
def agency(site_api: Api) -> dict[str, Any]:
    """The Sales pipeline and the Design department: a head and two designers."""
    pipeline = sales_pipeline(site_api)
    equipment_type(site_api)
    head = site_api.ok("POST", "/employees", 201, json={"name": "Hanna Head"})
    department = site_api.ok(
        "POST", "/departments", 201, json={"name": "Design", "head_id": head["id"]}
    )
    people = [
        site_api.ok(
            "POST", "/employees", 201, json={"name": n, "department_ids": [department["id"]]}
        )["id"]
        for n in ("Dmitry Designer", "Daria Designer")
    ]
    return {"pipeline": pipeline, "department": department, "people": people}


@pytest.fixture
def rule(site_api: Api, agency: dict[str, Any]) -> dict[str, Any]:
    stage = agency["pipeline"]["stage"]
    body = {
        "name": "Designers take prepaid deals",
        "entity_type": "deal",
        "pipeline_id": agency["pipeline"]["id"],
        "trigger_stage_id": stage["Prepayment received"],
        "department_ids": [agency["department"]["id"]],
        "exclude_heads": True,
        "respect_day_status": True,
        "default_capacity_points": 10,
        "weight": WEIGHT,
        "next_stage_id": stage["Development started"],
    }
    return site_api.ok("POST", "/assignment-rules", 201, json=body)


@pytest.fixture
def admin(reader: Reader, site_api: Api) -> Reader:
    reader.sign_in("admin@example.com")
    return reader


def form_of(rule: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """What the editor posts for ``rule`` (the API's JSON) with ``changes`` typed in: every
    text as typed, the multi-selects' chosen ids, and only the ticked switches."""
    values = {**rule, **changes}
    form: dict[str, Any] = {}
    for name, value in values.items():
        if name in ("id", "version", "created_at", "updated_at"):
            continue
        if isinstance(value, bool):
            if value:
                form[name] = "1"
        elif isinstance(value, list):
            form[name] = [str(v) for v in value]
        elif name == "capacity_overrides":
            form[name] = "" if not value else str(value).replace("'", '"')
        else:
            form[name] = "" if value is None else str(value)
    return form


def input_of(html: str, name: str) -> str:
    found = re.search(rf'<input id="f-{name}" name="{name}"[^>]*>', html)
    assert found is not None, name
    return found.group(0)


def test_an_admin_creates_a_rule_in_the_form_and_the_api_has_it(
    site_api: Api, admin: Reader, agency: dict[str, Any]
) -> None:
    stage = agency["pipeline"]["stage"]
    blank = admin.page("/ui/rules/new")
    assert "Dmitry Designer" in blank and "Prepayment received" in blank
    response = admin.form(
        "/ui/rules/new",
        {
            "name": "Designers take prepaid deals",
            "entity_type": "deal",
            "enabled": "1",
            "priority": "0",
            "pipeline_id": str(agency["pipeline"]["id"]),
            "trigger_stage_id": str(stage["Prepayment received"]),
            "target_field": "responsible",
            "employee_ids": [str(p) for p in agency["people"]],
            "excluded_ids": [str(agency["people"][1])],
            "exclude_heads": "1",
            "respect_absences": "1",
            "default_capacity_points": "7,5",
            "capacity_overrides": f'{{"{agency["people"][0]}": 2}}',
            "weight": WEIGHT,
            "strategy": "fair_share",
            "next_stage_id": str(stage["Development started"]),
            "condition": "",
            "queue_priority": "",
        },
    )
    assert response.status_code == 303, response.text
    rule_id = int(response.headers["location"].split("/")[-1].split("?")[0])
    saved = site_api.ok("GET", f"/assignment-rules/{rule_id}")
    assert saved["employee_ids"] == agency["people"]
    assert saved["excluded_ids"] == [agency["people"][1]]
    assert saved["default_capacity_points"] == 7.5
    assert saved["capacity_overrides"] == {str(agency["people"][0]): 2}
    assert saved["exclude_heads"] and saved["respect_absences"]
    assert not saved["respect_day_status"]
    assert (saved["weight"], saved["strategy"]) == (WEIGHT, "fair_share")
    assert saved["trigger_stage_id"] == stage["Prepayment received"]
    page = admin.page(response.headers["location"])
    assert "Правило сохранено" in page
    assert 'value="7.5"' in input_of(page, "default_capacity_points")


def test_an_admin_edits_a_rule_and_its_version_grows(
    site_api: Api, admin: Reader, rule: dict[str, Any]
) -> None:
    page = admin.page(f"/ui/rules/{rule['id']}")
    assert 'value="10"' in input_of(page, "default_capacity_points")
    assert "Designers take prepaid deals" in page
    response = admin.form(
        f"/ui/rules/{rule['id']}",
        form_of(rule, default_capacity_points=12, respect_day_status=False, priority=3),
    )
    assert response.status_code == 303
    saved = site_api.ok("GET", f"/assignment-rules/{rule['id']}")
    assert (saved["default_capacity_points"], saved["priority"]) == (12, 3)
    assert not saved["respect_day_status"]
    assert saved["version"] == 2
    assert saved["weight"] == WEIGHT and saved["exclude_heads"]


@pytest.mark.parametrize(
    ("typed", "at", "message"),
    [
        ({"default_capacity_points": "-3"}, "default_capacity_points", "больше 0"),
        ({"weight": "5 if deal.amount >"}, "weight", "line 1"),
        ({"weight": "9**9**9"}, "weight", ""),
        ({"trigger_stage_id": "999999"}, "trigger_stage_id", "stage 999999"),
        ({"condition": "deal.clear()"}, "condition", "column 6"),
        ({"capacity_overrides": "{not json"}, "capacity_overrides", "JSON"),
    ],
    ids=[
        "negative cap",
        "weight that does not parse",
        "endless weight",
        "unknown stage",
        "method call",
        "overrides not JSON",
    ],
)
def test_an_invalid_value_is_shown_at_its_field_and_changes_nothing(
    site_api: Api,
    admin: Reader,
    rule: dict[str, Any],
    typed: dict[str, str],
    at: str,
    message: str,
) -> None:
    admin.page(f"/ui/rules/{rule['id']}")
    response = admin.form(f"/ui/rules/{rule['id']}", form_of(rule, name="Renamed", **typed))
    assert response.status_code == 422
    html = response.text
    row = re.search(rf'<tr class="field invalid" data-field="{at}">.*?</tr>', html, re.S)
    assert row is not None, html
    assert 'aria-invalid="true"' in row.group(0)
    assert 'role="alert"' in row.group(0) and message in row.group(0)
    assert html.count('aria-invalid="true"') == 1
    assert 'value="Renamed"' in input_of(html, "name")  # what was typed stays
    if at != "trigger_stage_id":
        value = typed[at].replace('"', "&#34;").replace(">", "&gt;")
        assert f'value="{value}"' in input_of(html, at)
    assert site_api.ok("GET", f"/assignment-rules/{rule['id']}") == rule


def test_a_stage_of_another_pipeline_is_refused_with_the_apis_message(
    site_api: Api, admin: Reader, rule: dict[str, Any]
) -> None:
    support = site_api.ok(
        "POST",
        "/pipelines",
        201,
        json={"entity_type": "deal", "name": "Support", "stages": [{"name": "New"}]},
    )
    other = support["stages"][0]["id"]
    response = admin.form(f"/ui/rules/{rule['id']}", form_of(rule, trigger_stage_id=other))
    assert response.status_code == 422
    assert f"Stage {other} is not in pipeline {rule['pipeline_id']}" in response.text
    assert site_api.ok("GET", f"/assignment-rules/{rule['id']}") == rule


def test_a_new_rule_refused_is_not_created_and_keeps_what_was_typed(
    site_api: Api, admin: Reader, agency: dict[str, Any]
) -> None:
    admin.page("/ui/rules/new")
    response = admin.form(
        "/ui/rules/new",
        {
            "name": "Without a pool",
            "entity_type": "deal",
            "pipeline_id": str(agency["pipeline"]["id"]),
            "trigger_stage_id": str(agency["pipeline"]["stage"]["Invoice"]),
            "target_field": "responsible",
            "weight": "2",
            "strategy": "least_loaded",
        },
    )
    assert response.status_code == 422
    assert "The pool needs at least one employee or department" in response.text
    assert '<select id="f-employee_ids" name="employee_ids" multiple size="6" aria-invalid' in (
        response.text
    )
    assert 'value="Without a pool"' in response.text
    assert site_api.ok("GET", "/assignment-rules")["total"] == 0


def test_the_list_shows_each_rule_and_switches_it_off_and_on(
    site_api: Api, admin: Reader, rule: dict[str, Any]
) -> None:
    listing = admin.page("/ui/rules")
    assert "Designers take prepaid deals" in listing
    assert "Sales · Prepayment received" in listing
    assert "активно" in listing
    assert admin.form(f"/ui/rules/{rule['id']}/enabled", {"enabled": "0"}).status_code == 303
    assert site_api.ok("GET", f"/assignment-rules/{rule['id']}")["enabled"] is False
    assert "неактивно" in admin.page("/ui/rules")
    assert admin.form(f"/ui/rules/{rule['id']}/enabled", {"enabled": "1"}).status_code == 303
    assert site_api.ok("GET", f"/assignment-rules/{rule['id']}")["enabled"] is True


def test_a_rule_is_deleted_from_its_page(
    site_api: Api, admin: Reader, rule: dict[str, Any]
) -> None:
    admin.page(f"/ui/rules/{rule['id']}")
    assert admin.form(f"/ui/rules/{rule['id']}/delete", {}).status_code == 303
    assert site_api.get(f"/assignment-rules/{rule['id']}").status_code == 404


def test_the_form_needs_its_csrf_token(site_api: Api, admin: Reader, rule: dict[str, Any]) -> None:
    response = admin.form(f"/ui/rules/{rule['id']}", form_of(rule, name="Forged"), csrf="forged")
    assert response.status_code == 403
    assert site_api.ok("GET", f"/assignment-rules/{rule['id']}") == rule


def test_only_an_admin_sees_or_changes_rules(
    site_api: Api, reader: Reader, rule: dict[str, Any]
) -> None:
    person(site_api, "Hugo Head", "hugo@example.com", role="head")
    reader.sign_in("hugo@example.com")
    assert "/ui/rules" not in reader.page("/ui/password")  # not in the menu
    for url in ("/ui/rules", "/ui/rules/new", f"/ui/rules/{rule['id']}"):
        assert "Нет доступа" in reader.page(url, status=403)
    response = reader.form(f"/ui/rules/{rule['id']}", form_of(rule, name="Taken over"))
    assert response.status_code == 403
    assert reader.form(f"/ui/rules/{rule['id']}/delete", {}).status_code == 403
    assert site_api.ok("GET", f"/assignment-rules/{rule['id']}") == rule
