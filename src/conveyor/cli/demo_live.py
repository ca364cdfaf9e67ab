"""``conveyor demo``'s live part: deals stream in, and the view redraws after each step.

The stream runs in the main thread (``services.demo.stream.step`` every ``rate`` seconds),
each step's effects read back from the database (``services.demo.board``) and drawn
(``cli.demo_view``). Ctrl+C or SIGTERM stops it between two database changes or inside
one (whose transaction then rolls back whole), and the last frame stays on screen. On a
terminal that is not interactive, Rich prints only that last frame.
"""

from __future__ import annotations

import random
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from types import FrameType

from rich.console import Console, RenderableType
from rich.live import Live

from conveyor.cli.demo_view import AssignmentLog, render_demo
from conveyor.domain.actors import SYSTEM
from conveyor.services.demo.board import DemoBoard, read_board
from conveyor.services.demo.stream import DemoStream, find_stream, step
from conveyor.storage.database import build_engine, session_factory
from conveyor.storage.unit_of_work import UnitOfWork


@dataclass(frozen=True, kw_only=True)
class LiveSummary:
    deals: int
    finished: int
    assigned: int
    waited: int
    seconds: float


def run_live(
    url: str,
    *,
    console: Console,
    rate: float,
    duration: float | None,
    seed: int,
    where: str,
) -> LiveSummary:
    """Stream deals into the demo at ``url`` every ``rate`` seconds for ``duration`` seconds
    (``None``: until Ctrl+C), drawing the view on ``console``; ``where`` tells where the API
    is (or that it is not served)."""
    engine = build_engine(url)
    uow = UnitOfWork(session_factory(engine))
    try:
        stream = find_stream(uow)
        return _Run(uow, stream, console=console, seed=seed, where=where).go(rate, duration)
    finally:
        engine.dispose()


class _Run:
    def __init__(
        self, uow: UnitOfWork, stream: DemoStream, *, console: Console, seed: int, where: str
    ) -> None:
        self.uow, self.stream, self.console, self.where = uow, stream, console, where
        self.rng = random.Random(seed)
        self.log = AssignmentLog()
        self.deals = self.finished = 0
        self.stop = threading.Event()

    def go(self, rate: float, duration: float | None) -> LiveSummary:
        started = time.monotonic()
        try:
            with _stopping_on_sigterm(self.stop):
                self._stream(started, rate, duration)
        except KeyboardInterrupt:
            pass  # Ctrl+C: the stream stops where it is; the last frame stays.
        if not self.console.is_terminal:
            self.console.line()  # Rich ends the last frame with a new line on terminals only.
        return LiveSummary(
            deals=self.deals,
            finished=self.finished,
            assigned=self.log.assigned,
            waited=self.log.waited,
            seconds=time.monotonic() - started,
        )

    def _stream(self, started: float, rate: float, duration: float | None) -> None:
        deadline = None if duration is None else started + duration
        board = self._read()
        self.log.prime(board.decisions)
        with Live(self._draw(board, rate), console=self.console, refresh_per_second=4) as view:
            next_step = started
            while not self.stop.is_set() and (deadline is None or time.monotonic() < deadline):
                view.update(self._draw(self._step(), rate))
                next_step += rate
                until = next_step if deadline is None else min(next_step, deadline)
                self.stop.wait(max(0.0, until - time.monotonic()))

    def _step(self) -> DemoBoard:
        result = step(self.uow, self.stream, self.rng, now=_now())
        self.deals += 1
        self.finished += len(result.finished)
        board = self._read()
        names = {person.employee_id: person.name for person in board.people}
        self.log.finished(result.finished, names, board.read_at)
        self.log.absorb(board.decisions)
        return board

    def _read(self) -> DemoBoard:
        return read_board(self.uow, self.stream.rule_id, actor=SYSTEM, now=_now())

    def _draw(self, board: DemoBoard, rate: float) -> RenderableType:
        status = (
            f"{self.where} · a paid deal every {rate:g} s: {self.deals} so far, "
            f"{self.finished} finished · Ctrl+C stops"
        )
        return render_demo(board, self.log, status=status)


@contextmanager
def _stopping_on_sigterm(stop: threading.Event) -> Iterator[None]:
    """SIGTERM stops the stream as Ctrl+C does (only the main thread may set handlers)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handle(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = signal.signal(signal.SIGTERM, handle)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _now() -> datetime:
    return datetime.now(UTC)
