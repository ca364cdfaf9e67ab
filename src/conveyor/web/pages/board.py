"""The workload board: per employee what they hold against their capacity, what is late,
deferred, awaiting their approval or done today, whether they are here and when they will
have room; per rule how many items wait and which. It follows changes live (SSE).

The figures are ``services.workload_board``'s, with its visibility (admins everyone, heads
their departments, employees themselves); the queues are ``services.board_overview``'s.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from conveyor.api import problems
from conveyor.api.deps import NowDep, get_now, get_uow
from conveyor.domain.errors import ConveyorError, InvalidValue
from conveyor.domain.tokens import Role
from conveyor.domain.workload_board import Board, BoardRow
from conveyor.services.board_overview import filter_departments, queues_with_items
from conveyor.services.workload_board import BoardQuery, workload_board
from conveyor.storage.unit_of_work import UnitOfWork
from conveyor.web.live import stream
from conveyor.web.templating import fragment, render
from conveyor.web.viewer import Viewer, ViewerDep

router = APIRouter(prefix="/ui", include_in_schema=False)

#: The element the live stream replaces.
TARGET = "board-live"
#: Employees on one page of the board.
PAGE_SIZE = 100
#: From this share of their capacity on, a bar turns amber (at 100 % it turns red).
NEAR_FULL = Decimal("0.8")
_MAX_ID = 2**31 - 1


@dataclass(frozen=True, kw_only=True)
class Filters:
    """What the board's GET form asks for, checked."""

    department_id: int | None = None
    rule_id: int | None = None
    dismissed: bool = False
    sort: str = "load"
    offset: int = 0

    @classmethod
    def parse(
        cls, *, department_id: str, rule_id: str, dismissed: str, sort: str, offset: str
    ) -> Filters:
        """Refused with ``InvalidValue`` naming the field: ids and offsets that are not
        whole numbers in range, and a sort other than by load or by name."""
        if sort not in ("load", "name"):
            raise InvalidValue("Sort by load or by name", field="sort")
        return cls(
            department_id=_number(department_id, "department_id", least=1),
            rule_id=_number(rule_id, "rule_id", least=1),
            dismissed=dismissed not in ("", "0"),
            sort=sort,
            offset=_number(offset, "offset", least=0) or 0,
        )

    def query(self) -> BoardQuery:
        return BoardQuery(
            department_id=self.department_id,
            rule_id=self.rule_id,
            include_dismissed=self.dismissed,
            limit=PAGE_SIZE,
            offset=self.offset,
        )

    def url(self, path: str, **changes: Any) -> str:
        """``path`` with these filters (and ``changes``) as its query string."""
        values = {
            "department_id": self.department_id,
            "rule_id": self.rule_id,
            "dismissed": 1 if self.dismissed else None,
            "sort": None if self.sort == "load" else self.sort,
            "offset": self.offset or None,
        }
        values.update(changes)
        query = urlencode({k: v for k, v in values.items() if v is not None})
        return f"{path}?{query}" if query else path


@dataclass(frozen=True, kw_only=True)
class Card:
    """One employee's card: the service's row and how full their bar is."""

    row: BoardRow
    #: Load as a share of capacity (``None`` without a capacity).
    share: Decimal | None
    bar_percent: int
    #: "" (room), "warn" (near full) or "bad" (full or over).
    level: str


def card(row: BoardRow) -> Card:
    capacity = row.capacity_points
    if capacity is None:
        return Card(row=row, share=None, bar_percent=0, level="")
    share = row.in_work_points / capacity if capacity > 0 else Decimal(1)
    level = "bad" if share >= 1 else "warn" if share >= NEAR_FULL else ""
    return Card(row=row, share=share, bar_percent=int(min(share, Decimal(1)) * 100), level=level)


def by_load(cards: list[Card]) -> list[Card]:
    """The fullest first: by share of capacity, then (without one) by points and count."""

    def key(c: Card) -> tuple[bool, Decimal, Decimal, int, str]:
        row = c.row
        return (
            c.share is None,
            -(c.share or Decimal(0)),
            -row.in_work_points,
            -row.in_work_count,
            row.employee.name.casefold(),
        )

    return sorted(cards, key=key)


