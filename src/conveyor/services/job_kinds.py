"""Every kind of job this version of Conveyor runs, and its handler.

A worker runs only the kinds it knows: a job of another kind (scheduled by a newer version
during a rolling upgrade, say) fails with ``UnknownJobKind`` and is retried with backoff
until a worker that knows it takes it, or it is dead.
"""

from __future__ import annotations

from conveyor.services import (
    call_distributions,
    call_rounds,
    communication_checks,
    communication_controls,
    robot_runs,
    task_reminders,
    task_robot_runs,
)
from conveyor.services.jobs import JobHandlers


def handlers() -> JobHandlers:
    """A fresh registry of the built-in kinds; callers may register more on it."""
    registry = JobHandlers()
    registry.register(call_distributions.RUN_JOB, call_rounds.run_scheduled)
    registry.register(communication_controls.RUN_JOB, communication_checks.run_scheduled)
    robot_runs.register(registry)
    task_reminders.register(registry)
    task_robot_runs.register(registry)
    return registry
