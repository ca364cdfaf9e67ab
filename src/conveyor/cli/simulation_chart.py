"""The chart of ``conveyor simulate --plot``: the table's story in three panels.

Waits (mean and p95, minutes), overdue share, and each employee's average load per policy
(one dot per employee: a tight column is an even spread). Drawn with matplotlib's Agg
backend, which needs no display, so it works on a server and in CI.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import matplotlib
from matplotlib.figure import Figure

from conveyor.engines.simulation import PolicyReport

# No display on a server or in CI: draw off-screen, whatever the environment asks for.
matplotlib.use("Agg")


def write_chart(reports: Sequence[PolicyReport], path: Path, *, title: str) -> None:
    """Write the chart of ``reports`` to ``path`` as a PNG."""
    names = [r.policy for r in reports]
    rows = list(range(len(reports)))
    figure = Figure(figsize=(15, 1.6 + 0.55 * len(reports)), layout="constrained")
    waits, overdue, loads = figure.subplots(1, 3, sharey=True)

    height = 0.38
    waits.barh(
        [y - height / 2 for y in rows],
        [r.mean_wait.total_seconds() / 60 for r in reports],
        height=height,
        label="mean",
        color="#4c78a8",
    )
    waits.barh(
        [y + height / 2 for y in rows],
        [r.p95_wait.total_seconds() / 60 for r in reports],
        height=height,
        label="p95",
        color="#9ecae9",
    )
    waits.set_xlabel("wait to assignment, minutes")
    waits.legend(loc="best")

    overdue.barh(rows, [100 * (r.overdue_rate or 0.0) for r in reports], color="#e45756")
    overdue.set_xlabel("overdue, % of items with a deadline")

    for y, report in enumerate(reports):
        values = [load for _, load in report.average_loads]
        loads.scatter(values, [y] * len(values), s=18, alpha=0.7, color="#54a24b")
    loads.set_xlabel("average points in work, one dot per employee")

    waits.set_yticks(rows, labels=names)
    waits.invert_yaxis()
    for axes in (waits, overdue, loads):
        axes.grid(axis="x", alpha=0.3)
    figure.suptitle(title)
    figure.savefig(path, format="png", dpi=100)
