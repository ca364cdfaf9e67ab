"""My work, the home page: a designer's tasks and their buttons, the head's approvals, the feed.

The office: Helen the head sets tasks to Dan the designer; Sam is another designer. Each signs
in with their own browser."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from conveyor.testing import FakeClock
from tests.e2e.agency import sales_pipeline
from tests.e2e.conftest import Api
from tests.web.conftest import Reader, person


class Office:
    def __init__(self, api: Api, new_reader: Callable[[], Reader]) -> None:
        self.admin = api
        self.ids: dict[str, int] = {}
        self.apis: dict[str, Api] = {}
        self.readers: dict[str, Reader] = {}
        for name, role in (("helen", "head"), ("dan", "employee"), ("sam", "employee")):
            employee = person(api, name.title(), f"{name}@example.com", role=role)
            token = api.ok(
                "POST", "/tokens", 201, json={"employee_id": employee["id"], "role": role}
            )
            self.ids[name] = employee["id"]
            self.apis[name] = api.as_(token["token"])
            reader = new_reader()
            assert reader.sign_in(f"{name}@example.com").status_code == 303
            self.readers[name] = reader

    def task(self, by: str, to: str, title: str, **fields: Any) -> dict[str, Any]:
        body = {"title": title, "responsible_id": self.ids[to], **fields}
        return self.apis[by].ok("POST", "/tasks", 201, json=body)  # type: ignore[no-any-return]

    def status(self, task: dict[str, Any]) -> str:
        return self.admin.ok("GET", f"/tasks/{task['id']}")["status"]  # type: ignore[no-any-return]


@pytest.fixture
def office(site_api: Api, new_reader: Callable[[], Reader]) -> Office:
    return Office(site_api, new_reader)


def _act(reader: Reader, task: dict[str, Any], action: str, **extra: str) -> Any:
    return reader.form(f"/ui/work/tasks/{task['id']}", {"action": action, **extra})


def _card(html: str, task: dict[str, Any]) -> str:
    """The HTML of the task's card on the page ("" when it is not there)."""
    found = re.search(
        rf'<li class="task-card[^"]*" data-task="{task["id"]}">(.*?)</li>', html, re.S
    )
    return found.group(1) if found else ""


def _section(html: str, section_id: str) -> str:
    found = re.search(rf'<section id="{section_id}".*?</section>', html, re.S)
    assert found is not None
    return found.group(0)


def _buttons(card: str) -> list[str]:
    return re.findall(r'name="action" value="(\w+)"', card)


def test_signing_in_leads_to_my_work(office: Office) -> None:
    reader = office.readers["dan"]
    response = reader.client.get("/ui/", headers={"Accept": "text/html"})
    assert response.headers["location"] == "/ui/work"
    html = reader.page("/ui/work")
    assert "<h1>Моя работа</h1>" in html
    assert "Открытых задач нет" in html
    assert "Ничего не ждёт вашей приёмки" in html


def test_the_designer_sees_their_open_tasks_with_deadline_item_and_buttons_but_not_sams(
    office: Office, clock: FakeClock
) -> None:
    sales_pipeline(office.admin)
    deal = office.admin.ok("POST", "/deals", 201, json={"title": "Bakery rebrand"})
    late = office.task(
        "helen", "dan", "Shop sign", deadline="2026-03-01T18:00:00+03:00", item_id=deal["id"]
    )
    later = office.task("helen", "dan", "Menu boards", deadline="2026-03-06T18:00:00+03:00")
    done = office.task("helen", "dan", "Old leaflet")
    office.apis["dan"].ok("POST", f"/tasks/{done['id']}/actions", json={"action": "complete"})
    sams = office.task("helen", "sam", "Sam's secret poster")

    html = office.readers["dan"].page("/ui/work")
    shop_sign = _card(html, late)
    assert "Shop sign" in shop_sign
    assert "Просрочена" in shop_sign
    assert 'class="deadline late"' in shop_sign
    assert "1 мар. 2026" in shop_sign and "18:00" in shop_sign  # in Dan's timezone (Moscow)
    assert f'href="/ui/items/deal/{deal["id"]}">Bakery rebrand</a>' in shop_sign
    assert "Helen" in shop_sign  # who set it
    assert _buttons(shop_sign) == ["start", "complete", "defer"]
    assert "Просрочена" not in _card(html, later)
    # By deadline: the late one first.
    assert html.index("Shop sign") < html.index("Menu boards")
    assert _card(html, done) == ""
    assert "secret poster" not in html and _card(html, sams) == ""
    # Sam's task cannot be touched from Dan's page either: to Dan it does not exist.
    refused = _act(office.readers["dan"], sams, "start")
    assert refused.status_code == 404
    assert office.status(sams) == "pending"


