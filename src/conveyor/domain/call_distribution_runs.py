"""What one run of a call distribution did: the record admins read and the event it emits.

A run is keyed on (distribution, occurrence): the scheduled occurrence it served, or the
moment someone asked for a run by hand. Storage refuses a second run with the same key, so
a replayed tick, a retry or two workers racing can never give the same week twice.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from conveyor.domain.events import DomainEvent


class RunTrigger(enum.StrEnum):
    SCHEDULE = "schedule"
    MANUAL = "manual"


@dataclass(kw_only=True)
class CallDistributionRun:
    """One run. ``given`` holds ``{"employee_id", "companies", "deadline"}`` per manager dealt
    to, in dealing order; ``skipped`` the managers left out (``SkippedManager.to_json``).

    Cursors before and after say where the run started and stopped (see
    ``CallDistribution``); ``wrapped`` that it reached the end of the companies and went on
    from the first (a new cycle). ``error`` says why a run gave nothing because the
    definition no longer fits the data (its list lost the filtered column, say).
    """

    id: int | None = None
    distribution_id: int
    occurrence: datetime
    trigger: RunTrigger
    actor_id: int | None = None
    ran_at: datetime
    companies_given: int = 0
    given: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[dict[str, Any]] = field(default_factory=list)
    company_cursor_before: int | None = None
    company_cursor_after: int | None = None
    manager_cursor_before: int | None = None
    manager_cursor_after: int | None = None
    wrapped: bool = False
    error: str | None = None

    def event(self) -> DomainEvent:
        """``CallDistributionRan`` (or ``CallDistributionFailed``): ONE event per run, with the
        count per manager, instead of one ``TaskCreated`` per call task (see
        docs/decisions.md); whoever notifies managers reads ``given``."""
        return DomainEvent(
            type="CallDistributionFailed" if self.error else "CallDistributionRan",
            entity="call_distribution",
            entity_id=self.distribution_id,
            occurred_at=self.ran_at,
            payload={
                "run_id": self.id,
                "occurrence": self.occurrence.isoformat(),
                "trigger": self.trigger.value,
                "actor_id": self.actor_id,
                "companies_given": self.companies_given,
                "given": self.given,
                "skipped": self.skipped,
                "wrapped": self.wrapped,
                "error": self.error,
            },
        )
