"""The item card: a deal's facts, its story in plain words, its robots, and why it went to
whom — candidate by candidate — for whoever may see the deal."""

from __future__ import annotations

import html
import re
from datetime import date
from decimal import Decimal
from html.parser import HTMLParser
from typing import Any

import pytest

from conveyor.domain.absences import AbsenceKind
from conveyor.domain.actors import SYSTEM
from conveyor.domain.languages import Language
from conveyor.engines.assignment import FILTER_ORDER, Reason, Verdict
from conveyor.web import item_why
from conveyor.web.viewer import Viewer
from tests.e2e.agency import contract_number, sales_pipeline
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
        "Sum RUB 250,000",
        "Created 2 Mar 2026, 12:00",
        "Equipment special",
        "Contract date 5 Mar 2026",
        "Budget RUB 1,500.50",
        "Urgent Yes",
    ):
        assert said in facts
    assert "equipment_type" not in facts

    reader.form("/ui/language", {"to": "ru", "next": "/ui/work"})
    facts = text(reader.page(f"/ui/items/deal/{created['id']}"))
    assert "Сумма 250 000 ₽" in facts
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
    assert "Call to the client 2 Mar 2026, 12:00 Anna Admin Discussed the price" in talks
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


def test_every_reason_the_engine_drops_someone_for_has_its_words_and_follows_its_order() -> None:
    """The candidates' rows read the engine's own order (``FILTER_ORDER``): presence is known
    to be checked only for those dropped after the absence check, and each drop is said in
    words, never as the engine's code."""
    viewer = Viewer(
        actor=SYSTEM, name="Anna", language=Language.EN, timezone="Europe/Moscow", secret="-"
    )
    details = {
        Reason.LACKS_SKILL: {"skill": "3D"},
        Reason.ABSENT: {"kind": AbsenceKind.VACATION.value, "until": "2026-03-10"},
        Reason.DAY_NOT_OPEN: {"state": "paused"},
    }
    absent_at = FILTER_ORDER.index(Reason.ABSENT)
    for place, reason in enumerate(FILTER_ORDER):
        verdict = Verdict(
            employee_id=5,
            name="Vera",
            kept=False,
            reason=reason,
            load_points=Decimal(10),
            load_count=4,
            capacity_points=Decimal(10),
            details=details.get(reason, {}),
        ).as_data()
        row = item_why._candidate(verdict, 9, "1", None, viewer)
        assert (row.verdict_tone, row.chosen, row.kept) == ("bad", False, False)
        assert row.verdict.startswith("Excluded"), (reason, row.verdict)
        if place < absent_at:
            assert row.presence == "—", reason
        elif reason is Reason.ABSENT:
            assert row.presence == f"On vacation until {viewer.fmt.day(date(2026, 3, 10))}"
        else:
            assert (row.presence, row.presence_tone) == ("Present", "ok"), reason


# Changing the item on its card: the edit form and "Move to…".


class _Form(HTMLParser):
    """The inputs of one form of a page, as a browser would send them untouched."""

    def __init__(self, marker: str) -> None:
        super().__init__()
        self.marker = marker
        self.inside = False
        self.select: str | None = None
        self.values: dict[str, str] = {}
        self.options: dict[str, list[str]] = {}
        self.attrs: dict[str, dict[str, str | None]] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "form":
            self.inside = self.marker in found
        if not self.inside:
            return
        name = found.get("name")
        if tag == "input" and name:
            self.values[name] = found.get("value") or ""
            self.attrs[name] = found
        elif tag == "select" and name:
            self.select = name
            self.attrs[name] = found
            self.options[name] = []
        elif tag == "option" and self.select:
            self.options[self.select].append(found.get("value") or "")
            if "selected" in found or self.select not in self.values:
                self.values[self.select] = found.get("value") or ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self.select = None


def edit_form(page: str) -> _Form:
    form = _Form("data-edit-form")
    form.feed(page)
    assert form.values, "no edit form"
    return form


def sent(page: str, **typed: str) -> dict[str, str]:
    """The edit form as the page holds it, with ``typed`` typed in (``fields__x`` is the
    input ``fields.x``); the CSRF token is added by ``Reader.form``."""
    values = {k: v for k, v in edit_form(page).values.items() if k != "csrf"}
    values.update({name.replace("__", "."): value for name, value in typed.items()})
    return values


def field_box(page: str, name: str) -> str:
    found = re.search(
        rf'<div class="edit-field[^"]*" data-field="{re.escape(name)}">.*?</div>', page, re.S
    )
    assert found is not None, f"no input {name}"
    return found.group(0)


