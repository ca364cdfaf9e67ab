"""/webhooks: endpoints that receive notifications as signed JSON (admins only)."""

from __future__ import annotations

from fastapi import APIRouter, status

from conveyor.api.deps import ActorDep, IdPath, Limit, NowDep, Offset, UowDep
from conveyor.api.render import one, page
from conveyor.api.schemas.common import PageOf
from conveyor.api.schemas.notifications import (
    WebhookCreate,
    WebhookIssued,
    WebhookPublic,
    WebhookUpdate,
)
from conveyor.domain.webhooks import Webhook
from conveyor.services import webhooks as service

router = APIRouter(prefix="/webhooks", tags=["notifications"])


def _public(hook: Webhook) -> WebhookPublic:
    return one(WebhookPublic, hook, secret_hint=hook.secret[:10] + "…")


def _issued(hook: Webhook) -> WebhookIssued:
    return one(WebhookIssued, hook, secret_hint=hook.secret[:10] + "…")


@router.post("", status_code=status.HTTP_201_CREATED, response_model=WebhookIssued)
def create(body: WebhookCreate, uow: UowDep, actor: ActorDep, now: NowDep) -> WebhookIssued:
    """Subscribe an endpoint; the answer holds its signing secret, shown only this once."""
    command = service.CreateWebhook(**body.model_dump())
    return _issued(service.create_webhook(uow, command, actor=actor, now=now))


@router.get("", response_model=PageOf[WebhookPublic])
def list_(
    uow: UowDep, actor: ActorDep, limit: Limit = 50, offset: Offset = 0
) -> PageOf[WebhookPublic]:
    found = service.list_webhooks(uow, actor=actor, limit=limit, offset=offset)
    return page(WebhookPublic, found, _public)


@router.get("/{webhook_id}", response_model=WebhookPublic)
def get(webhook_id: IdPath, uow: UowDep, actor: ActorDep) -> WebhookPublic:
    return _public(service.get_webhook(uow, webhook_id, actor=actor))


@router.patch("/{webhook_id}", response_model=WebhookPublic)
def update(
    webhook_id: IdPath, body: WebhookUpdate, uow: UowDep, actor: ActorDep, now: NowDep
) -> WebhookPublic:
    return _public(service.update_webhook(uow, webhook_id, body.changes(), actor=actor, now=now))


@router.post("/{webhook_id}/secret", response_model=WebhookIssued)
def renew_secret(webhook_id: IdPath, uow: UowDep, actor: ActorDep, now: NowDep) -> WebhookIssued:
    """A new signing secret, shown only this once; the old one stops at once."""
    hook = service.update_webhook(uow, webhook_id, {}, actor=actor, now=now, renew_secret=True)
    return _issued(hook)


@router.delete("/{webhook_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete(webhook_id: IdPath, uow: UowDep, actor: ActorDep, now: NowDep) -> None:
    service.delete_webhook(uow, webhook_id, actor=actor, now=now)
