"""The kanban pages: a pipeline's stages as columns with the count and worth of the deals each
holds, cards the reader may see, moves through the same service as the API's, refusals that
change nothing."""

from __future__ import annotations

import html
import re
from decimal import Decimal
from typing import Any

import pytest

from conveyor.domain.actors import SYSTEM
from conveyor.domain.languages import Language
from conveyor.domain.pipelines import EntityType
from conveyor.services import crm_items, kanban
from conveyor.services.changes import last_change
from conveyor.storage.unit_of_work import UnitOfWork
from conveyor.testing import FakeClock
from conveyor.web.formats import Formats
from tests.e2e.agency import DEAL_STAGES, contract_number, sales_pipeline
from tests.e2e.conftest import Api
from tests.web.conftest import Reader, person

RU = Formats(Language.RU, "Europe/Moscow")
EN = Formats(Language.EN, "Europe/Moscow")


def columns(page: str) -> list[dict[str, Any]]:
    """The board's columns as a reader sees them: stage, count, sums and cards."""
    found = []
    for chunk in page.split('<section class="kanban-column')[1:]:
        cards = []
        for card in chunk.split('<article class="kanban-card"')[1:]:
            cards.append(
                {
                    "id": int(_one(r'data-item-id="(\d+)"', card)),
                    "title": _one(r'class="kanban-title"[^>]*>(.*?)</a>', card),
                    "link": _one(r'class="kanban-title" href="([^"]*)"', card),
                    "amount": _text(_one(r'class="kanban-amount">(.*?)</div>', card, "")),
                    "responsible": _one(r'class="kanban-responsible[^"]*">(.*?)</span>', card),
                    "waiting": "kanban-waiting" in card,
                }
            )
        found.append(
            {
                "stage_id": int(_one(r'data-stage-id="(\d+)"', chunk)),
                "stage": _one(r"<h2>(.*?)</h2>", chunk),
                "count": _one(r'class="badge kanban-count"[^>]*>(.*?)</span>', chunk),
                "sum": _text(_one(r'class="kanban-sum[^"]*">(.*?)</div>', chunk)),
                "cards": cards,
            }
        )
    return found


def column(page: str, stage: str) -> dict[str, Any]:
    return next(c for c in columns(page) if c["stage"] == stage)


def _one(pattern: str, text: str, default: str | None = None) -> str:
    found = re.search(pattern, text, re.S)
    if found is None:
        assert default is not None, f"{pattern} not in {text[:500]}"
        return default
    return html.unescape(found.group(1)).strip()


