"""The item card: a deal's facts, its story in plain words, its robots, and why it went to
whom — candidate by candidate — for whoever may see the deal."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest

from tests.e2e.agency import sales_pipeline
from tests.e2e.conftest import Api
from tests.web.conftest import Reader, person

WEIGHT = '5 if deal.equipment_type == "special" else 1'


def english(reader: Reader, email: str = "admin@example.com") -> Reader:
    reader.sign_in(email)
    reader.form("/ui/language", {"to": "en", "next": "/ui/work"})
    return reader


def text(fragment: str) -> str:
    """What a person reads: tags dropped, entities decoded, spaces collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def section(page: str, section_id: str) -> str:
    found = re.search(rf'<section[^>]*id="{section_id}".*?</section>', page, re.S)
    assert found is not None, f"no section #{section_id}"
    return found.group(0)


def candidates(page: str) -> dict[str, tuple[str, str]]:
    """The candidates table of "why this person?": name -> (row class, row text)."""
    table = re.search(r'<table class="candidates">.*?</table>', page, re.S)
    assert table is not None, "no candidates table"
    rows = re.findall(r'<tr class="(\w+)"[^>]*>(.*?)</tr>', table.group(0), re.S)
    found = {}
    for kind, row in rows:
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        found[text(cells[0]).lstrip("★ ")] = (kind, text(row))
    return found


def timeline(page: str) -> list[str]:
    return [text(li) for li in re.findall(r'<li class="event[^"]*">(.*?)</li>', page, re.S)]


@pytest.fixture
def studio(site_api: Api) -> dict[str, Any]:
    """Designers: Hanna heads them; Vera is on vacation, Lev has 8 of 10 points in work,
    Sam 3; a rule gives prepaid deals to the least loaded present designer."""
    api = site_api
    pipeline = sales_pipeline(api)
    stage = pipeline["stage"]
    for code, name, kind in (
        ("equipment_type", "Equipment", "string"),
        ("contract_date", "Contract date", "date"),
        ("budget", "Budget", "money"),
        ("urgent", "Urgent", "boolean"),
    ):
        body = {"entity_type": "deal", "code": code, "name": name, "type": kind}
        api.ok("POST", "/custom-fields", 201, json=body)
    department = api.ok("POST", "/departments", 201, json={"name": "Designers"})
    members = {"department_ids": [department["id"]]}
    head = person(api, "Hanna Head", "hanna@example.com", role="head", **members)["id"]
    api.ok("PATCH", f"/departments/{department['id']}", json={"head_id": head})
    people = {
        name: person(api, name, f"{name.lower()}@example.com", **members)["id"]
        for name in ("Vera", "Lev", "Sam")
    }
    vacation = {"kind": "vacation", "starts_on": "2026-03-01", "ends_on": "2026-03-10"}
    api.ok("POST", "/absences", 201, json={"employee_id": people["Vera"], **vacation})
    in_work = [("Lev", "special")] + [("Lev", "standard")] * 3 + [("Sam", "standard")] * 3
    for name, equipment in in_work:
        deal(api, stage["Development started"], responsible_id=people[name], equipment=equipment)
    rule = api.ok(
        "POST",
        "/assignment-rules",
        201,
        json={
            "name": "Designers take prepaid deals",
            "entity_type": "deal",
            "pipeline_id": pipeline["id"],
            "trigger_stage_id": stage["Prepayment received"],
            "department_ids": [department["id"]],
            "exclude_heads": True,
            "default_capacity_points": 10,
            "in_work_stage_ids": [stage["Development started"]],
            "weight": WEIGHT,
            "strategy": "least_loaded",
            "next_stage_id": stage["Development started"],
        },
    )
    return {"stage": stage, "head": head, "people": people, "rule": rule}


def deal(api: Api, stage_id: int, *, equipment: str = "standard", **extra: Any) -> Any:
    body = {"title": "Website", "stage_id": stage_id, "fields": {"equipment_type": equipment}}
    return api.ok("POST", "/deals", 201, json={**body, **extra})


def prepaid(api: Api, studio: dict[str, Any], *, equipment: str = "standard") -> Any:
    """A deal awaiting payment (the admin responsible) moved to Prepayment received."""
    stage = studio["stage"]
    created = deal(api, stage["Awaiting payment"], equipment=equipment, title="Shop redesign")
    return move(api, created["id"], stage["Prepayment received"])


def move(api: Api, deal_id: int, stage_id: int) -> Any:
    return api.ok("POST", f"/deals/{deal_id}/move", json={"stage_id": stage_id})


