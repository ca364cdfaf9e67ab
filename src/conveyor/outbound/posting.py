"""The one place that makes outward HTTP requests (``httpx2``)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import httpx2 as httpx

from conveyor import __version__

USER_AGENT = f"Conveyor/{__version__}"


def body_of(document: Mapping[str, Any]) -> bytes:
    """``document`` as compact UTF-8 JSON, the bytes that are sent (and signed)."""
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


def post(
    url: str,
    *,
    json_body: Mapping[str, Any] | None = None,
    content: bytes | None = None,
    headers: Mapping[str, str],
    timeout: float,
) -> httpx.Response:
    """POST JSON to ``url`` and read the answer; redirects are not followed (a moved
    endpoint is a configuration to fix, and a redirect must not carry a signed body on)."""
    data = content if content is not None else body_of(json_body or {})
    sent_headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT, **headers}
    with httpx.Client(timeout=timeout, follow_redirects=False) as client:
        return client.post(url, content=data, headers=sent_headers)
