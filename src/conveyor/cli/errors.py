"""Errors become one readable line on stderr and a non-zero exit, here only."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import typer
from pydantic import ValidationError

from conveyor.domain.errors import ConveyorError

T = TypeVar("T")


def run_or_exit(action: Callable[[], T]) -> T:
    try:
        return action()
    except ConveyorError as error:
        where = f" ({error.field})" if error.field else ""
        typer.secho(f"error: {error.message}{where}", err=True, fg=typer.colors.RED)
        raise typer.Exit(code=1) from None
    except ValidationError as error:  # settings from the environment
        first = error.errors()[0]
        where = "CONVEYOR_" + "_".join(str(part) for part in first["loc"]).upper()
        typer.secho(f"error: {where}: {first['msg']}", err=True, fg=typer.colors.RED)
        raise typer.Exit(code=1) from None
    except Exception as error:  # a database that cannot be reached, a bad URL...
        message = str(error).splitlines()[0] if str(error) else type(error).__name__
        typer.secho(f"error: {message}", err=True, fg=typer.colors.RED)
        raise typer.Exit(code=2) from None
