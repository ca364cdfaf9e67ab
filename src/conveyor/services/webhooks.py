"""Webhook subscriptions (admin): where notifications are POSTed, signed with a secret.

The secret is made here and shown once, when the subscription is created (or its secret
renewed); afterwards only its first characters are shown. It has to be stored as it is,
not hashed: it keys every signature.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime

from conveyor.domain.actors import Actor
from conveyor.domain.events import DomainEvent
from conveyor.domain.pages import Page
from conveyor.domain.webhooks import Webhook, check_kinds, check_url
from conveyor.storage.unit_of_work import UnitOfWork

SECRET_PREFIX = "whsec_"


@dataclass(frozen=True, kw_only=True)
class CreateWebhook:
    name: str
    url: str
    kinds: list[str] = field(default_factory=list)
    active: bool = True


def create_webhook(
    uow: UnitOfWork, command: CreateWebhook, *, actor: Actor, now: datetime
) -> Webhook:
    actor.require_admin()
    hook = Webhook(
        name=command.name,
        url=check_url(command.url),
        secret=_new_secret(),
        kinds=check_kinds(command.kinds),
        active=command.active,
        created_at=now,
    )
    with uow:
        uow.webhooks.add(hook)
        uow.emit(_event("WebhookCreated", hook, now, url=hook.url, kinds=hook.kinds))
        uow.commit()
    return hook


def update_webhook(
    uow: UnitOfWork,
    webhook_id: int,
    changes: dict[str, object],
    *,
    actor: Actor,
    now: datetime,
    renew_secret: bool = False,
) -> Webhook:
    """Change name, URL, kinds or ``active``; ``renew_secret`` replaces the secret (the new
    one is on the returned object, once). Deliveries already written keep their URL.
    ``WebhookChanged`` names the fields whose value changed; nothing changed, no event."""
    actor.require_admin()
    with uow:
        hook = uow.webhooks.get(webhook_id)
        before = _fields(hook)
        if "url" in changes:
            hook.url = check_url(str(changes["url"]))
        if "kinds" in changes:
            kinds = changes["kinds"]
            assert isinstance(kinds, list)
            hook.kinds = check_kinds(kinds)
        if "name" in changes:
            hook.name = str(changes["name"])
        if "active" in changes:
            hook.active = bool(changes["active"])
        if renew_secret:
            hook.secret = _new_secret()
        after = _fields(hook)
        changed = sorted(name for name in before if before[name] != after[name])
        changed += ["secret"] if renew_secret else []
        if changed:
            uow.emit(_event("WebhookChanged", hook, now, changed=changed))
        uow.commit()
    return hook


def delete_webhook(uow: UnitOfWork, webhook_id: int, *, actor: Actor, now: datetime) -> None:
    """The subscription ends; its pending deliveries are skipped when their turn comes."""
    actor.require_admin()
    with uow:
        hook = uow.webhooks.get(webhook_id)
        uow.webhooks.delete(hook)
        uow.emit(_event("WebhookDeleted", hook, now))
        uow.commit()


def get_webhook(uow: UnitOfWork, webhook_id: int, *, actor: Actor) -> Webhook:
    actor.require_admin()
    with uow:
        return uow.webhooks.get(webhook_id)


def list_webhooks(uow: UnitOfWork, *, actor: Actor, limit: int, offset: int) -> Page[Webhook]:
    actor.require_admin()
    with uow:
        return uow.webhooks.page(limit=limit, offset=offset)


def _fields(hook: Webhook) -> dict[str, object]:
    """What a change may touch, as it is now."""
    return {"name": hook.name, "url": hook.url, "kinds": list(hook.kinds), "active": hook.active}


def _new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def _event(kind: str, hook: Webhook, now: datetime, **payload: object) -> DomainEvent:
    assert hook.id is not None
    return DomainEvent(
        type=kind, entity="webhook", entity_id=hook.id, occurred_at=now, payload=payload
    )
