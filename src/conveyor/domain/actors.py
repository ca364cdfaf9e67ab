"""Who is acting: the employee behind an API token or a CLI command, with their role."""

from __future__ import annotations

from dataclasses import dataclass

from conveyor.domain.errors import Forbidden
from conveyor.domain.tokens import Role


@dataclass(frozen=True, kw_only=True)
class Actor:
    employee_id: int
    role: Role
    is_external: bool = False

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN

    def require(self, *roles: Role) -> None:
        """Refuse unless the actor has one of ``roles`` (admins always pass)."""
        if not self.is_admin and self.role not in roles:
            raise Forbidden(
                f"This needs the role: {' or '.join(r.value for r in roles) or 'admin'}"
            )

    def require_admin(self) -> None:
        self.require()


#: The system itself (CLI, demo, engines): acts as an admin on behalf of nobody.
SYSTEM = Actor(employee_id=0, role=Role.ADMIN)
