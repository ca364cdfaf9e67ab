"""Communication control: a company nobody has talked to for N days gets a service deal.

"A company with no communication for 90 days gets a deal in the *Client service* pipeline,
and its manager a task 'Contact the client'; otherwise the check moves to 90 days after the
last communication." A ``CommunicationControl`` is that definition; each company it acts on
leaves a ``ControlCheck``, the record of what was done and why.

The rules (``services/communication_checks.py`` applies them on the control's schedule):

- **Silent** means: the company exists for at least ``silent_days`` and no communication
  with it occurred in the last ``silent_days`` (one exactly ``silent_days`` old still counts
  as heard from). The test is relative to each run's ``now``, so a company talked to
  10 days ago is silent 80 days later: its check "moves" with every communication logged.
- **No duplicates**: a company whose deal from this control is still open (not in a final
  stage) is left alone, however long the silence.
- **After the deal closes** the silence counts from the later of the company's last
  communication and the opening of its last deal from this control: a service deal closed
  without the call being logged holds the company back until ``silent_days`` after the
  deal was opened (no new deal at the next run), as a logged call would.
- **The deal** is opened in ``pipeline_id`` at ``stage_id`` (``None``: the pipeline's first
  stage), titled from ``deal_title``, for the company's responsible, exactly as a deal
  created by hand: the stage's assignment rules and robots act on it.
- **The task** goes to whoever is responsible for the deal once the rules have acted,
  titled ``task_title``, set by ``creator_id``, linked to the deal and the company, due
  ``deadline_working_days`` working days later on its responsible's calendar (0: the end of
  that working day). Nobody responsible, no task: the check says so.

``check`` refuses what the definition alone can tell is wrong; the service checks what it
names (pipeline, stage, creator) and its schedule on save.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from conveyor.domain.errors import InvalidValue

DEFAULT_SILENT_DAYS = 90
DEFAULT_DEAL_TITLE = "Client service: {company}"
DEFAULT_TASK_TITLE = "Contact the client"
DEFAULT_DEADLINE_DAYS = 1
#: Every morning at 09:00, on the control's timezone.
DEFAULT_SCHEDULE = "0 9 * * *"
MAX_SILENT_DAYS = 3650
MAX_DEADLINE_DAYS = 250
MAX_NAME = 200
#: Deal and task titles are at most this long; longer company names are cut.
MAX_TITLE = 300
MAX_DESCRIPTION = 20_000

COMPANY = "{company}"
_BRACES = re.compile(r"[{}]")


@dataclass(kw_only=True)
class CommunicationControl:
    """One control. ``next_run_at`` is the next occurrence of its schedule, in UTC, ``None``
    while disabled. ``version`` starts at 1 and grows by one with every change."""

    id: int | None = None
    name: str
    enabled: bool = True
    silent_days: int = DEFAULT_SILENT_DAYS
    # The deal.
    pipeline_id: int
    stage_id: int | None = None
    deal_title: str = DEFAULT_DEAL_TITLE
    # The task.
    task_title: str = DEFAULT_TASK_TITLE
    task_description: str = ""
    deadline_working_days: int = DEFAULT_DEADLINE_DAYS
    creator_id: int
    # When it looks.
    schedule: str = DEFAULT_SCHEDULE
    timezone: str
    next_run_at: datetime | None = None
    version: int = 1
    created_at: datetime
    updated_at: datetime

    def check(self) -> None:
        """Refuse, naming the field, what is wrong with the definition on its own."""
        if not self.name.strip() or len(self.name) > MAX_NAME:
            raise InvalidValue(f"A name has 1 to {MAX_NAME} characters", field="name")
        _bounded(self.silent_days, 1, MAX_SILENT_DAYS, "silent_days")
        _bounded(self.deadline_working_days, 0, MAX_DEADLINE_DAYS, "deadline_working_days")
        check_template(self.deal_title, field="deal_title")
        check_template(self.task_title, field="task_title")
        if len(self.task_description) > MAX_DESCRIPTION:
            raise InvalidValue(
                f"A description has at most {MAX_DESCRIPTION} characters",
                field="task_description",
            )

    def change(self, changes: dict[str, Any], *, now: datetime) -> list[str]:
        """Apply ``changes`` (attribute -> value); returns the names that really changed, and
        when any did the version grows by one. ``check`` is up to the caller."""
        changed = []
        for name, value in changes.items():
            if name in _NOT_CHANGEABLE or not hasattr(self, name):
                raise InvalidValue(f"'{name}' cannot be changed", field=name)
            if getattr(self, name) != value:
                setattr(self, name, value)
                changed.append(name)
        if changed:
            self.version += 1
            self.updated_at = now
        return sorted(changed)

    def deal_title_for(self, company_name: str) -> str:
        return render(self.deal_title, company_name)

    def task_title_for(self, company_name: str) -> str:
        return render(self.task_title, company_name)

    def summary(self) -> dict[str, Any]:
        """The definition's identity for events: JSON-able."""
        return {
            "name": self.name,
            "enabled": self.enabled,
            "silent_days": self.silent_days,
            "pipeline_id": self.pipeline_id,
            "stage_id": self.stage_id,
            "schedule": self.schedule,
            "timezone": self.timezone,
            "version": self.version,
        }


@dataclass(kw_only=True)
class ControlCheck:
    """What a control did about one silent company at ``checked_at``.

    ``last_communication_at`` is the company's last communication then (``None``: never
    any). ``item_id`` is the deal opened (``None`` when none could be, or it was deleted
    since), ``task_id`` the task set (``None`` when nobody was responsible for the deal);
    ``detail`` says what happened in words.
    """

    id: int | None = None
    control_id: int
    company_id: int
    last_communication_at: datetime | None = None
    item_id: int | None = None
    task_id: int | None = None
    detail: str
    checked_at: datetime


@dataclass(frozen=True, kw_only=True)
class SilentCompany:
    """A company a control found silent: who is responsible for it and when it was last
    heard from (``None``: never)."""

    id: int
    name: str
    responsible_id: int | None
    last_communication_at: datetime | None


#: Set by the service or by runs, never by a change.
_NOT_CHANGEABLE = frozenset({"id", "next_run_at", "version", "created_at", "updated_at"})


def check_template(template: str, *, field: str) -> str:
    """A title template is non-empty text in which braces appear only as ``{company}``."""
    if not template.strip():
        raise InvalidValue("A title cannot be empty", field=field)
    if len(template) > MAX_TITLE:
        raise InvalidValue(f"A title has at most {MAX_TITLE} characters", field=field)
    if _BRACES.search(template.replace(COMPANY, "")):
        raise InvalidValue(
            "The title may use only the placeholder {company}, e.g. 'Client service: {company}'",
            field=field,
        )
    return template


def render(template: str, company_name: str) -> str:
    """The title with ``{company}`` replaced, cut to ``MAX_TITLE`` characters (a plain
    replacement, not ``str.format``: a company name is data, never a format)."""
    title = template.replace(COMPANY, company_name).strip()
    if len(title) > MAX_TITLE:
        title = title[: MAX_TITLE - 1].rstrip() + "…"
    return title


def _bounded(value: int, low: int, high: int, name: str) -> None:
    if not low <= value <= high:
        raise InvalidValue(f"Must be between {low} and {high}", field=name)
