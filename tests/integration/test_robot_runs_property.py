"""The robots' invariants, on both databases, whatever the sequence of moves (by hand, by
robots, and by an engine that moves the deal without telling the robots), robots switched
off and on, a date field set, moved and cleared (by hand, and by an engine that tells
nobody), and clock advances.

Safety: a robot never acts for a stage entry its item has left, never twice, never before
it is due; a robot timed by the date field never acts before the moment the field holds
when it acts. Liveness: each stage entry gets one run per robot enabled at its stage when the
item entered it; a run whose time has come has acted (or ended) by the time the worker has
looked; and once the worker has run past every due time, no run is left waiting.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from conveyor.domain.actors import SYSTEM
from conveyor.domain.field_types import FieldType
from conveyor.domain.pipelines import EntityType
from conveyor.domain.robot_params import ActionKind
from conveyor.domain.robot_runs import RunState
from conveyor.domain.robots import TimeUnit, Timing, TimingKind
from conveyor.services import crm_items, custom_fields, robots
from conveyor.storage.unit_of_work import UnitOfWork
from conveyor.testing import FakeClock
from tests.integration.robot_office import Office, deal, move, robot, run_worker, sales_office

STAGES = ["Invoice", "Awaiting payment", "Sign contract", "Done"]
TELL = {"to": ["responsible"], "text": "{deal.title}"}
SWITCHED = ["10 minutes", "at once", "back to Invoice", "at pay_by"]
#: The date field's new value, minutes from now (``None`` clears it).
PAY_BY = st.one_of(st.none(), st.integers(min_value=-120, max_value=600))

steps = st.lists(
    st.one_of(
        st.tuples(st.just("move"), st.sampled_from(STAGES)),
        # Another engine moves the deal without cancelling its runs or starting new ones:
        # only the delayed runs' own re-check keeps them from acting.
        st.tuples(st.just("move unannounced"), st.sampled_from(STAGES)),
        st.tuples(st.just("switch"), st.sampled_from(SWITCHED)),
        st.tuples(st.just("wait"), st.integers(min_value=0, max_value=200)),
        st.tuples(st.just("work"), st.just(0)),
        st.tuples(st.just("date"), PAY_BY),
        # Another engine writes the field without telling the robots: only the job's own
        # check when it fires keeps them from acting early.
        st.tuples(st.just("date unannounced"), PAY_BY),
    ),
    min_size=1,
    max_size=16,
)


@dataclass(frozen=True, kw_only=True)
class Setup:
    office: Office
    robot_ids: dict[str, int]


@pytest.fixture
def setup(uow: UnitOfWork, clock: FakeClock) -> Setup:
    """Robots at three stages: plain and working-time delays, immediate ones, a delayed
    robot that moves the deal back to Invoice (so the worker moves deals too), and robots
    at and before the deal's date field ``pay_by``."""
    office = sales_office(uow, clock)
    custom_fields.create_field(
        uow,
        custom_fields.CreateField(
            entity_type=EntityType.DEAL, code="pay_by", name="Pay by", type=FieldType.DATETIME
        ),
        actor=SYSTEM,
        now=clock(),
    )
    at_pay_by = Timing(kind=TimingKind.AT_FIELD, field="pay_by")
    hour_before = Timing(
        kind=TimingKind.BEFORE_FIELD, field="pay_by", amount=1, unit=TimeUnit.HOURS, working=True
    )
    invoice, awaiting = office.stages["Invoice"], office.stages["Awaiting payment"]
    signing = office.stages["Sign contract"]
    notify, back = ActionKind.NOTIFY, {"stage_id": invoice.id}
    made = [
        robot(uow, clock, invoice, notify, TELL, name="10 minutes", after=(10, TimeUnit.MINUTES)),
        robot(
            uow,
            clock,
            invoice,
            notify,
            TELL,
            name="1 working hour",
            after=(1, TimeUnit.HOURS),
            working=True,
        ),
        robot(uow, clock, awaiting, notify, TELL, name="at once"),
        robot(uow, clock, awaiting, notify, TELL, name="90 minutes", after=(90, TimeUnit.MINUTES)),
        robot(
            uow,
            clock,
            awaiting,
            ActionKind.CHANGE_STAGE,
            back,
            name="back to Invoice",
            after=(2, TimeUnit.HOURS),
        ),
        robot(uow, clock, signing, notify, TELL, name="morning", working_hours_only=True),
        robot(uow, clock, invoice, notify, TELL, name="at pay_by", timing=at_pay_by),
        robot(uow, clock, awaiting, notify, TELL, name="hour before", timing=hour_before),
    ]
    return Setup(office=office, robot_ids={r.name: r.id or 0 for r in made})


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@example(
    # Moves sharing one instant meet entry keys already used; a robot switched on meanwhile
    # gets its run when the key comes back, the others keep theirs.
    plan=[
        ("switch", "at once"),
        ("move", "Awaiting payment"),
        ("switch", "at once"),
        ("move", "Invoice"),
        ("move", "Awaiting payment"),
    ]
)
@given(plan=steps)
def test_robots_act_once_per_entry_they_are_in_and_leave_nothing_waiting(
    uow: UnitOfWork, clock: FakeClock, setup: Setup, plan: list[tuple[str, Any]]
) -> None:
    stages = setup.office.stages
    first = (clock() + timedelta(minutes=60)).isoformat()
    item = deal(
        uow, clock, stages["Invoice"], responsible_id=setup.office.mark, fields={"pay_by": first}
    )
    assert item.id is not None
    unannounced: set[int] = set()
    history: list[tuple[int, str | None]] = [(0, first)]
    for kind, value in plan:
        if kind.startswith("date"):
            pay_by = None if value is None else (clock() + timedelta(minutes=value)).isoformat()
            history.append(
                (set_date(uow, clock, item.id, pay_by, announced=kind == "date"), pay_by)
            )
            continue
        if kind == "move":
            move(uow, clock, item, stages[value])
        elif kind == "move unannounced":
            unannounced |= move_unannounced(uow, clock, item.id, stages[value].id or 0)
        elif kind == "switch":
            switch(uow, clock, setup.robot_ids[value])
        elif kind == "wait":
            clock.advance(minutes=value)
        else:
            run_worker(uow, clock)
            assert overdue_runs(uow, item.id, clock()) == []
    # Past every due time, and past those of the entries the worker's own moves make.
    for _ in range(3):
        clock.advance(days=30)
        run_worker(uow, clock)
    assert [r for r in states(uow, item.id) if r == RunState.SCHEDULED] == []
    check_outbox(uow, item.id, unannounced)
    check_field_robot(uow, item.id, setup.robot_ids["at pay_by"], history)


