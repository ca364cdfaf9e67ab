"""What the rule and robot editors share: reading a posted form and placing a refusal.

A form is turned into the API's input shape and validated by the API's own schemas, then
handed to the services; a refusal (the schema's or the service's) comes back as a
``FieldError`` naming the field at fault as the API would (``employee_ids.2``,
``action.text``) and the form input that shows it (``employee_ids``, ``action.text``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from pydantic import ValidationError
from starlette.datastructures import FormData

from conveyor.domain.errors import ConveyorError, Forbidden, NotAuthenticated, NotFound
from conveyor.domain.languages import Language
from conveyor.web.error_texts import said, said_by_schema
from conveyor.web.texts import translate


async def _read_form(request: Request) -> FormData:
    return await request.form()


#: The posted form (already read by the CSRF check; Starlette keeps it).
FormDep = Annotated[FormData, Depends(_read_form)]


@dataclass(frozen=True, kw_only=True)
class FieldError:
    """A refusal: ``field`` as the API names it, ``input`` the form input at fault (``None``:
    none of them; the message is shown above the form), ``message`` as the service said it."""

    field: str | None
    input: str | None
    message: str


class FormRefused(Exception):
    """A form input the web layer itself cannot read (not JSON where JSON is expected)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def refusal(
    error: Exception, inputs: Iterable[str], language: Language = Language.EN
) -> FieldError:
    """The ``FieldError`` of a schema's ``ValidationError`` (its first error, named as the
    API's problem names it), a service's ``ConveyorError`` or a ``FormRefused``, its message
    in ``language`` where it has one. An error that is not about the input (forbidden, gone)
    is raised again for the error page."""
    field: str | None
    if isinstance(error, ValidationError):
        first = error.errors()[0]
        field = ".".join(str(part) for part in first.get("loc", ())) or None
        message = said_by_schema(dict(first), language)
    elif isinstance(error, FormRefused):
        field, message = error.field, translate(language, error.message)
    elif isinstance(error, ConveyorError) and not _not_about_input(error):
        field, message = error.field, said(error, language)
    else:
        raise error
    return FieldError(field=field, input=input_for(field, inputs), message=message)


def _not_about_input(error: ConveyorError) -> bool:
    return isinstance(error, Forbidden | NotAuthenticated) or (
        isinstance(error, NotFound) and error.field is None
    )


def input_for(field: str | None, inputs: Iterable[str]) -> str | None:
    """The input whose name is ``field`` or its longest leading part: ``employee_ids.2`` is
    shown at ``employee_ids``."""
    if field is None:
        return None
    best = None
    for name in inputs:
        if (field == name or field.startswith(name + ".")) and len(name) > len(best or ""):
            best = name
    return best


def text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


def texts(form: FormData, name: str) -> list[str]:
    return [v for v in form.getlist(name) if isinstance(v, str) and v != ""]


def checked(form: FormData, name: str) -> bool:
    return text(form, name) not in ("", "0", "false", "off")


def blank_is_none(value: str) -> str | None:
    return value if value.strip() else None


def json_object(value: str, *, field: str, message: str) -> dict[str, Any]:
    """``value`` read as a JSON object (blank: an empty one), else ``FormRefused``."""
    if not value.strip():
        return {}
    try:
        found = json.loads(value)
    except ValueError:
        raise FormRefused(field, message) from None
    if not isinstance(found, dict):
        raise FormRefused(field, message)
    return found
