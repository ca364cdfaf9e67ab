"""Departments: a tree, each with a head."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from conveyor.domain.errors import InvalidValue


@dataclass(kw_only=True)
class Department:
    id: int | None = None
    name: str
    parent_id: int | None = None
    head_id: int | None = None


def check_parent(
    department_id: int, new_parent_id: int | None, parents: Mapping[int, int | None]
) -> None:
    """Refuse a parent that would put ``department_id`` inside its own subtree.

    ``parents`` maps every department id to its parent id.
    """
    current = new_parent_id
    seen: set[int] = set()
    while current is not None and current not in seen:
        if current == department_id:
            raise InvalidValue("A department cannot be placed inside itself", field="parent_id")
        seen.add(current)
        current = parents.get(current)


def subtree_ids(root_id: int, parents: Mapping[int, int | None]) -> set[int]:
    """The department and every department below it."""
    children: dict[int, list[int]] = {}
    for child, parent in parents.items():
        if parent is not None:
            children.setdefault(parent, []).append(child)
    found = {root_id}
    stack = [root_id]
    while stack:
        for child in children.get(stack.pop(), ()):
            if child not in found:
                found.add(child)
                stack.append(child)
    return found


def chain_of_heads(
    department_id: int, departments: Iterable[Department], *, skip: int | None = None
) -> list[int]:
    """Heads from the department up to the root, nearest first, without ``skip``.

    Used to find "the head of the responsible's department": when the employee is
    the head of their own department, the next head up is the one to tell.
    """
    by_id = {d.id: d for d in departments if d.id is not None}
    heads: list[int] = []
    current = by_id.get(department_id)
    seen: set[int] = set()
    while current is not None and current.id not in seen:
        assert current.id is not None
        seen.add(current.id)
        if current.head_id is not None and current.head_id != skip and current.head_id not in heads:
            heads.append(current.head_id)
        current = by_id.get(current.parent_id) if current.parent_id is not None else None
    return heads
