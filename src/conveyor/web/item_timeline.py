"""The item card's timeline: what happened to a lead or deal, newest first, as sentences in
the reader's language.

Built from the event payloads (names looked up by ``services.item_card``); an event type
this module does not know still shows, named.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from conveyor.services.item_card import ItemCard
from conveyor.web.viewer import Viewer


@dataclass(frozen=True, kw_only=True)
class Entry:
    """One line of the timeline."""

    moment: datetime
    text: str
    #: What it is about, for its mark: stage, people, robot, money, talk, other.
    kind: str
    note: str = ""
    link: str = ""


def timeline(card: ItemCard, viewer: Viewer) -> list[Entry]:
    """The item's history, newest first."""
    # A communication is logged about what already happened to the item: at the same moment
    # it goes first (the sort below keeps the order of equal moments).
    entries = []
    for talk in card.communications or []:
        if talk.item_id == card.item.id:
            said = talk_kind(talk.kind.value, viewer)
            if talk.subject:
                said = viewer._("{kind}: {subject}", kind=said, subject=talk.subject)
            entries.append(Entry(moment=talk.occurred_at, text=said, kind="talk"))
    said_assigned = {
        (e.occurred_at, e.payload.get("employee_id"))
        for e in card.events
        if e.type == "ItemAssigned"
    }
    runs = {run.id: run for run in card.robot_runs}
    for event in card.events:
        kind = _kind(event.type, card.item.entity_type.value)
        payload = event.payload
        if kind == "ResponsibleChanged":
            if (event.occurred_at, payload.get("responsible_id")) in said_assigned:
                continue  # the assignment below says it, with its reason
        elif kind == "CommunicationLogged":
            continue  # told from the communications themselves
        run = runs.get(event.entity_id) if event.entity == "robot_run" else None
        robot = run.robot_name if run is not None else f"#{payload.get('robot_id')}"
        told = _tell(kind, payload, card, viewer, robot)
        if told is not None:
            text, mark, note, link = told
            entries.append(
                Entry(moment=event.occurred_at, text=text, kind=mark, note=note, link=link)
            )
    return sorted(entries, key=lambda e: e.moment, reverse=True)


_Told = tuple[str, str, str, str] | None


def _tell(kind: str, p: dict[str, Any], card: ItemCard, viewer: Viewer, robot: str) -> _Told:
    """(text, mark, note, link) of one event; ``None`` to leave it out."""
    _ = viewer._
    person = namer(card.people, viewer)
    stage = namer(card.stages, viewer)
    if kind == "Created":
        text = _(
            "Created at stage «{stage}», responsible: {name}",
            stage=stage(p.get("stage_id")),
            name=person(p.get("responsible_id")),
        )
        return text, "stage", "", ""
    if kind == "EnteredStage":
        if p.get("from_pipeline_id") is not None:
            pipeline = card.pipelines.get(p.get("pipeline_id") or 0, "?")
            text = _(
                "Moved to pipeline «{pipeline}», stage «{stage}»",
                pipeline=pipeline,
                stage=stage(p.get("stage_id")),
            )
        else:
            text = _(
                "Moved from «{before}» to «{after}»",
                before=stage(p.get("from_stage_id")),
                after=stage(p.get("stage_id")),
            )
        return text, "stage", "", ""
    if kind == "ResponsibleChanged":
        text = _(
            "Responsible changed from {before} to {after}",
            before=person(p.get("from_responsible_id")),
            after=person(p.get("responsible_id")),
        )
        return text, "people", "", ""
    if kind == "Changed":
        names = [
            _field_name(c, card, viewer) for c in p.get("changed", []) if c != "responsible_id"
        ]
        if not names:
            return None
        return _("Changed: {what}", what=", ".join(names)), "other", "", ""
    if kind == "ItemAssigned":
        text = _("Assigned to {name} by a distribution rule", name=person(p.get("employee_id")))
        return text, "people", str(p.get("sentence") or ""), "#why"
    if kind == "AssignmentFailed":
        failure = p.get("failure") or {}
        text = _(
            "The distribution rule could not decide: its {field} failed",
            field=str(failure.get("field") or "expression"),
        )
        return text, "people", str(failure.get("message") or ""), "#why"
    if kind == "AssignmentWaiting":
        return (
            _("Nobody was free: waits in the rule's queue"),
            "people",
            str(p.get("sentence") or ""),
            "#why",
        )
    if kind == "AssignmentWaitingEnded":
        return _("Stopped waiting in the queue"), "people", str(p.get("why") or ""), ""
    if kind == "AssignmentEscalated":
        text = _(
            "Waited {minutes} min for a free employee; the heads were told",
            minutes=p.get("waited_minutes"),
        )
        return text, "people", "", ""
    if kind == "PaymentRegistered":
        amount = viewer.fmt.money(as_decimal(p.get("amount")), str(p.get("currency") or "RUB"))
        return _("Payment of {amount} registered", amount=amount), "money", "", ""
    if kind == "ProcessStartRequested":
        return (
            _("Business process «{process}» requested", process=p.get("process")),
            "robot",
            "",
            "",
        )
    if kind in ("RobotRunFired", "RobotRunSkipped", "RobotRunFailed"):
        said = {
            "RobotRunFired": _("Robot «{robot}» fired", robot=robot),
            "RobotRunSkipped": _("Robot «{robot}» skipped", robot=robot),
            "RobotRunFailed": _("Robot «{robot}» failed", robot=robot),
        }[kind]
        return said, "robot", str(p.get("detail") or ""), ""
    return _("Event: {name}", name=kind), "other", "", ""


def talk_kind(kind: str, viewer: Viewer) -> str:
    """A communication's kind, said in the reader's language."""
    _ = viewer._
    return {
        "call": _("Call"),
        "email": _("Email"),
        "meeting": _("Meeting"),
        "message": _("Message"),
        "note": _("Note"),
    }.get(kind, kind)


def _field_name(changed: str, card: ItemCard, viewer: Viewer) -> str:
    _ = viewer._
    if changed.startswith("fields."):
        code = changed.removeprefix("fields.")
        return next((f.definition.name for f in card.fields if f.definition.code == code), code)
    return {
        "title": _("title"),
        "amount": _("amount"),
        "currency": _("currency"),
        "contact_id": _("contact"),
        "company_id": _("company"),
    }.get(changed, changed)


def namer(names: dict[int, str], viewer: Viewer) -> Callable[[object], str]:
    """``name(id)``: the name of an id from ``names`` ("nobody" for ``None``)."""

    def name(key: object) -> str:
        if key is None:
            return viewer._("nobody")
        return names.get(key, f"#{key}") if isinstance(key, int) else str(key)

    return name


def _kind(event_type: str, entity: str) -> str:
    """``DealEnteredStage`` -> ``EnteredStage``; other types as they are."""
    prefix = entity.capitalize()
    return event_type.removeprefix(prefix) if event_type.startswith(prefix) else event_type


def as_decimal(value: object) -> Decimal:
    """A number kept as a string in JSON; 0 when there is none."""
    try:
        return Decimal(str(value)) if value is not None else Decimal(0)
    except InvalidOperation:
        return Decimal(0)
