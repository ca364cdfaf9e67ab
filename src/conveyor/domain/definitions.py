"""What robots, task robots and triggers share as versioned, ordered definitions: applying a
change that bumps the version, and checking a new order of a list.

Each keeps its own ``CHANGEABLE`` names and its own words ("robot of this stage", "trigger
of this stage", "robot of this status"); the rules are these, once.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

from conveyor.domain.errors import InvalidValue


class Versioned(Protocol):
    version: int
    updated_at: datetime


@runtime_checkable
class Timed(Protocol):
    """A definition whose ``timing`` is set whole (robots, task robots)."""

    @property
    def timing(self) -> Any: ...

    def set_timing(self, timing: Any) -> None: ...


def apply_changes(
    definition: Versioned,
    changes: Mapping[str, Any],
    changeable: Collection[str],
    *,
    now: datetime,
) -> list[str]:
    """Apply ``changes`` (attribute -> value; a ``timing`` through the definition's
    ``timing``/``set_timing``) and return the names that really changed, sorted; when any
    did, the version grows by one and ``updated_at`` is ``now``. A name outside
    ``changeable`` (besides ``timing`` where the definition has one) is refused naming it."""
    changed = []
    for name, value in changes.items():
        if name == "timing" and isinstance(definition, Timed):
            if value != definition.timing:
                definition.set_timing(value)
                changed.append(name)
            continue
        if name not in changeable:
            raise InvalidValue(f"'{name}' cannot be changed", field=name)
        if getattr(definition, name) != value:
            setattr(definition, name, dict(value) if isinstance(value, dict) else value)
            changed.append(name)
    if changed:
        definition.version += 1
        definition.updated_at = now
    return sorted(changed)


def check_order(
    current_ids: list[int], wanted_ids: list[int], *, noun: str, place: str, field: str
) -> None:
    """Refuse a new order of a list (``noun`` in a ``place``: "robot", "stage") unless it
    names each of its members exactly once; errors name ``field`` (and the index)."""
    seen: set[int] = set()
    title = noun.capitalize()
    for index, member_id in enumerate(wanted_ids):
        where = f"{field}.{index}"
        if member_id in seen:
            raise InvalidValue(f"{title} {member_id} appears twice", field=where)
        if member_id not in current_ids:
            raise InvalidValue(f"{title} {member_id} is not a {noun} of this {place}", field=where)
        seen.add(member_id)
    missing = [member_id for member_id in current_ids if member_id not in seen]
    if missing:
        raise InvalidValue(
            f"The new order leaves out {noun} {missing[0]}; name every {noun} of the {place}",
            field=field,
        )
