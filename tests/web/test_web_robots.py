"""The robots editor: an admin picks a stage, adds robots, edits, reorders and deletes them;
a refusal is the service's, shown at the input at fault, and changes nothing."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.e2e.agency import sales_pipeline
from tests.e2e.conftest import Api
from tests.web.conftest import Reader, person


@pytest.fixture
def sales(site_api: Api) -> dict[str, Any]:
    return sales_pipeline(site_api)


@pytest.fixture
def invoice(sales: dict[str, Any]) -> int:
    return int(sales["stage"]["Invoice"])


@pytest.fixture
def admin(reader: Reader, site_api: Api) -> Reader:
    reader.sign_in("admin@example.com")
    return reader


def robots_at(api: Api, stage_id: int) -> list[dict[str, Any]]:
    return list(api.ok("GET", "/robots", params={"stage_id": stage_id}))


def robot_form(**typed: Any) -> dict[str, Any]:
    """What the add form posts: an immediate notification to the responsible, with
    ``typed`` (input name -> value) over it."""
    form: dict[str, Any] = {
        "name": "Tell the responsible",
        "enabled": "1",
        "condition": "",
        "timing.kind": "immediately",
        "timing.amount": "",
        "timing.unit": "",
        "timing.field": "",
        "action.kind": "notify",
        "action.to": "responsible",
        "action.text": "Invoice {deal.title}",
        "action.json": "",
    }
    form.update(typed)
    return {name: value for name, value in form.items() if value is not None}


def add(admin: Reader, stage_id: int, **typed: Any) -> Any:
    admin.page(f"/ui/robots/stage/{stage_id}")
    return admin.form(f"/ui/robots/stage/{stage_id}", robot_form(**typed))


def test_the_stage_picker_lists_each_pipelines_stages(
    admin: Reader, sales: dict[str, Any], invoice: int
) -> None:
    page = admin.page("/ui/robots")
    assert "Sales" in page
    assert f'href="/ui/robots/stage/{invoice}">Invoice<' in page


def test_an_admin_adds_robots_and_sees_them_in_words(
    site_api: Api, admin: Reader, sales: dict[str, Any], invoice: int
) -> None:
    response = add(admin, invoice, **{"action.to": "responsible, head"})
    assert response.status_code == 303
    assert response.headers["location"] == f"/ui/robots/stage/{invoice}?done=added"
    awaiting = sales["stage"]["Awaiting payment"]
    moved = add(
        admin,
        invoice,
        **{
            "name": "On to awaiting payment",
            "condition": "deal.amount > 1000",
            "timing.kind": "after",
            "timing.amount": "10",
            "timing.unit": "minutes",
            "timing.working_hours_only": "1",
            "action.kind": "change_stage",
            "action.stage_id": str(awaiting),
        },
    )
    assert moved.status_code == 303
    first, second = robots_at(site_api, invoice)
    assert first["action"] == {
        "kind": "notify",
        "to": ["responsible", "head"],
        "text": "Invoice {deal.title}",
    }
    assert second["condition"] == "deal.amount > 1000"
    assert second["timing"]["kind"] == "after"
    assert (second["timing"]["amount"], second["timing"]["unit"]) == (10, "minutes")
    assert second["timing"]["working_hours_only"] is True
    assert second["action"] == {"kind": "change_stage", "stage_id": awaiting}
    page = admin.page(f"/ui/robots/stage/{invoice}?done=added")
    assert "Робот добавлен" in page
    assert "через 10 мин, только в рабочие часы" in page
    assert "Сменить стадию" in page and "stage_id: Awaiting payment" in page
    assert page.index("Tell the responsible") < page.index("On to awaiting payment")
    admin.form("/ui/language", {"to": "en", "next": "/ui/robots"})
    english = admin.page(f"/ui/robots/stage/{invoice}")
    assert "<strong>Change the stage</strong>" in english
    assert ">Create a task</option>" in english and ">After working time</option>" in english
    assert "change_stage</" not in english and ">create_task<" not in english


def test_an_action_without_its_own_inputs_takes_its_parameters_as_json(
    site_api: Api, admin: Reader, invoice: int
) -> None:
    response = add(
        admin,
        invoice,
        **{"action.kind": "start_process", "action.json": '{"process": "onboarding"}'},
    )
    assert response.status_code == 303
    (robot,) = robots_at(site_api, invoice)
    assert robot["action"] == {"kind": "start_process", "process": "onboarding"}
    edit = admin.page(f"/ui/robots/{robot['id']}")
    assert "{&#34;process&#34;: &#34;onboarding&#34;}</textarea>" in edit


def test_an_admin_edits_a_robots_condition_timing_and_action(
    site_api: Api, admin: Reader, invoice: int
) -> None:
    add(admin, invoice)
    (robot,) = robots_at(site_api, invoice)
    page = admin.page(f"/ui/robots/{robot['id']}")
    assert 'value="Tell the responsible"' in page
    response = admin.form(
        f"/ui/robots/{robot['id']}",
        robot_form(
            **{
                "name": "Remind the head",
                "condition": "contact.vip",
                "timing.kind": "after_working",
                "timing.amount": "2",
                "timing.unit": "hours",
                "action.kind": "create_task",
                "action.title": "Call about {deal.title}",
                "action.responsible": "head",
                "action.deadline_working_days": "1",
                "action.requires_acceptance": "1",
                "action.to": "",
                "action.text": "",
            }
        ),
    )
    assert response.status_code == 303
    changed = site_api.ok("GET", f"/robots/{robot['id']}")
    assert changed["version"] == 2
    assert (changed["name"], changed["condition"]) == ("Remind the head", "contact.vip")
    assert changed["timing"]["kind"] == "after_working"
    assert changed["action"]["kind"] == "create_task"
    assert changed["action"]["title"] == "Call about {deal.title}"
    assert changed["action"]["responsible"] == "head"
    assert changed["action"]["deadline_working_days"] == 1
    assert changed["action"]["requires_acceptance"] is True


def test_robots_move_up_and_down_and_are_deleted(
    site_api: Api, admin: Reader, invoice: int
) -> None:
    for name in ("First", "Second", "Third"):
        add(admin, invoice, name=name)
    first, second, third = (r["id"] for r in robots_at(site_api, invoice))
    assert admin.form(f"/ui/robots/{third}/move", {"to": "up"}).status_code == 303
    assert [r["id"] for r in robots_at(site_api, invoice)] == [first, third, second]
    admin.form(f"/ui/robots/{first}/move", {"to": "down"})
    assert [r["id"] for r in robots_at(site_api, invoice)] == [third, first, second]
    # Already first, already last: each stays where it is.
    for robot, to in ((third, "up"), (second, "down")):
        stays = admin.form(f"/ui/robots/{robot}/move", {"to": to})
        assert (stays.status_code, stays.headers["location"]) == (
            303,
            f"/ui/robots/stage/{invoice}",
        )
    assert [r["id"] for r in robots_at(site_api, invoice)] == [third, first, second]
    sideways = admin.form(f"/ui/robots/{first}/move", {"to": "left"})
    assert sideways.status_code == 422
    assert admin.form("/ui/robots/999999/move", {"to": "up"}).status_code == 404
    assert [r["id"] for r in robots_at(site_api, invoice)] == [third, first, second]
    page = admin.page(f"/ui/robots/stage/{invoice}")
    assert page.index("Third") < page.index("First") < page.index("Second")
    response = admin.form(f"/ui/robots/{first}/delete", {})
    assert response.headers["location"] == f"/ui/robots/stage/{invoice}?done=deleted"
    assert [r["id"] for r in robots_at(site_api, invoice)] == [third, second]
    assert [r["position"] for r in robots_at(site_api, invoice)] == [0, 1]


def _row(html: str, name: str) -> str:
    found = re.search(
        rf'<tr class="field invalid" data-field="{re.escape(name)}".*?</tr>', html, re.S
    )
    assert found is not None, html
    return found.group(0)


@pytest.mark.parametrize(
    ("typed", "at", "message"),
    [
        ({"condition": "deal.amount >"}, "condition", "line 1"),
        ({"condition": "deal.clear()"}, "condition", "column 6"),
        ({"timing.kind": "after", "timing.amount": "10"}, "timing.unit", "unit"),
        ({"action.text": "Hi {client.name}"}, "action.text", "line 1, column 5"),
        ({"action.to": "999999"}, "action.to", "999999"),
        ({"action.kind": "start_process", "action.json": "{oops"}, "action.json", "JSON"),
        (
            {"action.kind": "start_process", "action.json": '{"process": "no way"}'},
            "action.json",
            "key",
        ),
    ],
    ids=[
        "condition that does not parse",
        "method call",
        "delay without unit",
        "unknown name in the text",
        "unknown recipient",
        "params not JSON",
        "bad process key",
    ],
)
def test_an_invalid_robot_is_refused_at_its_field_and_nothing_is_added(
    site_api: Api,
    admin: Reader,
    invoice: int,
    typed: dict[str, str],
    at: str,
    message: str,
) -> None:
    response = add(admin, invoice, name="Typed name", **typed)
    assert response.status_code == 422
    row = _row(response.text, at)
    assert 'aria-invalid="true"' in row and message in row
    assert response.text.count('aria-invalid="true"') == 1
    assert 'value="Typed name"' in response.text
    assert robots_at(site_api, invoice) == []


def test_an_invalid_edit_shows_the_message_and_changes_nothing(
    site_api: Api, admin: Reader, invoice: int
) -> None:
    add(admin, invoice)
    (robot,) = robots_at(site_api, invoice)
    admin.page(f"/ui/robots/{robot['id']}")
    response = admin.form(
        f"/ui/robots/{robot['id']}",
        robot_form(name="Renamed", condition="deal.amount >>> 3"),
    )
    assert response.status_code == 422
    row = _row(response.text, "condition")
    assert 'value="deal.amount &gt;&gt;&gt; 3"' in row
    assert site_api.ok("GET", f"/robots/{robot['id']}") == robot


def test_only_an_admin_edits_robots(
    site_api: Api, reader: Reader, admin: Reader, new_reader: Any, invoice: int
) -> None:
    add(admin, invoice)
    (robot,) = robots_at(site_api, invoice)
    person(site_api, "Mark Manager", "mark@example.com")
    mark = new_reader()
    mark.sign_in("mark@example.com")
    for url in ("/ui/robots", f"/ui/robots/stage/{invoice}", f"/ui/robots/{robot['id']}"):
        assert "Нет доступа" in mark.page(url, status=403)
    assert mark.form(f"/ui/robots/stage/{invoice}", robot_form()).status_code == 403
    assert mark.form(f"/ui/robots/{robot['id']}", robot_form(name="Mine")).status_code == 403
    assert mark.form(f"/ui/robots/{robot['id']}/delete", {}).status_code == 403
    assert mark.form(f"/ui/robots/{robot['id']}/move", {"to": "down"}).status_code == 403
    assert robots_at(site_api, invoice) == [robot]
