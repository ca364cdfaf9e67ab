"""Absences."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated

from pydantic import BeforeValidator

from conveyor.api.schemas.common import Id, Input, Output, ShortText, Update
from conveyor.domain.absences import AbsenceKind


def _iso_date_text(value: object) -> object:
    # Pydantic would also take numbers (Unix time) and datetimes as dates; a date here is
    # only ever the calendar day written as YYYY-MM-DD.
    if isinstance(value, date) or (
        isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value)
    ):
        return value
    raise ValueError("must be a date written as YYYY-MM-DD")


IsoDate = Annotated[date, BeforeValidator(_iso_date_text)]


class AbsenceCreate(Input):
    employee_id: Id
    kind: AbsenceKind
    starts_on: IsoDate
    ends_on: IsoDate
    note: ShortText | None = None


class AbsenceUpdate(Update):
    NOT_NULL = ("kind", "starts_on", "ends_on")

    kind: AbsenceKind | None = None
    starts_on: IsoDate | None = None
    ends_on: IsoDate | None = None
    note: ShortText | None = None


class AbsencePublic(Output):
    id: int
    employee_id: int
    kind: AbsenceKind
    starts_on: date
    ends_on: date
    note: str | None
