"""The services' refusals in the reader's language, for the ones a page shows most often.

The services speak English (their messages are the API's problem details); a page in Russian
rebuilds the common ones from the error's own facts, and shows any other as it is.
"""

from __future__ import annotations

from typing import Any

from conveyor.domain import errors
from conveyor.domain.languages import Language
from conveyor.web.texts import translate


def said(error: errors.ConveyorError, language: Language) -> str:
    """``error``'s message for a reader of ``language``."""
    if language is Language.EN:
        return error.message
    if isinstance(error, errors.RequiredFieldMissing):
        return translate(
            language,
            "Field '{field}' is required from stage '{stage}' onward",
            field=error.field_name,
            stage=error.stage_name,
        )
    if isinstance(error, errors.NotFound):
        return translate(language, "Not found: {what}", what=f"{error.entity} {error.entity_id}")
    return translate(language, error.message)


#: Pydantic's error types a page's form meets most, in words with the error's own limits.
_SCHEMA = {
    "greater_than": "Must be greater than {gt}",
    "greater_than_equal": "Must be at least {ge}",
    "less_than": "Must be less than {lt}",
    "less_than_equal": "Must be at most {le}",
    "string_too_short": "Must have at least {min_length} characters",
    "string_too_long": "Must have at most {max_length} characters",
    "too_long": "Must have at most {max_length} items",
    "int_parsing": "Must be a whole number",
    "int_from_float": "Must be a whole number",
    "decimal_parsing": "Must be a number",
    "float_parsing": "Must be a number",
    "decimal_max_places": "Must have at most {decimal_places} decimal places",
    "missing": "Required",
    "bool_parsing": "Must be yes or no",
    "datetime_parsing": "Must be a date and time",
    "date_from_datetime_parsing": "Must be a date",
    "enum": "Must be one of: {expected}",
}


def said_by_schema(error: dict[str, Any], language: Language) -> str:
    """One of a schema's ``ValidationError.errors()`` for a reader of ``language``."""
    english = str(error.get("msg", "Invalid input"))
    text = _SCHEMA.get(str(error.get("type")))
    if text is None or language is Language.EN:
        return english
    try:
        return translate(language, text, **(error.get("ctx") or {}))
    except (KeyError, IndexError):
        return english
