"""The demo's stream of work: paid deals arrive and designers finish deals, through the
ordinary services.

Each ``step`` is one moment of the agency's day. Now and then a designer finishes a deal in
work (it moves to the pipeline's won stage), which frees capacity: the move retries the
rule's queue in its own transaction, so a waiting deal is assigned at once. Then a sales
manager brings a newly paid deal to the rule's trigger stage, and the rule assigns it (or
it waits). Everything goes through ``services.crm_items``, so the demo shows exactly what
real use does, and what it shows is read back from the database.

Finishing grows likelier as the queue grows, so the board fills up, deals wait, and the
queue drains again as designers finish, without ever running away. The order of events
depends only on the seed and the database, never on timing: the same seed on the same
agency with the same instants gives the same deals, the same finishes and the same
assignments.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from conveyor.domain.actors import SYSTEM, Actor
from conveyor.domain.crm_items import CrmItem, ItemQuery
from conveyor.domain.errors import Conflict
from conveyor.domain.pipelines import EntityType, StageSemantics
from conveyor.domain.tokens import Role
from conveyor.services import crm_items
from conveyor.services.candidates import resolve_pool
from conveyor.services.demo import company
from conveyor.storage.unit_of_work import UnitOfWork

#: The seed's rule the stream feeds (``services.demo.crm.seed_rules``).
DEMO_RULE = "Paid deals to design"
#: The department whose people bring paid deals.
SALES = "Sales"
#: New deals' equipment, drawn evenly: "special" weighs 5 points under the demo's rule, so
#: the designers' caps fill within a minute or so of streaming.
EQUIPMENT = ("standard", "large", "special", "special")
#: The chance that a designer finishes a deal at a step when nobody waits, and what each
#: waiting deal adds to it (capped at ``MAX_FINISH_CHANCE``).
FINISH_CHANCE = 0.2
FINISH_CHANCE_PER_WAITING = 0.2
MAX_FINISH_CHANCE = 0.9
#: From this many waiting deals on, a second designer may finish at the same step.
CROWDED_QUEUE = 3
#: The most in-work deals looked at when picking one to finish.
IN_WORK_LOOKED_AT = 500


@dataclass(frozen=True, kw_only=True)
class DemoStream:
    """Where the stream works, found once in the demo's database."""

    rule_id: int
    pipeline_id: int
    trigger_stage_id: int
    in_work_stage_ids: tuple[int, ...]
    done_stage_id: int
    manager_ids: tuple[int, ...]
    company_ids: tuple[int, ...]


@dataclass(frozen=True, kw_only=True)
class StreamedDeal:
    """A deal the stream touched: brought in (by a manager) or finished (by a designer)."""

    deal_id: int
    title: str
    by_id: int | None


@dataclass(frozen=True, kw_only=True)
class StepResult:
    """What one step did: the deals finished first, then the deal that arrived."""

    finished: tuple[StreamedDeal, ...]
    arrived: StreamedDeal


def find_stream(uow: UnitOfWork, *, rule_name: str = DEMO_RULE) -> DemoStream:
    """The demo's rule, its pipeline's stages, the sales staff and the client companies;
    ``Conflict`` when the database has no such rule (it was not built by ``conveyor demo``)."""
    with uow:
        rule = next(iter(uow.distribution_rules.where(name=rule_name)), None)
        if rule is None or rule.pipeline_id is None or rule.trigger_stage_id is None:
            raise Conflict(f"The database has no rule {rule_name!r} at a deal stage to feed")
        done = next(
            (
                stage
                for stage in uow.stages.of(rule.pipeline_id)
                if stage.semantics is StageSemantics.SUCCESS
            ),
            None,
        )
        if done is None or done.id is None:
            raise Conflict(f"The pipeline of {rule_name!r} has no stage for won deals")
        sales = [d.id for d in uow.departments.where(name=SALES) if d.id is not None]
        assert rule.id is not None
        return DemoStream(
            rule_id=rule.id,
            pipeline_id=rule.pipeline_id,
            trigger_stage_id=rule.trigger_stage_id,
            in_work_stage_ids=tuple(rule.in_work_stage_ids),
            done_stage_id=done.id,
            manager_ids=tuple(resolve_pool(uow, department_ids=sales)),
            company_ids=tuple(c.id for c in uow.companies.where() if c.id is not None),
        )


