"""Durable timers: N jobs due within a short window, run by K worker processes.

    python bench/timers.py --db sqlite|postgres [--workers 1] [--jobs 20000] [--window 1]
        [--batch 100] [--lease 60] [--postgres-url URL]

1. A fresh database (a SQLite file in a temporary directory, or a PostgreSQL database
   created next to ``--postgres-url``'s and dropped at the end), migrated.
2. K worker processes start (this script with ``--as-worker``): each is the real
   ``conveyor worker`` loop (``workers.job_worker.run_worker_process``) with one extra,
   bench-only kind, ``bench.noop``, whose handler does nothing. So each job costs what the
   job system itself costs: claimed in a batch under a lease, then its own transaction that
   marks it done, and the commit. The workers sleep until woken (LISTEN/NOTIFY on
   PostgreSQL; polling every second on SQLite, where another process's commit rings no bell).
3. N jobs are scheduled in one transaction with ``services.jobs.schedule_many``, due evenly
   over ``--window`` seconds starting a little after the transaction is expected to commit
   (the insert rate is measured first on a rolled-back sample).
4. When every job is done the workers get SIGTERM, and the figures come from the jobs
   themselves: ``lateness`` is ``finished_at - due_at`` (the moment the job's transaction
   ran it against the moment it was due), ``jobs_per_s`` is N over the time from the first
   job due (or the commit, if later) to the last one run. With a window shorter than the
   workers need, the workers run flat out and ``jobs_per_s`` is their throughput, while
   lateness mostly measures the queue; with a longer window, lateness is the timer's own.

``scheduled_late_ms`` > 0 says the schedule committed after the first job was due (the
lateness of the first jobs then includes that). The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from scratch_databases import POSTGRES_URL, fresh_database
from sqlalchemy import create_engine, select, text

from conveyor.domain.jobs import JobState, NewJob
from conveyor.services import jobs
from conveyor.services.jobs import JobHandlers
from conveyor.storage.database import build_engine, session_factory
from conveyor.storage.tables.jobs import jobs as jobs_table
from conveyor.storage.unit_of_work import UnitOfWork

KIND = "bench.noop"
SAMPLE = 20_000


def noop(uow: UnitOfWork, payload: dict[str, Any], now: datetime) -> None:
    """The bench's handler: nothing, so only the job system's own cost is measured."""


# -- a worker process -----------------------------------------------------------------------


def as_worker(url: str, batch: int, lease: float) -> None:
    from conveyor.services.job_kinds import handlers
    from conveyor.workers.job_worker import WorkerOptions, run_worker_process

    registry: JobHandlers = handlers()
    registry.register(KIND, noop)

    def ready(worker: Any) -> None:
        print(json.dumps({"ready": worker.owner}), flush=True)

    options = WorkerOptions(batch=batch, lease_seconds=lease, poll_seconds=1.0)
    done = run_worker_process(url, registry, options=options, on_started=ready)
    outcomes = {str(k): v for k, v in done.outcomes.items()}
    print(json.dumps({"outcomes": outcomes, "cpu_s": time.process_time()}), flush=True)


def start_workers(url: str, args: argparse.Namespace) -> list[subprocess.Popen[str]]:
    here = Path(__file__).resolve()
    command = [sys.executable, str(here), "--as-worker", url]
    command += ["--batch", str(args.batch), "--lease", str(args.lease)]
    started = [
        subprocess.Popen(command, stdout=subprocess.PIPE, text=True, cwd=here.parent)
        for _ in range(args.workers)
    ]
    for process in started:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line and "ready" in line, f"a worker did not start: {line!r}"
    return started


def stop_workers(started: list[subprocess.Popen[str]]) -> list[dict[str, Any]]:
    """SIGTERM each worker; what each reported: its outcomes and the CPU seconds it used."""
    for process in started:
        process.send_signal(signal.SIGTERM)
    return [json.loads(p.communicate(timeout=120)[0].strip().splitlines()[-1]) for p in started]


# -- scheduling -----------------------------------------------------------------------------


def insert_rate(uow: UnitOfWork, count: int) -> float:
    """Jobs per second ``schedule_many`` writes here, on a sample rolled back."""
    now = datetime.now(UTC)
    started = time.perf_counter()
    with uow:
        jobs.schedule_many(
            uow, (NewJob(kind=KIND, payload={}, due_at=now) for _ in range(count)), now=now
        )
        uow.flush()
        uow.rollback()
    return count / (time.perf_counter() - started)


def schedule(uow: UnitOfWork, count: int, window: float, lead: float) -> tuple[datetime, datetime]:
    """``count`` jobs due evenly over ``window`` seconds from ``lead`` seconds from now, in
    one transaction; returns the first due time and the moment the transaction committed."""
    first = datetime.now(UTC) + timedelta(seconds=lead)
    step = timedelta(seconds=window / max(count - 1, 1))
    with uow:
        jobs.schedule_many(
            uow,
            (NewJob(kind=KIND, payload={"n": n}, due_at=first + n * step) for n in range(count)),
            now=datetime.now(UTC),
        )
        uow.commit()
    return first, datetime.now(UTC)


# -- figures --------------------------------------------------------------------------------


def wait_until_done(url: str, count: int, timeout: float) -> None:
    """Poll, without taking SQLite's write lock, until no job is pending or running."""
    engine = create_engine(url)
    query = text("SELECT 1 FROM jobs WHERE state IN ('pending', 'running') LIMIT 1")
    deadline = time.monotonic() + timeout
    try:
        while True:
            with engine.connect() as connection:
                if connection.execute(query).first() is None:
                    return
            if time.monotonic() > deadline:
                raise SystemExit(f"the {count} jobs were not done within {timeout:.0f} s")
            time.sleep(0.2)
    finally:
        engine.dispose()


