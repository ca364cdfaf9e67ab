"""The organization itself: its name, its timezone and its default work schedule.

Whatever counts time for nobody in particular reads these (and task reminders their
company-wide lead time): a robot on an item without a
responsible counts its working days in the organization's timezone, on its default schedule
and calendar. Every process (``conveyor serve`` replicas, ``conveyor worker`` machines)
reads the same values from the database, where an admin sets them; until then they are
``Organization()``'s defaults.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from conveyor.domain.employees import check_timezone
from conveyor.domain.errors import InvalidValue
from conveyor.domain.task_reminders import DEFAULT_REMIND_BEFORE_HOURS
from conveyor.domain.tasks import MAX_REMIND_BEFORE_HOURS

#: The one row's id: there is one organization per installation.
THE_ORGANIZATION = 1
DEFAULT_TIMEZONE = "Europe/Moscow"
MAX_NAME = 200


@dataclass(kw_only=True)
class Organization:
    id: int = THE_ORGANIZATION
    name: str = ""
    timezone: str = DEFAULT_TIMEZONE
    #: The work schedule (and through it the holiday calendar's country) of work counted for
    #: nobody in particular; ``None``: the standard five-day week on the Russian calendar.
    schedule_id: int | None = None
    #: Hours before a task's deadline its people are reminded, unless the task says
    #: otherwise (0: no such reminder).
    task_remind_hours: int = DEFAULT_REMIND_BEFORE_HOURS
    updated_at: datetime | None = None

    def change(self, changes: Mapping[str, Any], *, now: datetime) -> list[str]:
        """Apply ``changes`` and return the names that really changed (checked first:
        nothing changes when one is bad). The schedule's existence is the caller's check."""
        for name in changes:
            if name not in CHANGEABLE:
                raise InvalidValue(f"'{name}' cannot be changed", field=name)
        if "name" in changes:
            name = str(changes["name"]).strip()
            if len(name) > MAX_NAME:
                raise InvalidValue(f"A name of at most {MAX_NAME} characters", field="name")
            changes = {**changes, "name": name}
        if "timezone" in changes:
            check_timezone(str(changes["timezone"]))
        if "task_remind_hours" in changes:
            hours = changes["task_remind_hours"]
            if (
                isinstance(hours, bool)
                or not isinstance(hours, int)
                or not 0 <= hours <= MAX_REMIND_BEFORE_HOURS
            ):
                raise InvalidValue(
                    f"Hours before the deadline are 0 to {MAX_REMIND_BEFORE_HOURS}",
                    field="task_remind_hours",
                )
        changed = sorted(name for name, value in changes.items() if getattr(self, name) != value)
        for name in changed:
            setattr(self, name, changes[name])
        if changed:
            self.updated_at = now
        return changed

    def as_data(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "timezone": self.timezone,
            "schedule_id": self.schedule_id,
            "task_remind_hours": self.task_remind_hours,
        }


CHANGEABLE = frozenset({"name", "timezone", "schedule_id", "task_remind_hours"})
