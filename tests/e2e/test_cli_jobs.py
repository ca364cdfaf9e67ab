"""The command line for jobs: ``conveyor worker`` runs them as a real process until SIGTERM,
``conveyor jobs list`` shows them, ``conveyor jobs rerun`` revives a dead one; bad input is
one readable line and a non-zero exit."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from conveyor.cli.main import app
from conveyor.services import jobs
from conveyor.services.job_kinds import handlers
from conveyor.services.jobs import claim_jobs, run_job
from conveyor.storage.database import build_engine, session_factory
from conveyor.storage.unit_of_work import UnitOfWork

runner = CliRunner()
WIDE = {"COLUMNS": "200"}


@pytest.fixture
def database(tmp_path: Path) -> Iterator[str]:
    """A migrated SQLite file with two jobs due now: Monday calls of a distribution that no
    longer exists (its handler does nothing) and a report no worker knows, tried once."""
    url = f"sqlite:///{tmp_path / 'jobs.db'}"
    assert runner.invoke(app, ["db", "upgrade", "--database-url", url]).exit_code == 0
    engine = build_engine(url)
    uow = UnitOfWork(session_factory(engine))
    now = datetime.now(UTC)
    with uow:
        jobs.schedule(
            uow,
            kind="call_distribution.run",
            payload={"distribution_id": 999, "occurrence": now.isoformat()},
            due_at=now,
            now=now,
        )
        jobs.schedule(uow, kind="report.monthly", payload={}, due_at=now, now=now, max_attempts=1)
        uow.commit()
    engine.dispose()
    yield url


def states(url: str) -> dict[str, str]:
    engine = create_engine(url)
    with engine.connect() as connection:
        found = {
            kind: state for kind, state in connection.execute(text("SELECT kind, state FROM jobs"))
        }
    engine.dispose()
    return found


def test_a_worker_process_runs_the_due_jobs_and_stops_cleanly_on_sigterm(database: str) -> None:
    command = ["worker", "--database-url", database, "--poll-seconds", "0.2"]
    process = subprocess.Popen(
        [sys.executable, "-m", "conveyor.cli", *command],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while states(database) != {"call_distribution.run": "done", "report.monthly": "dead"}:
            assert time.monotonic() < deadline, states(database)
            time.sleep(0.1)
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, err
    assert "stopped: done 1, retrying 0, dead 1, lost 0" in out
    assert "started" in err and "stopping (SIGTERM)" in err


def test_serve_runs_a_worker_unless_told_not_to() -> None:
    shown = runner.invoke(app, ["serve", "--help"], env=WIDE)
    assert shown.exit_code == 0 and "--no-worker" in shown.output


def test_an_admin_lists_the_dead_and_reruns_one(database: str) -> None:
    engine = build_engine(database)
    uow = UnitOfWork(session_factory(engine))

    def clock() -> datetime:
        return datetime.now(UTC)

    # As a worker would: the report fails its only attempt.
    for job in claim_jobs(uow, owner="w", now=clock(), limit=5, lease=timedelta(minutes=1)).jobs:
        run_job(uow, job, handlers=handlers(), owner="w", clock=clock)
    engine.dispose()

    listed = runner.invoke(app, ["jobs", "list", "--database-url", database], env=WIDE)
    assert listed.exit_code == 0, listed.output
    assert "call_distribution.run" in listed.output and "report.monthly" in listed.output
    assert "1-2 of 2" in listed.output

    dead = runner.invoke(
        app, ["jobs", "list", "--state", "dead", "--database-url", database], env=WIDE
    )
    assert dead.exit_code == 0, dead.output
    assert "call_distribution.run" not in dead.output
    assert "UnknownJobKind: No handler is registered for job kind 'report.monthly'" in dead.output
    assert "1-1 of 1" in dead.output

    rerun = runner.invoke(app, ["jobs", "rerun", "2", "--database-url", database])
    assert rerun.exit_code == 0, rerun.output
    assert rerun.output.strip() == "Job 2 (report.monthly) is pending again, due now"
    assert states(database)["report.monthly"] == "pending"

    again = runner.invoke(app, ["jobs", "rerun", "2", "--database-url", database])
    assert again.exit_code == 1
    assert again.stderr.strip() == (
        "error: Only a dead job can be run again; job 2 is pending (state)"
    )
    missing = runner.invoke(app, ["jobs", "rerun", "99", "--database-url", database])
    assert (missing.exit_code, missing.stderr.strip()) == (1, "error: job 99 does not exist")


def test_an_admin_purges_finished_jobs_and_the_waiting_ones_stay(database: str) -> None:
    engine = build_engine(database)
    uow = UnitOfWork(session_factory(engine))

    def clock() -> datetime:
        return datetime.now(UTC)

    # The Monday calls run (done), the report fails its only attempt (dead).
    for job in claim_jobs(uow, owner="w", now=clock(), limit=5, lease=timedelta(minutes=1)).jobs:
        run_job(uow, job, handlers=handlers(), owner="w", clock=clock)
    with uow:
        jobs.schedule(
            uow, kind="report.monthly", payload={}, due_at=clock() + timedelta(days=1), now=clock()
        )
        uow.commit()
    engine.dispose()

    kept = runner.invoke(app, ["jobs", "purge", "--database-url", database])
    assert (kept.exit_code, kept.output.strip()) == (0, "Purged 0 finished jobs")
    purged = runner.invoke(
        app, ["jobs", "purge", "--done-days", "0", "--dead-days", "0", "--database-url", database]
    )
    assert (purged.exit_code, purged.output.strip()) == (0, "Purged 2 finished jobs")
    assert states(database) == {"report.monthly": "pending"}


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["jobs", "list", "--state", "asleep"], "conveyor jobs list: Invalid value for '--state'"),
        (["jobs", "rerun", "0"], "conveyor jobs rerun: Invalid value for 'job_id'"),
        (["worker", "--batch", "0"], "conveyor worker: Invalid value for '--batch'"),
        (["jobs", "purge", "--done-days", "-1"], "conveyor jobs purge: Invalid value for"),
    ],
)
def test_bad_job_commands_are_one_readable_line_and_exit_2(args: list[str], says: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "conveyor.cli", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "CONVEYOR_DATABASE_URL": "sqlite:///unused.db"},
    )
    assert done.returncode == 2
    [line] = done.stderr.strip().splitlines()
    assert line.startswith(f"error: {says}"), line
    assert done.stdout == ""
