"""The workload board and the rules' queues as the API shows them."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import Field

from conveyor.api.schemas.assignment_rules import PointsOut
from conveyor.api.schemas.common import Output
from conveyor.domain.absences import AbsenceKind
from conveyor.domain.free_capacity import FreeBasis
from conveyor.domain.presence import AwayReason
from conveyor.domain.workload_board import BoardRow, QueueLine


class PresencePublic(Output):
    """Present, or away and why; the time clock is shown, not counted as absence."""

    present: bool
    reason: AwayReason | None = Field(description="Why away: absence or dismissed")
    absence_kind: AbsenceKind | None
    absent_until: date | None = Field(
        description="The last day away, through absences following without a gap"
    )
    dismissed_at: datetime | None
    day: str = Field(description="open, paused, closed (today) or not_opened")
    in_working_hours: bool


class TasksPublic(Output):
    open: int = Field(description="Pending or in progress, as the responsible")
    overdue: int
    deferred: int
    completed_today: int = Field(description="Since midnight, their time")
    completed_this_week: int = Field(description="Since Monday 00:00, their time")
    awaiting_approval: int = Field(description="Awaiting control where they are the creator")
    submitted_for_approval: int = Field(description="Their done work awaiting its creator")


class EmployeeLoadPublic(Output):
    employee_id: int
    name: str
    position: str | None
    timezone: str
    is_external: bool
    active: bool
    department_ids: list[int]
    in_work_count: int
    in_work_points: PointsOut
    capacity_points: PointsOut | None = Field(description="The rule's cap for them; null: none")
    free_points: PointsOut | None
    tasks: TasksPublic
    presence: PresencePublic
    free_at: datetime | None = Field(description="When they will next have free capacity")
    free_at_basis: FreeBasis = Field(
        description="room_now, back_from_absence, deadline, own_history, team_history, "
        "unknown or dismissed"
    )
    free_at_note: str

    @classmethod
    def of(cls, row: BoardRow) -> EmployeeLoadPublic:
        person, presence = row.employee, row.presence
        return cls(
            employee_id=person.id,
            name=person.name,
            position=person.position,
            timezone=person.timezone,
            is_external=person.is_external,
            active=person.active,
            department_ids=list(row.department_ids),
            in_work_count=row.in_work_count,
            in_work_points=row.in_work_points,
            capacity_points=row.capacity_points,
            free_points=row.free_points,
            tasks=TasksPublic.model_validate(row.tasks, from_attributes=True),
            presence=PresencePublic(
                present=presence.present,
                reason=presence.reason,
                absence_kind=presence.absence_kind,
                absent_until=presence.absent_until,
                dismissed_at=presence.dismissed_at,
                day=presence.day.value,
                in_working_hours=presence.in_working_hours,
            ),
            free_at=row.free_at.at,
            free_at_basis=row.free_at.basis,
            free_at_note=row.free_at.note,
        )


class BoardPublic(Output):
    """One page of the board at ``at``; ``counted_stage_ids`` and ``counts_open_tasks`` say
    what was counted as in work (the rule's, or every non-final stage without a rule)."""

    at: datetime
    rule_id: int | None
    counted_stage_ids: list[int]
    counts_open_tasks: bool
    items: list[EmployeeLoadPublic]
    total: int
    limit: int
    offset: int


class QueuePublic(Output):
    rule_id: int
    rule_name: str
    waiting: int
    oldest_queued_at: datetime | None
    oldest_wait_seconds: int | None
    escalated: int

    @classmethod
    def of(cls, line: QueueLine) -> QueuePublic:
        wait = line.oldest_wait
        return cls(
            rule_id=line.rule_id,
            rule_name=line.rule_name,
            waiting=line.waiting,
            oldest_queued_at=line.oldest_queued_at,
            oldest_wait_seconds=None if wait is None else int(wait.total_seconds()),
            escalated=line.escalated,
        )
