"""Whom a robot's action is aimed at, as its parameters say it.

- ``"responsible"``: the item's responsible; ``"head"``: the head of the responsible's
  department, found through the org structure; an employee by id;
- ``{"position": "Chief accountant"}``: every active employee whose position is that one,
  compared without regard to case or the spaces around it; ``"within": "department"``
  keeps to the responsible's departments and the departments below them (the default,
  ``"company"``, looks everywhere);
- ``"contact.email"``, ``"contact.phone"``: the item's contact's own address, for the
  actions that write to one (an email, an SMS).

Positions are free text on the employee (``Employee.position``): a position is whoever
holds it when the robot acts, so a new chief accountant gets the next message without
anyone editing the robot.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from conveyor.domain.errors import InvalidValue

RESPONSIBLE = "responsible"
HEAD = "head"
PERSON_WORDS = frozenset({RESPONSIBLE, HEAD})
Person = str | int
#: The contact's own address: the email's or the SMS's recipient.
CONTACT_EMAIL = "contact.email"
CONTACT_PHONE = "contact.phone"
#: Where holders of a position are looked for.
COMPANY = "company"
DEPARTMENT = "department"
WITHIN = frozenset({COMPANY, DEPARTMENT})
#: ``Employee.position`` is at most this long.
MAX_POSITION = 200
#: A person, a position (``{"position": ..., "within": ...}``) or a contact's address word.
Recipient = str | int | dict[str, str]


@dataclass(frozen=True, kw_only=True)
class Position:
    """Whoever holds the position ``name``, in the company or the responsible's department
    subtree (``within``)."""

    name: str
    within: str = COMPANY

    @classmethod
    def of(cls, recipient: Mapping[str, str]) -> Position:
        """A recipient already normalised by ``normalize_recipients``."""
        return cls(name=recipient["position"], within=recipient.get("within", COMPANY))

    def matches(self, position: str | None) -> bool:
        return position is not None and position.strip().casefold() == self.name.casefold()


def check_person(person: object, *, field: str) -> None:
    """'responsible', 'head' or an employee id."""
    if isinstance(person, str) and person in PERSON_WORDS:
        return
    if _is_id(person):
        return
    raise InvalidValue("Expected 'responsible', 'head' or an employee id", field=field)


def normalize_recipients(
    to: object, *, field: str, limit: int, address: str | None = None
) -> list[Recipient]:
    """``to`` as a list of 1 to ``limit`` recipients, each once: people, positions and,
    when the action writes to an ``address`` word (``CONTACT_EMAIL``...), that word.
    Refused naming ``<field>`` or the item at fault (``action.to.2.position``)."""
    forms = "'responsible', 'head', employee ids or {\"position\": ...}"
    if address is not None:
        forms += f" or '{address}'"
    if not isinstance(to, list) or not 1 <= len(to) <= limit:
        raise InvalidValue(f"Name 1 to {limit} recipients: {forms}", field=field)
    seen: set[object] = set()
    normalized: list[Recipient] = []
    for index, raw in enumerate(to):
        where = f"{field}.{index}"
        recipient = _recipient(raw, where=where, address=address, forms=forms)
        key = _key(recipient)
        if key in seen:
            raise InvalidValue(f"{raw!r} appears twice", field=where)
        seen.add(key)
        normalized.append(recipient)
    return normalized


def _recipient(raw: object, *, where: str, address: str | None, forms: str) -> Recipient:
    if isinstance(raw, dict):
        return _position(raw, where=where)
    if address is not None and raw == address:
        return address
    if (isinstance(raw, str) and raw in PERSON_WORDS) or _is_id(raw):
        assert isinstance(raw, str | int)
        return raw
    raise InvalidValue(f"Expected {forms}", field=where)


def _position(raw: Mapping[str, Any], *, where: str) -> dict[str, str]:
    for key in raw:
        if key not in ("position", "within"):
            raise InvalidValue(
                f"'{key}' is not part of a position (it has: position, within)",
                field=f"{where}.{key}",
            )
    name = raw.get("position")
    if not isinstance(name, str) or not name.strip() or len(name.strip()) > MAX_POSITION:
        raise InvalidValue(
            f"The position's name, 1 to {MAX_POSITION} characters", field=f"{where}.position"
        )
    within = raw.get("within", COMPANY)
    if not isinstance(within, str) or within not in WITHIN:
        raise InvalidValue(
            "'company' (anyone holding it) or 'department' (the responsible's departments "
            "and those below them)",
            field=f"{where}.within",
        )
    return {"position": name.strip(), "within": str(within)}


def _key(recipient: Recipient) -> object:
    if isinstance(recipient, dict):
        return ("position", recipient["position"].casefold(), recipient["within"])
    return recipient


def _is_id(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**63
