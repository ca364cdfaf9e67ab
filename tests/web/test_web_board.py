"""The workload board page: the head of Design opens /ui/board on Monday morning and sees
who holds what against their capacity, who is away and why, when each will have room, and
which paid deals wait for a free designer; the board follows changes live."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from html.parser import HTMLParser
from typing import Any

import pytest
from fastapi import FastAPI, Request
from fastapi.testclient import TestClient

from conveyor.domain.actors import Actor
from conveyor.domain.languages import Language
from conveyor.domain.tokens import Role
from conveyor.testing import FakeClock
from conveyor.web import live
from conveyor.web.pages.board import TARGET, board_renderer
from conveyor.web.viewer import Viewer
from tests.e2e.agency import sales_pipeline
from tests.e2e.conftest import Api
from tests.web.conftest import Reader, person, run_apart

MONDAY_10_MSK = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)
_VOID = {"area", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


class Cards(HTMLParser):
    """The board as a reader sees it: ``people[name][stat]`` and ``rules[rule id][stat]``,
    the text of each ``data-stat`` element of a card or a queue row; ``classes[name]`` the
    classes of a card's bar; ``links`` every href."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.people: dict[str, dict[str, str]] = {}
        self.rules: dict[str, dict[str, str]] = {}
        self.bars: dict[str, str] = {}
        self.links: list[str] = []
        self._stack: list[tuple[str, dict[str, str] | None, str | None]] = []
        self._owner: dict[str, str] | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "a":
            self.links.append(a.get("href", ""))
        if tag in _VOID:
            return
        owner = self._owner
        if "data-name" in a:
            owner = self.people.setdefault(a["data-name"], {})
        elif "data-rule-id" in a:
            owner = self.rules.setdefault(a["data-rule-id"], {})
        if "bar" in a.get("class", "").split() and owner is not None:
            name = next(n for n, stats in self.people.items() if stats is owner)
            self.bars[name] = a["class"]
        stat = a.get("data-stat")
        if stat is not None and owner is not None:
            owner[stat] = ""
        self._stack.append((tag, self._owner, stat))
        self._owner = owner

    def handle_endtag(self, tag: str) -> None:
        while self._stack:
            opened, previous, _ = self._stack.pop()
            self._owner = previous
            if opened == tag:
                break

    def handle_data(self, data: str) -> None:
        for _tag, _owner, stat in self._stack:
            if stat is not None and self._owner is not None:
                current = self._owner.get(stat, "")
                self._owner[stat] = " ".join(f"{current} {data}".split())


def _points(shown: object) -> Decimal | None:
    """A number of points as the page (Russian) or the API writes it."""
    if shown is None:
        return None
    return Decimal(str(shown).replace("\u00a0", "").replace(",", "."))