def set_date(
    uow: UnitOfWork, clock: FakeClock, item_id: int, pay_by: str | None, *, announced: bool
) -> int:
    """Set the deal's ``pay_by`` by hand (the robots follow it), or as an engine that tells
    nobody would; the id of the outbox's last event once it is set."""
    if announced:
        changes = {"fields": {"pay_by": pay_by}}
        crm_items.update_item(uow, EntityType.DEAL, item_id, changes, actor=SYSTEM, now=clock())
    else:
        with uow:
            changing = uow.items.get(item_id, for_update=True)
            fields = {k: v for k, v in changing.fields.items() if k != "pay_by"}
            if pay_by is not None:
                fields["pay_by"] = pay_by
            uow.emit(*changing.change({"fields": fields}, now=clock()))
            uow.commit()
    with uow:
        return max(e.id or 0 for e in uow.events.where())


def check_field_robot(
    uow: UnitOfWork, item_id: int, robot_id: int, history: list[tuple[int, str | None]]
) -> None:
    """The robot at ``pay_by`` fired no earlier than the moment the field held then
    (``history``: each value from the outbox event on, in order)."""
    with uow:
        fired = uow.events.where(type="RobotRunFired")
    for event in fired:
        if (event.payload["item_id"], event.payload["robot_id"]) != (item_id, robot_id):
            continue
        value = [v for after, v in history if after < (event.id or 0)][-1]
        assert value is not None, "fired on an empty field"
        assert datetime.fromisoformat(value) <= event.occurred_at, "fired before the field's moment"


