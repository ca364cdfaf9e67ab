"""Shared schema pieces: strict input, pages, bounded strings and ids."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, ClassVar, Generic, TypeVar

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
)

from conveyor.domain.moments import EARLIEST, LATEST

T = TypeVar("T")

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
ShortText = Annotated[str, StringConstraints(max_length=500)]
LongText = Annotated[str, StringConstraints(max_length=20000)]
Email = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=320, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$"),
]
Id = Annotated[int, Field(ge=1, le=2**63 - 1)]


def _moment(value: datetime) -> datetime:
    if not EARLIEST <= value <= LATEST:
        # Also keeps "0001-01-01T00:00+05:00", whose UTC instant does not exist, from a 500.
        raise ValueError("is out of the supported range of dates (1900 to 9000)")
    return value.astimezone(UTC)


#: A timezone-aware instant ("2026-03-02T18:00:00+03:00") in 1900–9000, given in UTC; naive
#: datetimes are refused.
Moment = Annotated[AwareDatetime, AfterValidator(_moment)]


class Input(BaseModel):
    """Input schemas refuse unknown fields, so a typo is an error, not a silent no-op."""

    model_config = ConfigDict(extra="forbid")


class Update(Input):
    """A partial change: only the fields sent are changed; ``null`` clears where allowed.

    Fields named in ``NOT_NULL`` may be left out but not set to ``null``.
    """

    NOT_NULL: ClassVar[tuple[str, ...]] = ()

    @field_validator("*")
    @classmethod
    def _refuse_nulls(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None and info.field_name in cls.NOT_NULL:
            raise ValueError("cannot be null")
        return value

    def changes(self) -> dict[str, Any]:
        return self.model_dump(exclude_unset=True)


class Output(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class PageOf(BaseModel, Generic[T]):
    model_config = ConfigDict(from_attributes=True)

    items: list[T]
    total: int
    limit: int
    offset: int
