"""The demo's live view, drawn with Rich: the latest assignments with their sentences, and a
board of the rule's people with their load against their cap.

Drawing only: what it shows comes from ``services.demo.board`` (read from the database)
and from the stream's own account of the deals it finished. ``AssignmentLog`` keeps the
lines already shown, so that a deal that waited keeps its "waits" line when, later, its
decision turns into "assigned after waiting".
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from conveyor.services.demo.board import DemoBoard, LoggedDecision, PersonLoad
from conveyor.services.demo.stream import StreamedDeal

#: Log lines kept on screen.
LOG_LINES = 10
BAR_WIDTH = 12


@dataclass(frozen=True, kw_only=True)
class LogLine:
    at: datetime
    deal: str
    outcome: Text
    #: The decision's sentence; ``None`` for a line that is not a decision.
    sentence: str | None


class AssignmentLog:
    """The scrolling log: one line per decision as it was first seen in each outcome (a
    wait, then its assignment), and one per finished deal; newest first."""

    def __init__(self, size: int = LOG_LINES) -> None:
        self.lines: deque[LogLine] = deque(maxlen=size)
        self.assigned = 0
        self.waited = 0
        self._seen: set[tuple[int, bool]] = set()

    def prime(self, decisions: Iterable[LoggedDecision]) -> None:
        """Decisions taken before the stream started: known, not shown."""
        self._seen = {(d.decision_id, d.assigned) for d in decisions}

    def absorb(self, decisions: Sequence[LoggedDecision]) -> None:
        """The rule's latest decisions (newest first, as read): the ones not seen yet in
        this outcome become lines, oldest first."""
        for decision in reversed(decisions):
            if (decision.decision_id, decision.assigned) in self._seen:
                continue
            if decision.assigned:
                self.assigned += 1
            else:
                self.waited += 1
            self.lines.appendleft(_decision_line(decision))
        # Decisions only ever move to a newer time, so the ones read are all there is to
        # remember: an older one can come back only in a new outcome.
        self._seen = {(d.decision_id, d.assigned) for d in decisions}

    def finished(self, deals: Iterable[StreamedDeal], names: dict[int, str], at: datetime) -> None:
        for deal in deals:
            who = names.get(deal.by_id, "someone") if deal.by_id is not None else "someone"
            self.lines.appendleft(
                LogLine(
                    at=at,
                    deal=deal.title,
                    outcome=Text(f"✓ done by {who}: capacity freed", style="cyan"),
                    sentence=None,
                )
            )


def render_demo(board: DemoBoard, log: AssignmentLog, *, status: str) -> RenderableType:
    """The whole view: a status panel, the board, the log."""
    header = Text.assemble(
        (f"Rule “{board.rule_name}”", "bold"),
        f" · {log.assigned} assigned, {log.waited} had to wait\n",
        (status, "dim"),
    )
    # The board first: it keeps its size, while the log may run past a short terminal.
    return Group(
        Panel(header, title="Conveyor demo", title_align="left", border_style="blue"),
        render_board(board),
        render_log(log),
    )


def render_log(log: AssignmentLog) -> Panel:
    """Newest first: one line per event, the decision's sentence on the line below it."""
    lines: list[Text] = []
    for line in log.lines:
        lines.append(
            Text.assemble((f"{line.at.astimezone():%H:%M:%S}  ", "dim"), (line.deal, "bold"), "  ")
            + line.outcome
        )
        if line.sentence is not None:
            lines.append(Text(f"          {line.sentence}", style="dim"))
    if not lines:
        lines.append(Text("the first paid deals are on their way…", style="dim"))
    for text in lines:
        text.no_wrap, text.overflow = True, "ellipsis"
    return Panel(Group(*lines), title="Latest assignments", title_align="left")


def render_board(board: DemoBoard) -> Table:
    queue = (
        "nobody waits"
        if board.queue_length == 0
        else f"{board.queue_length} waiting, the oldest for {board.oldest_wait_seconds} s"
    )
    table = Table(title=f"Workload board · queue: {queue}", title_justify="left", expand=True)
    table.add_column("Person", no_wrap=True)
    table.add_column("In work", no_wrap=True)
    table.add_column("Present", no_wrap=True)
    table.add_column("Day", no_wrap=True)
    for person in board.people:
        table.add_row(
            person.name, _load(person), _presence(person), Text(person.day, style=_day(person))
        )
    return table


def _load(person: PersonLoad) -> Text:
    cap = person.capacity_points
    points = _number(person.load_points)
    deals = f"{person.load_count} deal{'' if person.load_count == 1 else 's'}"
    if cap is None or cap <= 0:
        return Text(f"{points} points · {deals}")
    share = min(person.load_points / cap, Decimal(1))
    filled = int((share * BAR_WIDTH).to_integral_value())
    colour = "red" if share >= 1 else "yellow" if share >= Decimal("0.7") else "green"
    return Text.assemble(
        ("█" * filled, colour),
        ("░" * (BAR_WIDTH - filled), "dim"),
        f" {points}/{_number(cap)} pts · {deals}",
    )


def _presence(person: PersonLoad) -> Text:
    if person.never is not None:
        return Text(f"never picked: {person.never}", style="dim")
    if person.away is not None:
        return Text(f"absent: {person.away}", style="red")
    return Text("present", style="green")


def _day(person: PersonLoad) -> str:
    return "green" if person.day == "open" else "yellow" if person.day == "paused" else "dim"


def _decision_line(decision: LoggedDecision) -> LogLine:
    if not decision.assigned:
        outcome = Text("waits: nobody is free", style="yellow")
    elif decision.waited_seconds is not None:
        outcome = Text(
            f"→ {decision.chosen_name}, assigned after waiting {decision.waited_seconds} s",
            style="bold green",
        )
    else:
        outcome = Text(f"→ {decision.chosen_name}", style="green")
    return LogLine(
        at=decision.decided_at,
        deal=decision.deal_title,
        outcome=outcome,
        sentence=decision.sentence,
    )


def _number(points: Decimal) -> str:
    """Points without trailing zeros: ``10.000`` is "10", ``2.50`` is "2.5"."""
    return f"{points.normalize():f}"
