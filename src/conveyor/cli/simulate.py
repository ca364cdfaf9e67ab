"""``conveyor simulate``: replay demand against each assignment policy and print a table.

Three sources of demand: synthetic (the default, seeded), a CSV file (``--csv``), or the
company's own deals or leads of the last days (``--history``, optionally for a draft
``--rule``). The replay itself is ``conveyor.engines.simulation``; this module parses,
calls and renders.
"""

from __future__ import annotations

import enum
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Annotated
from zoneinfo import ZoneInfo

import typer
from rich.console import Console
from rich.table import Table

from conveyor.cli.errors import run_or_exit
from conveyor.domain.errors import InvalidValue
from conveyor.domain.pipelines import EntityType
from conveyor.settings import Settings

if TYPE_CHECKING:
    from conveyor.engines.simulation import Policy, PolicyReport, Scenario


class HistoryEntity(enum.StrEnum):
    """What ``--history`` replays without a rule."""

    DEAL = "deal"
    LEAD = "lead"


LEGEND = (
    "Wait: arrival to assignment (items never assigned count with their wait so far). "
    "Overdue: finished after the deadline. Load: points in work averaged over each "
    "employee's working hours; spread = max - min in points, Gini 0 = equal. Utilization: share of "
    "the team's working hours with work in hand."
)


def simulate(
    seed: Annotated[int, typer.Option(help="Seed of the synthetic demand and team")] = 1,
    days: Annotated[int, typer.Option(help="Synthetic: days of demand")] = 20,
    employees: Annotated[int, typer.Option(help="Synthetic and CSV: people in the team")] = 8,
    arrivals_per_hour: Annotated[
        float, typer.Option(help="Synthetic: items arriving per working hour")
    ] = 2.0,
    capacity: Annotated[
        float,
        typer.Option(
            help="Points each one may hold at once (synthetic: juniors get half; "
            "--rule brings its own)"
        ),
    ] = 8.0,
    slack_hours: Annotated[
        float, typer.Option(help="Working hours a deadline allows beyond the item's effort")
    ] = 8.0,
    csv_file: Annotated[
        Path | None,
        typer.Option(
            "--csv", help="Demand from a CSV: arrival,weight,duration,deadline[,category]"
        ),
    ] = None,
    history: Annotated[
        int | None, typer.Option(help="Replay the company's own items of the last DAYS days")
    ] = None,
    rule: Annotated[
        int | None, typer.Option(help="With --history: dry-run this distribution rule")
    ] = None,
    entity: Annotated[
        HistoryEntity, typer.Option(help="With --history and no --rule: deal or lead")
    ] = HistoryEntity.DEAL,
    database_url: Annotated[
        str | None,
        typer.Option("--database-url", envvar="CONVEYOR_DATABASE_URL", help="SQLAlchemy URL"),
    ] = None,
    default_effort: Annotated[
        float, typer.Option(help="With --history: working hours of items still in work")
    ] = 4.0,
    cycle_minutes: Annotated[int, typer.Option(help="The batch baseline's cycle")] = 10,
    look_ahead_days: Annotated[
        int, typer.Option(help="How far the look-ahead policy looks for absences")
    ] = 14,
    plot: Annotated[Path | None, typer.Option(help="Also write a chart to this PNG file")] = None,
) -> None:
    """Compare assignment policies on a replayed stream of demand, before switching one on."""
    from conveyor.engines.simulation import compare, offered_load, policies_for

    settings = run_or_exit(Settings)
    run_or_exit(lambda: _check_options(csv_file, history, rule, plot, cycle_minutes))
    if history is not None:
        scenario, policies, about = _from_history(
            history,
            rule,
            EntityType(entity.value),
            database_url or settings.database_url,
            capacity,
            slack_hours,
            default_effort,
            settings.timezone,
        )
    elif csv_file is not None:
        scenario, about = _from_csv(
            csv_file, settings.timezone, employees, capacity, seed, slack_hours
        )
        policies = ()
    else:
        scenario, about = _synthetic(
            seed, days, employees, arrivals_per_hour, capacity, slack_hours, settings.timezone
        )
        policies = ()
    policies = policies + run_or_exit(
        lambda: policies_for(
            scenario, cycle=timedelta(minutes=cycle_minutes), look_ahead_days=look_ahead_days
        )
    )
    console = Console()
    if not console.is_terminal:
        console.width = max(console.width, 120)  # piped to a file: do not squeeze the table
    with console.status(f"Replaying {len(scenario.demand)} items under {len(policies)} policies…"):
        reports = run_or_exit(lambda: compare(scenario, policies))
    away = sum(1 for m in scenario.team if m.away)
    console.print(
        f"{about}: {len(scenario.demand)} items over {scenario.days:g} days, "
        f"{len(scenario.team)} employees ({away} away part of the time), "
        f"offered load {offered_load(scenario):.0%}"
    )
    console.print(_table(reports))
    console.print(LEGEND, style="dim")
    if plot is not None:
        from conveyor.cli.simulation_chart import write_chart

        run_or_exit(lambda: write_chart(reports, plot, title=about))
        console.print(f"Chart written to {plot}")


def _check_options(
    csv_file: Path | None, history: int | None, rule: int | None, plot: Path | None, cycle: int
) -> None:
    if csv_file is not None and history is not None:
        raise InvalidValue("Give --csv or --history, not both", field="csv")
    if rule is not None and history is None:
        raise InvalidValue("--rule replays history: give --history DAYS too", field="rule")
    if not 1 <= cycle <= 24 * 60:
        raise InvalidValue("The cycle is 1 to 1440 minutes", field="cycle_minutes")
    if plot is not None:
        if plot.suffix.casefold() != ".png":
            raise InvalidValue(
                f"The chart is a PNG file: {plot} does not end in .png", field="plot"
            )
        if not plot.parent.is_dir():
            raise InvalidValue(f"No such folder for the chart: {plot.parent}", field="plot")