def test_a_deal_given_by_a_rule_explains_every_candidate_and_marks_the_chosen_one(
    site_api: Api, reader: Reader, studio: dict[str, Any]
) -> None:
    given = prepaid(site_api, studio)
    page = english(reader).page(f"/ui/items/deal/{given['id']}")

    why = text(section(page, "why"))
    assert (
        "Rule «Designers take prepaid deals» gave it to Sam: the least loaded "
        "(3 of 10 points, 3 in work)." in why
    )
    assert "Then it moved on to «Development started»." in why
    assert f"Deal {given['id']} went to Sam (least loaded: 3/10 points)." in why
    table = candidates(page)
    assert set(table) == {"Hanna Head", "Vera", "Lev", "Sam"}
    assert table["Sam"] == (
        "chosen",
        "★ Sam 3 of 10 points, 3 in work Present Not checked by the rule Chosen",
    )
    assert table["Lev"] == (
        "kept",
        "Lev 8 of 10 points, 4 in work Present Not checked by the rule Ranked lower",
    )
    assert table["Vera"][0] == "dropped"
    assert "On vacation until 10 Mar 2026" in table["Vera"][1]
    assert "Excluded: absent" in table["Vera"][1]
    assert table["Hanna Head"][0] == "dropped"
    assert table["Hanna Head"][1].endswith("— — Excluded: department head")
    assert [name for name, (kind, _) in table.items() if kind == "chosen"] == ["Sam"]
    assert "Responsible Sam" in text(section(page, "facts"))


def test_the_card_shows_the_deals_fields_by_name_formatted_for_the_reader(
    site_api: Api, reader: Reader, studio: dict[str, Any]
) -> None:
    fields = {
        "equipment_type": "special",
        "contract_date": "2026-03-05",
        "budget": {"amount": "1500.50", "currency": "RUB"},
        "urgent": True,
    }
    body = {"title": "Kiosk", "amount": "250000", "currency": "RUB", "fields": fields}
    created = site_api.ok("POST", "/deals", 201, json=body)

    facts = text(english(reader).page(f"/ui/items/deal/{created['id']}"))
    for said in (
        "Pipeline and stage Sales → Conclude contract",
        "Responsible Anna Admin",
        "Sum RUB250,000.00",
        "Created 2 Mar 2026, 12:00",
        "Equipment special",
        "Contract date 5 Mar 2026",
        "Budget RUB1,500.50",
        "Urgent Yes",
    ):
        assert said in facts
    assert "equipment_type" not in facts

    reader.form("/ui/language", {"to": "ru", "next": "/ui/work"})
    facts = text(reader.page(f"/ui/items/deal/{created['id']}"))
    assert "Сумма 250 000,00 ₽" in facts
    assert "Почему этот человек?" in facts


def test_a_deal_handed_over_by_hand_says_no_rule_decided(
    site_api: Api, reader: Reader, studio: dict[str, Any]
) -> None:
    sam = studio["people"]["Sam"]
    by_hand = deal(site_api, studio["stage"]["Invoice"], responsible_id=sam)

    page = english(reader).page(f"/ui/items/deal/{by_hand['id']}")

    why = text(section(page, "why"))
    assert "Sam was made responsible by hand: no distribution rule decided for this item." in why
    assert '<table class="candidates">' not in page


def test_a_deal_nobody_can_take_says_it_waits_in_the_queue_and_since_when(
    site_api: Api, reader: Reader, studio: dict[str, Any], clock: Any
) -> None:
    prepaid(site_api, studio, equipment="special")  # Sam now at 8 points
    clock.advance(minutes=5)
    waiting = prepaid(site_api, studio, equipment="special")

    page = english(reader).page(f"/ui/items/deal/{waiting['id']}")

    why = text(section(page, "why"))
    assert "Rule «Designers take prepaid deals» found nobody free for it." in why
    assert "Waiting in the queue" in why
    assert "It waits in the rule's queue since 2 Mar 2026, 12:05." in why
    table = candidates(page)
    assert "Excluded: no room for 5 more points" in table["Sam"][1]
    assert "Excluded: no room for 5 more points" in table["Lev"][1]
    assert not [name for name, (kind, _) in table.items() if kind == "chosen"]
    assert "Nobody was free: waits in the rule's queue" in timeline(page)[0]


def test_the_timeline_tells_the_moves_newest_first_in_the_readers_time(
    site_api: Api, reader: Reader, studio: dict[str, Any], clock: Any
) -> None:
    stage = studio["stage"]
    created = deal(site_api, stage["Conclude contract"], title="Landing page")
    clock.advance(hours=2)
    move(site_api, created["id"], stage["Sign contract"])
    site_api.ok("PATCH", f"/deals/{created['id']}", json={"title": "Landing page v2"})
    sam = studio["people"]["Sam"]
    site_api.ok("PATCH", f"/deals/{created['id']}", json={"responsible_id": sam})

    story = timeline(english(reader).page(f"/ui/items/deal/{created['id']}"))

    assert story == [
        "2 Mar 2026, 14:00 Responsible changed from Anna Admin to Sam",
        "2 Mar 2026, 14:00 Changed: title",
        "2 Mar 2026, 14:00 Moved from «Conclude contract» to «Sign contract»",
        "2 Mar 2026, 12:00 Created at stage «Conclude contract», responsible: Anna Admin",
    ]


