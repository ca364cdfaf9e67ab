"""Simulation: replay a stream of demand against each assignment policy before choosing one.

Pure and deterministic, like the assignment engine it drives: a reader builds a
:class:`Scenario` (``synthetic_scenario``, ``read_demand_csv`` with a synthetic team, or a
service reading the company's history), :func:`compare` replays it under each
:class:`Policy` (``standard_policies``) with ``conveyor.engines.assignment.decide`` making
every decision, and returns one :class:`PolicyReport` per policy. No clock, no database,
no randomness beyond the seed a reader was given.
"""

from conveyor.engines.simulation.demand_csv import (
    CSV_COLUMNS,
    CsvDemand,
    InvalidDemandRow,
    read_demand_csv,
    scenario_from_csv,
)
from conveyor.engines.simulation.metrics import gini, mean, percentile, spread
from conveyor.engines.simulation.policies import (
    BATCH_CYCLE,
    LOOK_AHEAD_DAYS,
    Policy,
    policies_for,
    standard_policies,
)
from conveyor.engines.simulation.replay import EmployeeRecord, Placement, Replay, replay
from conveyor.engines.simulation.reports import PolicyReport, compare, offered_load, summarize
from conveyor.engines.simulation.scenario import Away, Demand, Scenario, Teammate, WorkingHours
from conveyor.engines.simulation.synthetic import SyntheticSpec, synthetic_scenario, synthetic_team

__all__ = [
    "BATCH_CYCLE",
    "CSV_COLUMNS",
    "LOOK_AHEAD_DAYS",
    "Away",
    "CsvDemand",
    "Demand",
    "EmployeeRecord",
    "InvalidDemandRow",
    "Placement",
    "Policy",
    "PolicyReport",
    "Replay",
    "Scenario",
    "SyntheticSpec",
    "Teammate",
    "WorkingHours",
    "compare",
    "gini",
    "mean",
    "offered_load",
    "percentile",
    "policies_for",
    "read_demand_csv",
    "replay",
    "scenario_from_csv",
    "spread",
    "standard_policies",
    "summarize",
    "synthetic_scenario",
    "synthetic_team",
]
