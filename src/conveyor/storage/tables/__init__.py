"""All tables on one ``metadata``; importing this package defines them."""

from conveyor.storage.tables import (
    assignment,
    call_distributions,
    clients,
    crm,
    jobs,
    lists,
    notifications,
    org,
    robots,
    system,
    tasks,
)
from conveyor.storage.tables.base import metadata

__all__ = [
    "assignment",
    "call_distributions",
    "clients",
    "crm",
    "jobs",
    "lists",
    "metadata",
    "notifications",
    "org",
    "robots",
    "system",
    "tasks",
]
