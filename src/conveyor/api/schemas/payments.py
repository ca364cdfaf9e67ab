"""Payments on leads and deals (``/deals/{id}/payments``)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated

from pydantic import Field, StringConstraints

from conveyor.api.schemas.common import Input, Moment, Output
from conveyor.api.schemas.crm_items import Amount, Currency
from conveyor.domain.payments import MAX_NOTE


class PaymentCreate(Input):
    amount: Amount = Field(description="Above zero, at most 2 decimal places")
    currency: Currency | None = Field(default=None, description="Default: the item's currency")
    paid_at: Moment | None = Field(
        default=None,
        description="When the money came in, with a timezone offset; at most 5 minutes "
        "ahead. Default: now.",
    )
    note: Annotated[str, StringConstraints(max_length=MAX_NOTE)] | None = None


class PaymentPublic(Output):
    id: int
    item_id: int
    amount: Decimal
    currency: str
    paid_at: datetime
    note: str | None
    registered_by_id: int | None
    created_at: datetime