def test_the_designer_starts_pauses_defers_resumes_and_completes_a_task(office: Office) -> None:
    dan = office.readers["dan"]
    task = office.task("helen", "dan", "Business cards")
    steps = [
        ("start", "in_progress", "Задача начата", ["complete", "pause", "defer"]),
        ("pause", "pending", "Задача приостановлена", ["start", "complete", "defer"]),
        ("defer", "deferred", "Задача отложена", ["resume"]),
        ("resume", "pending", "Задача возобновлена", ["start", "complete", "defer"]),
    ]
    for action, status, said, buttons in steps:
        response = _act(dan, task, action)
        assert response.status_code == 303, response.text
        assert response.headers["location"] == f"/ui/work?done={action}"
        assert office.status(task) == status
        html = dan.page(response.headers["location"])
        assert said in html
        assert _buttons(_card(html, task)) == buttons
    response = _act(dan, task, "complete")
    assert office.status(task) == "completed"
    html = dan.page(response.headers["location"])
    assert "Задача завершена" in html
    assert _card(html, task) == ""


def test_helen_returns_a_task_with_a_comment_then_accepts_it(office: Office) -> None:
    dan, helen = office.readers["dan"], office.readers["helen"]
    task = office.task("helen", "dan", "Logo for the bakery", requires_acceptance=True)
    assert "уйдёт на приёмку: Helen" in _card(dan.page("/ui/work"), task)
    response = _act(dan, task, "complete")
    assert response.headers["location"] == "/ui/work?done=sent"
    html = dan.page("/ui/work?done=sent")
    assert "Задача отправлена на приёмку" in html
    waiting = _card(_section(html, "tasks"), task)
    assert "Ждёт приёмки" in waiting and _buttons(waiting) == []  # nothing for Dan to press

    approvals = _section(helen.page("/ui/work"), "approvals")
    card = _card(approvals, task)
    assert "Logo for the bakery" in card and "Dan" in card
    assert _buttons(card) == ["accept", "return"]
    assert '<textarea name="comment"' in card

    # A return needs a reason: refused with the task's own words, and nothing changes.
    refused = _act(helen, task, "return", comment="   ")
    assert refused.status_code == 422
    assert "Say why the task is returned" in refused.text
    assert office.status(task) == "awaiting_control"
    assert _card(_section(refused.text, "approvals"), task) != ""

    returned = _act(helen, task, "return", comment="Bigger letters, please")
    assert returned.headers["location"] == "/ui/work?done=return"
    assert office.status(task) == "in_progress"
    assert _card(_section(helen.page("/ui/work"), "approvals"), task) == ""
    assert _buttons(_card(dan.page("/ui/work"), task)) == ["complete", "pause", "defer"]

    _act(dan, task, "complete")
    accepted = _act(helen, task, "accept")
    assert accepted.headers["location"] == "/ui/work?done=accept"
    assert office.status(task) == "completed"
    html = helen.page("/ui/work?done=accept")
    assert "Задача принята" in html
    assert _card(html, task) == ""


