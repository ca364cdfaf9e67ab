"""The demo's live view as a viewer reads it: each assignment with its sentence, a deal that
waited and was assigned later, and a bar per designer against their cap."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from rich.console import Console

from conveyor.cli.demo_view import AssignmentLog, render_demo
from conveyor.services.demo.board import DemoBoard, LoggedDecision, PersonLoad
from conveyor.services.demo.stream import StreamedDeal

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
DARIA = (
    "Deal 81 went to Daria Designer (least loaded: 2/10 points). "
    "Not chosen: Helen Head — department head."
)
WAITS = "Deal 82 waits: nobody is free. Not chosen: Daria Designer — at capacity 10/10 points."
LATER = "Deal 82 went to Dmitry Designer (least loaded: 5/10 points)."


def person(employee_id: int, name: str, points: str, count: int, **extra: object) -> PersonLoad:
    values: dict[str, object] = {
        "employee_id": employee_id,
        "name": name,
        "load_count": count,
        "load_points": Decimal(points),
        "capacity_points": Decimal("10.000"),
        "away": None,
        "day": "open",
        "never": None,
    }
    values.update(extra)
    return PersonLoad(**values)  # type: ignore[arg-type]


def decision(
    decision_id: int,
    deal: int,
    sentence: str,
    *,
    chosen: str | None,
    waited: int | None = None,
    second: int = 0,
) -> LoggedDecision:
    return LoggedDecision(
        decision_id=decision_id,
        decided_at=NOW + timedelta(seconds=second),
        deal_id=deal,
        deal_title=f"Landing page #{deal}",
        assigned=chosen is not None,
        chosen_name=chosen,
        sentence=sentence,
        waited_seconds=waited,
    )


def board(*decisions: LoggedDecision, queue: int = 0) -> DemoBoard:
    return DemoBoard(
        rule_name="Paid deals to design",
        read_at=NOW,
        people=(
            person(1, "Helen Head", "0", 0, never="department head", day="not opened"),
            person(2, "Daria Designer", "10", 2),
            person(3, "Dmitry Designer", "5", 3),
            person(4, "Oleg Designer", "0", 0, away="on vacation until 06.12", day="not opened"),
        ),
        queue_length=queue,
        oldest_wait_seconds=7 if queue else None,
        decisions=tuple(reversed(decisions)),  # newest first, as read
    )


def text_of(shown: DemoBoard, log: AssignmentLog) -> str:
    console = Console(record=True, width=120)
    console.print(render_demo(shown, log, status="API http://127.0.0.1:8000/docs"))
    return console.export_text()


def test_the_view_shows_each_assignment_with_its_sentence_and_a_bar_per_designer() -> None:
    log = AssignmentLog()
    shown = board(decision(1, 81, DARIA, chosen="Daria Designer"), queue=1)
    log.absorb(shown.decisions)
    text = text_of(shown, log)
    for name in ("Helen Head", "Daria Designer", "Dmitry Designer", "Oleg Designer"):
        assert name in text
    assert "Landing page #81" in text and "→ Daria Designer" in text
    assert "Deal 81 went to Daria Designer (least loaded" in text
    assert "████████████ 10/10 pts · 2 deals" in text  # full: the whole bar
    assert "██████░░░░░░ 5/10 pts · 3 deals" in text  # half
    assert "░░░░░░░░░░░░ 0/10 pts · 0 deals" in text
    assert "never picked: department head" in text
    assert "absent: on vacation until 06.12" in text
    assert "queue: 1 waiting, the oldest for 7 s" in text


def test_a_deal_that_waited_keeps_its_wait_line_and_gains_an_assigned_after_waiting_line() -> None:
    log = AssignmentLog()
    log.absorb(board(decision(2, 82, WAITS, chosen=None), queue=1).decisions)
    log.finished([StreamedDeal(deal_id=70, title="SEO audit #70", by_id=None)], {}, NOW)
    # The same decision, now assigned; it is read again next time and not repeated.
    later = board(decision(2, 82, LATER, chosen="Dmitry Designer", waited=12, second=12))
    log.absorb(later.decisions)
    log.absorb(later.decisions)
    text = text_of(later, log)
    lines = [line for line in text.splitlines() if "Landing page #82" in line]
    assert len(lines) == 2
    assert "→ Dmitry Designer, assigned after waiting 12 s" in lines[0]
    assert "waits: nobody is free" in lines[1]
    assert "SEO audit #70" in text and "done by someone" in text
    assert (log.assigned, log.waited) == (1, 1)
    assert "nobody waits" in text


def test_decisions_taken_before_the_stream_started_are_not_shown() -> None:
    log = AssignmentLog()
    earlier = board(decision(1, 81, DARIA, chosen="Daria Designer"))
    log.prime(earlier.decisions)
    log.absorb(earlier.decisions)
    text = text_of(earlier, log)
    assert "Landing page #81" not in text
    assert "the first paid deals are on their way" in text
