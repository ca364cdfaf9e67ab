"""The triggers' invariants, on both databases, whatever the triggers of a pipeline (events,
target stages, moving back or not), the robots setting fields and moving deals at its
stages, and the sequence of events (fields changed by hand, calls, payments, moves by hand).

Safety: a trigger without ``allow_backwards`` only ever moved a deal forward, from an open
stage before its target; no trigger moved a deal at or beyond the chain's depth limit, and
no run was recorded deeper than the robots' own limit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from conveyor.domain.actors import SYSTEM
from conveyor.domain.field_types import FieldType
from conveyor.domain.pipelines import Stage, StageSemantics
from conveyor.domain.robot_params import ActionKind
from conveyor.domain.trigger_runs import Outcome
from conveyor.domain.triggers import TriggerEvent
from conveyor.services import custom_fields, pipelines, robot_runs
from conveyor.storage.unit_of_work import UnitOfWork
from conveyor.testing import FakeClock
from tests.integration.crm_setup import DEAL, reread
from tests.integration.robot_office import deal, move, robot
from tests.integration.trigger_setup import pay, set_fields, talk, trigger, trigger_runs

#: Five open stages, then won and lost.
STAGES = 7
STEPS = [1, 2, 3]

trigger_specs = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=STAGES - 1),  # target stage
        st.sampled_from(["step 1", "step 2", "step 3", "any step", "call", "payment"]),
        st.booleans(),  # allow_backwards
    ),
    max_size=6,
)
robot_specs = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=STAGES - 1),  # stage
        st.one_of(
            st.tuples(st.just("set"), st.sampled_from(STEPS)),
            st.tuples(st.just("move"), st.integers(min_value=0, max_value=STAGES - 1)),
        ),
    ),
    max_size=5,
)
events = st.lists(
    st.one_of(
        st.tuples(st.just("set"), st.sampled_from([*STEPS, None])),
        st.tuples(st.just("call"), st.just(0)),
        st.tuples(st.just("pay"), st.just(0)),
        st.tuples(st.just("move"), st.integers(min_value=0, max_value=STAGES - 1)),
    ),
    min_size=1,
    max_size=8,
)


@dataclass
class Counter:
    value: int = 0


@pytest.fixture
def counter(uow: UnitOfWork, clock: FakeClock) -> Counter:
    custom_fields.create_field(
        uow,
        custom_fields.CreateField(
            entity_type=DEAL, code="step", name="Step", type=FieldType.NUMBER
        ),
        actor=SYSTEM,
        now=clock(),
    )
    return Counter()


def new_pipeline(uow: UnitOfWork, clock: FakeClock, number: int) -> list[Stage]:
    specs = [pipelines.StageSpec(name=f"S{i}") for i in range(STAGES - 2)]
    specs += [
        pipelines.StageSpec(name="Won", semantics=StageSemantics.SUCCESS),
        pipelines.StageSpec(name="Lost", semantics=StageSemantics.FAILURE),
    ]
    command = pipelines.CreatePipeline(entity_type=DEAL, name=f"Sales {number}", stages=specs)
    _, stages = pipelines.create_pipeline(uow, command, actor=SYSTEM, now=clock())
    return stages


EVENT_PARAMS: dict[str, tuple[TriggerEvent, dict[str, Any]]] = {
    "step 1": (TriggerEvent.FIELD_CHANGED, {"field": "step", "value": 1}),
    "step 2": (TriggerEvent.FIELD_CHANGED, {"field": "step", "value": 2}),
    "step 3": (TriggerEvent.FIELD_CHANGED, {"field": "step", "value": 3}),
    "any step": (TriggerEvent.FIELD_CHANGED, {"field": "step"}),
    "call": (TriggerEvent.COMMUNICATION_RECEIVED, {}),
    "payment": (TriggerEvent.PAYMENT_REGISTERED, {}),
}


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@example(
    # A loop: steps move the deal on, a robot sends it back to the start, whose robot sets
    # the first step again; the chain stops at the depth limit.
    specs=[(1, "step 1", False), (2, "step 2", False), (3, "step 3", False)],
    robots=[(1, ("set", 2)), (2, ("set", 3)), (3, ("move", 0)), (0, ("set", 1))],
    plan=[("set", 2), ("move", 4), ("set", None), ("pay", 0)],
)
@given(specs=trigger_specs, robots=robot_specs, plan=events)
def test_triggers_move_forward_only_and_never_past_the_depth_limit(
    uow: UnitOfWork,
    clock: FakeClock,
    counter: Counter,
    specs: list[tuple[int, str, bool]],
    robots: list[tuple[int, tuple[str, int]]],
    plan: list[tuple[str, Any]],
) -> None:
    counter.value += 1
    stages = new_pipeline(uow, clock, counter.value)
    backwards: dict[int, bool] = {}
    for target, kind, allow_backwards in specs:
        if target == 0 and not allow_backwards:
            continue  # refused on save: nothing comes before the first stage
        reacts_to, params = EVENT_PARAMS[kind]
        made = trigger(
            uow, clock, stages[target], reacts_to, params, allow_backwards=allow_backwards
        )
        assert made.id is not None
        backwards[made.id] = allow_backwards
    for index, (at, (action, value)) in enumerate(robots):
        if action == "set":
            params: dict[str, Any] = {"field": "step", "value": value}
            robot(uow, clock, stages[at], ActionKind.SET_FIELD, params, name=f"set {index}")
        elif value != at:
            params = {"stage_id": stages[value].id}
            robot(uow, clock, stages[at], ActionKind.CHANGE_STAGE, params, name=f"move {index}")
    item = deal(uow, clock, stages[0], amount="100")

    for kind, value in plan:
        clock.advance(minutes=1)
        if kind == "set":
            set_fields(uow, clock, item, step=value)
        elif kind == "call":
            talk(uow, clock, item_id=item.id)
        elif kind == "pay":
            pay(uow, clock, item, "60")
        else:
            move(uow, clock, item, stages[value])

    place = {s.id: (s.sort, s.id) for s in stages}
    closed = {s.id for s in stages if s.semantics is not StageSemantics.IN_PROGRESS}
    limit = robot_runs.MAX_CASCADE
    for run in trigger_runs(uow, item):
        event(f"a run ended {run.outcome.value}")
        assert 0 <= run.depth < limit
        if run.outcome is not Outcome.MOVED:
            continue
        assert run.depth + 1 < limit, "a trigger moved the deal at the depth limit"
        assert run.from_stage_id != run.to_stage_id
        if not backwards[run.trigger_id]:
            assert run.from_stage_id not in closed, "a trigger reopened a closed deal"
            assert place[run.from_stage_id] < place[run.to_stage_id], "a trigger moved back"
    # The deal is where its last move left it: a stage of its own pipeline.
    assert reread(uow, item).stage_id in place