def test_a_refused_action_shows_the_services_message_and_changes_nothing(
    office: Office,
) -> None:
    dan = office.readers["dan"]
    task = office.task("helen", "dan", "Flyer")
    _act(dan, task, "complete")
    again = _act(dan, task, "complete")
    assert again.status_code == 409
    assert "Cannot complete a task that is completed" in again.text
    assert '<p class="error" role="alert">' in again.text
    assert "<h1>Моя работа</h1>" in again.text  # the page itself, to carry on from
    assert office.status(task) == "completed"
    # Dan may not accept his own work for Helen.
    controlled = office.task("helen", "dan", "Banner", requires_acceptance=True)
    _act(dan, controlled, "complete")
    forbidden = _act(dan, controlled, "accept")
    assert forbidden.status_code == 403
    assert office.status(controlled) == "awaiting_control"
    # An action the page does not know, and a page script's fetch, are refused the same way.
    unknown = _act(dan, controlled, "teleport")
    assert (unknown.status_code, office.status(controlled)) == (422, "awaiting_control")
    fetch = dan.client.post(
        f"/ui/work/tasks/{task['id']}",
        data={"action": "complete", "csrf": dan.csrf},
        headers={"Accept": "application/json"},
    )
    assert fetch.status_code == 409
    assert fetch.headers["content-type"] == "application/problem+json"
    assert "completed" in fetch.json()["detail"]


def test_an_action_without_the_forms_csrf_token_changes_nothing(office: Office) -> None:
    dan = office.readers["dan"]
    task = office.task("helen", "dan", "Price list")
    response = dan.form(f"/ui/work/tasks/{task['id']}", {"action": "start"}, csrf="forged")
    assert response.status_code == 403
    assert "Форма устарела" in response.text
    missing = dan.client.post(
        f"/ui/work/tasks/{task['id']}", data={"action": "start"}, headers={"Accept": "text/html"}
    )
    assert missing.status_code == 403
    assert office.status(task) == "pending"
    notes = dan.form("/ui/work/notifications/read-all", {}, csrf="")
    assert notes.status_code == 403
    assert office.apis["dan"].ok("GET", "/notifications/unread-count")["unread"] == 1


def test_notifications_are_listed_unread_first_and_marked_read(
    office: Office, clock: FakeClock
) -> None:
    dan = office.readers["dan"]
    office.task("helen", "dan", "Window stickers")  # Dan is told the task is his
    clock.advance(minutes=5)
    office.admin.ok(
        "POST", "/notifications", 201, json={"recipient_ids": [office.ids["dan"]], "text": "Hi"}
    )
    clock.advance(minutes=5)
    office.admin.ok(
        "POST",
        "/notifications",
        201,
        json={"recipient_ids": [office.ids["sam"]], "text": "Sam only: payday moved"},
    )
    feed = office.apis["dan"].ok("GET", "/notifications")["items"]
    assert len(feed) == 2
    newest, oldest = feed

    html = dan.page("/ui/work")
    notes = _section(html, "notifications")
    assert "Sam only" not in notes
    assert notes.count('class="note unread"') == 2
    assert 'class="badge bad count" title="Непрочитанные">2<' in notes
    assert "Window stickers" in notes

    response = dan.form(f"/ui/work/notifications/{newest['id']}/read", {})
    assert response.headers["location"] == "/ui/work?done=read#notifications"
    notes = _section(dan.page("/ui/work?done=read"), "notifications")
    # The one still unread comes first; the read one keeps its place, no longer highlighted.
    assert notes.index(f'data-notification="{oldest["id"]}"') < notes.index(
        f'data-notification="{newest["id"]}"'
    )
    assert notes.count('class="note unread"') == 1
    assert f"/ui/work/notifications/{newest['id']}/read" not in notes

    # Someone else's notification is not found, and stays unread.
    sams = office.apis["sam"].ok("GET", "/notifications")["items"][0]
    refused = dan.form(f"/ui/work/notifications/{sams['id']}/read", {})
    assert refused.status_code == 404
    assert office.apis["sam"].ok("GET", "/notifications/unread-count")["unread"] == 1

    assert dan.form("/ui/work/notifications/read-all", {}).status_code == 303
    notes = _section(dan.page("/ui/work"), "notifications")
    assert 'class="note unread"' not in notes
    assert "Прочитать все" not in notes
    assert office.apis["dan"].ok("GET", "/notifications/unread-count")["unread"] == 0


