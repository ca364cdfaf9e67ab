"""Repositories of the CRM."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Table, exists, func, or_, select
from sqlalchemy.orm import Session

from conveyor.domain.clients import Company, Contact
from conveyor.domain.crm_items import CrmItem, ItemQuery
from conveyor.domain.custom_fields import CustomField
from conveyor.domain.pages import Page
from conveyor.domain.pipelines import EntityType, Pipeline, Stage
from conveyor.storage.repositories.base import Repository
from conveyor.storage.tables.clients import companies, contacts
from conveyor.storage.tables.crm import crm_items, custom_fields, pipelines, stages


class PipelineRepository(Repository[Pipeline]):
    def __init__(self, session: Session) -> None:
        super().__init__(session, Pipeline, "pipeline")

    def of_type(self, entity_type: EntityType) -> list[Pipeline]:
        """The entity type's pipelines in their order (the first is the default)."""
        query = (
            select(Pipeline)
            .where(pipelines.c.entity_type == entity_type)
            .order_by(pipelines.c.sort, pipelines.c.id)
        )
        return list(self.session.scalars(query))


class StageRepository(Repository[Stage]):
    def __init__(self, session: Session) -> None:
        super().__init__(session, Stage, "stage")

    def of(self, pipeline_id: int) -> list[Stage]:
        """The pipeline's stages in their order."""
        query = (
            select(Stage)
            .where(stages.c.pipeline_id == pipeline_id)
            .order_by(stages.c.sort, stages.c.id)
        )
        return list(self.session.scalars(query))

    def of_many(self, pipeline_ids: list[int]) -> dict[int, list[Stage]]:
        """The stages of several pipelines in one query, each list in order."""
        result: dict[int, list[Stage]] = {i: [] for i in pipeline_ids}
        query = (
            select(Stage)
            .where(stages.c.pipeline_id.in_(pipeline_ids))
            .order_by(stages.c.pipeline_id, stages.c.sort, stages.c.id)
        )
        for stage in self.session.scalars(query):
            result[stage.pipeline_id].append(stage)
        return result


class CustomFieldRepository(Repository[CustomField]):
    def __init__(self, session: Session) -> None:
        super().__init__(session, CustomField, "custom field")

    def of(self, entity_type: EntityType) -> dict[str, CustomField]:
        """The entity type's fields by code."""
        query = select(CustomField).where(custom_fields.c.entity_type == entity_type)
        return {f.code: f for f in self.session.scalars(query)}

    def by_code(self, entity_type: EntityType, code: str) -> CustomField | None:
        return self.of(entity_type).get(code)

    def requiring_from(self, stage_ids: list[int]) -> list[CustomField]:
        """The fields required from any of ``stage_ids``."""
        query = select(CustomField).where(custom_fields.c.required_from_stage_id.in_(stage_ids))
        return list(self.session.scalars(query.order_by(custom_fields.c.id)))

    def count_values(self, definition: CustomField) -> int:
        """How many records hold a value of ``definition``."""
        table, conditions = _holders(definition)
        query = select(func.count()).select_from(table).where(*conditions)
        return self.session.scalar(query) or 0

    def values_in_use(self, definition: CustomField) -> set[str]:
        """The distinct values of ``definition`` held by records, as text."""
        table, conditions = _holders(definition)
        query = select(_value(table, definition.code)).where(*conditions).distinct()
        return {str(v) for v in self.session.scalars(query)}

    def clear_values(self, definition: CustomField) -> int:
        """Remove ``definition``'s values from every record that holds one; returns how many.

        Objects are changed one by one (not one UPDATE) so that JSON editing stays
        portable between SQLite and PostgreSQL; deleting a field is rare.
        """
        _, conditions = _holders(definition)
        holders: list[CrmItem | Contact | Company]
        if definition.entity_type is EntityType.CONTACT:
            holders = list(self.session.scalars(select(Contact).where(*conditions)))
        elif definition.entity_type is EntityType.COMPANY:
            holders = list(self.session.scalars(select(Company).where(*conditions)))
        else:
            holders = list(self.session.scalars(select(CrmItem).where(*conditions)))
        for holder in holders:
            holder.fields.pop(definition.code, None)
        return len(holders)


class PipelineRepositories:
    def __init__(self, session: Session) -> None:
        self.pipelines = PipelineRepository(session)
        self.stages = StageRepository(session)
        self.fields = CustomFieldRepository(session)


class CrmItemRepository(Repository[CrmItem]):
    def __init__(self, session: Session) -> None:
        super().__init__(session, CrmItem, "item")

    def any_in(self, *, pipeline_id: int | None = None, stage_id: int | None = None) -> bool:
        """Whether any item is in the pipeline or stage (one index lookup)."""
        condition = (
            crm_items.c.stage_id == stage_id
            if stage_id is not None
            else crm_items.c.pipeline_id == pipeline_id
        )
        return bool(self.session.scalar(select(exists().where(condition))))

    def search(self, query: ItemQuery, *, limit: int, offset: int) -> Page[CrmItem]:
        """A page of matching items, newest first."""
        c = crm_items.c
        return self.page(
            limit=limit,
            offset=offset,
            conditions=item_conditions(query),
            order_by=[c.created_at.desc(), c.id.desc()],
        )


def item_conditions(query: ItemQuery) -> list[ColumnElement[bool]]:
    """The SQL conditions of the items ``query`` matches (what ``search`` and the kanban's
    totals share)."""
    c = crm_items.c
    conditions: list[ColumnElement[bool]] = [c.entity_type == query.entity_type]
    for name in ("pipeline_id", "stage_id", "responsible_id", "contact_id", "company_id"):
        value = getattr(query, name)
        if value is not None:
            conditions.append(c[name] == value)
    if query.visible_to_id is not None:
        conditions.append(c.responsible_id == query.visible_to_id)
    if query.responsible_in is not None:
        among = c.responsible_id.in_(sorted(query.responsible_in))
        conditions.append(or_(among, c.responsible_id.is_(None)) if query.or_unassigned else among)
    if query.closed is not None:
        conditions.append(c.closed_at.is_not(None) if query.closed else c.closed_at.is_(None))
    for column, start, end in (
        (c.created_at, query.created_from, query.created_to),
        (c.updated_at, query.updated_from, query.updated_to),
    ):
        if start is not None:
            conditions.append(column >= start)
        if end is not None:
            conditions.append(column < end)
    return conditions


def _holders(definition: CustomField) -> tuple[Table, list[ColumnElement[bool]]]:
    """The table whose rows carry ``definition``'s values, and the conditions of rows that
    hold one."""
    if definition.entity_type in (EntityType.LEAD, EntityType.DEAL):
        table: Table = crm_items
        conditions = [crm_items.c.entity_type == definition.entity_type]
    else:
        table = contacts if definition.entity_type is EntityType.CONTACT else companies
        conditions = []
    # Values are never stored as JSON null (clearing removes the key), so a present key
    # is a non-NULL extraction on both databases.
    conditions.append(_value(table, definition.code).is_not(None))
    return table, conditions


def _value(table: Table, code: str) -> Any:
    return table.c.fields[code].as_string()
