"""The organization's own settings: read by anyone signed in, changed by admins."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from conveyor.domain.actors import Actor
from conveyor.domain.events import DomainEvent
from conveyor.domain.organization import THE_ORGANIZATION, Organization
from conveyor.storage.unit_of_work import UnitOfWork


def get_organization(uow: UnitOfWork) -> Organization:
    with uow:
        return uow.organization.current()


def update_organization(
    uow: UnitOfWork, changes: Mapping[str, Any], *, actor: Actor, now: datetime
) -> Organization:
    """Change the name, timezone or default schedule (admins); emits
    ``OrganizationChanged`` with what changed, from and to."""
    actor.require_admin()
    with uow:
        organization = uow.organization.current(for_update=True)
        schedule_id = changes.get("schedule_id")
        if schedule_id is not None:
            uow.schedules.get(int(schedule_id), field="schedule_id")
        before = organization.as_data()
        changed = organization.change(changes, now=now)
        if changed:
            uow.organization.save(organization)
            after = organization.as_data()
            uow.emit(
                DomainEvent(
                    type="OrganizationChanged",
                    entity="organization",
                    entity_id=THE_ORGANIZATION,
                    occurred_at=now,
                    payload={
                        "changes": {name: [before[name], after[name]] for name in changed},
                        "actor_id": actor.employee_id or None,
                    },
                )
            )
        uow.commit()
    return organization
