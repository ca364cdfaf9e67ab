"""Repositories of triggers: their definitions, their runs, and the items an event reaches."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from conveyor.domain.trigger_runs import TriggerRun
from conveyor.domain.triggers import Trigger, TriggerEvent
from conveyor.storage.repositories.base import Repository
from conveyor.storage.tables.crm import crm_items, stages
from conveyor.storage.tables.triggers import triggers


class TriggerRepository(Repository[Trigger]):
    def __init__(self, session: Session) -> None:
        super().__init__(session, Trigger, "trigger")

    def at_stage(self, stage_id: int) -> list[Trigger]:
        """The stage's triggers in their order."""
        query = select(Trigger).where(triggers.c.stage_id == stage_id)
        return list(self.session.scalars(query.order_by(triggers.c.position, triggers.c.id)))

    def listed(self, *, pipeline_id: int | None, stage_id: int | None) -> list[Trigger]:
        """Triggers of the pipeline and/or stage (all when neither is given), pipeline by
        pipeline, in the stages' order and each stage's own."""
        query = select(Trigger).join(stages, stages.c.id == triggers.c.stage_id)
        if pipeline_id is not None:
            query = query.where(triggers.c.pipeline_id == pipeline_id)
        if stage_id is not None:
            query = query.where(triggers.c.stage_id == stage_id)
        order = (triggers.c.pipeline_id, stages.c.sort, stages.c.id, triggers.c.position)
        return list(self.session.scalars(query.order_by(*order, triggers.c.id)))

    def reacting(self, pipeline_id: int, event: TriggerEvent) -> list[Trigger]:
        """The pipeline's enabled triggers of ``event``, in the order they are tried: the
        furthest stage first, each stage's list in order."""
        query = (
            select(Trigger)
            .join(stages, stages.c.id == triggers.c.stage_id)
            .where(
                triggers.c.pipeline_id == pipeline_id,
                triggers.c.event == event,
                triggers.c.enabled.is_(True),
            )
            .order_by(stages.c.sort.desc(), stages.c.id.desc(), triggers.c.position, triggers.c.id)
        )
        return list(self.session.scalars(query))

    def pipelines_reacting(self, event: TriggerEvent) -> dict[int, bool]:
        """The pipelines with an enabled trigger of ``event``, each with whether one of
        those may move items back (so closed items concern it too)."""
        query = select(triggers.c.pipeline_id, triggers.c.allow_backwards).where(
            triggers.c.event == event, triggers.c.enabled.is_(True)
        )
        found: dict[int, bool] = {}
        for pipeline_id, backwards in self.session.execute(query):
            found[pipeline_id] = found.get(pipeline_id, False) or bool(backwards)
        return found

    def items_of_clients(
        self, *, contact_id: int | None, company_id: int | None, pipelines: dict[int, bool]
    ) -> list[int]:
        """The ids of the items linked to the contact or the company in ``pipelines``
        (pipeline id -> whether closed items count too), in id order."""
        links = []
        if contact_id is not None:
            links.append(crm_items.c.contact_id == contact_id)
        if company_id is not None:
            links.append(crm_items.c.company_id == company_id)
        if not links or not pipelines:
            return []
        any_state = [p for p, closed_too in pipelines.items() if closed_too]
        open_only = [p for p, closed_too in pipelines.items() if not closed_too]
        query = (
            select(crm_items.c.id)
            .where(or_(*links))
            .where(
                or_(
                    crm_items.c.pipeline_id.in_(any_state),
                    and_(crm_items.c.pipeline_id.in_(open_only), crm_items.c.closed_at.is_(None)),
                )
            )
            .order_by(crm_items.c.id)
        )
        return list(self.session.scalars(query))


class TriggerRunRepository(Repository[TriggerRun]):
    def __init__(self, session: Session) -> None:
        super().__init__(session, TriggerRun, "trigger run")

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        """What is written inside is undone if it raises (the transaction goes on)."""
        with self.session.begin_nested():
            yield
