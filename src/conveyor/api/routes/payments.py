"""/deals/{id}/payments and /leads/{id}/payments: money registered on an item."""

from __future__ import annotations

from fastapi import APIRouter, status

from conveyor.api.deps import ActorDep, IdPath, Limit, NowDep, Offset, UowDep
from conveyor.api.render import one, page
from conveyor.api.schemas.common import PageOf
from conveyor.api.schemas.payments import PaymentCreate, PaymentPublic
from conveyor.domain.pipelines import EntityType
from conveyor.services import payments as service

router = APIRouter(tags=["crm"])


def _routes(entity_type: EntityType) -> None:
    prefix = f"/{entity_type.value}s/{{item_id}}/payments"

    @router.post(
        prefix,
        status_code=status.HTTP_201_CREATED,
        response_model=PaymentPublic,
        name=f"register_{entity_type.value}_payment",
    )
    def register(
        item_id: IdPath, body: PaymentCreate, uow: UowDep, actor: ActorDep, now: NowDep
    ) -> PaymentPublic:
        """Register a payment (whoever sees the item). The item's ``payment_registered``
        triggers fire in the same transaction: see ``/trigger-runs`` for what they did."""
        command = service.RegisterPayment(**body.model_dump())
        payment = service.register_payment(uow, entity_type, item_id, command, actor=actor, now=now)
        return one(PaymentPublic, payment)

    @router.get(prefix, response_model=PageOf[PaymentPublic], name=f"{entity_type.value}_payments")
    def list_(
        item_id: IdPath, uow: UowDep, actor: ActorDep, limit: Limit = 50, offset: Offset = 0
    ) -> PageOf[PaymentPublic]:
        """The item's payments, the latest paid first."""
        found = service.list_payments(
            uow, entity_type, item_id, actor=actor, limit=limit, offset=offset
        )
        return page(PaymentPublic, found)


for _entity in (EntityType.DEAL, EntityType.LEAD):
    _routes(_entity)
