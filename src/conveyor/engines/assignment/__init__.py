"""The assignment engine's decision: who gets a lead, deal or task, and why.

Pure and usable as a library: a service gathers :class:`CandidateSnapshot` s (aggregated
loads, presence) and the rule's :class:`RuleSettings`, calls :func:`decide` with ``now``,
and a worker applies and records the :class:`Decision`; :func:`explain` turns it into one
readable sentence. Nothing here reads a clock or a database.
"""

from conveyor.engines.assignment.decide import decide
from conveyor.engines.assignment.explain import explain
from conveyor.engines.assignment.filters import FILTER_ORDER
from conveyor.engines.assignment.messages import MESSAGES
from conveyor.engines.assignment.settings import RuleSettings, Strategy
from conveyor.engines.assignment.snapshots import (
    CandidateSnapshot,
    CurrentAbsence,
    WorkItem,
    as_points,
    skill_tags,
)
from conveyor.engines.assignment.verdicts import Decision, Reason, Verdict

__all__ = [
    "FILTER_ORDER",
    "MESSAGES",
    "CandidateSnapshot",
    "CurrentAbsence",
    "Decision",
    "Reason",
    "RuleSettings",
    "Strategy",
    "Verdict",
    "WorkItem",
    "as_points",
    "decide",
    "explain",
    "skill_tags",
]