def build_studio(api: Api, clock: FakeClock) -> dict[str, Any]:
    """Designers (head Hanna, who signs in): Lev (signs in) with 4 deals in development, on
    vacation until 10 March, with a late task; Sam with 3 deals and a task done today.
    Accounting (Olga) is someone else's. The rule "Paid deals to design" caps designers at
    5 points (a deal is 1) and moves what it assigns to Development started."""
    clock.set(MONDAY_10_MSK)
    pipeline = sales_pipeline(api)
    stage = pipeline["stage"]
    designers = api.ok("POST", "/departments", 201, json={"name": "Designers"})["id"]
    accounting = api.ok("POST", "/departments", 201, json={"name": "Accounting"})["id"]
    hanna = person(api, "Hanna Head", "hanna@example.com", role="head", department_ids=[designers])
    lev = person(api, "Lev", "lev@example.com", department_ids=[designers])
    sam = api.ok("POST", "/employees", 201, json={"name": "Sam", "department_ids": [designers]})
    olga = api.ok("POST", "/employees", 201, json={"name": "Olga", "department_ids": [accounting]})
    api.ok("PATCH", f"/departments/{designers}", json={"head_id": hanna["id"]})
    vacation = {"kind": "vacation", "starts_on": "2026-03-01", "ends_on": "2026-03-10"}
    api.ok("POST", "/absences", 201, json={"employee_id": lev["id"], **vacation})
    for who in [lev] * 4 + [sam] * 3:
        body = {
            "title": "Website",
            "stage_id": stage["Development started"],
            "responsible_id": who["id"],
        }
        api.ok("POST", "/deals", 201, json=body)
    late = {
        "title": "Mock-up",
        "responsible_id": lev["id"],
        "deadline": "2026-02-27T18:00:00+03:00",
    }
    api.ok("POST", "/tasks", 201, json=late)
    done = api.ok("POST", "/tasks", 201, json={"title": "Logo", "responsible_id": sam["id"]})
    api.ok("POST", f"/tasks/{done['id']}/actions", json={"action": "complete"})
    checked = {"title": "Banner", "responsible_id": sam["id"], "requires_acceptance": True}
    checked = api.ok("POST", "/tasks", 201, json=checked)
    api.ok("POST", f"/tasks/{checked['id']}/actions", json={"action": "complete"})
    rule = api.ok(
        "POST",
        "/assignment-rules",
        201,
        json={
            "name": "Paid deals to design",
            "entity_type": "deal",
            "pipeline_id": pipeline["id"],
            "trigger_stage_id": stage["Prepayment received"],
            "department_ids": [designers],
            "exclude_heads": True,
            "default_capacity_points": 5,
            "in_work_stage_ids": [stage["Development started"]],
            "next_stage_id": stage["Development started"],
        },
    )
    return {
        "stage": stage,
        "rule": rule,
        "designers": designers,
        "accounting": accounting,
        "ids": {"Hanna Head": hanna["id"], "Lev": lev["id"], "Sam": sam["id"], "Olga": olga["id"]},
    }


@pytest.fixture
def studio(site_api: Api, clock: FakeClock) -> dict[str, Any]:
    return build_studio(site_api, clock)


def test_an_admin_sees_everyone_with_the_figures_the_api_gives(
    site_api: Api, reader: Reader, studio: dict[str, Any]
) -> None:
    reader.sign_in("admin@example.com")

    for params in ({}, {"rule_id": studio["rule"]["id"]}):
        query = "&".join(f"{k}={v}" for k, v in params.items())
        people = Cards(reader.page(f"/ui/board?{query}")).people
        api_rows = site_api.ok("GET", "/workload", params=params)["items"]

        assert sorted(people) == sorted(row["name"] for row in api_rows)
        for row in api_rows:
            card = people[row["name"]]
            assert card["in-work"] == str(row["in_work_count"])
            assert _points(card["points"]) == _points(row["in_work_points"])
            assert _points(card.get("capacity")) == _points(row["capacity_points"])
            tasks = row["tasks"]
            assert card["overdue"] == str(tasks["overdue"])
            assert card["deferred"] == str(tasks["deferred"])
            assert card["awaiting-approval"] == str(tasks["awaiting_approval"])
            assert card["done-today"] == str(tasks["completed_today"])
    assert sorted(people) == ["Lev", "Sam"]  # the rule never gives work to Hanna, the head


