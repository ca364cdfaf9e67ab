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
# "lt=2**63", not "le=2**63 - 1": FastAPI writes these bounds into the OpenAPI document as
# floats, and float(2**63 - 1) is 2**63, which would document one id too many.
Id = Annotated[int, Field(ge=1, lt=2**63)]


def _moment(value: datetime) -> datetime:
    if not EARLIEST <= value <= LATEST:
        # Also keeps "0001-01-01T00:00+05:00", whose UTC instant does not exist, from a 500.
        raise ValueError("is out of the supported range of dates (1900 to 9000)")
    return value.astimezone(UTC)


#: A timezone-aware instant ("2026-03-02T18:00:00+03:00") in 1900–9000, given in UTC; naive
#: datetimes are refused.
Moment = Annotated[AwareDatetime, AfterValidator(_moment)]


def _has_nul(value: Any) -> bool:
    """Whether a NUL character hides in ``value``: a string, or a key or item of a dict or list."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(key) or _has_nul(item) for key, item in value.items())
    if isinstance(value, list | tuple | set | frozenset):
        return any(_has_nul(item) for item in value)
    return False


class Input(BaseModel):
    """Input schemas refuse unknown fields, so a typo is an error, not a silent no-op.

    They also refuse the NUL character in any string, however deep: PostgreSQL cannot store
    it in text or JSON, and the same input must get the same answer on both databases.
    """

    model_config = ConfigDict(extra="forbid")

    @field_validator("*")
    @classmethod
    def _refuse_nul_characters(cls, value: Any) -> Any:
        # Nested Input models have already checked themselves, naming the inner field.
        if _has_nul(value):
            raise ValueError("must not contain the NUL character (\\u0000)")
        return value


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
