"""/notifications: the employee's own feed (unread count, mark read) and messages."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query, status

from conveyor.api.deps import ActorDep, IdPath, Limit, NowDep, Offset, UowDep
from conveyor.api.schemas.notifications import (
    AttemptPublic,
    DeliveryPublic,
    FeedPublic,
    LinkPublic,
    MessageCreate,
    MessageSent,
    NotificationPublic,
    ReadAll,
    UnreadCount,
)
from conveyor.domain.languages import Language, negotiate
from conveyor.domain.notification_texts import render
from conveyor.domain.notifications import Notification
from conveyor.services import notifications as service

router = APIRouter(prefix="/notifications", tags=["notifications"])

AcceptLanguage = Annotated[
    str | None,
    Header(
        max_length=500,
        description="The language of the texts (ru, en); otherwise the employee's own",
    ),
]


def public(notification: Notification, language: Language) -> NotificationPublic:
    link = notification.link
    text = render(
        notification.kind,
        notification.params,
        language,
        about=None if link is None else link.entity,
    )
    assert notification.id is not None
    return NotificationPublic(
        id=notification.id,
        kind=notification.kind,
        subject=text.subject,
        text=text.body,
        language=language,
        params=dict(notification.params),
        link=None if link is None else LinkPublic(entity=link.entity, id=link.id),
        created_at=notification.created_at,
        read_at=notification.read_at,
        read=notification.is_read,
    )


@router.get("", response_model=FeedPublic)
def feed(
    uow: UowDep,
    actor: ActorDep,
    accept_language: AcceptLanguage = None,
    unread: Annotated[bool, Query(description="Only the unread ones")] = False,
    limit: Limit = 50,
    offset: Offset = 0,
) -> FeedPublic:
    """The caller's own notifications, newest first."""
    found = service.feed(
        uow,
        actor=actor,
        unread_only=unread,
        limit=limit,
        offset=offset,
        language=negotiate(accept_language),
    )
    return FeedPublic(
        items=[public(n, found.language) for n in found.page.items],
        total=found.page.total,
        limit=found.page.limit,
        offset=found.page.offset,
        unread=found.unread,
        language=found.language,
    )


@router.get("/unread-count", response_model=UnreadCount)
def unread_count(uow: UowDep, actor: ActorDep) -> UnreadCount:
    return UnreadCount(unread=service.unread_count(uow, actor=actor))


@router.post("/read-all", response_model=ReadAll)
def read_all(uow: UowDep, actor: ActorDep, now: NowDep) -> ReadAll:
    """Every unread notification of the caller is read now."""
    return ReadAll(marked=service.mark_all_read(uow, actor=actor, now=now))


@router.post("", status_code=status.HTTP_201_CREATED, response_model=MessageSent)
def send_message(body: MessageCreate, uow: UowDep, actor: ActorDep, now: NowDep) -> MessageSent:
    """A message to employees, in their feeds and by their channels (heads and admins)."""
    written = service.send_message(
        uow, recipient_ids=body.recipient_ids, text=body.text, actor=actor, now=now
    )
    return MessageSent(notification_ids=[n.id for n in written if n.id is not None])


@router.get("/{notification_id}", response_model=NotificationPublic)
def get(
    notification_id: IdPath, uow: UowDep, actor: ActorDep, accept_language: AcceptLanguage = None
) -> NotificationPublic:
    """One of the caller's notifications (another's is 404)."""
    notification = service.get_notification(uow, notification_id, actor=actor)
    language = service.language_for(uow, actor=actor, preferred=negotiate(accept_language))
    return public(notification, language)


@router.post("/{notification_id}/read", response_model=NotificationPublic)
def read(
    notification_id: IdPath,
    uow: UowDep,
    actor: ActorDep,
    now: NowDep,
    accept_language: AcceptLanguage = None,
) -> NotificationPublic:
    """Mark one of the caller's notifications read (again: no change)."""
    notification = service.mark_read(uow, notification_id, actor=actor, now=now)
    language = service.language_for(uow, actor=actor, preferred=negotiate(accept_language))
    return public(notification, language)


@router.get("/{notification_id}/deliveries", response_model=list[DeliveryPublic])
def deliveries(notification_id: IdPath, uow: UowDep, actor: ActorDep) -> list[DeliveryPublic]:
    """How the notification went out, every attempt included: by email and SMS for its
    recipient; an admin sees anyone's, webhook deliveries too."""
    found = service.deliveries_of(uow, notification_id, actor=actor)
    return [
        DeliveryPublic.model_validate(
            {
                **{k: v for k, v in vars(delivery).items() if not k.startswith("_")},
                "history": [AttemptPublic.model_validate(a) for a in attempts],
            }
        )
        for delivery, attempts in found
    ]
