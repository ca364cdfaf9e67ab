"""Distribution rules on their own: strategies in step with the engine, versions, checks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conveyor.domain.distribution_rules import DistributionRule, RuleEntity, RuleStrategy
from conveyor.domain.errors import InvalidValue
from conveyor.engines.assignment import Strategy

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def a_rule(**overrides: object) -> DistributionRule:
    values: dict[str, object] = {
        "name": "Designers",
        "entity_type": RuleEntity.DEAL,
        "pipeline_id": 1,
        "trigger_stage_id": 6,
        "employee_ids": [1, 2],
        "created_at": NOW,
        "updated_at": NOW,
    }
    return DistributionRule(**{**values, **overrides})  # type: ignore[arg-type]


def test_the_rule_strategies_are_the_engines() -> None:
    assert {s.value for s in RuleStrategy} == {s.value for s in Strategy}


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"pipeline_id": None}, "pipeline_id"),
        ({"trigger_stage_id": None}, "trigger_stage_id"),
        ({"next_stage_id": 6}, "next_stage_id"),
        ({"employee_ids": []}, "employee_ids"),
        ({"employee_ids": [1, 2, 1]}, "employee_ids.2"),
        ({"default_capacity_points": Decimal(0)}, "default_capacity_points"),
        ({"capacity_overrides": {2: Decimal("-1")}}, "capacity_overrides.2"),
        ({"look_ahead_days": 400}, "look_ahead_days"),
        ({"escalate_after_minutes": 0}, "escalate_after_minutes"),
        ({"entity_type": RuleEntity.TASK}, "pipeline_id"),
        ({"weight": "  "}, "weight"),
    ],
)
def test_a_rule_that_cannot_work_names_its_field(overrides: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidValue) as raised:
        a_rule(**overrides).check()
    assert raised.value.field == field


@given(st.lists(st.tuples(st.sampled_from(["priority", "look_ahead_days"]), st.integers(0, 3))))
def test_the_version_counts_the_changes_that_really_changed_something(
    changes: list[tuple[str, int]],
) -> None:
    rule = a_rule()
    expected = 1
    for minute, (name, value) in enumerate(changes):
        differs = getattr(rule, name) != value
        changed = rule.change({name: value}, now=NOW + timedelta(minutes=minute))
        expected += differs
        assert changed == ([name] if differs else [])
        assert rule.version == expected


def test_identity_and_history_cannot_be_changed() -> None:
    for name in ("id", "version", "created_at", "updated_at", "colour"):
        with pytest.raises(InvalidValue) as raised:
            a_rule().change({name: 1}, now=NOW)
        assert raised.value.field == name