def lateness(uow: UnitOfWork) -> tuple[list[float], datetime, datetime, int]:
    """Sorted lateness in ms of every done job, the first due time, the last run, and how
    many jobs are not done."""
    c = jobs_table.c
    with uow:
        rows = uow.session.execute(
            select(c.due_at, c.finished_at, c.state).where(c.kind == KIND)
        ).all()
    late, not_done = [], 0
    first_due = last_run = None
    for due, finished, state in rows:
        if state is not JobState.DONE:
            not_done += 1
            continue
        late.append((finished - due).total_seconds() * 1000)
        first_due = due if first_due is None or due < first_due else first_due
        last_run = finished if last_run is None or finished > last_run else last_run
    assert first_due is not None and last_run is not None
    return sorted(late), first_due, last_run, not_done


def percentile(ordered: list[float], q: float) -> float:
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--workers", type=int, default=1, help="worker processes (K)")
    parser.add_argument("--jobs", type=int, default=20_000, help="timers to schedule (N)")
    parser.add_argument("--window", type=float, default=1.0, help="seconds the due times span")
    parser.add_argument("--batch", type=int, default=100, help="jobs a worker claims at once")
    parser.add_argument("--lease", type=float, default=60.0, help="lease seconds")
    parser.add_argument("--timeout", type=float, default=3600.0, help="give up after seconds")
    parser.add_argument("--postgres-url", default=POSTGRES_URL)
    parser.add_argument("--as-worker", metavar="URL", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.as_worker:
        as_worker(args.as_worker, args.batch, args.lease)
        return
    if args.workers < 1 or args.jobs < 1 or args.window < 0:
        parser.error("--workers and --jobs are at least 1, --window at least 0")

    with fresh_database(args.db, args.postgres_url) as url:
        engine = build_engine(url)
        uow = UnitOfWork(session_factory(engine))
        try:
            rate = insert_rate(uow, min(args.jobs, SAMPLE))
            started = start_workers(url, args)
            # Due a little after the insert is expected to commit, with a margin for noise.
            lead = 1.0 + 1.3 * args.jobs / rate
            print(
                f"{args.db}: {args.workers} worker(s), {args.jobs} jobs due over"
                f" {args.window:g} s from {lead:.1f} s from now (insert rate {rate:.0f}/s)",
                flush=True,
            )
            try:
                first, committed = schedule(uow, args.jobs, args.window, lead)
                wait_until_done(url, args.jobs, args.timeout)
            finally:
                outcomes = stop_workers(started)
            late, first_due, last_run, not_done = lateness(uow)
        finally:
            engine.dispose()

    visible = max(first_due, committed)
    elapsed = (last_run - visible).total_seconds()
    figures = {
        "db": args.db,
        "jobs": args.jobs,
        "workers": args.workers,
        "batch": args.batch,
        "window_s": args.window,
        "lateness_p50_ms": round(percentile(late, 0.50), 2),
        "lateness_p99_ms": round(percentile(late, 0.99), 2),
        "lateness_max_ms": round(late[-1], 2),
        "jobs_per_s": round(args.jobs / elapsed, 1) if elapsed > 0 else None,
        "elapsed_s": round(elapsed, 3),
        "scheduled_late_ms": round(max(0.0, (committed - first).total_seconds() * 1000), 1),
        "not_done": not_done,
        "done_per_worker": [o["outcomes"].get("done", 0) for o in outcomes],
        # CPU seconds each worker process used, start-up and idle waits included.
        "worker_cpu_s": [round(o["cpu_s"], 1) for o in outcomes],
        "cpus": os.cpu_count(),
    }
    print(
        f"lateness p50 {figures['lateness_p50_ms']} ms, p99 {figures['lateness_p99_ms']} ms;"
        f" {figures['jobs_per_s']} jobs/s over {figures['elapsed_s']} s;"
        f" per worker {figures['done_per_worker']}"
    )
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
