"""A client service office for communication control tests at the service level: the
*Client service* deal pipeline, Hanna the head, managers Mark and Olga, and client companies
on the books since November, all driven by one fake clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from conveyor.domain.actors import SYSTEM, Actor
from conveyor.domain.communication_controls import CommunicationControl, ControlCheck
from conveyor.domain.communications import CommunicationKind, Direction
from conveyor.domain.crm_items import CrmItem
from conveyor.domain.pipelines import EntityType, Stage, StageSemantics
from conveyor.domain.tasks import Task
from conveyor.domain.tokens import Role
from conveyor.services import clients, communication_controls, communications, crm_items, pipelines
from conveyor.storage.unit_of_work import UnitOfWork
from conveyor.testing import FakeClock
from tests.integration.crm_setup import hire

#: Monday 2 March 2026, 09:00 in Moscow: the control's first morning.
MONDAY_9_MSK = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)
#: The client base is on the books since then (four months before).
ON_THE_BOOKS = datetime(2025, 11, 3, 9, 0, tzinfo=UTC)
SERVICE_STAGES = ("Contact", "In progress")


@dataclass(frozen=True, kw_only=True)
class Office:
    uow: UnitOfWork
    clock: FakeClock
    head: Actor
    head_id: int
    mark: int
    olga: int
    pipeline_id: int
    #: The *Client service* stages by name: Contact, In progress, Done, Lost.
    stages: dict[str, Stage]

    def company(
        self, name: str, *, responsible_id: int | None = None, since: datetime = ON_THE_BOOKS
    ) -> int:
        """A client company on the books ``since`` then."""
        company = clients.create_company(
            self.uow,
            clients.CreateCompany(name=name, responsible_id=responsible_id),
            actor=SYSTEM,
            now=since,
        )
        assert company.id is not None
        return company.id

    def call(self, company_id: int, at: datetime) -> None:
        """Mark's call with the company at ``at``, logged then."""
        communications.log_communication(
            self.uow,
            communications.LogCommunication(
                kind=CommunicationKind.CALL,
                direction=Direction.OUTGOING,
                occurred_at=at,
                employee_id=self.mark,
                company_id=company_id,
            ),
            actor=SYSTEM,
            now=at,
        )

    def control(self, **fields: Any) -> CommunicationControl:
        """The 90-day control, defined by Hanna the evening before ``MONDAY_9_MSK``."""
        spec = communication_controls.ControlSpec(
            name=str(fields.pop("name", "90-day control")),
            pipeline_id=fields.pop("pipeline_id", self.pipeline_id),
            **fields,
        )
        return communication_controls.create_control(
            self.uow, spec, actor=self.head, now=self.clock()
        )

    def deals(self, company_id: int) -> list[CrmItem]:
        with self.uow:
            return self.uow.items.where(company_id=company_id)

    def tasks(self, company_id: int) -> list[Task]:
        with self.uow:
            return self.uow.tasks.where(company_id=company_id)

    def checks(self, control: CommunicationControl) -> list[ControlCheck]:
        with self.uow:
            return self.uow.control_checks.where(control_id=control.id)

    def close(self, deal: CrmItem, stage: str = "Done") -> None:
        assert deal.id is not None and self.stages[stage].id is not None
        crm_items.move_item(
            self.uow,
            EntityType.DEAL,
            deal.id,
            self.stages[stage].id,
            actor=SYSTEM,
            now=self.clock(),
        )


def open_office(uow: UnitOfWork, clock: FakeClock) -> Office:
    """The office as it stands the Sunday evening before ``MONDAY_9_MSK``."""
    clock.set(ON_THE_BOOKS)
    specs = [pipelines.StageSpec(name=name) for name in SERVICE_STAGES] + [
        pipelines.StageSpec(name="Done", semantics=StageSemantics.SUCCESS),
        pipelines.StageSpec(name="Lost", semantics=StageSemantics.FAILURE),
    ]
    pipeline, stages = pipelines.create_pipeline(
        uow,
        pipelines.CreatePipeline(entity_type=EntityType.DEAL, name="Client service", stages=specs),
        actor=SYSTEM,
        now=clock(),
    )
    head_id = hire(uow, clock, "Hanna Head")
    office = Office(
        uow=uow,
        clock=clock,
        head=Actor(employee_id=head_id, role=Role.HEAD),
        head_id=head_id,
        mark=hire(uow, clock, "Mark Manager"),
        olga=hire(uow, clock, "Olga Manager"),
        pipeline_id=_id(pipeline),
        stages={s.name: s for s in stages},
    )
    clock.set(datetime(2026, 3, 1, 17, 0, tzinfo=UTC))
    return office


def _id(obj: Any) -> int:
    assert obj.id is not None
    return int(obj.id)
