"""What every outward sender takes and how it fails: one small interface for all channels."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from conveyor.domain.languages import Language
from conveyor.domain.notifications import Channel


@dataclass(frozen=True, kw_only=True)
class Outgoing:
    """One delivery, rendered: what to send, to whom, by which channel."""

    delivery_id: int
    channel: Channel
    #: An email address, a phone number or a webhook URL.
    address: str
    language: Language
    subject: str
    body: str
    #: The JSON document a webhook receives.
    data: Mapping[str, Any] = field(default_factory=dict)
    #: The webhook's signing secret.
    secret: str | None = None


class SendFailed(Exception):
    """The other side did not take the message; ``str(error)`` says why, for the record.

    ``permanent``: trying again cannot help (the address is refused for good).
    ``destination_down``: nothing else for the same destination (mail server, SMS gateway,
    webhook URL) is worth trying right now; other destinations are unaffected.
    """

    def __init__(
        self, message: str, *, permanent: bool = False, destination_down: bool = False
    ) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.destination_down = destination_down


class Sender(Protocol):
    """Sends one message by one channel, or raises ``SendFailed``; never retries itself
    (retrying is the caller's decision, recorded attempt by attempt)."""

    @property
    def channel(self) -> Channel: ...

    def send(self, message: Outgoing) -> None: ...


#: The senders of the channels this process can use.
Senders = Mapping[Channel, Sender]


def http_failure(status: int, text: str, *, where: str) -> SendFailed:
    """A non-2xx answer as a ``SendFailed``: the client's own mistakes (4xx) are permanent,
    except those that may pass (408 timeout, 429 too many, 409) and those that are the
    whole destination's (401/403/404: wrong credentials or URL, fix the configuration)."""
    snippet = " ".join(text.split())[:200]
    message = f"{where} answered HTTP {status}" + (f": {snippet}" if snippet else "")
    if status in (401, 403, 404, 407):
        return SendFailed(message, destination_down=True)
    if 400 <= status < 500 and status not in (408, 409, 425, 429):
        return SendFailed(message, permanent=True)
    return SendFailed(message, destination_down=True)
