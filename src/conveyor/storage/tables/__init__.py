"""All tables on one ``metadata``; importing this package defines them."""

from conveyor.storage.tables import (
    assignment,
    call_distributions,
    clients,
    crm,
    lists,
    org,
    system,
    tasks,
)
from conveyor.storage.tables.base import metadata

__all__ = [
    "assignment",
    "call_distributions",
    "clients",
    "crm",
    "lists",
    "metadata",
    "org",
    "system",
    "tasks",
]
