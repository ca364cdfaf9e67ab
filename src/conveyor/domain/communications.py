"""The communications log: calls, emails, meetings, messages and notes."""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from conveyor.domain.errors import InvalidValue
from conveyor.domain.events import DomainEvent
from conveyor.domain.moments import check_moment

#: Clocks of phones and PBXs drift; a call logged "a minute from now" is not a lie.
FUTURE_TOLERANCE = timedelta(minutes=5)
MAX_SUBJECT = 500
MAX_BODY = 20_000


class CommunicationKind(enum.StrEnum):
    CALL = "call"
    EMAIL = "email"
    MEETING = "meeting"
    MESSAGE = "message"
    NOTE = "note"


class Direction(enum.StrEnum):
    INCOMING = "incoming"
    OUTGOING = "outgoing"
    NONE = "none"


def check_occurred_at(moment: datetime, *, now: datetime) -> datetime:
    """When a communication happened: aware, and not in the future beyond the tolerance."""
    check_moment(moment, field="occurred_at")
    if moment > now + FUTURE_TOLERANCE:
        raise InvalidValue("A communication cannot be logged in the future", field="occurred_at")
    return moment


def check_text(text: str | None, *, limit: int, field: str) -> str | None:
    if text is None or not text.strip():
        return None
    if len(text) > limit:
        raise InvalidValue(f"At most {limit} characters", field=field)
    return text


@dataclass(frozen=True, kw_only=True)
class Links:
    """What a communication is about: any of a contact, a company and a lead or deal."""

    contact_id: int | None = None
    company_id: int | None = None
    item_id: int | None = None

    def require_any(self) -> Links:
        if self.contact_id is None and self.company_id is None and self.item_id is None:
            raise InvalidValue(
                "A communication is about a contact, a company or a deal: give at least one"
                " of contact_id, company_id, item_id",
                field="contact_id",
            )
        return self

    def filled_from_item(self, contact_id: int | None, company_id: int | None) -> Links:
        """Logged on a deal, it also counts for the deal's contact and company, unless the
        caller named others (a call about the deal with someone else is still that call)."""
        return replace(
            self,
            contact_id=self.contact_id if self.contact_id is not None else contact_id,
            company_id=self.company_id if self.company_id is not None else company_id,
        )

    def filled_from_contact(self, company_id: int | None) -> Links:
        """Logged on a contact, it also counts for the contact's company."""
        return replace(
            self, company_id=self.company_id if self.company_id is not None else company_id
        )


@dataclass(kw_only=True)
class Communication:
    """One communication, attached to any of a contact, a company and a CRM item.

    Logged on a deal, it also counts for the deal's contact and company, so that
    "the last communication with company C" sees it.
    """

    id: int | None = None
    kind: CommunicationKind
    direction: Direction = Direction.NONE
    occurred_at: datetime
    subject: str | None = None
    body: str | None = None
    employee_id: int | None = None
    contact_id: int | None = None
    company_id: int | None = None
    item_id: int | None = None
    created_at: datetime

    def logged(self, *, item_entity: str | None) -> DomainEvent:
        """``CommunicationLogged``, about the company when there is one, else the contact,
        else the item (``item_entity`` is "lead" or "deal"); the payload has every link."""
        assert self.id is not None, "a communication gets its id when it is added"
        entity: tuple[str, int]
        if self.company_id is not None:
            entity = ("company", self.company_id)
        elif self.contact_id is not None:
            entity = ("contact", self.contact_id)
        else:
            assert self.item_id is not None and item_entity is not None
            entity = (item_entity, self.item_id)
        payload: dict[str, Any] = {
            "communication_id": self.id,
            "kind": self.kind.value,
            "direction": self.direction.value,
            "occurred_at": self.occurred_at.isoformat(),
            "employee_id": self.employee_id,
            "contact_id": self.contact_id,
            "company_id": self.company_id,
            "item_id": self.item_id,
        }
        return DomainEvent(
            type="CommunicationLogged",
            entity=entity[0],
            entity_id=entity[1],
            occurred_at=self.created_at,
            payload=payload,
        )