def test_a_head_sees_their_own_work_here_not_their_departments(office: Office) -> None:
    office.admin.ok(
        "POST", "/tasks", 201, json={"title": "Dan's poster", "responsible_id": office.ids["dan"]}
    )
    own = office.admin.ok(
        "POST",
        "/tasks",
        201,
        json={"title": "Quarterly plan", "responsible_id": office.ids["helen"]},
    )
    html = office.readers["helen"].page("/ui/work")
    assert "Quarterly plan" in _card(html, own)
    assert "Dan's poster" not in html


def test_the_page_speaks_english_when_asked(office: Office) -> None:
    dan = office.readers["dan"]
    office.task("helen", "dan", "Stickers", deadline="2026-03-05T12:00:00+03:00")
    dan.form("/ui/language", {"to": "en", "next": "/ui/work"})
    html = dan.page("/ui/work")
    for said in (
        "<h1>My work</h1>",
        "My tasks",
        "Waiting for my acceptance",
        ">Start<",
        "5 Mar 2026",
    ):
        assert said in html


def test_a_co_executor_sees_the_task_they_help_with_and_may_work_on_it(office: Office) -> None:
    shared = office.task("helen", "dan", "Exhibition stand", co_executor_ids=[office.ids["sam"]])
    watched = office.task("helen", "dan", "Stand lighting", observer_ids=[office.ids["sam"]])
    sam = office.readers["sam"]
    html = sam.page("/ui/work")
    assert _buttons(_card(html, shared)) == ["start", "complete", "defer"]
    assert _card(html, watched) == ""  # observing is not doing
    assert _act(sam, shared, "start").status_code == 303
    assert office.status(shared) == "in_progress"


def test_a_returned_task_shows_the_designer_the_heads_comment_until_it_is_accepted(
    office: Office, clock: FakeClock
) -> None:
    dan, helen = office.readers["dan"], office.readers["helen"]
    task = office.task("helen", "dan", "Bakery brand book", requires_acceptance=True)
    _act(dan, task, "complete")
    # Helen hears the work waits for her.
    helens_notes = _section(helen.page("/ui/work"), "notifications")
    assert "Dan сдаёт задачу «Bakery brand book» на приёмку" in helens_notes

    clock.advance(hours=1)
    comment = "Цвета не по брендбуку <b>совсем</b>"
    _act(helen, task, "return", comment=comment)

    html = dan.page("/ui/work")
    card = _card(_section(html, "tasks"), task)
    assert "В работе" in card and "Возвращена" in card
    assert "Вернули на доработку:" in card
    assert "Цвета не по брендбуку &lt;b&gt;совсем&lt;/b&gt;" in card  # his words, as text
    assert "<b>" not in card
    assert "Helen" in card and "2 мар. 2026" in card
    notes = _section(html, "notifications")
    assert "Helen возвращает задачу «Bakery brand book» на доработку" in notes

    # Done again: Helen sees what she had asked for beside the work; Dan's marker says "earlier".
    _act(dan, task, "complete")
    approval = _card(_section(helen.page("/ui/work"), "approvals"), task)
    assert "Ранее возвращали:" in approval and "Цвета не по брендбуку" in approval
    waiting = _card(_section(dan.page("/ui/work"), "tasks"), task)
    assert "Ранее возвращали:" in waiting and "Возвращена" not in waiting

    _act(helen, task, "accept")
    assert office.admin.ok("GET", f"/tasks/{task['id']}")["return_comment"] is None
    assert "Helen принимает вашу работу" in _section(dan.page("/ui/work"), "notifications")
