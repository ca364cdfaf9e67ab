"""CRM: pipelines, stages, custom fields, leads and deals."""

from sqlalchemy import (
    Column,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Table,
    UniqueConstraint,
)

from conveyor.domain.field_types import FieldType
from conveyor.domain.pipelines import EntityType, StageSemantics
from conveyor.storage.tables.base import Id, metadata
from conveyor.storage.types import JsonDict, JsonList, UtcDateTime, enum_of

pipelines = Table(
    "pipelines",
    metadata,
    Column("id", Id, primary_key=True),
    Column("entity_type", enum_of(EntityType), nullable=False),
    Column("name", String(200), nullable=False),
    Column("sort", Integer, nullable=False),
    UniqueConstraint("entity_type", "name", name="uq_pipelines_entity_name"),
)

stages = Table(
    "stages",
    metadata,
    Column("id", Id, primary_key=True),
    Column("pipeline_id", Id, ForeignKey("pipelines.id", ondelete="CASCADE"), nullable=False),
    Column("name", String(200), nullable=False),
    Column("sort", Integer, nullable=False),
    Column("semantics", enum_of(StageSemantics), nullable=False),
    Index("ix_stages_pipeline_sort", "pipeline_id", "sort"),
    # The service compares names case-insensitively; this is the backstop for races.
    UniqueConstraint("pipeline_id", "name", name="uq_stages_pipeline_name"),
)

custom_fields = Table(
    "custom_fields",
    metadata,
    Column("id", Id, primary_key=True),
    Column("entity_type", enum_of(EntityType), nullable=False),
    Column("code", String(63), nullable=False),
    Column("name", String(200), nullable=False),
    Column("type", enum_of(FieldType), nullable=False),
    Column("options", JsonList, nullable=False),
    Column("list_id", Id, ForeignKey("lists.id", ondelete="RESTRICT")),
    Column("required_from_stage_id", Id, ForeignKey("stages.id", ondelete="SET NULL")),
    Column("sort", Integer, nullable=False),
    UniqueConstraint("entity_type", "code", name="uq_custom_fields_entity_code"),
)

crm_items = Table(
    "crm_items",
    metadata,
    Column("id", Id, primary_key=True),
    Column("entity_type", enum_of(EntityType), nullable=False),
    Column("title", String(300), nullable=False),
    Column("pipeline_id", Id, ForeignKey("pipelines.id", ondelete="RESTRICT"), nullable=False),
    Column("stage_id", Id, ForeignKey("stages.id", ondelete="RESTRICT"), nullable=False),
    Column("amount", Numeric(18, 2)),
    Column("currency", String(3), nullable=False),
    Column("responsible_id", Id, ForeignKey("employees.id", ondelete="SET NULL")),
    Column("contact_id", Id, ForeignKey("contacts.id", ondelete="SET NULL"), index=True),
    Column("company_id", Id, ForeignKey("companies.id", ondelete="SET NULL"), index=True),
    Column("fields", JsonDict, nullable=False),
    Column("created_by_id", Id, ForeignKey("employees.id", ondelete="SET NULL")),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("stage_entered_at", UtcDateTime, nullable=False),
    Column("closed_at", UtcDateTime),
    # Bumped by the mapper on every write (``version_id_col``): see ``CrmItem.revision``.
    Column("revision", Integer, nullable=False, server_default="1"),
    Index("ix_crm_items_stage", "stage_id", "stage_entered_at"),
    # An assignment reads its pool's load: the items of these responsibles in the in-work
    # stages, with the moments they were given and their revisions (to tell whether a stored
    # weight is still theirs), covered by the index: no table reads.
    Index(
        "ix_crm_items_responsible_stage",
        "responsible_id",
        "stage_id",
        "stage_entered_at",
        "created_at",
        "revision",
    ),
    # ... and, for fair share, how many items each of them received lately.
    Index("ix_crm_items_responsible_created", "responsible_id", "entity_type", "created_at"),
    Index("ix_crm_items_type_pipeline", "entity_type", "pipeline_id"),
    # Lists are newest first.
    Index("ix_crm_items_type_created", "entity_type", "created_at"),
)