def _text(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def deal(api: Api, stage_id: int, title: str = "Website", **extra: Any) -> dict[str, Any]:
    body = {"title": title, "stage_id": stage_id, **extra}
    return api.ok("POST", "/deals", 201, json=body)  # type: ignore[no-any-return]


@pytest.fixture
def sales(site_api: Api) -> dict[str, Any]:
    return sales_pipeline(site_api)


def test_a_board_has_a_column_per_stage_with_the_count_and_worth_of_its_deals(
    site_api: Api,
    reader: Reader,
    sales: dict[str, Any],
    site_uow: UnitOfWork,
    clock: FakeClock,
) -> None:
    stage = sales["stage"]
    ivan = person(site_api, "Ivan Petrov", "ivan@example.com")
    deal(site_api, stage["Awaiting payment"], "Shop", amount="150000.50", responsible_id=ivan["id"])
    deal(site_api, stage["Awaiting payment"], "Blog", amount="49999.50")
    deal(site_api, stage["Awaiting payment"], "Export", amount="1000", currency="USD")
    nobodys = crm_items.create_item(
        site_uow,
        EntityType.DEAL,
        crm_items.CreateItem(title="Landing <b>page</b>", stage_id=stage["Conclude contract"]),
        actor=SYSTEM,
        now=clock(),
    )
    reader.sign_in("admin@example.com")
    page = reader.page(f"/ui/kanban/{sales['id']}")
    board = columns(page)
    assert [c["stage"] for c in board] == [name for name, _ in DEAL_STAGES]
    assert [c["count"] for c in board] == ["1", "0", "0", "0", "3", "0", "0", "0", "0"]
    awaiting = column(page, "Awaiting payment")
    rub, usd = RU.money(Decimal("200000.00"), "RUB"), RU.money(Decimal("1000"), "USD")
    assert awaiting["sum"] == _text(f"{rub} {usd}")
    assert column(page, "Done")["sum"] == "—"
    assert [(c["title"], c["responsible"]) for c in awaiting["cards"]] == [
        ("Export", "Anna Admin"),
        ("Blog", "Anna Admin"),
        ("Shop", "Ivan Petrov"),
    ]
    assert awaiting["cards"][2]["amount"] == _text(RU.money(Decimal("150000.50"), "RUB"))
    (landing,) = column(page, "Conclude contract")["cards"]
    assert landing == {
        "id": nobodys.id,
        "title": "Landing <b>page</b>",
        "link": f"/ui/items/deal/{nobodys.id}",
        "amount": "",
        "responsible": "не назначен",
        "waiting": False,
    }
    assert "Landing &lt;b&gt;page&lt;/b&gt;" in page
    assert "Перенести в…" in page
    reader.client.cookies.set("cv_lang", "en")
    english = reader.page(f"/ui/kanban/{sales['id']}")
    assert column(english, "Awaiting payment")["sum"] == _text(
        f"{EN.money(Decimal('200000'), 'RUB')} {EN.money(Decimal('1000'), 'USD')}"
    )
    assert column(english, "Conclude contract")["cards"][0]["responsible"] == "unassigned"
    assert "Move to…" in english


def test_a_long_column_shows_the_newest_cards_and_counts_them_all(
    site_api: Api,
    reader: Reader,
    sales: dict[str, Any],
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(kanban, "PER_COLUMN", 3)
    for n in range(5):
        clock.advance(minutes=1)
        deal(site_api, sales["stage"]["Invoice"], f"Deal {n}", amount="100")
    reader.sign_in("admin@example.com")
    page = reader.page(f"/ui/kanban/{sales['id']}")
    invoice = column(page, "Invoice")
    assert [c["title"] for c in invoice["cards"]] == ["Deal 4", "Deal 3", "Deal 2"]
    assert invoice["count"] == "5"
    assert invoice["sum"] == _text(RU.money(Decimal("500"), "RUB"))
    assert "ещё 2 не показано" in page


def test_an_external_partner_sees_only_their_own_deals_and_counts(
    site_api: Api, reader: Reader, sales: dict[str, Any]
) -> None:
    stage = sales["stage"]
    partner = person(site_api, "Paula Partner", "paula@example.com", is_external=True)
    deal(site_api, stage["Invoice"], "Hers", amount="100", responsible_id=partner["id"])
    deal(site_api, stage["Invoice"], "Not hers", amount="900")
    reader.sign_in("paula@example.com")
    invoice = column(reader.page(f"/ui/kanban/{sales['id']}"), "Invoice")
    assert [c["title"] for c in invoice["cards"]] == ["Hers"]
    assert (invoice["count"], invoice["sum"]) == ("1", _text(RU.money(Decimal("100"), "RUB")))


@pytest.fixture
def designers(site_api: Api, sales: dict[str, Any]) -> dict[str, Any]:
    """A Design department (Hanna the head, designers Dora and Dan) and a rule giving deals
    that reach "Prepayment received" to the least-loaded designer, heads excluded."""
    department = site_api.ok("POST", "/departments", 201, json={"name": "Design"})
    staff = {
        name: person(site_api, name, email, department_ids=[department["id"]])["id"]
        for name, email in [
            ("Hanna Head", "hanna@example.com"),
            ("Dora Designer", "dora@example.com"),
            ("Dan Designer", "dan@example.com"),
        ]
    }
    site_api.ok("PATCH", f"/departments/{department['id']}", json={"head_id": staff["Hanna Head"]})
    stage = sales["stage"]
    rule = site_api.ok(
        "POST",
        "/assignment-rules",
        201,
        json={
            "name": "Designers take prepaid deals",
            "entity_type": "deal",
            "pipeline_id": sales["id"],
            "trigger_stage_id": stage["Prepayment received"],
            "department_ids": [department["id"]],
            "exclude_heads": True,
            "default_capacity_points": 1,
            "in_work_stage_ids": [stage["Prepayment received"]],
            "strategy": "least_loaded",
        },
    )
    return {"staff": staff, "rule": rule}


def test_an_employee_sees_their_own_deals_a_head_their_departments_an_admin_all(
    site_api: Api, reader: Reader, new_reader: Any, sales: dict[str, Any]
) -> None:
    design = site_api.ok("POST", "/departments", 201, json={"name": "Design"})
    sub = site_api.ok(
        "POST", "/departments", 201, json={"name": "Motion", "parent_id": design["id"]}
    )
    hanna = person(site_api, "Hanna Head", "hanna@example.com", role="head")
    dora = person(site_api, "Dora", "dora@example.com", department_ids=[design["id"]])
    mo = person(site_api, "Mo", "mo@example.com", department_ids=[sub["id"]])
    olga = person(site_api, "Olga Outsider", "olga@example.com")
    site_api.ok("PATCH", f"/departments/{design['id']}", json={"head_id": hanna["id"]})
    stage = sales["stage"]["Invoice"]
    for title, who in [("Dora's", dora), ("Mo's", mo), ("Olga's", olga), ("Anna's", None)]:
        extra = {"amount": "10"} | ({"responsible_id": who["id"]} if who else {})
        deal(site_api, stage, title, **extra)

    def seen(email: str) -> tuple[set[str], str]:
        someone = new_reader()
        someone.sign_in(email)
        invoice = column(someone.page(f"/ui/kanban/{sales['id']}"), "Invoice")
        return {c["title"] for c in invoice["cards"]}, invoice["count"]

    assert seen("dora@example.com") == ({"Dora's"}, "1")
    assert seen("hanna@example.com") == ({"Dora's", "Mo's"}, "2")
    assert seen("admin@example.com") == ({"Dora's", "Mo's", "Olga's", "Anna's"}, "4")


def test_a_deal_moved_on_the_board_is_assigned_by_the_rules_and_the_board_answers(
    site_api: Api, reader: Reader, sales: dict[str, Any], designers: dict[str, Any]
) -> None:
    stage = sales["stage"]
    created = deal(site_api, stage["Awaiting payment"], "Shop", amount="5000")
    reader.sign_in("admin@example.com")
    reader.page(f"/ui/kanban/{sales['id']}")
    moved = reader.send(
        "POST",
        f"/ui/kanban/items/deal/{created['id']}/move",
        {"stage_id": stage["Prepayment received"]},
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["target"] == "kanban-columns"
    prepaid = column(moved.json()["html"], "Prepayment received")
    (card,) = prepaid["cards"]
    assert card["id"] == created["id"]
    assert card["responsible"] in {"Dora Designer", "Dan Designer"}
    assert prepaid["count"] == "1"
    stored = site_api.ok("GET", f"/deals/{created['id']}")
    assert stored["stage_id"] == stage["Prepayment received"]
    assert stored["responsible_id"] in designers["staff"].values()


def test_a_deal_nobody_is_free_for_waits_in_the_queue_with_a_badge(
    site_api: Api, reader: Reader, sales: dict[str, Any], designers: dict[str, Any]
) -> None:
    stage = sales["stage"]
    reader.sign_in("admin@example.com")
    reader.page(f"/ui/kanban/{sales['id']}")
    titles = ["First", "Second", "Third"]
    for title in titles:
        created = deal(site_api, stage["Awaiting payment"], title)
        url = f"/ui/kanban/items/deal/{created['id']}/move"
        assert reader.send("POST", url, {"stage_id": stage["Prepayment received"]}).is_success
    prepaid = column(reader.page(f"/ui/kanban/{sales['id']}"), "Prepayment received")
    shown = {c["title"]: (c["responsible"], c["waiting"]) for c in prepaid["cards"]}
    # Each designer has room for one deal: the third waits, still the admin's.
    assert shown["Third"] == ("Anna Admin", True)
    assert {shown["First"][0], shown["Second"][0]} == {"Dora Designer", "Dan Designer"}
    assert not shown["First"][1] and not shown["Second"][1]
    reader.client.cookies.set("cv_lang", "en")
    assert "waiting in queue" in reader.page(f"/ui/kanban/{sales['id']}")


def test_a_refused_move_changes_nothing_and_says_why(
    site_api: Api, reader: Reader, sales: dict[str, Any], site_uow: UnitOfWork
) -> None:
    stage = sales["stage"]
    contract_number(site_api, sales)
    created = deal(site_api, stage["Sign contract"], "Shop")
    other = sales_pipeline_named(site_api, "Service")
    reader.sign_in("admin@example.com")
    before = reader.page(f"/ui/kanban/{sales['id']}")
    marker = last_change(site_uow)
    url = f"/ui/kanban/items/deal/{created['id']}/move"
    refused = reader.send("POST", url, {"stage_id": stage["Invoice"]})
    assert refused.status_code == 422
    assert refused.headers["content-type"] == "application/problem+json"
    assert "Contract number" in refused.json()["detail"]
    assert refused.json()["field"] == "fields.contract_number"
    elsewhere = reader.send("POST", url, {"stage_id": other["stage"]["Invoice"]})
    assert elsewhere.status_code == 422
    assert reader.send("POST", url, {"stage_id": "soon"}).status_code == 422
    as_lead = f"/ui/kanban/items/lead/{created['id']}/move"
    assert reader.send("POST", as_lead, {"stage_id": stage["Invoice"]}).status_code == 404
    assert last_change(site_uow) == marker
    assert site_api.ok("GET", f"/deals/{created['id']}")["stage_id"] == stage["Sign contract"]
    assert columns(reader.page(f"/ui/kanban/{sales['id']}")) == columns(before)


def test_a_move_answers_with_the_columns_of_the_board_the_card_was_on(
    site_api: Api, reader: Reader, sales: dict[str, Any]
) -> None:
    stage = sales["stage"]
    created = deal(site_api, stage["Awaiting payment"], "Shop")
    other = sales_pipeline_named(site_api, "Service")
    deal(site_api, other["stage"]["Invoice"], "Elsewhere")
    reader.sign_in("admin@example.com")
    page = reader.page(f"/ui/kanban/{sales['id']}")
    url = f"/ui/kanban/items/deal/{created['id']}/move"
    # A crafted move to a stage of another pipeline: refused, no columns to swap in.
    crafted = reader.send("POST", url, {"stage_id": other["stage"]["Invoice"]})
    assert crafted.status_code == 422
    assert "html" not in crafted.json()
    moved = reader.send("POST", url, {"stage_id": stage["Invoice"]})
    assert moved.status_code == 200, moved.text
    answer = columns(moved.json()["html"])
    assert [c["stage_id"] for c in answer] == [c["stage_id"] for c in columns(page)]
    assert [c["title"] for c in column(moved.json()["html"], "Invoice")["cards"]] == ["Shop"]
    assert "Elsewhere" not in moved.json()["html"]


def test_the_live_board_of_an_unknown_pipeline_is_not_found_before_it_streams(
    site_api: Api, reader: Reader, sales: dict[str, Any]
) -> None:
    reader.sign_in("admin@example.com")
    for accept in ("text/event-stream", "application/json"):
        gone = reader.client.get("/ui/kanban/999999/live", headers={"Accept": accept})
        assert gone.status_code == 404
        assert gone.headers["content-type"] == "application/problem+json"
        assert "pipeline 999999" in gone.json()["detail"]
    site_api.ok("DELETE", f"/pipelines/{sales['id']}", 204)
    deleted = reader.client.get(f"/ui/kanban/{sales['id']}/live")
    assert deleted.status_code == 404


def test_a_move_without_the_csrf_token_is_refused(
    site_api: Api, reader: Reader, sales: dict[str, Any]
) -> None:
    stage = sales["stage"]
    created = deal(site_api, stage["Sign contract"], "Shop")
    reader.sign_in("admin@example.com")
    url = f"/ui/kanban/items/deal/{created['id']}/move"
    for token in ("", "forged"):
        refused = reader.send("POST", url, {"stage_id": stage["Invoice"]}, csrf=token)
        assert refused.status_code == 403
    assert site_api.ok("GET", f"/deals/{created['id']}")["stage_id"] == stage["Sign contract"]


def test_the_kanban_lists_the_pipelines_or_opens_the_only_one(
    site_api: Api, reader: Reader, sales: dict[str, Any]
) -> None:
    reader.sign_in("admin@example.com")
    only = reader.client.get("/ui/kanban", headers={"Accept": "text/html"})
    assert (only.status_code, only.headers["location"]) == (303, f"/ui/kanban/{sales['id']}")
    leads = site_api.ok(
        "POST",
        "/pipelines",
        201,
        json={"entity_type": "lead", "name": "Inbound", "stages": [{"name": "New"}]},
    )
    page = reader.page("/ui/kanban")
    assert "Воронки сделок" in page and "Воронки лидов" in page
    assert f'href="/ui/kanban/{sales["id"]}"' in page
    assert f'href="/ui/kanban/{leads["id"]}"' in page
    lead_board = reader.page(f"/ui/kanban/{leads['id']}")
    assert [c["stage"] for c in columns(lead_board)] == ["New"]
    assert "Лиды" in lead_board
    reader.page("/ui/kanban/999999", status=404)


def test_a_stranger_is_sent_to_sign_in(sales: dict[str, Any], reader: Reader) -> None:
    response = reader.client.get(f"/ui/kanban/{sales['id']}", headers={"Accept": "text/html"})
    assert response.status_code == 303
    assert response.headers["location"].startswith("/ui/login")


def sales_pipeline_named(api: Api, name: str) -> dict[str, Any]:
    pipeline = api.ok(
        "POST",
        "/pipelines",
        201,
        json={"entity_type": "deal", "name": name, "stages": [{"name": "Invoice"}]},
    )
    pipeline["stage"] = {s["name"]: s["id"] for s in pipeline["stages"]}
    return pipeline
