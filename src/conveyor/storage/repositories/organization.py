"""The organization's one row: read with its defaults when nobody has set it yet."""

from __future__ import annotations

from sqlalchemy.orm import Session

from conveyor.domain.organization import THE_ORGANIZATION, Organization
from conveyor.storage.repositories.base import Repository


class OrganizationRepository(Repository[Organization]):
    def __init__(self, session: Session) -> None:
        super().__init__(session, Organization, "organization")

    def current(self, *, for_update: bool = False) -> Organization:
        """The organization as stored; ``Organization()`` (not stored) when never set."""
        found = self.find(THE_ORGANIZATION, for_update=for_update)
        return Organization() if found is None else found

    def save(self, organization: Organization) -> None:
        """Store ``organization`` (the first change adds its row)."""
        if self.find(THE_ORGANIZATION) is None:
            self.add(organization)
