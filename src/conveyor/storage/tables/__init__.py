"""All tables on one ``metadata``; importing this package defines them."""

from conveyor.storage.tables import assignment, clients, crm, lists, org, system, tasks
from conveyor.storage.tables.base import metadata

__all__ = ["assignment", "clients", "crm", "lists", "metadata", "org", "system", "tasks"]