def test_the_board_shows_who_is_away_and_why_and_how_full_each_bar_is(
    site_api: Api, reader: Reader, studio: dict[str, Any]
) -> None:
    reader.sign_in("admin@example.com")

    russian = Cards(reader.page(f"/ui/board?rule_id={studio['rule']['id']}"))
    reader.form("/ui/language", {"to": "en", "next": "/ui/board"})
    english = Cards(reader.page(f"/ui/board?rule_id={studio['rule']['id']}"))

    lev, sam = russian.people["Lev"], russian.people["Sam"]
    assert "Отсутствует" in lev["presence"]
    assert lev["why"] == "в отпуске до 10 мар. 2026 г."
    assert "На месте" in sam["presence"]
    assert sam["free-at"] == "сейчас"
    assert english.people["Lev"]["why"] == "on vacation until 10 Mar 2026"
    assert english.people["Lev"]["free-at"].startswith("11 Mar 2026, 09:00")
    # Lev holds 4 of 5 points: near full; Sam 3 of 5.
    assert russian.bars == {"Lev": "bar warn", "Sam": "bar "}
    # Without a rule nobody has a capacity, so "free now" would say nothing.
    no_rule = Cards(reader.page("/ui/board"))
    assert no_rule.people["Sam"]["free-at"] == "no capacity without a rule"


def test_a_bar_turns_red_at_capacity_and_the_fullest_come_first(
    site_api: Api, reader: Reader, studio: dict[str, Any]
) -> None:
    rule_id = studio["rule"]["id"]
    site_api.ok("PATCH", f"/assignment-rules/{rule_id}", json={"default_capacity_points": 4})
    reader.sign_in("admin@example.com")

    by_load = Cards(reader.page(f"/ui/board?rule_id={rule_id}"))
    by_name = Cards(reader.page(f"/ui/board?rule_id={rule_id}&sort=name"))

    assert by_load.bars == {"Lev": "bar bad", "Sam": "bar "}
    assert list(by_load.people) == ["Lev", "Sam"]
    assert list(Cards(reader.page("/ui/board")).people)[:2] == ["Lev", "Sam"]
    assert list(by_name.people) == ["Lev", "Sam"]
    assert list(Cards(reader.page("/ui/board?sort=name")).people) == [
        "Anna Admin",
        "Hanna Head",
        "Lev",
        "Olga",
        "Sam",
    ]


def test_a_head_sees_their_department_and_is_refused_another(
    site_api: Api, new_reader: Any, studio: dict[str, Any]
) -> None:
    hanna = new_reader()
    hanna.sign_in("hanna@example.com")

    html = hanna.page("/ui/board")
    refused = hanna.page(f"/ui/board?department_id={studio['accounting']}", status=403)

    assert sorted(Cards(html).people) == ["Hanna Head", "Lev", "Sam"]
    assert ">Designers</option>" in html and "Accounting" not in html
    assert "Paid deals to design" in html  # heads see the queues
    assert "A head sees only the departments they head" in refused
    assert Cards(refused).people == {}


def test_an_employee_sees_only_themselves_without_filters_or_queues(
    site_api: Api, new_reader: Any, studio: dict[str, Any]
) -> None:
    lev = new_reader()
    lev.sign_in("lev@example.com")

    html = lev.page("/ui/board")

    assert list(Cards(html).people) == ["Lev"]
    assert 'name="department_id"' not in html
    assert "Paid deals to design" not in html


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("department_id=design", "department_id must be a whole number"),
        ("rule_id=0", "rule_id must be a whole number"),
        ("offset=%C2%B2", "offset must be a whole number"),
        ("rule_id=999999", "does not exist"),
        ("sort=mood", "Sort by load or by name"),
    ],
)
def test_a_bad_filter_is_refused_with_a_message_and_shows_nobody(
    site_api: Api, reader: Reader, studio: dict[str, Any], query: str, message: str
) -> None:
    reader.sign_in("admin@example.com")

    html = reader.page(f"/ui/board?{query}", status=422)

    assert message in html
    assert Cards(html).people == {}