def move_unannounced(uow: UnitOfWork, clock: FakeClock, item_id: int, stage_id: int) -> set[int]:
    """Move the deal as an engine that neither cancels nor starts robots would; the id of
    the entry's event (none when the deal is already there)."""
    with uow:
        moving = uow.items.get(item_id, for_update=True)
        event = moving.move_to(uow.stages.get(stage_id), now=clock())
        if event is None:
            return set()
        uow.emit(event)
        uow.commit()
    with uow:
        entered = uow.events.where(type="DealEnteredStage", entity_id=item_id)
        return {max(e.id or 0 for e in entered)}


def switch(uow: UnitOfWork, clock: FakeClock, robot_id: int) -> None:
    with uow:
        enabled = uow.robots.get(robot_id).enabled
    robots.update_robot(uow, robot_id, {"enabled": not enabled}, actor=SYSTEM, now=clock())


def states(uow: UnitOfWork, item_id: int) -> list[RunState]:
    with uow:
        return [r.state for r in uow.robot_runs.of_item(item_id)]


def overdue_runs(uow: UnitOfWork, item_id: int, now: datetime) -> list[int]:
    """Runs still waiting although due: the worker has looked since, so there must be none."""
    with uow:
        return [
            r.id or 0
            for r in uow.robot_runs.of_item(item_id)
            if r.state is RunState.SCHEDULED and r.due_at <= now
        ]


def check_outbox(uow: UnitOfWork, item_id: int, unannounced: set[int]) -> None:
    """Replay the outbox in commit order.

    Every fired run belongs to the entry the deal is in at that point, fires once, and not
    before it is due. (A robot that moves the deal has its ``RobotRunFired`` written right
    after the ``DealEnteredStage`` it caused.) And each entry made by a move that starts
    robots has one run per robot enabled at its stage then; an entry key met again (moves
    sharing one instant) adds runs only for the robots that have none for it, and an
    unannounced entry makes none.
    """
    with uow:
        events = sorted(uow.events.where(), key=lambda e: e.id or 0)
        made = uow.robot_runs.of_item(item_id)
    due = {r.id: r.due_at for r in made}
    robots_now: dict[int, tuple[int, bool]] = {}
    expected: dict[tuple[int, datetime], set[int]] = {}
    current: tuple[int, datetime] | None = None
    previous: tuple[int, datetime] | None = None
    fired: set[int] = set()
    for event in events:
        payload = event.payload
        if event.entity == "robot" and event.type in ("RobotCreated", "RobotChanged"):
            robots_now[event.entity_id] = (payload["stage_id"], payload["enabled"])
        elif event.entity == "deal" and event.entity_id == item_id:
            if event.type in ("DealCreated", "DealEnteredStage"):
                previous, current = current, (payload["stage_id"], event.occurred_at)
                if event.id not in unannounced:
                    expected.setdefault(current, set()).update(
                        robot_id
                        for robot_id, (stage_id, enabled) in robots_now.items()
                        if stage_id == current[0] and enabled
                    )
        elif event.type == "RobotRunFired" and payload["item_id"] == item_id:
            entry = (payload["stage_id"], datetime.fromisoformat(payload["stage_entered_at"]))
            moved_on = current is not None and payload["data"].get("stage_id") == current[0]
            mover = moved_on and entry == previous
            assert entry == current or mover, f"run {event.entity_id} fired for a left entry"
            assert event.entity_id not in fired, f"run {event.entity_id} fired twice"
            assert event.occurred_at >= due[event.entity_id], "fired before it was due"
            fired.add(event.entity_id)
    started: dict[tuple[int, datetime], list[int]] = defaultdict(list)
    for run in made:
        started[(run.stage_id, run.stage_entered_at)].append(run.robot_id)
    assert {key: sorted(ids) for key, ids in started.items()} == {
        key: sorted(ids) for key, ids in expected.items() if ids
    }