def test_the_card_lists_the_robots_that_fired_skipped_and_wait(
    site_api: Api, reader: Reader, studio: dict[str, Any]
) -> None:
    stage = studio["stage"]["Sign contract"]
    for robot in (
        {"name": "Hello", "action": {"kind": "notify", "to": ["responsible"], "text": "Hi"}},
        {
            "name": "Only special",
            "condition": 'deal.equipment_type == "special"',
            "action": {"kind": "notify", "to": ["responsible"], "text": "Special!"},
        },
        {
            "name": "Remind tomorrow",
            "timing": {"kind": "after", "amount": 1, "unit": "days"},
            "action": {"kind": "notify", "to": ["responsible"], "text": "Still here?"},
        },
    ):
        site_api.ok("POST", "/robots", 201, json={"stage_id": stage, **robot})
    created = deal(site_api, studio["stage"]["Conclude contract"])
    move(site_api, created["id"], stage)

    page = english(reader).page(f"/ui/items/deal/{created['id']}")

    robots = section(page, "robots")
    rows = [text(r) for r in re.findall(r"<tr>(.*?)</tr>", robots, re.S)[1:]]
    assert len(rows) == 3
    fired = next(r for r in rows if r.startswith("Hello"))
    assert fired.startswith("Hello Notify Sign contract Fired 2 Mar 2026, 12:00")
    skipped = next(r for r in rows if r.startswith("Only special"))
    assert "Skipped" in skipped and "condition" in skipped.lower()
    waiting = next(r for r in rows if r.startswith("Remind tomorrow"))
    assert "Pending due 3 Mar 2026, 12:00" in waiting
    story = timeline(page)
    assert any("Robot «Hello» fired" in line for line in story)
    assert any("Robot «Only special» skipped" in line for line in story)
    assert not any("Remind tomorrow" in line for line in story)


def test_communications_of_the_deal_show_on_its_card_and_in_its_story(
    site_api: Api, reader: Reader, studio: dict[str, Any]
) -> None:
    created = deal(site_api, studio["stage"]["Conclude contract"])
    call = {"kind": "call", "direction": "outgoing", "subject": "Discussed the price"}
    site_api.ok("POST", "/communications", 201, json={**call, "item_id": created["id"]})

    page = english(reader).page(f"/ui/items/deal/{created['id']}")

    talks = text(section(page, "communications"))
    assert "Call outgoing 2 Mar 2026, 12:00 Anna Admin Discussed the price" in talks
    assert timeline(page)[0] == "2 Mar 2026, 12:00 Call: Discussed the price"


def test_a_partner_opens_only_their_own_deal_and_sees_no_client_base(
    site_api: Api, reader: Reader, new_reader: Any, studio: dict[str, Any]
) -> None:
    partner = person(site_api, "Paula Partner", "paula@example.com", is_external=True)
    company = site_api.ok("POST", "/companies", 201, json={"name": "Acme"})
    stage = studio["stage"]["Conclude contract"]
    theirs = deal(site_api, stage, responsible_id=partner["id"], company_id=company["id"])
    other = deal(site_api, stage, title="Not for partners")
    call = {"kind": "call", "subject": "Secret terms", "item_id": theirs["id"]}
    site_api.ok("POST", "/communications", 201, json=call)
    paula = english(new_reader(), "paula@example.com")

    own = paula.page(f"/ui/items/deal/{theirs['id']}")
    assert "Website" in own
    assert 'id="communications"' not in own
    assert "Secret terms" not in own
    assert "Acme" not in own

    refused = paula.page(f"/ui/items/deal/{other['id']}", status=404)
    assert "Not found" in refused
    assert "Not for partners" not in refused
    live = paula.client.get(f"/ui/items/deal/{other['id']}/live")
    assert live.status_code == 404
    assert live.headers["content-type"] == "application/problem+json"
    english(reader)
    assert "Acme" in reader.page(f"/ui/items/deal/{theirs['id']}")


def test_a_missing_or_unknown_item_is_a_not_found_page_and_strangers_sign_in_first(
    site_api: Api, reader: Reader, new_reader: Any, studio: dict[str, Any]
) -> None:
    created = deal(site_api, studio["stage"]["Conclude contract"])
    stranger = new_reader()
    response = stranger.client.get(
        f"/ui/items/deal/{created['id']}", headers={"Accept": "text/html"}
    )
    assert response.status_code == 303
    assert response.headers["location"].startswith("/ui/login?next=/ui/items/deal/")

    english(reader)
    for url in (
        "/ui/items/deal/999999",
        f"/ui/items/lead/{created['id']}",
        f"/ui/items/task/{created['id']}",
        "/ui/items/deal/abc",
    ):
        assert "Not found" in reader.page(url, status=404)


def test_a_deal_handed_on_by_hand_after_the_rule_says_so_under_the_decision(
    site_api: Api, reader: Reader, studio: dict[str, Any]
) -> None:
    given = prepaid(site_api, studio)
    lev = studio["people"]["Lev"]
    site_api.ok("PATCH", f"/deals/{given['id']}", json={"responsible_id": lev})

    page = english(reader).page(f"/ui/items/deal/{given['id']}")

    why = text(section(page, "why"))
    assert "gave it to Sam" in why
    assert "Since then the responsible has changed to Lev." in why
    assert timeline(page)[0].endswith("Responsible changed from Sam to Lev")
