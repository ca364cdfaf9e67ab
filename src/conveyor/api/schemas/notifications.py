"""The notification feed, deliveries with their attempts, and webhook subscriptions."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, Field, StringConstraints

from conveyor.api.schemas.common import Id, Input, Name, Output, PageOf, Update
from conveyor.domain.languages import Language
from conveyor.domain.notifications import Channel, DeliveryState

Kind = Annotated[str, StringConstraints(min_length=1, max_length=50)]
Url = Annotated[str, StringConstraints(min_length=1, max_length=2000)]


class LinkPublic(BaseModel):
    entity: str = Field(description="What it is about: deal, lead, task, ...")
    id: int


class NotificationPublic(BaseModel):
    id: int
    kind: str
    subject: str = Field(description="The short text, in the language of the answer")
    text: str = Field(description="The full text, in the language of the answer")
    language: Language
    params: dict[str, Any]
    link: LinkPublic | None
    created_at: datetime
    read_at: datetime | None
    read: bool


class FeedPublic(PageOf[NotificationPublic]):
    unread: int = Field(description="All the employee's unread notifications, on any page")
    language: Language


class UnreadCount(BaseModel):
    unread: int


class ReadAll(BaseModel):
    marked: int = Field(description="How many were unread until now")


class MessageCreate(Input):
    recipient_ids: list[Id] = Field(min_length=1, max_length=500)
    text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5000)]


class MessageSent(BaseModel):
    notification_ids: list[int]


class AttemptPublic(Output):
    at: datetime
    ok: bool
    error: str | None


class DeliveryPublic(Output):
    id: int
    channel: Channel
    address: str
    webhook_id: int | None
    state: DeliveryState
    attempts: int
    last_error: str | None
    next_attempt_at: datetime | None
    sent_at: datetime | None
    created_at: datetime
    history: list[AttemptPublic] = Field(description="Every attempt, oldest first")


class WebhookCreate(Input):
    name: Name
    url: Url
    kinds: list[Kind] = Field(
        default_factory=list, max_length=20, description="Notification kinds; empty: all"
    )
    active: bool = True


class WebhookUpdate(Update):
    NOT_NULL = ("name", "url", "kinds", "active")

    name: Name | None = None
    url: Url | None = None
    kinds: list[Kind] | None = Field(default=None, max_length=20)
    active: bool | None = None


class WebhookPublic(Output):
    id: int
    name: str
    url: str
    kinds: list[str]
    active: bool
    created_at: datetime
    secret_hint: str = Field(description="The secret's first characters, to tell them apart")


class WebhookIssued(WebhookPublic):
    secret: str = Field(description="Signs every request (HMAC-SHA256); shown only now")
