"""Companies and contacts."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import Field, StringConstraints

from conveyor.api.schemas.common import Email, Id, Input, Output, Title, Update

Code = Annotated[str, StringConstraints(max_length=63)]
Phone = Annotated[str, StringConstraints(strip_whitespace=True, max_length=50)]
#: Custom field values by code; each value is checked against its field's definition.
Fields = Annotated[dict[Code, Any], Field(max_length=100)]


class CompanyCreate(Input):
    name: Title
    responsible_id: Id | None = None
    fields: Fields = Field(default_factory=dict)


class CompanyUpdate(Update):
    NOT_NULL = ("name", "fields")

    name: Title | None = None
    responsible_id: Id | None = None
    fields: Fields | None = Field(
        default=None, description="Merged into the values: a code set to null is cleared"
    )


class CompanyPublic(Output):
    id: int
    name: str
    responsible_id: int | None
    fields: dict[str, Any]
    created_at: datetime
    updated_at: datetime


class ContactCreate(Input):
    name: Title
    email: Email | None = None
    phone: Phone | None = None
    company_id: Id | None = None
    responsible_id: Id | None = None
    fields: Fields = Field(default_factory=dict)


class ContactUpdate(Update):
    NOT_NULL = ("name", "fields")

    name: Title | None = None
    email: Email | None = None
    phone: Phone | None = None
    company_id: Id | None = None
    responsible_id: Id | None = None
    fields: Fields | None = Field(
        default=None, description="Merged into the values: a code set to null is cleared"
    )


class ContactPublic(Output):
    id: int
    name: str
    email: str | None
    phone: str | None
    company_id: int | None
    responsible_id: int | None
    fields: dict[str, Any]
    created_at: datetime
    updated_at: datetime
