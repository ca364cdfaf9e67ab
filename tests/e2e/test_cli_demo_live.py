"""``conveyor demo`` live: paid deals stream in and each assignment shows with its reason,
while the API serves the same database; Ctrl+C stops the stream and the server cleanly."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx2 as httpx
from typer.testing import CliRunner

from conveyor.cli.main import app

runner = CliRunner()
TOKEN = re.compile(r"Admin token:\s+(cv_\S+)")
SUMMARY = re.compile(r"Streamed (\d+) deals in \d+ s: (\d+) assignments, (\d+) waits")


def test_a_short_live_run_prints_the_assignments_with_their_reasons(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    result = runner.invoke(
        app,
        ["demo", "--no-serve", "--live", "--duration", "3", "--rate", "0.2", "--database-url", url],
        env={"COLUMNS": "160"},
    )
    assert result.exit_code == 0, result.output
    output = result.output
    assert "Latest assignments" in output and "Workload board" in output
    assert re.search(r"Deal \d+ went to \S+", output), output
    assert "never picked: department head" in output
    assert "API not served" in output
    summary = SUMMARY.search(output)
    assert summary, output
    deals, assignments = int(summary.group(1)), int(summary.group(2))
    assert deals >= 5 and assignments >= 1


def test_the_api_serves_while_deals_stream_in_and_ctrl_c_stops_both(tmp_path: Path) -> None:
    port = _free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "conveyor.cli",
            "demo",
            "--live",
            "--rate",
            "0.3",
            "--port",
            str(port),
        ],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "COLUMNS": "160"},
    )
    assert process.stdout is not None
    try:
        token = _wait_for_token(process)
        headers = {"Authorization": f"Bearer {token}"}
        base = f"http://127.0.0.1:{port}"
        first = _deals(base, headers)
        deadline = time.monotonic() + 30
        while _deals(base, headers) <= first + 3:
            assert time.monotonic() < deadline, "no deal streamed in while the API served"
            time.sleep(0.3)
        process.send_signal(signal.SIGINT)
        output = process.communicate(timeout=30)[0]
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, output
    assert SUMMARY.search(output), output
    assert "went to" in output
    try:
        httpx.get(f"{base}/health", timeout=2)
    except httpx.TransportError:
        pass
    else:
        raise AssertionError("the API still serves after Ctrl+C")


def _deals(base: str, headers: dict[str, str]) -> int:
    deadline = time.monotonic() + 30
    while True:
        try:
            response = httpx.get(f"{base}/deals?limit=1", headers=headers)
            return int(response.json()["total"])
        except httpx.TransportError:
            assert time.monotonic() < deadline, "the server did not come up"
            time.sleep(0.2)


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
