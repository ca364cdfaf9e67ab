"""Contacts and companies: the people and organisations a company works with."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

from conveyor.domain.actors import Actor
from conveyor.domain.errors import Forbidden, InvalidValue
from conveyor.domain.events import DomainEvent
from conveyor.domain.pipelines import EntityType

MAX_NAME = 300
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# Digits with the usual separators, an optional leading + and an optional extension.
_PHONE = re.compile(r"^\+?[0-9][0-9 ()\-.]{2,39}(\s*(ext\.?|x|#)\s*[0-9]{1,6})?$", re.IGNORECASE)


def name_key(name: str) -> str:
    """The form of a name that searches compare: case-folded, so "ООО Ромашка" finds
    "ооо ромашка" on SQLite too, whose LIKE folds ASCII only."""
    return name.casefold()


def check_name(name: str, *, field: str = "name") -> str:
    """A trimmed, non-empty name of at most ``MAX_NAME`` characters."""
    trimmed = name.strip()
    if not trimmed:
        raise InvalidValue("A name cannot be empty", field=field)
    if len(trimmed) > MAX_NAME:
        raise InvalidValue(f"A name has at most {MAX_NAME} characters", field=field)
    return trimmed


def check_email(email: str | None) -> str | None:
    if email is None or not email.strip():
        return None
    trimmed = email.strip()
    if len(trimmed) > 320 or not _EMAIL.match(trimmed):
        raise InvalidValue("Expected an email address like name@example.com", field="email")
    return trimmed


def check_phone(phone: str | None) -> str | None:
    if phone is None or not phone.strip():
        return None
    trimmed = phone.strip()
    if len(trimmed) > 50 or not _PHONE.match(trimmed):
        raise InvalidValue("Expected a phone number like +7 495 123-45-67", field="phone")
    return trimmed


def require_client_access(actor: Actor) -> None:
    """The client base is internal: external partners work on the deals handed to them,
    they do not browse the company's customers."""
    if actor.is_external:
        raise Forbidden("External partners have no access to the client base")


@dataclass(kw_only=True)
class Client:
    """What companies and contacts share: a searchable name, a responsible employee,
    custom field values, and events named after the entity type."""

    #: The entity type; it names the events (``CompanyCreated``) and the custom fields.
    ENTITY_TYPE: ClassVar[EntityType]
    #: Ids that ``<Entity>Created`` reports besides the name, in payload order.
    CREATED_REFERENCES: ClassVar[tuple[str, ...]]

    id: int | None = None
    name: str
    name_key: str = ""
    responsible_id: int | None = None
    fields: dict[str, Any] = field(default_factory=dict)
    created_at: datetime
    updated_at: datetime

    def __post_init__(self) -> None:
        self.name_key = name_key(self.name)

    def rename(self, name: str) -> None:
        self.name = name
        self.name_key = name_key(name)

    def event(self, kind: str, now: datetime, **payload: Any) -> DomainEvent:
        """``<Entity><kind>`` about this client, e.g. ``CompanyCreated``, ``ContactChanged``."""
        entity = self.ENTITY_TYPE.value
        assert self.id is not None, f"a {entity} gets its id when it is added"
        return DomainEvent(
            type=f"{entity.capitalize()}{kind}",
            entity=entity,
            entity_id=self.id,
            occurred_at=now,
            payload=payload,
        )

    def created(self, now: datetime) -> DomainEvent:
        """``<Entity>Created``: the name, the references and the codes of the fields set."""
        references = {name: getattr(self, name) for name in self.CREATED_REFERENCES}
        return self.event("Created", now, name=self.name, **references, fields=sorted(self.fields))


@dataclass(kw_only=True)
class Company(Client):
    """An organisation the company works with."""

    ENTITY_TYPE = EntityType.COMPANY
    CREATED_REFERENCES = ("responsible_id",)


@dataclass(kw_only=True)
class Contact(Client):
    """A person the company works with, possibly at one of its client companies."""

    ENTITY_TYPE = EntityType.CONTACT
    CREATED_REFERENCES = ("company_id", "responsible_id")

    email: str | None = None
    phone: str | None = None
    company_id: int | None = None
