"""Every text the assignment explanations use, in one place so it can be translated.

Keys are reason codes (``Reason`` values) and a few dotted names; values are
``str.format`` templates. A translation is another dict with the same keys.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

MESSAGES: Mapping[str, str] = MappingProxyType(
    {
        # The headline.
        "went_to": "{entity} {item_id} went to {name} ({why}).",
        "waits": "{entity} {item_id} waits: nobody is free.",
        # A rule whose expression cannot be computed for the item.
        "failed": "{entity} {item_id} was not assigned: rule «{rule}» could not compute its "
        "{part}: {reason}",
        "part.condition": "condition",
        "part.weight": "weight",
        "part.queue_priority": "queue priority",
        "not_chosen": "Not chosen: {names}.",
        "separator": "; ",
        "more": "and {count} more",
        # Why the chosen one ranked first, per strategy.
        "why.round_robin": "round robin, next in turn: {load}",
        "why.least_loaded": "least loaded: {load}",
        "why.fair_share": "fair share, {deficit} items {direction} their share: {load}",
        "why.away_soon": "; away from {away_from}, but nobody else was free",
        "direction.below": "below",
        "direction.above": "above",
        # A load, with and without a cap.
        "load": "{points}/{capacity} points",
        "load.uncapped": "{points} points",
        # One entry per candidate not chosen, keyed by reason code.
        "dismissed": "{name} — no longer active",
        "excluded": "{name} — excluded by the rule",
        "department_head": "{name} — department head",
        "external_not_allowed": "{name} — external employee",
        "previous_owner": "{name} — had it before",
        "lacks_skill": '{name} — lacks skill "{skill}"',
        "absent": "{name} — {absence} until {until}",
        "day_not_open": "{name} — day {state}",
        "outside_hours": "{name} — outside working hours",
        "at_capacity": "{name} — at capacity {load}",
        "at_capacity.no_room": "{name} — {load}, no room for {weight} more",
        "kept": "{name} — ranked lower ({load})",
        "kept.away_soon": "{name} — away from {away_from}, before the work would be done",
        # Particulars.
        "absence.vacation": "on vacation",
        "absence.sick_leave": "on sick leave",
        "absence.business_trip": "on a business trip",
        "absence.other": "away",
        "day.paused": "paused",
        "day.closed": "closed",
        "day.not_opened": "not opened",
        "date": "{day:02d}.{month:02d}",
        "entity.deal": "Deal",
        "entity.lead": "Lead",
        "entity.task": "Task",
        "entity.item": "Item",
    }
)