def _synthetic(
    seed: int,
    days: int,
    employees: int,
    per_hour: float,
    capacity: float,
    slack: float,
    timezone: str,
) -> tuple[Scenario, str]:
    from conveyor.engines.simulation import SyntheticSpec, synthetic_scenario

    spec = run_or_exit(
        lambda: SyntheticSpec(
            seed=seed,
            days=days,
            employees=employees,
            arrivals_per_hour=per_hour,
            capacity=_points(capacity),
            slack_hours=slack,
            timezone=ZoneInfo(timezone),
        )
    )
    return run_or_exit(lambda: synthetic_scenario(spec)), f"Synthetic demand (seed {seed})"


def _from_csv(
    path: Path, timezone: str, employees: int, capacity: float, seed: int, slack: float
) -> tuple[Scenario, str]:
    from conveyor.engines.simulation import read_demand_csv, scenario_from_csv

    def read() -> Scenario:
        zone = ZoneInfo(timezone)
        try:
            with path.open(encoding="utf-8-sig", newline="") as lines:
                parsed = read_demand_csv(lines, source=path.name, timezone=zone, slack_hours=slack)
        except (OSError, UnicodeDecodeError) as error:
            reason = getattr(error, "strerror", None) or type(error).__name__
            raise InvalidValue(f"Cannot read {path}: {reason}", field="csv") from None
        return scenario_from_csv(
            parsed, timezone=zone, employees=employees, capacity=_points(capacity), seed=seed
        )

    return run_or_exit(read), f"Demand from {path.name} (team seed {seed})"


def _from_history(
    days: int,
    rule: int | None,
    entity: EntityType,
    url: str,
    capacity: float,
    slack: float,
    default_effort: float,
    timezone: str,
) -> tuple[Scenario, tuple[Policy, ...], str]:
    from conveyor.domain.actors import SYSTEM
    from conveyor.services.demand_history import HistoryRequest, read_demand_history
    from conveyor.storage.database import build_engine, session_factory
    from conveyor.storage.unit_of_work import UnitOfWork

    request = HistoryRequest(
        days=days,
        rule_id=rule,
        entity_type=entity,
        capacity=None if rule is not None else run_or_exit(lambda: _points(capacity)),
        slack_hours=slack,
        default_effort_hours=default_effort,
        timezone=timezone,
    )
    engine = run_or_exit(lambda: build_engine(url))
    try:
        uow = UnitOfWork(session_factory(engine))
        found = run_or_exit(
            lambda: read_demand_history(uow, request, actor=SYSTEM, now=datetime.now(UTC))
        )
    finally:
        engine.dispose()
    what = f"rule {rule}'s items" if rule is not None else f"{entity.value}s"
    notes = []
    if found.passed_over:
        notes.append(f"{found.passed_over} passed over by the rule's condition or weight")
    if found.effort_estimated:
        notes.append(f"{found.effort_estimated} still in work, given {default_effort:g} h")
    about = f"History: {what} of the last {days} days" + (f" ({'; '.join(notes)})" if notes else "")
    policies = () if found.rule_policy is None else (found.rule_policy,)
    return found.scenario, policies, about


def _points(value: float) -> Decimal:
    if not value > 0:
        raise InvalidValue("The capacity must be above 0 points", field="capacity")
    return Decimal(str(value))


def _table(reports: tuple[PolicyReport, ...]) -> Table:
    table = Table(title="Assignment policies compared", title_justify="left")
    table.add_column("Policy", no_wrap=True)
    for name in (
        "Mean wait",
        "p95 wait",
        "Overdue",
        "Load spread",
        "Load Gini",
        "Utilization",
        "Unassigned",
    ):
        table.add_column(name, justify="right")
    best = {
        "mean": min(r.mean_wait for r in reports),
        "p95": min(r.p95_wait for r in reports),
        "overdue": min(
            (r.overdue_rate for r in reports if r.overdue_rate is not None), default=None
        ),
        "spread": min(r.load_spread for r in reports),
        "gini": min(r.load_gini for r in reports),
    }

    def mark(text: str, is_best: bool) -> str:
        return f"[bold green]{text}[/]" if is_best and len(reports) > 1 else text

    for r in reports:
        table.add_row(
            r.policy,
            mark(_duration(r.mean_wait), r.mean_wait == best["mean"]),
            mark(_duration(r.p95_wait), r.p95_wait == best["p95"]),
            "n/a"
            if r.overdue_rate is None
            else mark(f"{r.overdue_rate:.1%}", r.overdue_rate == best["overdue"]),
            mark(f"{r.load_spread:.2f}", r.load_spread == best["spread"]),
            mark(f"{r.load_gini:.3f}", r.load_gini == best["gini"]),
            f"{r.utilization:.0%}",
            str(r.never_assigned),
        )
    return table


def _duration(value: timedelta) -> str:
    """``0 s``, ``45 s``, ``7.5 min``, ``2 h 05 min``, ``3 d 4 h``: short and readable."""
    seconds = value.total_seconds()
    if seconds < 60:
        return f"{seconds:.0f} s"
    if seconds < 3600:
        return f"{seconds / 60:.1f} min"
    if seconds < 86400:
        hours, minutes = divmod(round(seconds / 60), 60)
        return f"{hours} h {minutes:02d} min"
    days, hours = divmod(round(seconds / 3600), 24)
    return f"{days} d {hours} h"
