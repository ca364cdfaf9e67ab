"""Dates at the edges of the calendar are refused or normalised, never a server error."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import Api


@pytest.mark.parametrize(
    "query",
    [
        "created_from=9999-12-31T23%3A59%3A59-14%3A00",
        "updated_to=0001-01-01T00%3A00%3A00%2B14%3A00",
        "created_to=2026-03-02T10%3A00%3A00",
    ],
)
def test_out_of_range_or_naive_filters_on_deals_are_a_named_422(api: Api, query: str) -> None:
    response = api.get(f"/deals?{query}")
    assert response.status_code == 422
    assert response.json()["field"] == query.split("=")[0]


def test_a_datetime_custom_field_is_stored_in_utc_and_bounded(api: Api) -> None:
    api.ok(
        "POST",
        "/pipelines",
        201,
        json={"entity_type": "deal", "name": "Sales", "stages": [{"name": "New"}]},
    )
    api.ok(
        "POST",
        "/custom-fields",
        201,
        json={"entity_type": "deal", "code": "meet_at", "name": "Meet at", "type": "datetime"},
    )
    deal = api.ok(
        "POST",
        "/deals",
        201,
        json={"title": "Website", "fields": {"meet_at": "2026-03-02T12:00:00+04:00"}},
    )
    assert deal["fields"]["meet_at"] == "2026-03-02T08:00:00+00:00"
    response = api.patch(
        f"/deals/{deal['id']}", json={"fields": {"meet_at": "9999-12-31T23:59:59-14:00"}}
    )
    assert response.status_code == 422
    assert response.json()["field"] == "fields.meet_at"
    assert api.ok("GET", f"/deals/{deal['id']}")["fields"]["meet_at"].startswith("2026-03-02T08")


def test_a_head_token_of_someone_who_became_a_partner_acts_as_an_employee(api: Api) -> None:
    person = api.ok("POST", "/employees", 201, json={"name": "Gleb Head"})
    token = api.ok("POST", "/tokens", 201, json={"employee_id": person["id"], "role": "head"})
    api.ok("PATCH", f"/employees/{person['id']}", json={"is_external": True})
    as_partner = api.as_(token["token"])
    response = as_partner.post("/lists", json={"code": "x", "name": "X", "columns": []})
    assert response.status_code == 403
    other = api.ok("POST", "/employees", 201, json={"name": "Olga Other"})
    assert as_partner.get(f"/employees/{other['id']}/task-counters").status_code == 403
