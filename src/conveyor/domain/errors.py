"""The one exception tree of Conveyor.

Each class is named after a business fact; its docstring is its message template.
Entry points map these to HTTP problems and CLI lines in one place each.
"""

from __future__ import annotations


class ConveyorError(Exception):
    """Something went wrong in Conveyor."""

    #: The input field at fault, when one is (JSON-pointer-like: "stage_id", "fields.equipment").
    field: str | None = None

    def __init__(self, message: str | None = None, *, field: str | None = None) -> None:
        self.message = message or (self.__doc__ or type(self).__name__).strip()
        if field is not None:
            self.field = field
        super().__init__(self.message)


class NotFound(ConveyorError):
    """The requested object does not exist."""

    def __init__(self, entity: str, entity_id: object, *, field: str | None = None) -> None:
        self.entity = entity
        self.entity_id = entity_id
        super().__init__(f"{entity} {entity_id} does not exist", field=field)


class InvalidValue(ConveyorError):
    """A value is not acceptable."""


class Conflict(ConveyorError):
    """The change conflicts with the current state of the data."""


class Forbidden(ConveyorError):
    """You may not do this."""


class NotAuthenticated(ConveyorError):
    """A valid API token is required."""


class RequiredFieldMissing(ConveyorError):
    """A field required at this stage is empty."""

    def __init__(self, field_code: str, field_name: str, stage_name: str) -> None:
        self.field_code = field_code
        self.field_name = field_name
        self.stage_name = stage_name
        super().__init__(
            f"Field '{field_name}' is required from stage '{stage_name}' onward",
            field=f"fields.{field_code}",
        )


class StageNotInPipeline(ConveyorError):
    """The stage does not belong to the item's pipeline."""


class TransitionNotAllowed(ConveyorError):
    """This status change is not allowed from the current state."""


class InvalidSchedule(InvalidValue):
    """The work schedule is not valid."""


class InvalidCalendar(InvalidValue):
    """The holiday calendar is not valid."""


class NaiveDatetime(InvalidValue):
    """A timezone-aware date and time is required."""


class CalendarNotCovered(ConveyorError):
    """The holiday calendar does not cover the dates this calculation needs."""


class NoWorkingTime(ConveyorError):
    """The work schedule and holiday calendar leave no working time to count on."""


class InvalidExpression(InvalidValue):
    """The expression is not valid."""

    def __init__(
        self,
        message: str | None = None,
        *,
        field: str | None = "expression",
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        #: Where the fault is in the expression's text, 1-based (None when it is the whole text).
        self.line = line
        self.column = column
        super().__init__(message, field=field)


class ExpressionFailed(ConveyorError):
    """The expression could not be evaluated on this data."""

    def __init__(
        self,
        message: str | None = None,
        *,
        field: str | None = "expression",
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        #: Where evaluation failed in the expression's text, 1-based.
        self.line = line
        self.column = column
        super().__init__(message, field=field)
