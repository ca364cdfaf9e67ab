"""SMS through an HTTP gateway: a JSON POST, with an optional authorization header.

The body is ``{"to": "+79161234567", "text": "...", "sender": "Conveyor", "reference":
"<delivery id>"}`` (``sender`` only when configured); any 2xx answer means accepted. Most
gateways take such a request directly or through a few lines of glue. A text longer than
``MAX_TEXT`` characters (three 160-character messages; the gateway splits it into as many
segments as its encoding needs) is cut, with an ellipsis: an SMS is a pointer to the feed,
not a copy of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx2 as httpx

from conveyor.domain.notification_texts import shorten
from conveyor.domain.notifications import Channel
from conveyor.outbound.base import Outgoing, SendFailed, http_failure
from conveyor.outbound.posting import post

#: The longest text sent by SMS.
MAX_TEXT = 480


@dataclass(frozen=True, kw_only=True)
class SmsGatewayConfig:
    url: str
    #: E.g. ``Authorization`` with ``Bearer <key>``; both or neither.
    auth_header: str | None = None
    auth_value: str | None = None
    sender: str | None = None
    timeout: float = 10.0


class SmsGatewaySender:
    channel = Channel.SMS

    def __init__(self, config: SmsGatewayConfig) -> None:
        self.config = config

    def send(self, message: Outgoing) -> None:
        config = self.config
        body: dict[str, Any] = {
            "to": message.address,
            "text": shorten(message.body, MAX_TEXT),
            "reference": str(message.delivery_id),
        }
        if config.sender:
            body["sender"] = config.sender
        headers = {}
        if config.auth_header and config.auth_value:
            headers[config.auth_header] = config.auth_value
        try:
            response = post(config.url, json_body=body, headers=headers, timeout=config.timeout)
        except httpx.HTTPError as error:
            text = f"SMS gateway unreachable: {type(error).__name__}: {error}".rstrip(": ")
            raise SendFailed(text, destination_down=True) from None
        if not response.is_success:
            raise http_failure(response.status_code, response.text, where="The SMS gateway")