def test_the_queue_of_a_rule_lists_its_waiting_deals_and_the_oldest_wait(
    site_api: Api, reader: Reader, clock: FakeClock, studio: dict[str, Any]
) -> None:
    stage, rule_id = studio["stage"], studio["rule"]["id"]
    site_api.ok("PATCH", f"/assignment-rules/{rule_id}", json={"default_capacity_points": 3})
    waiting = []
    for minute in (5, 7):  # Lev is away and Sam is full: both wait
        clock.set(MONDAY_10_MSK.replace(minute=minute))
        body = {"title": f"Paid at 10:{minute:02}", "stage_id": stage["Awaiting payment"]}
        deal = site_api.ok("POST", "/deals", 201, json=body)
        site_api.ok(
            "POST", f"/deals/{deal['id']}/move", json={"stage_id": stage["Prepayment received"]}
        )
        waiting.append(deal["id"])
    clock.set(MONDAY_10_MSK.replace(minute=20))
    reader.sign_in("admin@example.com")

    html = reader.page("/ui/board")
    queue = Cards(html).rules[str(rule_id)]

    assert queue["waiting"] == "2"
    assert queue["oldest"] == "2 мар. 2026 г., 10:05 (15 мин)"
    assert [link for link in Cards(html).links if link.startswith("/ui/items/")] == [
        f"/ui/items/deal/{deal_id}" for deal_id in waiting
    ]
    assert "Paid at 10:05" in html and "Paid at 10:07" in html


def _request(app: FastAPI) -> Request:
    return Request({"type": "http", "app": app, "method": "GET", "path": "/ui/board/live"})


def _admin(api: Api) -> Viewer:
    """Anna, the admin, reading in English, as the page's viewer."""
    rows = api.ok("GET", "/workload")["items"]
    anna = next(row["employee_id"] for row in rows if row["name"] == "Anna Admin")
    return Viewer(
        actor=Actor(employee_id=anna, role=Role.ADMIN),
        name="Anna Admin",
        language=Language.EN,
        timezone="Europe/Moscow",
        secret="not used",
    )


def test_the_live_part_is_read_afresh_on_every_render(
    site_api: Api, site_client: TestClient, studio: dict[str, Any]
) -> None:
    raw = {"department_id": "", "rule_id": str(studio["rule"]["id"])}
    raw |= {"dismissed": "", "sort": "name", "offset": ""}
    render = board_renderer(_request(site_client.app), _admin(site_api), raw)  # type: ignore[arg-type]

    before = Cards(render()).people["Sam"]
    body = {
        "title": "One more website",
        "stage_id": studio["stage"]["Development started"],
        "responsible_id": studio["ids"]["Sam"],
    }
    site_api.ok("POST", "/deals", 201, json=body)
    after = Cards(render())

    assert (before["in-work"], after.people["Sam"]["in-work"]) == ("3", "4")
    assert after.bars["Sam"] == "bar warn"


class _Browser:
    """A request that stays connected for ``polls`` looks, then goes away."""

    def __init__(self, app: Any, polls: int) -> None:
        self.app = app
        self.polls = polls

    async def is_disconnected(self) -> bool:
        self.polls -= 1
        return self.polls < 0


def test_the_live_stream_sends_the_board_at_once_and_only_again_when_it_changed(
    site_api: Api, site_client: TestClient, studio: dict[str, Any]
) -> None:
    raw = {"department_id": "", "rule_id": "", "dismissed": "", "sort": "load", "offset": ""}
    render = board_renderer(_request(site_client.app), _admin(site_api), raw)  # type: ignore[arg-type]

    async def follow() -> list[str]:
        stream = live.updates(
            _Browser(site_client.app, polls=3),  # type: ignore[arg-type]
            TARGET,
            render,
            poll=0,
        )
        return [message async for message in stream]

    messages = run_apart(follow)

    assert messages[0] == "retry: 3000\n\n"
    refreshes = [m for m in messages if m.startswith("event: refresh\n")]
    assert len(refreshes) == 1  # nothing changed during the next two looks
    data = json.loads(refreshes[0].removeprefix("event: refresh\ndata: ").strip())
    assert data["target"] == TARGET == "board-live"
    assert data["html"].startswith(f'<section id="{TARGET}"')
    assert Cards(data["html"]).people["Sam"]["in-work"] == "3"
