"""All tables on one ``metadata``; importing this package defines them."""

from conveyor.storage.tables import clients, crm, lists, org, system, tasks
from conveyor.storage.tables.base import metadata

__all__ = ["clients", "crm", "lists", "metadata", "org", "system", "tasks"]
