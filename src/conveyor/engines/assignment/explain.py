"""``explain``: a decision as one readable sentence, built from its verdicts alone;
``explain_failure``: why a rule decided nothing."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal

from conveyor.engines.assignment.messages import MESSAGES
from conveyor.engines.assignment.strategies import format_points, ranking_facts
from conveyor.engines.assignment.verdicts import Decision, Reason, Verdict


def explain(
    decision: Decision,
    *,
    limit: int | None = None,
    messages: Mapping[str, str] = MESSAGES,
) -> str:
    """E.g. "Deal 42 went to Daria (least loaded: 3/10 points). Not chosen: Oleg — on
    vacation until 28.11; Ivan — at capacity 8/8 points; Maria — department head."

    Dropped candidates come first, then kept ones ranked lower, each in employee id order.
    ``limit`` caps how many are named ("and 12 more"); ``messages`` is a translation with
    the keys of ``MESSAGES``.
    """
    texts = _Texts(messages)
    item = decision.item
    entity = messages.get(f"entity.{item.entity}", item.entity.capitalize())
    chosen = decision.chosen
    if chosen is None:
        headline = texts("waits", entity=entity, item_id=item.item_id)
    else:
        headline = texts(
            "went_to",
            entity=entity,
            item_id=item.item_id,
            name=chosen.name,
            why=_why(decision, chosen, texts),
        )
    others = [v for v in decision.verdicts if not v.kept]
    others += [v for v in decision.verdicts if v.kept and v.employee_id != decision.chosen_id]
    if not others:
        return headline
    named = others if limit is None else others[: max(limit, 0)]
    entries = [_entry(v, decision, texts) for v in named]
    if len(named) < len(others):
        entries.append(texts("more", count=len(others) - len(named)))
    return f"{headline} {texts('not_chosen', names=texts('separator').join(entries))}"


def explain_failure(
    *,
    entity: str,
    item_id: int,
    rule: str,
    part: str,
    reason: str,
    messages: Mapping[str, str] = MESSAGES,
) -> str:
    """E.g. "Deal 42 was not assigned: rule «Paid deals» could not compute its weight:
    cannot compute empty * number (at line 1, column 18)". ``part`` is the rule's field
    that failed (``condition``, ``weight``, ``queue_priority``); only the first line of
    ``reason`` is kept (the excerpt under it is for a monospaced display)."""
    texts = _Texts(messages)
    return texts(
        "failed",
        entity=messages.get(f"entity.{entity}", entity.capitalize()),
        item_id=item_id,
        rule=rule,
        part=messages.get(f"part.{part}", part),
        reason=reason.split("\n", 1)[0].rstrip(":"),
    )


class _Texts:
    """Formats templates from one message table."""

    def __init__(self, messages: Mapping[str, str]) -> None:
        self.messages = messages

    def __call__(self, key: str, **values: object) -> str:
        return self.messages[key].format(**values)

    def date(self, day: date) -> str:
        return self("date", day=day.day, month=day.month)

    def load(self, verdict: Verdict) -> str:
        points = format_points(verdict.load_points)
        if verdict.capacity_points is None:
            return self("load.uncapped", points=points)
        return self("load", points=points, capacity=format_points(verdict.capacity_points))


def _why(decision: Decision, chosen: Verdict, texts: _Texts) -> str:
    facts = ranking_facts(decision.strategy, chosen)
    if "direction" in facts:
        facts["direction"] = texts(f"direction.{facts['direction']}")
    why = texts(f"why.{decision.strategy.value}", load=texts.load(chosen), **facts)
    if chosen.away_from is not None:
        why += texts("why.away_soon", away_from=texts.date(chosen.away_from))
    return why


def _entry(verdict: Verdict, decision: Decision, texts: _Texts) -> str:
    name, load = verdict.name, texts.load(verdict)
    details = verdict.details
    match verdict.reason:
        case Reason.KEPT if verdict.away_from is not None:
            return texts("kept.away_soon", name=name, away_from=texts.date(verdict.away_from))
        case Reason.ABSENT:
            until = texts.date(date.fromisoformat(details["until"]))
            absence = texts(f"absence.{details['kind']}")
            return texts("absent", name=name, absence=absence, until=until)
        case Reason.DAY_NOT_OPEN:
            return texts("day_not_open", name=name, state=texts(f"day.{details['state']}"))
        case Reason.AT_CAPACITY if _has_room(verdict.load_points, verdict.capacity_points):
            weight = format_points(decision.item.weight)
            return texts("at_capacity.no_room", name=name, load=load, weight=weight)
        case _:
            return texts(verdict.reason.value, name=name, load=load, **details)


def _has_room(load: Decimal, capacity: Decimal | None) -> bool:
    """Some room left, just not enough for this item's weight."""
    return capacity is not None and load < capacity
