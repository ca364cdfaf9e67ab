"""Webhooks: the notification as JSON, POSTed and signed (see ``domain.webhooks``)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import httpx2 as httpx

from conveyor.domain.notifications import Channel
from conveyor.domain.webhooks import DELIVERY_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, signature
from conveyor.outbound.base import Outgoing, SendFailed, http_failure
from conveyor.outbound.posting import body_of, post


class WebhookSender:
    channel = Channel.WEBHOOK

    def __init__(
        self, *, timeout: float = 10.0, clock: Callable[[], datetime] | None = None
    ) -> None:
        self.timeout = timeout
        self.clock = clock or (lambda: datetime.now(UTC))

    def send(self, message: Outgoing) -> None:
        if not message.secret:
            raise SendFailed("The webhook has no signing secret", permanent=True)
        body = body_of(message.data)
        timestamp = int(self.clock().timestamp())
        headers = {
            SIGNATURE_HEADER: signature(message.secret, timestamp, body),
            TIMESTAMP_HEADER: str(timestamp),
            DELIVERY_HEADER: str(message.delivery_id),
        }
        try:
            response = post(message.address, content=body, headers=headers, timeout=self.timeout)
        except httpx.HTTPError as error:
            text = f"Webhook unreachable: {type(error).__name__}: {error}".rstrip(": ")
            raise SendFailed(text, destination_down=True) from None
        if not response.is_success:
            raise http_failure(response.status_code, response.text, where="The webhook")
