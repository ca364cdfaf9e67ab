"""The item card's "why this person?": the latest assignment decision said in the reader's
language, with a row for every candidate the rule considered.

Built from the decision's structured data (its verdicts, each candidate's reason, load and
capacity); the engine's own sentence is shown as it is.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from conveyor.domain.assignment_decisions import AssignmentOutcome
from conveyor.domain.distribution_rules import DistributionRule
from conveyor.engines.assignment import FILTER_ORDER, Reason
from conveyor.services.item_card import ItemCard
from conveyor.web.item_timeline import as_decimal, namer
from conveyor.web.viewer import Viewer

# The engine's filters in their order, then "kept": a candidate dropped for one reason passed
# every check before it, and was never put to those after it.
_ORDER: tuple[str, ...] = (*FILTER_ORDER, Reason.KEPT)


@dataclass(frozen=True, kw_only=True)
class Candidate:
    employee_id: int
    name: str
    chosen: bool
    kept: bool
    load: str
    #: Load against capacity in percent (``None``: no cap) and the bar's tone.
    share: int | None
    tone: str
    presence: str
    presence_tone: str
    day: str
    day_tone: str
    verdict: str
    verdict_tone: str


@dataclass(frozen=True, kw_only=True)
class Why:
    """The latest decision, or (``decided`` false) how the item got its responsible."""

    decided: bool
    headline: str
    sentence: str = ""
    rule_id: int | None = None
    decided_at: datetime | None = None
    candidates: list[Candidate] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    waiting_since: datetime | None = None


def why(card: ItemCard, viewer: Viewer) -> Why:
    """Why the item is with its responsible, from the latest decision."""
    _ = viewer._
    person = namer(card.people, viewer)
    decision = card.decision
    responsible = card.item.responsible_id
    if decision is None:
        if responsible is None:
            return Why(
                decided=False, headline=_("Nobody is responsible yet, and no rule has decided.")
            )
        return Why(
            decided=False,
            headline=_(
                "{name} was made responsible by hand: no distribution rule decided for this item.",
                name=person(responsible),
            ),
        )
    data = decision.data
    rule_name = str((data.get("rule") or {}).get("name") or f"#{decision.rule_id}")
    verdicts: list[dict[str, Any]] = list(data.get("verdicts") or [])
    settings = (
        card.rule if card.rule is not None and card.rule.version == decision.rule_version else None
    )
    chosen = next((v for v in verdicts if v.get("employee_id") == decision.chosen_id), None)
    names = {v.get("employee_id"): str(v.get("name")) for v in verdicts}
    failure = data.get("failure") or {}
    if decision.outcome is AssignmentOutcome.RULE_FAILED:
        failed = _(
            "Rule «{rule}» could not decide: its {field} failed ({message}).",
            rule=rule_name,
            field=str(failure.get("field") or "expression"),
            message=str(failure.get("message") or ""),
        )
        headline = f"{failed} {_('The admins are told; the item stays where it was.')}"
    elif decision.chosen_id is None:
        headline = _("Rule «{rule}» found nobody free for it.", rule=rule_name)
    else:
        reason = _chosen_because(str(data.get("strategy") or ""), chosen, viewer)
        headline = _(
            "Rule «{rule}» gave it to {name}: {reason}.",
            rule=rule_name,
            name=names.get(decision.chosen_id) or person(decision.chosen_id),
            reason=reason,
        )
    notes = []
    waiting_since = None
    for entry in card.waiting:
        waiting_since = entry.queued_at
        notes.append(
            _(
                "It waits in the rule's queue since {moment}.",
                moment=viewer.fmt.when(entry.queued_at),
            )
        )
    if decision.chosen_id is None and not card.waiting:
        notes.append(_("It no longer waits in the queue."))
    waited = data.get("waited")
    if isinstance(waited, dict) and waited.get("since"):
        since = datetime.fromisoformat(str(waited["since"]))
        notes.append(
            _("It waited from {moment} until someone was free.", moment=viewer.fmt.when(since))
        )
    following = data.get("next_stage")
    if isinstance(following, dict):
        target = card.stages.get(following.get("stage_id") or 0, "?")
        if following.get("moved"):
            notes.append(_("Then it moved on to «{stage}».", stage=target))
        else:
            notes.append(
                _(
                    "It could not move on to «{stage}»: the field {field} is empty.",
                    stage=target,
                    field=following.get("missing_field"),
                )
            )
    for skipped in data.get("skipped_rules") or []:
        notes.append(
            _(
                "Rule #{rule} was passed over: {why}",
                rule=skipped.get("rule_id"),
                why=skipped.get("why"),
            )
        )
    if decision.chosen_id is not None and responsible != decision.chosen_id:
        notes.append(
            _("Since then the responsible has changed to {name}.", name=person(responsible))
        )
    rows = [
        _candidate(v, decision.chosen_id, str(data.get("weight") or "1"), settings, viewer)
        for v in verdicts
    ]
    rows.sort(key=lambda c: (not c.chosen, not c.kept, c.name))
    return Why(
        decided=True,
        headline=headline,
        sentence=decision.sentence,
        rule_id=decision.rule_id,
        decided_at=decision.decided_at,
        candidates=rows,
        notes=notes,
        waiting_since=waiting_since,
    )


def _chosen_because(strategy: str, chosen: dict[str, Any] | None, viewer: Viewer) -> str:
    _ = viewer._
    load = _load(chosen, viewer) if chosen is not None else ""
    if strategy == "round_robin":
        return _("next in turn ({load})", load=load)
    if strategy == "fair_share":
        return _("furthest below their fair share ({load})", load=load)
    return _("the least loaded ({load})", load=load)


def _candidate(
    v: dict[str, Any],
    chosen_id: int | None,
    weight: str,
    settings: DistributionRule | None,
    viewer: Viewer,
) -> Candidate:
    """One verdict as a row. ``settings``: the rule as it decided (``None`` when it changed
    since), for which checks it made at all."""
    _ = viewer._
    reason = str(v.get("reason"))
    details: dict[str, Any] = v.get("details") or {}
    place = _ORDER.index(reason) if reason in _ORDER else -1
    points, capacity = as_decimal(v.get("load_points")), as_decimal(v.get("capacity_points"))
    share = None if not capacity else min(100, int(points / capacity * 100))
    tone = "" if share is None or share < 80 else ("warn" if share < 100 else "bad")
    # Presence: known from the reason and where it stands in the engine's order.
    if reason == "absent":
        until = viewer.fmt.day(date.fromisoformat(str(details.get("until"))))
        presence, presence_tone = (
            _(
                "{absence} until {until}",
                absence=_absence(str(details.get("kind")), viewer),
                until=until,
            ),
            "bad",
        )
    elif place > _ORDER.index(Reason.ABSENT) and (settings is None or settings.respect_absences):
        presence, presence_tone = _("Present"), "ok"
    elif place > _ORDER.index(Reason.ABSENT):
        presence, presence_tone = _("Not checked by the rule"), ""
    else:
        presence, presence_tone = "—", ""
    if reason == "day_not_open":
        day, day_tone = _day_state(str(details.get("state")), viewer), "warn"
    elif (
        place > _ORDER.index(Reason.DAY_NOT_OPEN)
        and settings is not None
        and settings.respect_day_status
    ):
        day, day_tone = _("Open"), "ok"
    elif place > _ORDER.index(Reason.DAY_NOT_OPEN):
        day, day_tone = _("Not checked by the rule"), ""
    else:
        day, day_tone = "—", ""
    chosen = v.get("employee_id") == chosen_id
    verdict, verdict_tone = _verdict(reason, details, v, weight, chosen, viewer)
    return Candidate(
        employee_id=int(v.get("employee_id") or 0),
        name=str(v.get("name")),
        chosen=chosen,
        kept=bool(v.get("kept")),
        load=_load(v, viewer),
        share=share,
        tone=tone,
        presence=presence,
        presence_tone=presence_tone,
        day=day,
        day_tone=day_tone,
        verdict=verdict,
        verdict_tone=verdict_tone,
    )


def _verdict(
    reason: str,
    details: dict[str, Any],
    v: dict[str, Any],
    weight: str,
    chosen: bool,
    viewer: Viewer,
) -> tuple[str, str]:
    _ = viewer._
    if chosen:
        return _("Chosen"), "ok"
    if reason == "kept":
        if v.get("away_from"):
            away = viewer.fmt.day(date.fromisoformat(str(v["away_from"])))
            return _(
                "Ranked lower: away from {day}, before the work would be done", day=away
            ), "info"
        return _("Ranked lower"), "info"
    texts: dict[str, Callable[[], str]] = {
        "dismissed": lambda: _("Excluded: no longer active"),
        "excluded": lambda: _("Excluded by the rule"),
        "department_head": lambda: _("Excluded: department head"),
        "external_not_allowed": lambda: _("Excluded: external employee"),
        "previous_owner": lambda: _("Excluded: had this item before"),
        "lacks_skill": lambda: _("Excluded: lacks the skill «{skill}»", skill=details.get("skill")),
        "absent": lambda: _("Excluded: absent"),
        "day_not_open": lambda: _("Excluded: working day not open"),
        "outside_hours": lambda: _("Excluded: outside working hours"),
        "at_capacity": lambda: _at_capacity(v, weight, viewer),
    }
    said = texts.get(reason)
    return (said() if said is not None else reason), "bad"


def _at_capacity(v: dict[str, Any], weight: str, viewer: Viewer) -> str:
    capacity = as_decimal(v.get("capacity_points"))
    if as_decimal(v.get("load_points")) >= capacity:
        return viewer._("Excluded: at capacity")
    # Some room left, just not enough for this item's weight.
    weight = viewer.fmt.number(as_decimal(weight))
    return viewer._("Excluded: no room for {weight} more points", weight=weight)


def _load(v: dict[str, Any], viewer: Viewer) -> str:
    points = viewer.fmt.number(as_decimal(v.get("load_points")))
    count = int(v.get("load_count") or 0)
    if v.get("capacity_points") is None:
        return viewer._("{points} points, {count} in work", points=points, count=count)
    capacity = viewer.fmt.number(as_decimal(v.get("capacity_points")))
    return viewer._(
        "{points} of {capacity} points, {count} in work",
        points=points,
        capacity=capacity,
        count=count,
    )


def _absence(kind: str, viewer: Viewer) -> str:
    _ = viewer._
    return {
        "vacation": _("On vacation"),
        "sick_leave": _("On sick leave"),
        "business_trip": _("On a business trip"),
    }.get(kind) or _("Away")


def _day_state(state: str, viewer: Viewer) -> str:
    _ = viewer._
    return {"paused": _("Day paused"), "closed": _("Day closed")}.get(state) or _("Day not opened")
