"""The services' refusals in the reader's language, for the ones a page shows most often.

The services speak English (their messages are the API's problem details); a page in Russian
rebuilds the common ones from the error's own facts, and shows any other as it is.
"""

from __future__ import annotations

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