@pytest.fixture
def contract(site_api: Api) -> dict[str, Any]:
    """The sales pipeline with a contract number required from Invoice on, and a deal at
    "Sign contract" without one."""
    pipeline = sales_pipeline(site_api)
    contract_number(site_api, pipeline)
    stage = pipeline["stage"]
    body = {"title": "Mobile app", "stage_id": stage["Sign contract"], "amount": "780000"}
    return {"stage": stage, "deal": site_api.ok("POST", "/deals", 201, json=body)}


def test_a_required_field_is_filled_in_on_the_card_and_then_the_deal_moves_on(
    site_api: Api, reader: Reader, contract: dict[str, Any]
) -> None:
    stage, deal_id = contract["stage"], contract["deal"]["id"]
    url = f"/ui/items/deal/{deal_id}"
    english(reader)

    # Moving to Invoice is refused: the card says why and opens the form at the field.
    refused = reader.form(f"{url}/move", {"stage_id": str(stage["Invoice"])})
    assert refused.status_code == 422
    said = "Field 'Contract number' is required from stage 'Invoice' onward"
    move_part = re.search(r'<form[^>]*class="item-move".*?</form>', refused.text, re.S)
    assert move_part is not None and said in text(move_part.group(0))
    box = field_box(refused.text, "fields.contract_number")
    assert "highlight" in box and 'aria-invalid="true"' in box and said in text(box)
    assert '<details class="item-edit" id="edit" open>' in refused.text
    assert site_api.ok("GET", f"/deals/{deal_id}")["stage_id"] == stage["Sign contract"]

    # The kanban's link opens the same form at the field.
    page = reader.page(f"{url}?edit=contract_number")
    box = field_box(page, "fields.contract_number")
    assert "highlight" in box and "autofocus" in box and "aria-invalid" not in box
    assert '<details class="item-edit" id="edit" open>' in page
    unknown = reader.page(f"{url}?edit=nonsense")
    assert '<details class="item-edit" id="edit" open>' in unknown
    assert "autofocus" not in unknown
    saved = reader.form(url, sent(page, fields__contract_number="C-7"))
    assert saved.status_code == 303
    assert saved.headers["location"] == f"{url}?done=saved"
    assert "Saved." in reader.page(saved.headers["location"])
    assert site_api.ok("GET", f"/deals/{deal_id}")["fields"] == {"contract_number": "C-7"}

    moved = reader.form(f"{url}/move", {"stage_id": str(stage["Invoice"])})
    assert moved.status_code == 303
    page = reader.page(moved.headers["location"])
    assert "Moved to «Invoice»." in text(page)
    assert "Pipeline and stage Sales → Invoice" in text(section(page, "facts"))
    assert site_api.ok("GET", f"/deals/{deal_id}")["stage_id"] == stage["Invoice"]
    assert timeline(page)[:2] == [
        "2 Mar 2026, 12:00 Moved from «Sign contract» to «Invoice»",
        "2 Mar 2026, 12:00 Changed: Contract number",
    ]


