"""Signing in to the pages: employee logins with roles, sessions that end, CSRF on every form,
Russian and English."""

from __future__ import annotations

import json
from typing import Any

import pytest

from conveyor.domain.errors import NotFound
from conveyor.testing import FakeClock
from conveyor.web import live
from conveyor.web.viewer import SignInNeeded
from tests.e2e.conftest import Api
from tests.web.conftest import PASSWORD, Reader, person, run_apart


def test_a_page_asks_a_stranger_to_sign_in_and_brings_them_back_after(
    site_api: Api, reader: Reader
) -> None:
    response = reader.client.get("/ui/password?x=1", headers={"Accept": "text/html"})
    assert response.status_code == 303
    assert response.headers["location"] == "/ui/login?next=/ui/password%3Fx%3D1"
    login = reader.page(response.headers["location"])
    assert 'name="next" value="/ui/password?x=1"' in login
    token = login.split('name="csrf" value="')[1].split('"')[0]
    response = reader.form(
        "/ui/login",
        {"email": "admin@example.com", "password": PASSWORD, "next": "/ui/password?x=1"},
        csrf=token,
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/ui/password?x=1"


def test_a_wrong_password_and_an_unknown_email_get_the_same_answer(
    site_api: Api, reader: Reader
) -> None:
    wrong_password = reader.sign_in("admin@example.com", "not the password")
    unknown = reader.sign_in("nobody@example.com", PASSWORD)
    for response in (wrong_password, unknown):
        assert response.status_code == 401
        assert "Неверная эл. почта или пароль" in response.text
    assert "cv_session" not in reader.client.cookies


def test_the_login_form_needs_its_csrf_token(site_api: Api, reader: Reader) -> None:
    reader.page("/ui/login")
    response = reader.form(
        "/ui/login", {"email": "admin@example.com", "password": PASSWORD}, csrf="forged"
    )
    assert response.status_code == 403
    assert "Форма устарела" in response.text
    assert "cv_session" not in reader.client.cookies


def test_a_form_without_the_session_csrf_token_changes_nothing(
    site_api: Api, reader: Reader
) -> None:
    reader.sign_in("admin@example.com")
    response = reader.form("/ui/logout", {}, csrf="forged")
    assert response.status_code == 403
    reader.page("/ui/password")  # still signed in
    fetch = reader.send("POST", "/ui/logout", csrf="")
    assert fetch.status_code == 403
    assert fetch.headers["content-type"] == "application/problem+json"


def test_signing_out_ends_the_session_for_good(site_api: Api, reader: Reader) -> None:
    reader.sign_in("admin@example.com")
    secret = reader.client.cookies["cv_session"]
    assert reader.form("/ui/logout", {}).status_code == 303
    reader.client.cookies.set("cv_session", secret)  # a copied cookie no longer works
    response = reader.client.get("/ui/password", headers={"Accept": "text/html"})
    assert response.status_code == 303
    assert response.headers["location"].startswith("/ui/login")


def test_a_session_expires_after_twelve_hours(
    site_api: Api, reader: Reader, clock: FakeClock
) -> None:
    reader.sign_in("admin@example.com")
    clock.advance(hours=11, minutes=59)
    reader.page("/ui/password")
    clock.advance(minutes=2)
    response = reader.client.get("/ui/password", headers={"Accept": "text/html"})
    assert response.status_code == 303
    fetch = reader.send("POST", "/ui/logout")
    assert fetch.status_code == 401


def test_a_dismissed_employee_is_signed_out_and_cannot_sign_in(
    site_api: Api, reader: Reader
) -> None:
    clerk = person(site_api, "Boris Clerk", "boris@example.com")
    reader.sign_in("boris@example.com")
    site_api.ok("PATCH", f"/employees/{clerk['id']}", json={"status": "dismissed"})
    response = reader.client.get("/ui/password", headers={"Accept": "text/html"})
    assert response.status_code == 303
    assert reader.sign_in("boris@example.com").status_code == 401


def test_the_role_of_the_login_is_the_role_on_the_pages(
    site_api: Api, reader: Reader, new_reader: Any
) -> None:
    person(site_api, "Boris Clerk", "boris@example.com")
    reader.sign_in("boris@example.com")
    page = reader.page("/ui/password")
    assert "Boris Clerk · сотрудник" in page
    assert 'href="/ui/rules"' not in page
    admin = new_reader()
    admin.sign_in("admin@example.com")
    assert 'href="/ui/rules"' in admin.page("/ui/password")


def test_an_admin_sets_logins_and_bad_ones_change_nothing(site_api: Api) -> None:
    clerk = site_api.ok("POST", "/employees", 201, json={"name": "No Mail"})
    refused = site_api.put(f"/employees/{clerk['id']}/login", json={"password": PASSWORD})
    assert refused.status_code == 422
    assert "no email" in refused.json()["detail"]
    boris = person(site_api, "Boris Clerk", "boris@example.com")
    short = site_api.put(f"/employees/{boris['id']}/login", json={"password": "short"})
    assert short.status_code == 422
    assert short.json()["field"] == "password"
    partner = site_api.ok(
        "POST", "/employees", 201, json={"name": "P", "email": "p@x.org", "is_external": True}
    )
    as_admin = site_api.put(
        f"/employees/{partner['id']}/login", json={"role": "admin", "password": PASSWORD}
    )
    assert as_admin.status_code == 422
    assert as_admin.json()["field"] == "role"
    site_api.ok("DELETE", f"/employees/{boris['id']}/login", 204)
    assert site_api.delete(f"/employees/{boris['id']}/login").status_code == 404


def test_removing_a_login_ends_its_sessions(site_api: Api, reader: Reader) -> None:
    boris = person(site_api, "Boris Clerk", "boris@example.com")
    reader.sign_in("boris@example.com")
    site_api.ok("DELETE", f"/employees/{boris['id']}/login", 204)
    assert reader.client.get("/ui/password", headers={"Accept": "text/html"}).status_code == 303


def test_changing_ones_password_keeps_this_session_and_ends_the_others(
    site_api: Api, reader: Reader, new_reader: Any
) -> None:
    person(site_api, "Boris Clerk", "boris@example.com")
    other = new_reader()
    other.sign_in("boris@example.com")
    reader.sign_in("boris@example.com")
    reader.page("/ui/password")
    wrong = reader.form(
        "/ui/password", {"current_password": "nope nope", "new_password": "a new secret"}
    )
    assert wrong.status_code == 422
    assert 'data-field="current_password"' in wrong.text
    done = reader.form(
        "/ui/password", {"current_password": PASSWORD, "new_password": "a new secret"}
    )
    assert done.status_code == 200
    assert "Пароль изменён" in done.text
    reader.page("/ui/password")
    assert other.client.get("/ui/password", headers={"Accept": "text/html"}).status_code == 303
    assert new_reader().sign_in("boris@example.com", "a new secret").status_code == 303


def test_the_language_switch_turns_the_pages_to_english(site_api: Api, reader: Reader) -> None:
    reader.sign_in("admin@example.com")
    assert "Сменить пароль" in reader.page("/ui/password")
    response = reader.form("/ui/language", {"to": "en", "next": "/ui/password"})
    assert response.status_code == 303
    assert response.headers["location"] == "/ui/password"
    page = reader.page("/ui/password")
    assert "Change password" in page and 'lang="en"' in page


def test_the_login_page_speaks_the_browsers_language(site_api: Api, reader: Reader) -> None:
    english = reader.client.get("/ui/login", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert "Sign in to Conveyor" in english.text
    russian = reader.client.get("/ui/login", headers={"Accept-Language": "ru"})
    assert "Вход в Конвейер" in russian.text


def test_a_redirect_after_sign_in_never_leaves_the_site(site_api: Api, reader: Reader) -> None:
    page = reader.page("/ui/login?next=//evil.example/steal")
    assert 'name="next" value="/ui/work"' in page
    reader.page("/ui/login?next=/%5Cevil.example")
    reader.page("/ui/login?next=https://evil.example/")


def test_a_nul_character_in_a_form_is_refused_and_changes_nothing(
    site_api: Api, reader: Reader, new_reader: Any
) -> None:
    reader.sign_in("admin@example.com")
    page = reader.page("/ui/password")
    assert "Сменить пароль" in page
    refused = reader.form(
        "/ui/password", {"current_password": PASSWORD, "new_password": "new\x00password"}
    )
    assert refused.status_code == 422
    assert "NUL" in refused.text
    assert new_reader().sign_in("admin\x00@example.com").status_code == 401
    assert new_reader().sign_in("admin@example.com").status_code == 303  # password unchanged


def test_an_address_the_pages_cannot_read_is_an_error_page(site_api: Api, reader: Reader) -> None:
    reader.sign_in("admin@example.com")
    response = reader.client.get(
        "/ui/rules/99999999999999999999999", headers={"Accept": "text/html"}
    )
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("text/html")
    assert "Неверные данные" in response.text
    api = reader.client.get("/deals/abc", headers={"Accept": "application/json"})
    assert api.headers["content-type"] == "application/problem+json"


def test_the_pages_may_not_be_framed_by_another_site(site_api: Api, reader: Reader) -> None:
    response = reader.client.get("/ui/login")
    assert response.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert "x-frame-options" not in reader.client.get("/health").headers


def test_a_form_sent_after_the_session_ended_leads_back_to_its_page(
    site_api: Api, reader: Reader, clock: FakeClock
) -> None:
    reader.sign_in("admin@example.com")
    reader.page("/ui/password")
    clock.advance(hours=13)
    response = reader.client.post(
        "/ui/password",
        data={"csrf": reader.csrf, "current_password": "x", "new_password": "y"},
        headers={"Accept": "text/html", "Referer": "http://testserver/ui/password"},
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/ui/login?next=/ui/password"


def test_a_live_stream_ends_when_the_session_does_and_when_its_subject_is_gone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    class Browser:
        async def is_disconnected(self) -> bool:
            return False

    def ended() -> None:
        raise SignInNeeded()

    def deleted() -> str:
        raise NotFound("deal", 7)

    async def follow(**options: Any) -> list[str]:
        stream = live.updates(Browser(), "part", poll=0, **options)  # type: ignore[arg-type]
        return [message async for message in stream]

    markers = iter(range(100))
    monkeypatch.setattr(live, "last_change", lambda uow: next(markers))
    monkeypatch.setattr(live, "get_uow", lambda request: None)
    signed_out = run_apart(lambda: follow(render=lambda: "<p>", still_signed_in=ended))
    gone = run_apart(lambda: follow(render=deleted))
    assert signed_out == ["retry: 3000\n\n", "event: signin\ndata: {}\n\n"]
    assert gone[-1].startswith("event: gone\n")
    assert json.loads(gone[-1].split("data: ", 1)[1]) == {
        "target": "part",
        "detail": "deal 7 does not exist",
    }


def test_demoting_an_admin_ends_his_web_session_at_once(site_api: Api, reader: Reader) -> None:
    bob = person(site_api, "Bob Boss", "bob@example.com", role="admin")
    reader.sign_in("bob@example.com")
    assert 'href="/ui/rules"' in reader.page("/ui/password")
    secret = reader.client.cookies["cv_session"]
    as_bearer = {"Authorization": f"Bearer {secret}"}
    assert reader.client.get("/employees", headers=as_bearer).status_code == 200

    site_api.ok(
        "PUT", f"/employees/{bob['id']}/login", json={"role": "employee", "password": PASSWORD}
    )

    response = reader.client.get("/ui/password", headers={"Accept": "text/html"})
    assert response.status_code == 303
    assert response.headers["location"].startswith("/ui/login")
    assert reader.client.get("/employees", headers=as_bearer).status_code == 401
    assert reader.sign_in("bob@example.com").status_code == 303  # now as an employee
    assert 'href="/ui/rules"' not in reader.page("/ui/password")


def test_ten_wrong_passwords_pause_the_email_and_the_login_page_says_for_how_long(
    site_api: Api, reader: Reader, clock: FakeClock
) -> None:
    for _ in range(10):
        assert reader.sign_in("admin@example.com", "not the password").status_code == 401
        clock.advance(minutes=1)
    paused = reader.sign_in("admin@example.com")  # the right password, unchecked
    assert paused.status_code == 401
    assert "Слишком много неудачных попыток входа, попробуйте через 5 минут" in paused.text
    assert "cv_session" not in reader.client.cookies
    english = reader.form("/ui/language", {"to": "en", "next": "/ui/login"})
    assert english.status_code == 303
    again = reader.sign_in("ADMIN@example.com")
    assert "Too many failed sign-ins; try again in 5 minutes" in again.text
    clock.advance(minutes=5)
    assert reader.sign_in("admin@example.com").status_code == 303


def test_the_email_is_found_in_any_letter_case(site_api: Api, reader: Reader) -> None:
    person(site_api, "Bob Clerk", "Bob@Example.com")
    assert reader.sign_in(" bob@example.com ").status_code == 303
    assert "Bob Clerk" in reader.page("/ui/password")
