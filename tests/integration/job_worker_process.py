"""A ``conveyor worker`` process for the crash and sharing tests (run with ``python -m``).

``URL LEASE_SECONDS BATCH``: runs the built-in kinds plus ``probe.record`` (one ``Recorded``
event per run, after sleeping ``payload["sleep"]`` seconds inside the job's transaction)
until SIGTERM. Prints one JSON line ``{"owner": ...}`` once started, and one with its
outcomes when stopped.
"""

from __future__ import annotations

import json
import sys
import time
from datetime import datetime
from typing import Any

from conveyor.domain.events import DomainEvent
from conveyor.services.job_kinds import handlers
from conveyor.storage.unit_of_work import UnitOfWork
from conveyor.workers.job_worker import JobWorker, WorkerOptions, run_worker_process


def record(uow: UnitOfWork, payload: dict[str, Any], now: datetime) -> None:
    time.sleep(float(payload.get("sleep", 0)))
    uow.emit(
        DomainEvent(
            type="Recorded", entity="probe", entity_id=payload["n"], occurred_at=now, payload={}
        )
    )


def main(argv: list[str]) -> None:
    url, lease, batch = argv
    registry = handlers()
    registry.register("probe.record", record)

    def started(worker: JobWorker) -> None:
        print(json.dumps({"owner": worker.owner}), flush=True)

    options = WorkerOptions(lease_seconds=float(lease), batch=int(batch), poll_seconds=0.2)
    done = run_worker_process(url, registry, options=options, on_started=started)
    print(json.dumps({str(k): v for k, v in done.outcomes.items()}), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
