"""Fields required from a stage onward, and the rules that keep a pipeline's stages in order."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conveyor.domain import pipelines as rules
from conveyor.domain.crm_items import CrmItem, check_currency
from conveyor.domain.custom_fields import CustomField, check_required, check_requirement
from conveyor.domain.errors import Conflict, InvalidValue, RequiredFieldMissing
from conveyor.domain.field_types import FieldType
from conveyor.domain.pipelines import EntityType, Pipeline, Stage, StageSemantics

IN_PROGRESS, SUCCESS, FAILURE = (
    StageSemantics.IN_PROGRESS,
    StageSemantics.SUCCESS,
    StageSemantics.FAILURE,
)
AGENCY = [
    ("Conclude contract", IN_PROGRESS),
    ("Sign contract", IN_PROGRESS),
    ("Upload copy", IN_PROGRESS),
    ("Invoice", IN_PROGRESS),
    ("Awaiting payment", IN_PROGRESS),
    ("Prepayment received", IN_PROGRESS),
    ("Development started", IN_PROGRESS),
    ("Done", SUCCESS),
    ("Lost", FAILURE),
]
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _pipeline(specs: list[tuple[str, StageSemantics]]) -> dict[str, Stage]:
    stages = rules.new_stages(1, specs)
    for number, stage in enumerate(stages, start=1):
        stage.id = number
    return {s.name: s for s in stages}


def _required_from(stage: Stage, code: str = "contract_number") -> dict[str, CustomField]:
    definition = CustomField(
        entity_type=EntityType.DEAL,
        code=code,
        name=code.replace("_", " ").capitalize(),
        type=FieldType.STRING,
        required_from_stage_id=stage.id,
    )
    return {code: definition}


def _by_id(stages: dict[str, Stage]) -> dict[int, Stage]:
    return {s.id: s for s in stages.values() if s.id is not None}


def test_a_deal_cannot_reach_invoice_or_later_without_the_contract_number() -> None:
    stages = _pipeline(AGENCY)
    definitions = _required_from(stages["Invoice"])
    for name in ("Invoice", "Awaiting payment", "Development started", "Done"):
        with pytest.raises(RequiredFieldMissing) as refused:
            check_required(definitions, {}, stages[name], _by_id(stages))
        assert refused.value.field == "fields.contract_number"
        assert "Contract number" in refused.value.message
        assert "Invoice" in refused.value.message


def test_before_invoice_and_when_lost_the_contract_number_is_not_needed() -> None:
    stages = _pipeline(AGENCY)
    definitions = _required_from(stages["Invoice"])
    for name in ("Conclude contract", "Sign contract", "Upload copy", "Lost"):
        check_required(definitions, {}, stages[name], _by_id(stages))


def test_a_filled_field_lets_the_deal_through() -> None:
    stages = _pipeline(AGENCY)
    definitions = _required_from(stages["Invoice"])
    check_required(definitions, {"contract_number": "A-17"}, stages["Done"], _by_id(stages))


def test_a_threshold_in_another_pipeline_never_applies() -> None:
    stages = _pipeline(AGENCY)
    other = Stage(id=99, pipeline_id=2, name="Elsewhere", sort=10)
    definitions = _required_from(other)
    check_required(definitions, {}, stages["Done"], {**_by_id(stages), 99: other})


@st.composite
def _stage_orders(draw: st.DrawFn) -> tuple[list[Stage], int, int]:
    """A pipeline of 2..12 stages (the first in progress), a threshold that is not a
    failure stage, and a target stage, shuffled by random moves."""
    count = draw(st.integers(min_value=2, max_value=12))
    rest = st.lists(st.sampled_from(list(StageSemantics)), min_size=count - 1, max_size=count - 1)
    semantics = [IN_PROGRESS, *draw(rest)]
    stages = rules.new_stages(1, [(f"S{i}", s) for i, s in enumerate(semantics)])
    for number, stage in enumerate(stages, start=1):
        stage.id = number
    for _ in range(draw(st.integers(min_value=0, max_value=5))):
        mover = draw(st.sampled_from(stages[1:]))
        position = draw(st.integers(min_value=1, max_value=len(stages) - 1))
        stages = rules.move_stage(stages, mover, position)
    candidates = [i for i, s in enumerate(stages) if s.semantics is not FAILURE]
    threshold = draw(st.sampled_from(candidates))
    target = draw(st.integers(min_value=0, max_value=len(stages) - 1))
    return stages, threshold, target


@given(_stage_orders())
def test_for_any_stage_order_a_field_is_required_at_and_after_its_stage_except_failure(
    case: tuple[list[Stage], int, int],
) -> None:
    stages, threshold_index, target_index = case
    definitions = _required_from(stages[threshold_index])
    target = stages[target_index]
    by_id = {s.id: s for s in stages if s.id is not None}
    refused = target.semantics is not FAILURE and target_index >= threshold_index
    if refused:
        with pytest.raises(RequiredFieldMissing):
            check_required(definitions, {}, target, by_id)
    else:
        check_required(definitions, {}, target, by_id)
    # Filled in, the field never stops a move.
    check_required(definitions, {"contract_number": "A-1"}, target, by_id)


def test_a_new_pipeline_starts_in_progress_and_has_distinct_stage_names() -> None:
    with pytest.raises(InvalidValue) as empty:
        rules.new_stages(1, [])
    assert empty.value.field == "stages"
    with pytest.raises(InvalidValue) as closed_first:
        rules.new_stages(1, [("Done", SUCCESS), ("Work", IN_PROGRESS)])
    assert closed_first.value.field == "stages.0.semantics"
    with pytest.raises(InvalidValue) as twice:
        rules.new_stages(1, [("Invoice", IN_PROGRESS), (" invoice ", IN_PROGRESS)])
    assert twice.value.field == "stages.1.name"


def test_stages_are_inserted_moved_and_removed_keeping_sort_in_list_order() -> None:
    stages = list(_pipeline(AGENCY).values())
    review = Stage(pipeline_id=1, name="Review", sort=0)
    stages = rules.insert_stage(stages, review, 3)
    assert [s.name for s in stages][2:5] == ["Upload copy", "Review", "Invoice"]
    stages = rules.move_stage(stages, review, 0)
    assert stages[0] is review
    assert [s.sort for s in stages] == sorted(s.sort for s in stages)
    assert len({s.sort for s in stages}) == len(stages)
    stages = rules.remove_stage(stages, review)
    assert stages[0].name == "Conclude contract"
    assert stages[0].sort == rules.SORT_STEP


def test_a_closed_stage_can_never_become_first() -> None:
    named = _pipeline(AGENCY)
    stages = list(named.values())
    with pytest.raises(InvalidValue) as moved:
        rules.move_stage(stages, named["Done"], 0)
    assert moved.value.field == "position"
    with pytest.raises(InvalidValue) as inserted:
        rules.insert_stage(stages, Stage(pipeline_id=1, name="Won", sort=0, semantics=SUCCESS), 0)
    assert inserted.value.field == "position"
    with pytest.raises(InvalidValue) as changed:
        rules.change_semantics(stages, named["Conclude contract"], FAILURE)
    assert changed.value.field == "semantics"
    two = rules.new_stages(1, [("Work", IN_PROGRESS), ("Done", SUCCESS)])
    with pytest.raises(Conflict):
        rules.remove_stage(two, two[0])
    with pytest.raises(Conflict):
        rules.remove_stage(two[:1], two[0])


def test_stage_positions_and_names_are_checked() -> None:
    named = _pipeline(AGENCY)
    stages = list(named.values())
    with pytest.raises(InvalidValue) as far:
        rules.insert_stage(stages, Stage(pipeline_id=1, name="X", sort=0), 42)
    assert far.value.field == "position"
    with pytest.raises(InvalidValue) as taken:
        rules.rename_stage(stages, named["Invoice"], "LOST")
    assert taken.value.field == "name"
    rules.rename_stage(stages, named["Invoice"], "invoice")
    assert named["Invoice"].name == "invoice"


def test_only_open_stages_of_a_same_type_pipeline_can_require_a_field() -> None:
    named = _pipeline(AGENCY)
    deals = Pipeline(id=1, entity_type=EntityType.DEAL, name="Sales")
    leads = Pipeline(id=1, entity_type=EntityType.LEAD, name="Inbound")

    def field(entity_type: EntityType) -> CustomField:
        return CustomField(entity_type=entity_type, code="x", name="X", type=FieldType.STRING)

    check_requirement(field(EntityType.DEAL), named["Invoice"], deals)
    for definition, stage, pipeline in (
        (field(EntityType.CONTACT), named["Invoice"], deals),
        (field(EntityType.LEAD), named["Invoice"], deals),
        (field(EntityType.DEAL), named["Invoice"], leads),
        (field(EntityType.DEAL), named["Lost"], deals),
    ):
        with pytest.raises(InvalidValue) as refused:
            check_requirement(definition, stage, pipeline)
        assert refused.value.field == "required_from_stage_id"


def _deal() -> CrmItem:
    return CrmItem(
        id=7,
        entity_type=EntityType.DEAL,
        title="Website",
        pipeline_id=1,
        stage_id=1,
        responsible_id=10,
        fields={"contract_number": "A-1"},
        created_at=NOW,
        updated_at=NOW,
        stage_entered_at=NOW,
    )


def test_a_change_names_what_changed_and_a_handover_names_both_responsibles() -> None:
    deal = _deal()
    later = NOW.replace(hour=10)
    events = deal.change(
        {"title": "Website", "responsible_id": 11, "fields": {"contract_number": "A-2"}},
        now=later,
    )
    assert [e.type for e in events] == ["DealChanged", "DealResponsibleChanged"]
    assert events[0].payload == {
        "changed": ["fields.contract_number", "responsible_id"],
        "from_responsible_id": 10,
        "responsible_id": 11,
    }
    assert events[1].payload == {"from_responsible_id": 10, "responsible_id": 11}
    assert deal.updated_at == later


def test_a_change_to_the_same_values_is_no_change() -> None:
    deal = _deal()
    assert deal.change({"title": "Website", "fields": {"contract_number": "A-1"}}, now=NOW) == []


def test_currencies_are_three_capital_letters() -> None:
    assert check_currency("EUR") == "EUR"
    for bad in ("rub", "RUBL", "R1B", ""):
        with pytest.raises(InvalidValue):
            check_currency(bad)
