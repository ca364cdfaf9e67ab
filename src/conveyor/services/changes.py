"""Whether anything changed: live pages watch the newest domain event's id."""

from __future__ import annotations

from conveyor.storage.unit_of_work import UnitOfWork


def last_change(uow: UnitOfWork) -> int:
    """Grows with every committed change (each writes a domain event in its transaction)."""
    with uow:
        return uow.events.last_id()