@router.get("/board", response_class=HTMLResponse)
def board_page(
    request: Request,
    viewer: ViewerDep,
    now: NowDep,
    department_id: str = "",
    rule_id: str = "",
    dismissed: str = "",
    sort: str = "load",
    offset: str = "",
) -> Response:
    raw = _raw(department_id, rule_id, dismissed, sort, offset)
    part = _part(get_uow(request), viewer, raw, now)
    error = part["error"]
    status = 200 if error is None else problems.status_of(error)[0]
    filters = part["filters"]
    is_manager = viewer.actor.role is not Role.EMPLOYEE
    return render(
        request,
        "board.html",
        viewer=viewer,
        status=status,
        title=viewer._("Workload"),
        live_url=filters.url("/ui/board/live"),
        departments=filter_departments(get_uow(request), actor=viewer.actor) if is_manager else [],
        rule_choices=_rule_choices(part),
        target=TARGET,
        **part,
    )


@router.get("/board/live")
def board_live(
    request: Request,
    viewer: ViewerDep,
    department_id: str = "",
    rule_id: str = "",
    dismissed: str = "",
    sort: str = "load",
    offset: str = "",
) -> Response:
    """The board's live part as server-sent events, with the page's filters."""
    raw = _raw(department_id, rule_id, dismissed, sort, offset)
    return stream(request, TARGET, board_renderer(request, viewer, raw))


def board_renderer(request: Request, viewer: Viewer, raw: dict[str, str]) -> Callable[[], str]:
    """The live part's HTML at the moment it is called, read in a unit of work of its own."""

    def rendered() -> str:
        part = _part(get_uow(request), viewer, raw, get_now(request))
        return fragment("board_live.html", viewer=viewer, target=TARGET, **part)

    return rendered


def _raw(
    department_id: str, rule_id: str, dismissed: str, sort: str, offset: str
) -> dict[str, str]:
    return {
        "department_id": department_id.strip(),
        "rule_id": rule_id.strip(),
        "dismissed": dismissed.strip(),
        "sort": sort.strip() or "load",
        "offset": offset.strip(),
    }


def _part(uow: UnitOfWork, viewer: Viewer, raw: dict[str, str], now: datetime) -> dict[str, Any]:
    """What ``board_live.html`` shows: the cards and queues, or the error that refused
    the filters (then nothing else)."""
    board: Board | None = None
    cards: list[Card] = []
    queues = None
    error: ConveyorError | None = None
    filters = Filters()
    try:
        filters = Filters.parse(**raw)
        board = workload_board(uow, filters.query(), actor=viewer.actor, now=now)
        cards = [card(row) for row in board.rows]
        if filters.sort == "load":
            cards = by_load(cards)
        if viewer.actor.role is not Role.EMPLOYEE:
            queues = queues_with_items(uow, actor=viewer.actor, now=now)
    except ConveyorError as refused:
        error = refused
    return {
        "board": board,
        "cards": cards,
        "queues": queues,
        "error": error,
        "filters": filters,
        "page_size": PAGE_SIZE,
        "waited": lambda wait: _waited(viewer, wait),
    }


def _rule_choices(part: dict[str, Any]) -> list[tuple[int, str]]:
    """The enabled rules (as the queues list them), and the chosen one if disabled."""
    choices = [(q.line.rule_id, q.line.rule_name) for q in part["queues"] or []]
    chosen = part["filters"].rule_id
    if chosen is not None and chosen not in {rule_id for rule_id, _ in choices}:
        choices.append((chosen, f"#{chosen}"))
    return choices


def _waited(viewer: Viewer, wait: timedelta | None) -> str:
    if wait is None:
        return ""
    minutes = int(wait.total_seconds()) // 60
    if minutes < 60:
        return viewer._("{n} min", n=minutes)
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return viewer._("{h} h {m} min", h=hours, m=minutes)
    days, hours = divmod(hours, 24)
    return viewer._("{d} d {h} h", d=days, h=hours)


def _number(raw: str, field: str, *, least: int) -> int | None:
    if raw == "":
        return None
    if not (raw.isascii() and raw.isdigit()) or not least <= int(raw) <= _MAX_ID:
        raise InvalidValue(f"{field} must be a whole number from {least}", field=field)
    return int(raw)
