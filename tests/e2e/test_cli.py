"""The command line as a newcomer uses it: demo, migrations, admins, and readable errors."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx2 as httpx
import pytest
from typer.testing import CliRunner

from conveyor.cli.main import app

runner = CliRunner()
TOKEN = re.compile(r"Admin token:\s+(cv_\S+)")


def test_the_demo_builds_a_company_that_the_api_serves(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from conveyor.api.app import create_app

    url = f"sqlite:///{tmp_path / 'demo.db'}"
    result = runner.invoke(app, ["demo", "--no-serve", "--database-url", url])
    assert result.exit_code == 0, result.output
    token = TOKEN.search(result.output)
    assert token, result.output
    api = create_app(url)
    with TestClient(api) as client:
        headers = {"Authorization": f"Bearer {token.group(1)}"}
        employees = client.get("/employees?limit=500", headers=headers).json()
        departments = client.get("/departments", headers=headers).json()
        tasks = client.get("/tasks?limit=500", headers=headers).json()
        deals = client.get("/deals?limit=500", headers=headers).json()
        pipelines = client.get("/pipelines?entity_type=deal", headers=headers).json()
        companies = client.get("/companies", headers=headers).json()
        last_call = client.get(
            f"/companies/{companies['items'][0]['id']}/last-communication", headers=headers
        )
        managers = client.get("/lists", headers=headers).json()
        schedules = client.get("/schedules", headers=headers).json()
        decisions = client.get("/assignment-decisions?limit=100", headers=headers).json()
    api.state.engine.dispose()
    assert employees["total"] >= 40
    assert sum(e["is_external"] for e in employees["items"]) == 2
    assert departments["total"] == 5
    assert all(d["head_id"] for d in departments["items"])
    statuses = {t["status"] for t in tasks["items"]}
    assert tasks["total"] >= 60
    assert {"pending", "in_progress", "completed", "awaiting_control"} <= statuses
    assert any(t["overdue"] for t in tasks["items"])
    sales = next(p for p in pipelines if p["name"] == "Sales")
    assert [s["name"] for s in sales["stages"]][-3:] == ["Development started", "Done", "Lost"]
    assert deals["total"] == 60
    assert companies["total"] >= 10
    assert last_call.status_code == 200 and last_call.json() is not None
    assert {"Managers", "Companies to call"} <= {x["name"] for x in managers["items"]}
    assert {s["name"] for s in schedules["items"]} == {"Office 5/2", "Support 2/2"}
    assert sum(1 for e in employees["items"] if e["schedule_id"]) == 38
    # Paid deals went to designers through the seed's rule, never to the head of Design.
    assert decisions["total"] >= 1
    design = next(d for d in departments["items"] if d["name"] == "Design")
    assert all(d["chosen_id"] != design["head_id"] for d in decisions["items"])
    assert "department head" in decisions["items"][0]["sentence"]
    assert len({d["stage_id"] for d in deals["items"]}) >= 5


def test_the_demo_refuses_a_database_that_already_has_people(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'busy.db'}"
    assert runner.invoke(app, ["demo", "--no-serve", "--database-url", url]).exit_code == 0
    result = runner.invoke(app, ["demo", "--no-serve", "--database-url", url])
    assert result.exit_code == 1
    assert "empty database" in result.output


def test_an_unreachable_database_is_one_readable_line_and_a_non_zero_exit() -> None:
    result = runner.invoke(
        app, ["db", "upgrade", "--database-url", "postgresql://nobody@127.0.0.1:1/none"]
    )
    assert result.exit_code != 0
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:"), result.output


def test_the_demo_prints_web_logins_that_sign_in(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from conveyor.web.site import create_site

    url = f"sqlite:///{tmp_path / 'demo.db'}"
    result = runner.invoke(app, ["demo", "--no-serve", "--database-url", url])
    assert result.exit_code == 0, result.output
    password = re.search(r"password (\S+) for each of", result.output)
    logins = re.findall(
        r"^\s+(\S+@agency\.example)  \(.+, (admin|head|employee)\)$", result.output, re.MULTILINE
    )
    assert password is not None
    assert [role for _, role in logins] == ["admin", "head", "employee"]
    site = create_site(url)
    with TestClient(site) as client:
        for email, role in logins:
            client.cookies.clear()
            login = client.get("/ui/login")
            token = re.search(r'name="csrf" value="([^"]+)"', login.text)
            assert token is not None
            signed = client.post(
                "/ui/login",
                data={"email": email, "password": password.group(1), "csrf": token.group(1)},
                follow_redirects=False,
            )
            assert signed.status_code == 303, (email, signed.text[:500])
            signed = client.get("/ui/password")
            assert (
                f"· {dict(admin='администратор', head='руководитель', employee='сотрудник')[role]}"
                in signed.text
            )
    site.state.engine.dispose()


def test_an_admin_created_from_the_cli_can_use_the_api(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    assert runner.invoke(app, ["db", "upgrade", "--database-url", url]).exit_code == 0
    result = runner.invoke(
        app, ["admin", "create", "--name", "Anna Petrova", "--database-url", url]
    )
    assert result.exit_code == 0, result.output
    assert re.search(r"API token: cv_\S+", result.output)


def test_an_admin_created_with_a_password_signs_in_to_the_pages(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from conveyor.web.site import create_site

    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    assert runner.invoke(app, ["db", "upgrade", "--database-url", url]).exit_code == 0
    short = runner.invoke(
        app,
        ["admin", "create", "--name", "Anna", "--email", "a@x.org", "--password", "short"],
        env={"CONVEYOR_DATABASE_URL": url},
    )
    no_email = runner.invoke(
        app,
        ["admin", "create", "--name", "Anna", "--password", "long enough", "--database-url", url],
    )
    for refused in (short, no_email):
        assert refused.exit_code == 1, refused.output
        assert refused.output.startswith("error:") and len(refused.output.splitlines()) == 1
    created = runner.invoke(
        app,
        ["admin", "create", "--name", "Anna", "--email", "a@x.org", "--database-url", url],
        env={"CONVEYOR_ADMIN_PASSWORD": "long enough"},
    )
    assert created.exit_code == 0, created.output
    assert "Web: sign in at /ui with a@x.org" in created.output
    site = create_site(url)
    with TestClient(site) as client:
        login = client.get("/ui/login")
        token = re.search(r'name="csrf" value="([^"]+)"', login.text)
        assert token is not None
        signed = client.post(
            "/ui/login",
            data={"email": "a@x.org", "password": "long enough", "csrf": token.group(1)},
            follow_redirects=False,
        )
        secret = re.search(r"API token: (cv_\S+)", created.output)
        assert secret is not None
        headers = {"Authorization": f"Bearer {secret.group(1)}"}
        employees = client.get("/employees", headers=headers).json()
    site.state.engine.dispose()
    assert signed.status_code == 303 and "cv_session" in signed.cookies
    assert employees["total"] == 1  # the refused commands left nobody behind


def test_conveyor_demo_starts_a_real_server_and_prints_where(tmp_path: Path) -> None:
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "conveyor.cli", "demo", "--port", str(port)],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "COLUMNS": "120"},
    )
    try:
        token = _wait_for_token(process)
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                response = httpx.get(
                    f"{base}/employees", headers={"Authorization": f"Bearer {token}"}
                )
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "the server did not come up"
                time.sleep(0.2)
        assert response.status_code == 200
        assert response.json()["total"] >= 40
        assert (tmp_path / "conveyor-demo.db").exists()
    finally:
        process.terminate()
        process.wait(timeout=20)
        if process.stdout:
            process.stdout.close()


def _wait_for_token(process: subprocess.Popen[str]) -> str:
    assert process.stdout is not None
    for line in process.stdout:
        found = TOKEN.search(line)
        if found:
            return found.group(1)
    raise AssertionError("conveyor demo printed no admin token")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (
            ["serve", "--sweep-seconds", "0.5"],
            "conveyor serve: Invalid value for '--sweep-seconds'",
        ),
        (["simulate", "--days", "many"], "conveyor simulate: Invalid value for '--days'"),
        (["deploy"], "conveyor: No such command 'deploy'."),
    ],
)
def test_a_mistyped_command_line_is_one_readable_line_and_exit_2(
    args: list[str], says: str
) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "conveyor.cli", *args], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2
    [line] = done.stderr.strip().splitlines()
    assert line.startswith(f"error: {says}")
    assert done.stdout == ""