def test_the_form_edits_title_sum_responsible_and_a_field_of_every_type(
    site_api: Api, reader: Reader, studio: dict[str, Any]
) -> None:
    segments = site_api.ok("POST", "/lists", 201, json={"code": "segments", "name": "Segments"})
    retail = site_api.ok("POST", f"/lists/{segments['id']}/elements", 201, json={"name": "Retail"})
    for code, name, kind, extra in (
        ("floors", "Floors", "number", {}),
        ("visit", "Site visit", "datetime", {}),
        ("tier", "Tier", "enum", {"options": ["basic", "premium"]}),
        ("designer", "Designer", "employee", {}),
        ("segment", "Segment", "list_element", {"list_id": segments["id"]}),
    ):
        body = {"entity_type": "deal", "code": code, "name": name, "type": kind, **extra}
        site_api.ok("POST", "/custom-fields", 201, json=body)
    created = deal(site_api, studio["stage"]["Conclude contract"], title="Kiosk")
    url = f"/ui/items/deal/{created['id']}"
    sam, vera = studio["people"]["Sam"], studio["people"]["Vera"]
    site_api.ok("PATCH", f"/employees/{vera}", json={"status": "dismissed"})

    page = english(reader).page(f"{url}?edit")
    form = edit_form(page)
    assert '<details class="item-edit" id="edit" open>' in page
    assert form.attrs["fields.floors"]["type"] == "number"
    assert form.attrs["fields.contract_date"]["type"] == "date"
    assert form.attrs["fields.visit"]["type"] == "datetime-local"
    assert form.options["fields.urgent"] == ["", "true", "false"]
    assert form.options["fields.tier"] == ["", "basic", "premium"]
    assert str(sam) in form.options["fields.designer"]
    assert form.options["fields.segment"] == ["", str(retail["id"])]
    assert form.values["responsible_id"] == str(
        site_api.ok("GET", f"/deals/{created['id']}")["responsible_id"]
    )
    assert str(sam) in form.options["responsible_id"]
    assert str(vera) not in form.options["responsible_id"]  # dismissed: nobody's to give to

    saved = reader.form(
        url,
        sent(
            page,
            title="Kiosk, second floor",
            amount="1 500,50",
            currency="usd",
            responsible_id=str(sam),
            fields__equipment_type="special",
            fields__floors="2,5",
            fields__contract_date="2026-03-20",
            fields__visit="2026-03-20T15:30",
            fields__urgent="true",
            fields__tier="premium",
            fields__budget="99.9",
            fields__budget__currency="EUR",
            fields__designer=str(sam),
            fields__segment=str(retail["id"]),
        ),
    )

    assert saved.status_code == 303
    stored = site_api.ok("GET", f"/deals/{created['id']}")
    assert stored["title"] == "Kiosk, second floor"
    assert (stored["amount"], stored["currency"]) == ("1500.50", "USD")
    assert stored["responsible_id"] == sam
    assert stored["fields"] == {
        "equipment_type": "special",
        "floors": 2.5,
        "contract_date": "2026-03-20",
        "visit": "2026-03-20T12:30:00+00:00",  # 15:30 in Moscow
        "urgent": True,
        "tier": "premium",
        "budget": {"amount": "99.90", "currency": "EUR"},
        "designer": sam,
        "segment": retail["id"],
    }
    # The form shows them back as its inputs read them, in the reader's time.
    again = edit_form(reader.page(url))
    assert again.values["fields.visit"] == "2026-03-20T15:30"
    assert again.values["fields.urgent"] == "true"
    assert again.values["amount"] == "1500.50"
    facts = text(section(reader.page(url), "facts"))
    assert "Site visit 20 Mar 2026, 15:30" in facts and "Segment Retail" in facts

    # Emptied inputs clear their fields.
    page = reader.page(url)
    cleared = reader.form(url, sent(page, amount="", fields__floors="", fields__urgent=""))
    assert cleared.status_code == 303
    stored = site_api.ok("GET", f"/deals/{created['id']}")
    assert stored["amount"] is None
    assert "floors" not in stored["fields"] and "urgent" not in stored["fields"]


def test_a_refused_edit_says_why_at_the_field_keeps_what_was_typed_and_changes_nothing(
    site_api: Api, reader: Reader, studio: dict[str, Any]
) -> None:
    created = deal(site_api, studio["stage"]["Conclude contract"], title="Kiosk")
    url = f"/ui/items/deal/{created['id']}"
    before = site_api.ok("GET", f"/deals/{created['id']}")
    page = english(reader).page(url)
    assert '<details class="item-edit" id="edit">' in page

    refused = reader.form(
        url, sent(page, title="Kiosk renamed", fields__contract_date="20.03.2026")
    )

    assert refused.status_code == 422
    box = field_box(refused.text, "fields.contract_date")
    assert 'aria-invalid="true"' in box
    assert "Expected a date as YYYY-MM-DD" in text(box)
    form = edit_form(refused.text)
    assert form.values["title"] == "Kiosk renamed"
    assert form.values["fields.contract_date"] == "20.03.2026"
    assert 'data-unsaved="true"' in refused.text
    assert "aria-invalid" not in field_box(refused.text, "title")
    assert site_api.ok("GET", f"/deals/{created['id']}") == before
    assert timeline(reader.page(url)) == timeline(page)

    # The API's own checks refuse too, at their input: an empty title, an unknown currency.
    for typed, name in (({"title": "  "}, "title"), ({"currency": "RUBLES"}, "currency")):
        refused = reader.form(url, sent(page, **typed))
        assert refused.status_code == 422
        assert 'aria-invalid="true"' in field_box(
            refused.text, "amount" if name == "currency" else name
        )
    assert site_api.ok("GET", f"/deals/{created['id']}") == before


def test_a_field_the_stage_requires_cannot_be_emptied_from_the_card(
    site_api: Api, reader: Reader, contract: dict[str, Any]
) -> None:
    stage = contract["stage"]
    signed = {
        "title": "Brand book",
        "stage_id": stage["Invoice"],
        "fields": {"contract_number": "C-1"},
    }
    filled = site_api.ok("POST", "/deals", 201, json=signed)
    url = f"/ui/items/deal/{filled['id']}"
    page = english(reader).page(url)

    refused = reader.form(url, sent(page, fields__contract_number=""))
    assert refused.status_code == 422
    box = field_box(refused.text, "fields.contract_number")
    assert "Field 'Contract number' is required from stage 'Invoice' onward" in text(box)
    assert site_api.ok("GET", f"/deals/{filled['id']}")["fields"] == {"contract_number": "C-1"}


