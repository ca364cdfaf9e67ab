"""The policies a head compares: each strategy deciding on arrival, and the batch baseline.

A policy is the rule's settings with one strategy, plus when it decides: at once when an
item arrives (and again for waiting items whenever capacity frees or someone comes back),
or only on a fixed cycle, like a marketplace app that re-checks every ten minutes.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta

from conveyor.domain.errors import InvalidValue
from conveyor.engines.assignment import RuleSettings, Strategy
from conveyor.engines.simulation.scenario import Scenario

#: The batch baseline's cycle: Bitrix24's distribution apps re-check every ten minutes.
BATCH_CYCLE = timedelta(minutes=10)
#: How far ahead the look-ahead policy looks when the rule sets nothing.
LOOK_AHEAD_DAYS = 14


@dataclass(frozen=True, kw_only=True)
class Policy:
    """``settings`` decide who; ``cycle`` when: ``None`` on every arrival and freed
    capacity, otherwise only at each multiple of ``cycle`` since the first midnight."""

    name: str
    settings: RuleSettings
    cycle: timedelta | None = None

    def __post_init__(self) -> None:
        if self.cycle is not None and self.cycle <= timedelta(0):
            raise InvalidValue("The cycle must be positive", field="cycle")


def standard_policies(
    base: RuleSettings,
    *,
    cycle: timedelta = BATCH_CYCLE,
    look_ahead_days: int | None = LOOK_AHEAD_DAYS,
) -> tuple[Policy, ...]:
    """Round robin, least loaded, fair share, least loaded with look-ahead (when
    ``look_ahead_days`` is given), and the batch baseline (least loaded every ``cycle``).

    Each keeps ``base``'s filters and capacity; only the strategy and look-ahead vary, so the
    rows differ by policy alone.
    """
    plain = replace(base, look_ahead_days=None)
    policies = [
        Policy(name="round robin", settings=replace(plain, strategy=Strategy.ROUND_ROBIN)),
        Policy(name="least loaded", settings=replace(plain, strategy=Strategy.LEAST_LOADED)),
        Policy(name="fair share", settings=replace(plain, strategy=Strategy.FAIR_SHARE)),
    ]
    if look_ahead_days is not None:
        policies.append(
            Policy(
                name="least loaded + look-ahead",
                settings=replace(
                    plain, strategy=Strategy.LEAST_LOADED, look_ahead_days=look_ahead_days
                ),
            )
        )
    minutes = cycle / timedelta(minutes=1)
    policies.append(
        Policy(
            name=f"batch every {minutes:g} min",
            settings=replace(plain, strategy=Strategy.LEAST_LOADED),
            cycle=cycle,
        )
    )
    return tuple(policies)


def policies_for(
    scenario: Scenario,
    *,
    cycle: timedelta = BATCH_CYCLE,
    look_ahead_days: int = LOOK_AHEAD_DAYS,
) -> tuple[Policy, ...]:
    """``standard_policies`` for the scenario's settings, with the look-ahead row only when
    someone in the team has an absence: otherwise it would repeat least loaded."""
    anyone_away = any(mate.away for mate in scenario.team)
    return standard_policies(
        scenario.settings,
        cycle=cycle,
        look_ahead_days=look_ahead_days if anyone_away else None,
    )
