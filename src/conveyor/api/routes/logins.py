"""Logins to the web interface: ``/employees/{id}/login`` (admins) and ``/me/password``."""

from __future__ import annotations

from fastapi import APIRouter, status

from conveyor.api.deps import ActorDep, IdPath, NowDep, UowDep
from conveyor.api.render import one
from conveyor.api.schemas.org import LoginPublic, LoginSet, PasswordChange
from conveyor.services import logins

router = APIRouter(tags=["auth"])


@router.put("/employees/{employee_id}/login", response_model=LoginPublic)
def set_login(
    employee_id: IdPath, body: LoginSet, uow: UowDep, actor: ActorDep, now: NowDep
) -> LoginPublic:
    """Let the employee sign in to the web pages with their email and this password, in this
    role (admins only). Setting it again changes the password and the role."""
    login = logins.set_login(
        uow, employee_id, role=body.role, password=body.password, actor=actor, now=now
    )
    return one(LoginPublic, login)


@router.delete("/employees/{employee_id}/login", status_code=status.HTTP_204_NO_CONTENT)
def remove_login(employee_id: IdPath, uow: UowDep, actor: ActorDep, now: NowDep) -> None:
    """Take the login away; the employee's open web sessions end at once."""
    logins.remove_login(uow, employee_id, actor=actor, now=now)


@router.put("/me/password", status_code=status.HTTP_204_NO_CONTENT)
def change_password(body: PasswordChange, uow: UowDep, actor: ActorDep, now: NowDep) -> None:
    """Your own new password, given the current one; your web sessions end."""
    logins.change_password(
        uow, current=body.current_password, new=body.new_password, actor=actor, now=now
    )
