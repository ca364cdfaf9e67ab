"""Repositories of the CRM."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from conveyor.domain.crm_items import CrmItem
from conveyor.domain.custom_fields import CustomField
from conveyor.domain.pipelines import EntityType, Pipeline, Stage
from conveyor.storage.repositories.base import Repository
from conveyor.storage.tables.crm import custom_fields, stages


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


class CustomFieldRepository(Repository[CustomField]):
    def __init__(self, session: Session) -> None:
        super().__init__(session, CustomField, "custom field")

    def of(self, entity_type: EntityType) -> dict[str, CustomField]:
        """The entity type's fields by code."""
        query = select(CustomField).where(custom_fields.c.entity_type == entity_type)
        return {f.code: f for f in self.session.scalars(query)}


class PipelineRepositories:
    def __init__(self, session: Session) -> None:
        self.pipelines: Repository[Pipeline] = Repository(session, Pipeline, "pipeline")
        self.stages = StageRepository(session)
        self.fields = CustomFieldRepository(session)


class CrmItemRepository(Repository[CrmItem]):
    def __init__(self, session: Session) -> None:
        super().__init__(session, CrmItem, "item")
