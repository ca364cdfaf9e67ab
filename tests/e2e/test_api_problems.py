"""Whatever goes wrong at the HTTP edge, the answer is an RFC 9457 problem, never a 5xx."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.conftest import Api

JSON = {"Content-Type": "application/json"}


def _send(api: Api, method: str, url: str, **kwargs: Any) -> Any:
    """Like ``api.request``, for requests that set headers of their own; checks the problem."""
    headers = {**api.headers, **kwargs.pop("headers", {})}
    response = api.client.request(method, url, headers=headers, **kwargs)
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        assert response.headers["content-type"] == "application/problem+json", response.text
        body = response.json()
        assert body["status"] == response.status_code
        assert body["type"] and body["title"] and body["detail"]
    return response


def _departments(api: Api) -> int:
    return int(api.ok("GET", "/departments")["total"])


def test_an_unknown_route_is_a_404_problem(api: Api) -> None:
    response = api.get("/no-such-thing/42")
    assert response.status_code == 404
    assert response.json()["instance"] == "/no-such-thing/42"


def test_a_method_a_route_does_not_have_is_a_405_problem(api: Api) -> None:
    assert api.delete("/employees").status_code == 405
    assert api.put("/departments/1", json={"name": "Sales"}).status_code == 405


def test_a_body_over_one_mebibyte_is_refused_before_it_is_read(api: Api) -> None:
    body = b'{"name": "' + b"x" * (1024 * 1024) + b'"}'
    response = _send(api, "POST", "/departments", content=body, headers=JSON)
    assert response.status_code == 413
    assert _departments(api) == 0


def test_a_chunked_body_without_a_length_is_cut_at_one_mebibyte_too(api: Api) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"name": "'
        for _ in range(20):
            yield b"x" * 65536
        yield b'"}'

    response = _send(api, "POST", "/departments", content=chunks(), headers=JSON)
    assert response.status_code == 413
    small = _send(
        api, "POST", "/departments", content=iter([b'{"name": ', b'"Sales"}']), headers=JSON
    )
    assert small.status_code == 201, small.text
    assert _departments(api) == 1


def test_a_content_length_that_is_not_a_number_is_a_400(api: Api) -> None:
    headers = {**JSON, "Content-Length": "ten"}
    response = _send(api, "POST", "/departments", content=b'{"name": "Sales"}', headers=headers)
    assert response.status_code == 400


def test_malformed_json_is_a_400_problem_and_nothing_changes(api: Api) -> None:
    response = _send(api, "POST", "/departments", content=b'{"name": "Sa', headers=JSON)
    assert response.status_code == 400
    assert response.json()["type"] == "/problems/malformed-json"
    assert _departments(api) == 0


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "application/xml", None]
)
def test_a_body_that_is_not_declared_json_is_a_415_problem(
    api: Api, content_type: str | None
) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    response = _send(api, "POST", "/departments", content=b'{"name": "Sales"}', headers=headers)
    assert response.status_code == 415, response.text
    assert "application/json" in response.json()["detail"]
    assert _departments(api) == 0


def test_json_with_parameters_or_a_json_suffix_is_json(api: Api) -> None:
    for content_type in ("application/json; charset=utf-8", "application/merge-patch+json"):
        body = b'{"name": "Sales"}'
        response = _send(
            api, "POST", "/departments", content=body, headers={"Content-Type": content_type}
        )
        assert response.status_code == 201, response.text
    assert _departments(api) == 2


def test_a_missing_body_says_a_json_object_is_required(api: Api) -> None:
    response = api.post("/departments")
    assert response.status_code == 422
    assert "JSON object is required" in response.json()["detail"]


def test_a_json_array_or_scalar_instead_of_an_object_is_a_422(api: Api) -> None:
    for body in ([{"name": "Sales"}], "Sales", 42, None):
        response = api.post("/departments", json=body)
        assert response.status_code == 422, (body, response.text)
    assert _departments(api) == 0


def test_a_huge_integer_in_the_query_is_a_422_naming_the_parameter(api: Api) -> None:
    for query in ("limit=" + "9" * 40, "offset=" + "9" * 5000, f"department_id={2**63}"):
        response = api.get(f"/employees?{query}")
        assert response.status_code == 422, (query, response.text)
        assert response.json()["field"] == query.split("=")[0]


def test_a_path_id_of_2_to_the_63_is_a_422_and_the_largest_id_a_404(api: Api) -> None:
    response = api.get(f"/employees/{2**63}")
    assert response.status_code == 422
    assert response.json()["field"] == "employee_id"
    assert api.get(f"/employees/{2**63 - 1}").status_code == 404
    assert api.get("/employees/0").status_code == 422


@pytest.mark.parametrize(
    ("url", "body", "field"),
    [
        ("/departments", {"name": "Sa\x00les"}, "name"),
        ("/employees", {"name": "Boris", "skills": ["print", "3\x00D"]}, "skills"),
        ("/employees", {"name": "Boris", "email": "b@x.\x00ru"}, "email"),
        (
            "/pipelines",
            {"entity_type": "deal", "name": "Sales", "stages": [{"name": "N\x00ew"}]},
            "stages.0.name",
        ),
        ("/companies", {"name": "Acme", "fields": {"site\x00": "acme.ru"}}, "fields"),
    ],
)
def test_a_nul_character_anywhere_in_a_body_is_a_422_on_both_databases(
    api: Api, url: str, body: dict[str, Any], field: str
) -> None:
    # PostgreSQL cannot store NUL in text or JSON; this used to be a 500 there only.
    before = api.ok("GET", url)
    response = api.post(url, json=body)
    assert response.status_code == 422, response.text
    assert response.json()["field"] == field
    assert api.ok("GET", url) == before


def test_a_nul_character_in_a_query_parameter_is_a_422_naming_it(api: Api) -> None:
    # A NUL in a search filter used to be a 500 on PostgreSQL.
    for url, field in (("/companies?name=Ac%00me", "name"), ("/contacts?x%00=1", "x")):
        response = api.get(url)
        assert response.status_code == 422, response.text
        assert response.json()["field"] == field
    assert api.get("/companies?name=Acme").status_code == 200


def test_no_documented_id_bound_admits_2_to_the_63(api: Api) -> None:
    """FastAPI documents bounds as floats; ``le=2**63 - 1`` would read as 2**63."""
    document = api.ok("GET", "/openapi.json")

    def bounds(node: Any) -> Iterator[tuple[str, Any]]:
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("maximum", "exclusiveMaximum"):
                    yield key, value
                else:
                    yield from bounds(value)
        elif isinstance(node, list):
            for item in node:
                yield from bounds(item)

    for key, value in bounds(document):
        assert value < 2**63 if key == "maximum" else value <= 2**63, (key, value)
