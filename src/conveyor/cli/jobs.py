"""``conveyor worker`` runs jobs; ``conveyor jobs list|rerun`` shows them and revives the dead."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from conveyor.cli.errors import run_or_exit
from conveyor.domain.jobs import Job, JobState
from conveyor.settings import Settings
from conveyor.storage.unit_of_work import UnitOfWork

jobs = typer.Typer(
    help="Delayed and periodic work: list jobs, run dead ones again.", no_args_is_help=True
)

DatabaseOption = Annotated[
    str | None,
    typer.Option("--database-url", envvar="CONVEYOR_DATABASE_URL", help="SQLAlchemy URL"),
]
#: Characters of ``last_error`` shown in the table (``GET /jobs/{id}`` has all of it).
ERROR_SHOWN = 80


def worker(
    database_url: DatabaseOption = None,
    poll_seconds: Annotated[
        float,
        typer.Option(min=0.05, max=3600, help="Longest sleep between two looks at the jobs"),
    ] = 5.0,
    batch: Annotated[int, typer.Option(min=1, max=1000, help="Jobs claimed at a time")] = 50,
    lease_seconds: Annotated[
        float,
        typer.Option(
            min=1,
            max=86400,
            help="Seconds a claimed job stays this worker's before another may take it over",
        ),
    ] = 60.0,
) -> None:
    """Run due jobs until SIGTERM or Ctrl+C (the job running finishes). Start any number, on
    any number of machines: on PostgreSQL they share the load and take over the jobs of one
    that died."""
    from conveyor.services.job_kinds import handlers
    from conveyor.workers.job_worker import WorkerOptions, run_worker_process

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    url = _url(database_url)
    options = WorkerOptions(batch=batch, lease_seconds=lease_seconds, poll_seconds=poll_seconds)
    done = run_or_exit(lambda: run_worker_process(url, handlers(), options=options))
    counts = ", ".join(f"{outcome.value} {n}" for outcome, n in done.outcomes.items())
    typer.echo(f"Worker {done.owner} stopped: {counts}")


@jobs.command("list")
def list_(
    state: Annotated[JobState | None, typer.Option(help="Only jobs in this state")] = None,
    kind: Annotated[str | None, typer.Option(help="Only jobs of this kind")] = None,
    limit: Annotated[int, typer.Option(min=1, max=500, help="Rows at most")] = 50,
    offset: Annotated[int, typer.Option(min=0, help="Rows to skip")] = 0,
    database_url: DatabaseOption = None,
) -> None:
    """Jobs by due time, with their attempts and last error."""
    from conveyor.domain.actors import SYSTEM
    from conveyor.services.jobs import list_jobs

    with _unit(database_url) as uow:
        found = run_or_exit(
            lambda: list_jobs(uow, actor=SYSTEM, limit=limit, offset=offset, state=state, kind=kind)
        )
    table = Table(title="Jobs", title_justify="left")
    for column in ("id", "kind", "state", "due (UTC)", "attempts", "last error"):
        table.add_column(column, justify="right" if column in ("id", "attempts") else "left")
    for job in found.items:
        table.add_row(*_row(job))
    console = Console()
    console.print(table)
    shown = f"{offset + 1}-{offset + len(found.items)}" if found.items else "none"
    console.print(f"{shown} of {found.total}")


@jobs.command("rerun")
def rerun(
    job_id: Annotated[int, typer.Argument(min=1, max=2**63 - 1, help="The dead job's id")],
    database_url: DatabaseOption = None,
) -> None:
    """Run a dead job again: pending, due now, its attempts reset."""
    from conveyor.domain.actors import SYSTEM
    from conveyor.services.jobs import rerun_job

    with _unit(database_url) as uow:
        job = run_or_exit(lambda: rerun_job(uow, job_id, actor=SYSTEM, now=datetime.now(UTC)))
    typer.echo(f"Job {job.id} ({job.kind}) is pending again, due now")


@jobs.command("purge")
def purge(
    done_days: Annotated[
        int, typer.Option(min=0, max=3650, help="Keep done jobs this many days")
    ] = 7,
    dead_days: Annotated[
        int, typer.Option(min=0, max=3650, help="Keep dead jobs this many days")
    ] = 90,
    database_url: DatabaseOption = None,
) -> None:
    """Delete finished jobs older than their keeping time (``conveyor serve`` does this
    hourly with the defaults); pending and running jobs are never touched."""
    from datetime import timedelta

    from conveyor.services.jobs import purge_jobs

    with _unit(database_url) as uow:
        gone = run_or_exit(
            lambda: purge_jobs(
                uow,
                now=datetime.now(UTC),
                keep_done=timedelta(days=done_days),
                keep_dead=timedelta(days=dead_days),
                batches=10_000,
            )
        )
    typer.echo(f"Purged {gone} finished jobs")


def _row(job: Job) -> tuple[str, ...]:
    error = job.last_error or ""
    if len(error) > ERROR_SHOWN:
        error = error[: ERROR_SHOWN - 1] + "…"
    return (
        str(job.id),
        job.kind,
        job.state.value,
        job.due_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S"),
        f"{job.attempts}/{job.max_attempts}",
        error,
    )


@contextmanager
def _unit(database_url: str | None) -> Iterator[UnitOfWork]:
    from conveyor.storage.database import build_engine, session_factory

    engine = build_engine(_url(database_url))
    try:
        yield UnitOfWork(session_factory(engine))
    finally:
        engine.dispose()


def _url(database_url: str | None) -> str:
    return database_url or run_or_exit(Settings).database_url
