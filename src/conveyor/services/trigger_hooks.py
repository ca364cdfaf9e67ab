"""Incoming webhooks: an outside system fires a webhook trigger for an item.

The caller proves nothing but the trigger's secret (``Trigger.hook_token``), which it sends
in the ``X-Conveyor-Hook-Token`` header (preferred: URLs end up in access logs) or in the
URL: no API token. It reaches only the items of the trigger's pipeline. The secret is
compared in constant time; an unknown token, a wrong secret and a trigger that is no webhook
trigger all answer "not found", alike. The call is one transaction: the trigger is tried for
the item as for any event (``trigger_firing.hook_called``) and its run, whatever the
outcome, is the answer.
"""

from __future__ import annotations

import hmac
from datetime import datetime

from conveyor.domain.crm_items import CrmItem
from conveyor.domain.errors import InvalidValue, NotFound
from conveyor.domain.pipelines import EntityType
from conveyor.domain.trigger_runs import TriggerRun
from conveyor.domain.triggers import Trigger, parse_hook_token
from conveyor.services import trigger_firing
from conveyor.storage.unit_of_work import UnitOfWork

#: Compared against when the token names no trigger, so that every refusal costs the same.
_NO_SECRET = "-" * 43


def call_hook(
    uow: UnitOfWork, token: str, *, entity_type: EntityType, item_id: int, now: datetime
) -> TriggerRun:
    """Fire the webhook trigger of ``token`` for the ``entity_type`` with ``item_id``;
    ``NotFound`` for an unknown token, ``InvalidValue`` (naming ``entity_type``) when the
    trigger moves other items, ``NotFound`` naming ``item_id`` when there is no such item
    or it is of another entity or in another pipeline than the trigger's (alike, and
    without a run: the caller may not learn about, lock or touch other items)."""
    with uow:
        trigger = _trigger_of(uow, token)
        if entity_type is not trigger.entity_type:
            raise InvalidValue(
                f"This trigger moves {trigger.entity_type.value}s, not {entity_type.value}s",
                field="entity_type",
            )
        # Read without a lock first: an item the trigger may not move (missing, of another
        # entity, in another pipeline) is neither locked nor written, and answers alike, so
        # the caller learns nothing about items outside the trigger's pipeline.
        seen = uow.items.find(item_id)
        if seen is None or not _in_reach(seen, trigger):
            raise NotFound(entity_type.value, item_id, field="item_id")
        item = uow.items.find(item_id, for_update=True)
        if item is None or not _in_reach(item, trigger):
            raise NotFound(entity_type.value, item_id, field="item_id")
        run = trigger_firing.hook_called(uow, trigger, item, now=now)
        uow.commit()
    return run


def _in_reach(item: CrmItem, trigger: Trigger) -> bool:
    return item.entity_type is trigger.entity_type and item.pipeline_id == trigger.pipeline_id


def _trigger_of(uow: UnitOfWork, token: str) -> Trigger:
    parsed = parse_hook_token(token)
    trigger = None if parsed is None else uow.triggers.find(parsed[0])
    expected = _NO_SECRET if trigger is None else trigger.hook_secret or _NO_SECRET
    given = _NO_SECRET if parsed is None else parsed[1]
    same = hmac.compare_digest(expected.encode(), given.encode())
    if trigger is None or trigger.hook_token is None or not same:
        raise NotFound("webhook trigger", "with this token")
    return trigger
