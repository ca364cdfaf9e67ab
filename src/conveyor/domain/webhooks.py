"""Webhook subscriptions, and how their requests are signed.

An integrator's endpoint subscribes to notification kinds (all of them when ``kinds`` is
empty); each notification of those kinds is POSTed to it as JSON. Every request carries

- ``X-Conveyor-Timestamp``: Unix seconds when it was signed, and
- ``X-Conveyor-Signature: sha256=<hex>``: HMAC-SHA256, keyed with the subscription's
  secret, of ``<timestamp>.`` followed by the raw body bytes.

Signing the timestamp with the body lets a receiver refuse an old request replayed later
(``verify`` with ``tolerance``), not only a forged one.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit

from conveyor.domain.errors import InvalidValue
from conveyor.domain.notification_texts import KINDS

SIGNATURE_HEADER = "X-Conveyor-Signature"
TIMESTAMP_HEADER = "X-Conveyor-Timestamp"
DELIVERY_HEADER = "X-Conveyor-Delivery"
SCHEME = "sha256="
#: A receiver's default patience for clock skew and transit, in seconds.
TOLERANCE = 300


@dataclass(kw_only=True)
class Webhook:
    """An endpoint that receives notifications of ``kinds`` (every kind when empty)."""

    id: int | None = None
    name: str
    url: str
    secret: str
    kinds: list[str] = field(default_factory=list)
    active: bool = True
    created_at: datetime

    def wants(self, kind: str) -> bool:
        return self.active and (not self.kinds or kind in self.kinds)


def check_url(url: str, *, field_name: str = "url") -> str:
    """An absolute ``http``/``https`` URL with a host, without credentials in it."""
    try:
        parts = urlsplit(url)
        host, _ = parts.hostname, parts.port  # a malformed host or port raises here
    except ValueError:
        host = None
    if not host or parts.scheme not in ("http", "https") or any(c.isspace() for c in url):
        raise InvalidValue("must be an absolute http:// or https:// URL", field=field_name)
    if parts.username is not None or parts.password is not None:
        raise InvalidValue("must not hold a user name or password", field=field_name)
    return url


def check_kinds(kinds: list[str]) -> list[str]:
    """Known kinds, each once, in the order given."""
    for index, kind in enumerate(kinds):
        if kind not in KINDS:
            known = ", ".join(sorted(KINDS))
            message = f"Unknown notification kind '{kind}'; known: {known}"
            raise InvalidValue(message, field=f"kinds.{index}")
    return list(dict.fromkeys(kinds))


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The ``X-Conveyor-Signature`` value for ``body`` sent at ``timestamp``."""
    signed = f"{timestamp}.".encode() + body
    return SCHEME + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def verify(
    secret: str,
    *,
    body: bytes,
    timestamp: str,
    signature_header: str,
    now: int,
    tolerance: int = TOLERANCE,
) -> bool:
    """What a receiver checks: the signature matches (compared in constant time) and the
    timestamp is within ``tolerance`` seconds of ``now``. Any header value, however
    malformed (not ASCII, say), is ``False``, never an error."""
    try:
        sent_at = int(timestamp)
    except ValueError:
        return False
    if abs(now - sent_at) > tolerance:
        return False
    expected = signature(secret, sent_at, body).encode()
    # Bytes: compare_digest refuses a str that is not ASCII.
    return hmac.compare_digest(expected, signature_header.encode("utf-8", "replace"))
