"""All tables on one ``metadata``; importing this package defines them."""

from conveyor.storage.tables import (
    assignment,
    call_distributions,
    clients,
    communication_controls,
    crm,
    jobs,
    lists,
    notifications,
    org,
    payments,
    robots,
    system,
    task_dependencies,
    task_robots,
    tasks,
    triggers,
)
from conveyor.storage.tables.base import metadata

__all__ = [
    "assignment",
    "call_distributions",
    "clients",
    "communication_controls",
    "crm",
    "jobs",
    "lists",
    "metadata",
    "notifications",
    "org",
    "payments",
    "robots",
    "system",
    "task_dependencies",
    "task_robots",
    "tasks",
    "triggers",
]
