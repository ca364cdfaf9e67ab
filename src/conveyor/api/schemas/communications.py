"""The communications log."""

from __future__ import annotations

from datetime import datetime

from pydantic import AwareDatetime, Field

from conveyor.api.schemas.common import Id, Input, LongText, Output, ShortText
from conveyor.domain.communications import CommunicationKind, Direction


class CommunicationCreate(Input):
    kind: CommunicationKind
    direction: Direction = Direction.NONE
    occurred_at: AwareDatetime | None = Field(
        default=None,
        description="When it happened, with a timezone offset; at most 5 minutes ahead. "
        "Default: now.",
    )
    subject: ShortText | None = None
    body: LongText | None = None
    employee_id: Id | None = Field(default=None, description="Who talked; default: you")
    contact_id: Id | None = None
    company_id: Id | None = Field(
        default=None, description="Default: the deal's company, else the contact's company"
    )
    item_id: Id | None = Field(default=None, description="A lead or a deal")


class CommunicationPublic(Output):
    id: int
    kind: CommunicationKind
    direction: Direction
    occurred_at: datetime
    subject: str | None
    body: str | None
    employee_id: int | None
    contact_id: int | None
    company_id: int | None
    item_id: int | None
    created_at: datetime