def step(uow: UnitOfWork, stream: DemoStream, rng: random.Random, *, now: datetime) -> StepResult:
    """Maybe finish a deal or two in work, then bring one paid deal in; each change in its
    own transaction, through ``crm_items``."""
    finished = tuple(
        _finish_one(uow, stream, rng, now=now) for _ in range(_finishes(uow, stream, rng))
    )
    return StepResult(
        finished=tuple(deal for deal in finished if deal is not None),
        arrived=_bring_deal(uow, stream, rng, now=now),
    )


def _finishes(uow: UnitOfWork, stream: DemoStream, rng: random.Random) -> int:
    """How many designers finish a deal at this step: likelier the longer the queue."""
    with uow:
        waiting = sum(c.waiting for c in uow.assignment_queue.counts(rule_id=stream.rule_id))
    chance = min(MAX_FINISH_CHANCE, FINISH_CHANCE + FINISH_CHANCE_PER_WAITING * waiting)
    first, second = rng.random(), rng.random()
    return int(first < chance) + int(waiting >= CROWDED_QUEUE and second < chance / 2)


def _finish_one(
    uow: UnitOfWork, stream: DemoStream, rng: random.Random, *, now: datetime
) -> StreamedDeal | None:
    """A deal in work, picked at random, is done: its designer moves it to the won stage."""
    in_work = sorted(
        (
            deal
            for stage_id in stream.in_work_stage_ids
            for deal in _deals_at(uow, stream, stage_id)
        ),
        key=lambda deal: deal.id or 0,
    )
    if not in_work:
        return None
    deal = rng.choice(in_work)
    assert deal.id is not None
    designer = deal.responsible_id
    actor = SYSTEM if designer is None else Actor(employee_id=designer, role=Role.EMPLOYEE)
    crm_items.move_item(uow, EntityType.DEAL, deal.id, stream.done_stage_id, actor=actor, now=now)
    return StreamedDeal(deal_id=deal.id, title=deal.title, by_id=designer)


def _deals_at(uow: UnitOfWork, stream: DemoStream, stage_id: int) -> list[CrmItem]:
    query = ItemQuery(
        entity_type=EntityType.DEAL, pipeline_id=stream.pipeline_id, stage_id=stage_id
    )
    page = crm_items.list_items(uow, query, actor=SYSTEM, limit=IN_WORK_LOOKED_AT, offset=0)
    return page.items


def _bring_deal(
    uow: UnitOfWork, stream: DemoStream, rng: random.Random, *, now: datetime
) -> StreamedDeal:
    """A sales manager brings a paid deal straight to the trigger stage: the rule decides
    in the same transaction as the creation."""
    query = ItemQuery(entity_type=EntityType.DEAL, pipeline_id=stream.pipeline_id)
    number = crm_items.list_items(uow, query, actor=SYSTEM, limit=1, offset=0).total + 1
    title = f"{rng.choice(company.DEAL_TITLES)} #{number}"
    manager = rng.choice(stream.manager_ids) if stream.manager_ids else None
    actor = SYSTEM if manager is None else Actor(employee_id=manager, role=Role.EMPLOYEE)
    deal = crm_items.create_item(
        uow,
        EntityType.DEAL,
        crm_items.CreateItem(
            title=title,
            pipeline_id=stream.pipeline_id,
            stage_id=stream.trigger_stage_id,
            amount=Decimal(rng.randrange(50_000, 3_000_000, 5_000)),
            responsible_id=manager,
            company_id=rng.choice(stream.company_ids) if stream.company_ids else None,
            fields={
                "contract_number": f"AG-{now.year}-{number:04d}",
                "equipment_type": rng.choice(EQUIPMENT),
            },
        ),
        actor=actor,
        now=now,
    )
    assert deal.id is not None
    return StreamedDeal(deal_id=deal.id, title=title, by_id=manager)
