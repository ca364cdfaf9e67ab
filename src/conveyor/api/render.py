"""Domain objects to response schemas, explicitly (FastAPI would deep-copy dataclasses)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import BaseModel

from conveyor.api.schemas.common import PageOf
from conveyor.domain.pages import Page

M = TypeVar("M", bound=BaseModel)


def one(model: type[M], obj: object, **extra: Any) -> M:
    """``obj``'s attributes (plus ``extra``) as ``model``."""
    if extra:
        return model.model_validate({**_attributes(obj), **extra})
    return model.model_validate(obj, from_attributes=True)


def page(model: type[M], found: Page[Any], convert: Callable[[Any], M] | None = None) -> PageOf[M]:
    items = [convert(i) if convert else one(model, i) for i in found.items]
    return PageOf[model](  # type: ignore[valid-type]
        items=items, total=found.total, limit=found.limit, offset=found.offset
    )


def _attributes(obj: object) -> dict[str, Any]:
    return {k: v for k, v in vars(obj).items() if not k.startswith("_")}
