"""What each record a rule's expression reads holds, so that a rule is checked against it.

The records are those ``services.assignment_context`` builds: the lead or deal with its own
attributes (``ITEM_ATTRIBUTES``), its custom values under their codes and under ``fields``;
the task, contact and company with their plain attributes (those ``plain_record`` keeps:
texts, numbers, flags, enum values, references; not dates or lists), the contact's and the
company's custom values likewise; the responsible with ``EMPLOYEE_ATTRIBUTES``.

``expression_schema`` gives this as the expression engine's ``Schema``, so that a rule
reading ``deal.nonexistent`` is refused on save instead of weighing every deal as empty.
"""

from __future__ import annotations

import enum
import types
import typing
from dataclasses import fields as dataclass_fields
from decimal import Decimal
from functools import lru_cache

from conveyor.domain.clients import Company, Contact
from conveyor.domain.distribution_rules import RuleEntity
from conveyor.domain.pipelines import EntityType
from conveyor.domain.tasks import Task
from conveyor.engines.expressions import Schema
from conveyor.storage.unit_of_work import UnitOfWork

#: A lead's or deal's own attributes, as its record holds them.
ITEM_ATTRIBUTES = (
    "id",
    "title",
    "amount",
    "currency",
    "pipeline_id",
    "stage_id",
    "responsible_id",
    "contact_id",
    "company_id",
    "created_at",
    "updated_at",
    "stage_entered_at",
    "closed_at",
)
#: What a rule may read of an employee (never their tokens or anything private).
EMPLOYEE_ATTRIBUTES = ("id", "name", "email", "position", "timezone", "is_external", "skills")
#: The values a plain record keeps (enum members are kept as their values).
SCALARS = (str, int, float, bool, Decimal, type(None))
#: The key under which a record holds its custom values.
FIELDS = "fields"


@lru_cache(maxsize=16)
def plain_attributes(cls: type) -> frozenset[str]:
    """The attributes of dataclass ``cls`` that ``plain_record`` may keep: those whose type
    admits a scalar or an enum, and ``fields``. (A date that is empty is kept as ``None``
    too, so an optional date counts: it reads as empty, never fails.)"""
    hints = typing.get_type_hints(cls)
    return frozenset(
        spec.name
        for spec in dataclass_fields(cls)
        if spec.name == FIELDS or _admits_scalar(hints[spec.name])
    )


def _admits_scalar(hint: object) -> bool:
    union = typing.get_origin(hint) in (typing.Union, types.UnionType)
    options = typing.get_args(hint) if union else (hint,)
    return any(
        isinstance(option, type)
        and typing.get_origin(option) is None
        and issubclass(option, (*SCALARS, enum.Enum))
        for option in options
    )


def expression_schema(uow: UnitOfWork, entity: RuleEntity) -> dict[str, Schema | None]:
    """What each name a rule for ``entity`` may read holds (inside an open ``with uow:``)."""
    schema: dict[str, Schema | None] = {
        "contact": _record(plain_attributes(Contact), _codes(uow, EntityType.CONTACT)),
        "company": _record(plain_attributes(Company), _codes(uow, EntityType.COMPANY)),
        "responsible": dict.fromkeys(EMPLOYEE_ATTRIBUTES),
    }
    if entity.has_pipelines:
        codes = _codes(uow, EntityType(entity.value))
        schema[entity.value] = _record(frozenset(ITEM_ATTRIBUTES) | {FIELDS}, codes)
    else:
        schema[entity.value] = dict.fromkeys(plain_attributes(Task))
    return schema


def _codes(uow: UnitOfWork, entity: EntityType) -> frozenset[str]:
    return frozenset(uow.custom_fields.of(entity))


def _record(own: frozenset[str], codes: frozenset[str]) -> dict[str, Schema | None]:
    """A record holding ``own`` attributes, each custom value under its code (an attribute
    wins over a code of the same name) and all of them under ``fields``."""
    record: dict[str, Schema | None] = dict.fromkeys(codes | own)
    if FIELDS in own:
        record[FIELDS] = dict.fromkeys(codes)
    return record
