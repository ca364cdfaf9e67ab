"""The communications log: calls, emails, meetings, messages and notes."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime


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
