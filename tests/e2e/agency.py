"""The digital agency's CRM set-up, built through the API for the CRM stories."""

from __future__ import annotations

from typing import Any

from tests.e2e.conftest import Api

DEAL_STAGES = [
    ("Conclude contract", "in_progress"),
    ("Sign contract", "in_progress"),
    ("Upload copy", "in_progress"),
    ("Invoice", "in_progress"),
    ("Awaiting payment", "in_progress"),
    ("Prepayment received", "in_progress"),
    ("Development started", "in_progress"),
    ("Done", "success"),
    ("Lost", "failure"),
]


def sales_pipeline(api: Api) -> dict[str, Any]:
    """The "Sales" deal pipeline; ``["stage"]`` maps stage names to ids."""
    pipeline = api.ok(
        "POST",
        "/pipelines",
        201,
        json={
            "entity_type": "deal",
            "name": "Sales",
            "stages": [{"name": n, "semantics": s} for n, s in DEAL_STAGES],
        },
    )
    pipeline["stage"] = {s["name"]: s["id"] for s in pipeline["stages"]}
    return pipeline


def contract_number(api: Api, pipeline: dict[str, Any]) -> dict[str, Any]:
    """A deal field required from Invoice onward."""
    return api.ok(
        "POST",
        "/custom-fields",
        201,
        json={
            "entity_type": "deal",
            "code": "contract_number",
            "name": "Contract number",
            "type": "string",
            "required_from_stage_id": pipeline["stage"]["Invoice"],
        },
    )


def equipment_type(api: Api) -> dict[str, Any]:
    """The deal field the agency weighs work by: standard, large or special equipment."""
    return api.ok(
        "POST",
        "/custom-fields",
        201,
        json={
            "entity_type": "deal",
            "code": "equipment_type",
            "name": "Equipment type",
            "type": "enum",
            "options": ["standard", "large", "special"],
        },
    )


def token_for(
    api: Api, name: str, *, external: bool = False, role: str = "employee"
) -> tuple[int, Api]:
    """A new employee and the API acting as them."""
    employee = api.ok("POST", "/employees", 201, json={"name": name, "is_external": external})
    token = api.ok("POST", "/tokens", 201, json={"employee_id": employee["id"], "role": role})
    return employee["id"], api.as_(token["token"])