def test_the_form_sends_only_what_was_changed(
    site_api: Api, reader: Reader, studio: dict[str, Any]
) -> None:
    """An unfilled field the stage requires does not block renaming, and a change someone
    else made while the form was open is not overwritten by it."""
    stage = studio["stage"]
    created = deal(site_api, stage["Invoice"], title="Older deal")
    later = {"entity_type": "deal", "code": "contract_number", "name": "Contract number"}
    site_api.ok(
        "POST",
        "/custom-fields",
        201,
        json={**later, "type": "string", "required_from_stage_id": stage["Invoice"]},
    )
    url = f"/ui/items/deal/{created['id']}"
    page = english(reader).page(url)
    site_api.ok("PATCH", f"/deals/{created['id']}", json={"amount": "5000"})

    saved = reader.form(url, sent(page, title="Older deal, renamed"))

    assert saved.status_code == 303
    stored = site_api.ok("GET", f"/deals/{created['id']}")
    assert stored["title"] == "Older deal, renamed"
    assert stored["amount"] == "5000.00"
    assert "contract_number" not in stored["fields"]
    assert timeline(reader.page(url))[0] == "2 Mar 2026, 12:00 Changed: title"


def test_edits_and_moves_need_the_forms_token_and_a_deal_the_reader_may_see(
    site_api: Api, reader: Reader, new_reader: Any, contract: dict[str, Any]
) -> None:
    deal_id, stage = contract["deal"]["id"], contract["stage"]
    url = f"/ui/items/deal/{deal_id}"
    before = site_api.ok("GET", f"/deals/{deal_id}")
    page = english(reader).page(url)

    forged = reader.form(url, sent(page, title="Forged"), csrf="forged")
    assert forged.status_code == 403
    moved = reader.form(f"{url}/move", {"stage_id": str(stage["Conclude contract"])}, csrf="")
    assert moved.status_code == 403

    partner = person(site_api, "Paula Partner", "paula@example.com", is_external=True)
    paula = english(new_reader(), "paula@example.com")
    paula.page("/ui/work")
    assert paula.form(url, sent(page, title="Mine now")).status_code == 404
    assert paula.form(f"{url}/move", {"stage_id": str(stage["Invoice"])}).status_code == 404
    assert site_api.ok("GET", f"/deals/{deal_id}") == before

    # On her own deal she may only be responsible herself, and picks no stage by mistake.
    own = {
        "title": "Partner job",
        "stage_id": stage["Sign contract"],
        "responsible_id": partner["id"],
    }
    theirs = site_api.ok("POST", "/deals", 201, json=own)
    page = paula.page(f"/ui/items/deal/{theirs['id']}")
    assert edit_form(page).options["responsible_id"] == [str(partner["id"])]
    empty = paula.form(f"/ui/items/deal/{theirs['id']}/move", {"stage_id": ""})
    assert empty.status_code == 422
    assert "Pick the stage to move to" in empty.text
    saved = paula.form(f"/ui/items/deal/{theirs['id']}", sent(page, title="Partner job, v2"))
    assert saved.status_code == 303
    assert site_api.ok("GET", f"/deals/{theirs['id']}")["title"] == "Partner job, v2"


def test_a_rule_that_could_not_decide_says_so_on_the_card(site_api: Api, reader: Reader) -> None:
    pipeline = sales_pipeline(site_api)
    pages = site_api.ok(
        "POST",
        "/custom-fields",
        201,
        json={"entity_type": "deal", "code": "pages", "name": "Pages", "type": "number"},
    )
    dmitry = site_api.ok("POST", "/employees", 201, json={"name": "Dmitry Designer"})
    site_api.ok(
        "POST",
        "/assignment-rules",
        201,
        json={
            "name": "Prepaid deals to Dmitry",
            "entity_type": "deal",
            "pipeline_id": pipeline["id"],
            "trigger_stage_id": pipeline["stage"]["Prepayment received"],
            "employee_ids": [dmitry["id"]],
            "weight": "deal.pages * 2",
        },
    )
    site_api.ok("DELETE", f"/custom-fields/{pages['id']}", 204)
    deal = site_api.ok(
        "POST", "/deals", 201, json={"title": "Shop", "stage_id": pipeline["stage"]["Invoice"]}
    )
    site_api.ok(
        "POST",
        f"/deals/{deal['id']}/move",
        json={"stage_id": pipeline["stage"]["Prepayment received"]},
    )
    card = text(english(reader).page(f"/ui/items/deal/{deal['id']}"))
    assert "Rule «Prepaid deals to Dmitry» could not decide: its weight failed" in card
    assert "The admins are told; the item stays where it was." in card
    assert "The distribution rule could not decide: its weight failed" in card
