"""Call distributions: on a schedule, each active manager of a list gets N companies to call.

"Every Monday at 09:00 Moscow time, give each active manager of the *Managers* list 30
companies to call, round-robin, skipping those away, continuing next week where this week
stopped." A ``CallDistribution`` is that definition; each execution is a
``CallDistributionRun`` (``domain/call_rounds.py`` deals one round).

- **Managers** are the elements of a universal list (``managers_list_id``) whose
  ``employee_column`` names an employee, filtered like ``GET /lists/{id}/elements``
  (``managers_where``: column code -> text, e.g. ``{"status": "active"}``), in the list's
  order. They are read at run time, so someone added to the list since the last run is
  dealt in at once.
- **Companies** are the client base itself, by id, optionally only those of one responsible
  (``company_responsible_id``) and only those nobody has communicated with for
  ``quiet_days``. The base is walked as a circle: each run starts after the last company the
  previous run gave (``company_cursor``), so every company comes round once per cycle.
- **Tasks**: one call task per company, titled from ``task_title`` (``{company}`` is the
  company's name), set by ``creator_id``, due ``deadline_working_days`` working days later on
  the manager's own schedule, or at the end of that working day when 0.

``check`` refuses what the definition alone can tell is wrong; the service checks the
references (list, column, filters, employees) and the schedule on save.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from conveyor.domain.errors import InvalidValue

DEFAULT_SCHEDULE = "0 9 * * mon"
DEFAULT_TIMEZONE = "Europe/Moscow"
DEFAULT_PER_MANAGER = 30
DEFAULT_TITLE = "Call {company}"
#: Bounds that keep a distribution sane; a million companies a run is 1 000 x 1 000.
MAX_PER_MANAGER = 100_000
MAX_DEADLINE_DAYS = 250
MAX_QUIET_DAYS = 3650
MAX_FILTERS = 10
MAX_NAME = 200
#: A task's title is at most this long; longer company names are cut.
MAX_TITLE = 300

COMPANY = "{company}"
_BRACES = re.compile(r"[{}]")


@dataclass(kw_only=True)
class CallDistribution:
    """One scheduled distribution and where its last run stopped.

    ``company_cursor`` is the id of the last company given (``None``: start from the first);
    ``manager_cursor`` the list element of the last manager served (``None``: start from the
    first manager). ``next_run_at`` is the next occurrence of the schedule, in UTC, ``None``
    while the distribution is disabled.
    """

    id: int | None = None
    name: str
    schedule: str = DEFAULT_SCHEDULE
    timezone: str = DEFAULT_TIMEZONE
    enabled: bool = True
    # Who receives companies.
    managers_list_id: int
    employee_column: str = "employee"
    managers_where: dict[str, str] = field(default_factory=dict)
    per_manager: int = DEFAULT_PER_MANAGER
    # Which companies.
    company_responsible_id: int | None = None
    quiet_days: int | None = None
    # The tasks.
    task_title: str = DEFAULT_TITLE
    task_description: str = ""
    deadline_working_days: int = 0
    creator_id: int
    # Where the last run stopped.
    company_cursor: int | None = None
    manager_cursor: int | None = None
    next_run_at: datetime | None = None
    created_at: datetime
    updated_at: datetime

    def check(self) -> None:
        """Refuse, naming the field, what is wrong with the definition on its own."""
        if not self.name.strip() or len(self.name) > MAX_NAME:
            raise InvalidValue(f"A name has 1 to {MAX_NAME} characters", field="name")
        _bounded(self.per_manager, 1, MAX_PER_MANAGER, "per_manager")
        _bounded(self.deadline_working_days, 0, MAX_DEADLINE_DAYS, "deadline_working_days")
        if self.quiet_days is not None:
            _bounded(self.quiet_days, 1, MAX_QUIET_DAYS, "quiet_days")
        if len(self.managers_where) > MAX_FILTERS:
            raise InvalidValue(f"At most {MAX_FILTERS} column filters", field="managers_where")
        check_title_template(self.task_title)

    def change(self, changes: dict[str, Any], *, now: datetime) -> list[str]:
        """Apply ``changes`` (attribute -> value); returns the names that really changed.

        A new managers list starts the managers' rotation afresh: element ids of another
        list say nothing about this one. ``check`` is up to the caller.
        """
        changed = []
        for name, value in changes.items():
            if name in _NOT_CHANGEABLE or not hasattr(self, name):
                raise InvalidValue(f"'{name}' cannot be changed", field=name)
            if getattr(self, name) != value:
                setattr(self, name, value)
                changed.append(name)
        if "managers_list_id" in changed:
            self.manager_cursor = None
        if changed:
            self.updated_at = now
        return sorted(changed)

    def task_title_for(self, company_name: str) -> str:
        return render_title(self.task_title, company_name)

    def summary(self) -> dict[str, Any]:
        """The definition's identity for events: JSON-able."""
        return {
            "name": self.name,
            "schedule": self.schedule,
            "timezone": self.timezone,
            "enabled": self.enabled,
            "managers_list_id": self.managers_list_id,
            "per_manager": self.per_manager,
        }


#: Set by the service or by runs, never by a change.
_NOT_CHANGEABLE = frozenset(
    {"id", "company_cursor", "manager_cursor", "next_run_at", "created_at", "updated_at"}
)


def check_title_template(template: str) -> str:
    """A title template is non-empty text in which braces appear only as ``{company}``."""
    if not template.strip():
        raise InvalidValue("A task needs a title", field="task_title")
    if len(template) > MAX_TITLE:
        raise InvalidValue(f"A title has at most {MAX_TITLE} characters", field="task_title")
    if _BRACES.search(template.replace(COMPANY, "")):
        raise InvalidValue(
            "The title may use only the placeholder {company}, e.g. 'Call {company}'",
            field="task_title",
        )
    return template


def render_title(template: str, company_name: str) -> str:
    """The title with ``{company}`` replaced, cut to ``MAX_TITLE`` characters (a plain
    replacement, not ``str.format``: a company name is data, never a format)."""
    title = template.replace(COMPANY, company_name).strip()
    if len(title) > MAX_TITLE:
        title = title[: MAX_TITLE - 1].rstrip() + "…"
    return title


def _bounded(value: int, low: int, high: int, name: str) -> None:
    if not low <= value <= high:
        raise InvalidValue(f"Must be between {low} and {high}", field=name)
