"""Annotated dependencies shared by the routers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Path, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from conveyor.domain.actors import Actor
from conveyor.domain.errors import InvalidValue, NotAuthenticated
from conveyor.services.tokens import authenticate
from conveyor.storage.unit_of_work import UnitOfWork

MAX_ID = 2**63 - 1


def get_uow(request: Request) -> UnitOfWork:
    return UnitOfWork(request.app.state.sessions)


def get_now(request: Request) -> datetime:
    clock: Callable[[], datetime] = request.app.state.clock
    return clock()


_bearer = HTTPBearer(auto_error=False, description="An API token: `Authorization: Bearer cv_...`")


def get_actor(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Actor:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise NotAuthenticated("Send an API token as 'Authorization: Bearer <token>'")
    return authenticate(
        UnitOfWork(request.app.state.sessions), credentials.credentials, now=get_now(request)
    )


def refuse_nul_in_query(request: Request) -> None:
    """Refuse a NUL character (``%00``) in any query parameter, naming it.

    Mounted on the whole app: PostgreSQL cannot compare text with NUL, so a search filter
    holding one would fail there and not on SQLite. Bodies are checked by ``schemas.Input``.
    """
    for name, value in request.query_params.multi_items():
        if "\x00" in name or "\x00" in value:
            raise InvalidValue(
                "A query parameter must not contain the NUL character (%00)",
                field=name.replace("\x00", ""),
            )


UowDep = Annotated[UnitOfWork, Depends(get_uow)]
NowDep = Annotated[datetime, Depends(get_now)]
ActorDep = Annotated[Actor, Depends(get_actor)]
Limit = Annotated[int, Query(ge=1, le=500, description="Page size")]
Offset = Annotated[int, Query(ge=0, le=2**31, description="How many to skip")]


IdPath = Annotated[int, Path(ge=1, le=MAX_ID)]
IdQuery = Annotated[int | None, Query(ge=1, le=MAX_ID)]
