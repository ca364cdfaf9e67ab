"""The distribution rule's knobs as the decision needs them (already validated on save)."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from decimal import Decimal

from conveyor.domain.errors import InvalidValue
from conveyor.engines.assignment.snapshots import as_points


class Strategy(enum.StrEnum):
    ROUND_ROBIN = "round_robin"
    LEAST_LOADED = "least_loaded"
    FAIR_SHARE = "fair_share"


@dataclass(frozen=True, kw_only=True, slots=True)
class RuleSettings:
    """How a rule filters and ranks its candidate pool.

    - ``default_capacity_points``: the cap for employees without an override; ``None`` means
      no cap at all.
    - ``skill_match``: drop candidates lacking the item's ``required_skill``.
    - ``never_previous_owner``: never hand an item back to ``previous_owner_id``.
    - ``look_ahead_days``: ``None`` switches look-ahead off; otherwise the farthest ahead the
      rule looks for an upcoming absence (the item's ``expected_days``, capped at this).
    - ``fair_share_carry_days``: fair share carries a deficit or surplus of at most this many
      average days of work (see ``strategies``); 1 means a returnee catches up within a day.
    """

    respect_absences: bool = True
    respect_day_status: bool = False
    respect_working_hours: bool = False
    exclude_heads: bool = False
    allow_external: bool = True
    excluded_ids: frozenset[int] = frozenset()
    default_capacity_points: Decimal | None = None
    strategy: Strategy = Strategy.LEAST_LOADED
    skill_match: bool = False
    never_previous_owner: bool = False
    look_ahead_days: int | None = None
    fair_share_carry_days: int = 1

    def __post_init__(self) -> None:
        if self.default_capacity_points is not None:
            capacity = as_points(self.default_capacity_points, field="default_capacity_points")
            object.__setattr__(self, "default_capacity_points", capacity)
        if self.look_ahead_days is not None and self.look_ahead_days < 0:
            raise InvalidValue("Look-ahead cannot be negative", field="look_ahead_days")
        if self.fair_share_carry_days < 1:
            raise InvalidValue("Fair share carries at least one day", field="fair_share_carry_days")
        # Accept any iterable of ids from callers, keep a frozenset for O(1) membership.
        object.__setattr__(self, "excluded_ids", frozenset(self.excluded_ids))
        object.__setattr__(self, "strategy", Strategy(self.strategy))
