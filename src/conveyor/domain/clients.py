"""Contacts and companies: the people and organisations a company works with."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(kw_only=True)
class Company:
    id: int | None = None
    name: str
    responsible_id: int | None = None
    fields: dict[str, Any] = field(default_factory=dict)
    created_at: datetime
    updated_at: datetime


@dataclass(kw_only=True)
class Contact:
    id: int | None = None
    name: str
    email: str | None = None
    phone: str | None = None
    company_id: int | None = None
    responsible_id: int | None = None
    fields: dict[str, Any] = field(default_factory=dict)
    created_at: datetime
    updated_at: datetime
