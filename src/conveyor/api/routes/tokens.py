"""/tokens: API tokens bound to an employee and a role (admins only)."""

from __future__ import annotations

from fastapi import APIRouter, status

from conveyor.api.deps import ActorDep, IdPath, IdQuery, Limit, NowDep, Offset, UowDep
from conveyor.api.render import one, page
from conveyor.api.schemas.common import PageOf
from conveyor.api.schemas.org import TokenCreate, TokenIssued, TokenPublic
from conveyor.services import tokens

router = APIRouter(prefix="/tokens", tags=["auth"])


@router.post("", status_code=status.HTTP_201_CREATED, response_model=TokenIssued)
def issue(body: TokenCreate, uow: UowDep, actor: ActorDep, now: NowDep) -> TokenIssued:
    token, secret = tokens.issue_token(
        uow, employee_id=body.employee_id, role=body.role, name=body.name, actor=actor, now=now
    )
    return one(TokenIssued, token, token=secret)


@router.get("", response_model=PageOf[TokenPublic])
def list_(
    uow: UowDep, actor: ActorDep, limit: Limit = 50, offset: Offset = 0, employee_id: IdQuery = None
) -> object:
    found = tokens.list_tokens(
        uow, actor=actor, limit=limit, offset=offset, employee_id=employee_id
    )
    return page(TokenPublic, found)


@router.delete("/{token_id}", response_model=TokenPublic)
def revoke(token_id: IdPath, uow: UowDep, actor: ActorDep, now: NowDep) -> object:
    return one(TokenPublic, tokens.revoke_token(uow, token_id, actor=actor, now=now))
