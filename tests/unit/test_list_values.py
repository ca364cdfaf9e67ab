"""Universal lists: columns make sense, values fit their columns, column changes lose nothing."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conveyor.domain.errors import Conflict, InvalidValue
from conveyor.domain.field_types import FieldType
from conveyor.domain.lists import (
    ListColumn,
    ListElement,
    UniversalList,
    check_columns,
    plan_columns_change,
)

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
STATUS = ListColumn(
    code="status", name="Status", type=FieldType.ENUM, required=True, options=("active", "inactive")
)
MANAGER = ListColumn(code="employee", name="Employee", type=FieldType.EMPLOYEE)
NOTE = ListColumn(code="note", name="Note", type=FieldType.STRING)


def managers(*columns: ListColumn) -> UniversalList:
    universal = UniversalList(id=1, code="managers", name="Managers")
    universal.set_columns(list(columns) or [MANAGER, STATUS])
    return universal


def element(element_id: int, **values: Any) -> ListElement:
    return ListElement(
        id=element_id,
        list_id=1,
        name=f"E{element_id}",
        values=values,
        created_at=NOW,
        updated_at=NOW,
    )


def test_values_are_typed_by_their_columns_and_required_ones_cannot_be_empty() -> None:
    universal = managers()
    assert universal.normalize_values({}, {"employee": 7, "status": "active"}) == {
        "employee": 7,
        "status": "active",
    }
    for changes, field in [
        ({"employee": 7}, "values.status"),
        ({"status": "retired"}, "values.status"),
        ({"status": "active", "employee": "Ivan"}, "values.employee"),
        ({"status": "active", "colour": "red"}, "values.colour"),
    ]:
        with pytest.raises(InvalidValue) as error:
            universal.normalize_values({}, changes)
        assert error.value.field == field, changes


def test_a_null_value_clears_an_optional_column_but_not_a_required_one() -> None:
    universal = managers()
    current = {"employee": 7, "status": "active"}
    assert universal.normalize_values(current, {"employee": None}) == {"status": "active"}
    with pytest.raises(InvalidValue) as error:
        universal.normalize_values(current, {"status": None})
    assert error.value.field == "values.status"


@pytest.mark.parametrize(
    ("columns", "field"),
    [
        ([ListColumn(code="Bad Code", name="X", type=FieldType.STRING)], "columns.0.code"),
        ([NOTE, NOTE], "columns.1.code"),
        ([ListColumn(code="s", name="S", type=FieldType.ENUM)], "columns.0.options"),
        (
            [ListColumn(code="s", name="S", type=FieldType.ENUM, options=("a", "a"))],
            "columns.0.options",
        ),
        (
            [ListColumn(code="s", name="S", type=FieldType.STRING, options=("a",))],
            "columns.0.options",
        ),
        ([ListColumn(code="l", name="L", type=FieldType.LIST_ELEMENT)], "columns.0.list_id"),
        ([ListColumn(code="n", name="N", type=FieldType.NUMBER, list_id=3)], "columns.0.list_id"),
        ([ListColumn(code="n", name="  ", type=FieldType.NUMBER)], "columns.0.name"),
    ],
)
def test_columns_that_make_no_sense_are_refused_naming_the_column(
    columns: list[ListColumn], field: str
) -> None:
    with pytest.raises(InvalidValue) as error:
        check_columns(columns)
    assert error.value.field == field


def test_a_list_has_at_most_fifty_columns() -> None:
    columns = [ListColumn(code=f"c{i}", name=f"C{i}", type=FieldType.STRING) for i in range(51)]
    with pytest.raises(InvalidValue) as error:
        check_columns(columns)
    assert error.value.field == "columns"


def test_filters_are_parsed_by_the_column_type() -> None:
    number = ListColumn(code="n", name="N", type=FieldType.NUMBER)
    flag = ListColumn(code="f", name="F", type=FieldType.BOOLEAN)
    day = ListColumn(code="d", name="D", type=FieldType.DATE)
    assert STATUS.parse_filter("active") == "active"
    assert STATUS.parse_filter("") is None
    assert number.parse_filter("3") == 3 and number.parse_filter("2.5") == 2.5
    assert flag.parse_filter("false") is False
    assert MANAGER.parse_filter("12") == 12
    assert day.parse_filter("2026-03-02") == "2026-03-02"
    for column, text in [
        (STATUS, "retired"),
        (number, "many"),
        (number, "nan"),
        (flag, "yes"),
        (MANAGER, "-1"),
        (day, "2026-13-01"),
        (ListColumn(code="m", name="M", type=FieldType.MONEY), "10"),
    ]:
        with pytest.raises(InvalidValue) as error:
            column.parse_filter(text)
        assert error.value.field == f"where.{column.code}", (column, text)


def test_removing_a_column_that_holds_values_needs_the_admin_to_discard_them() -> None:
    universal = managers(MANAGER, STATUS, NOTE)
    elements = [element(1, status="active", note="keep?"), element(2, status="inactive")]
    plan = plan_columns_change(universal.typed_columns(), [MANAGER, STATUS])
    assert plan.removed == ("note",)
    universal.set_columns([MANAGER, STATUS])
    with pytest.raises(Conflict) as error:
        universal.conform(elements, plan, discard=False)
    assert error.value.field == "columns" and "1 element" in error.value.message
    assert universal.conform(elements, plan, discard=True) == {
        1: {"status": "active"},
        2: {"status": "inactive"},
    }


def test_a_changed_column_must_fit_every_stored_value() -> None:
    universal = managers(MANAGER, STATUS)
    elements = [element(1, status="active"), element(2, status="inactive")]
    narrowed = ListColumn(
        code="status", name="Status", type=FieldType.ENUM, required=True, options=("active",)
    )
    plan = plan_columns_change(universal.typed_columns(), [MANAGER, narrowed])
    universal.set_columns([MANAGER, narrowed])
    with pytest.raises(Conflict) as error:
        universal.conform(elements, plan, discard=False)
    assert error.value.field == "columns.1"
    assert "Element 2" in error.value.message


def test_a_new_required_column_is_refused_while_elements_lack_it() -> None:
    universal = managers(STATUS)
    required_manager = ListColumn(
        code="employee", name="Employee", type=FieldType.EMPLOYEE, required=True
    )
    plan = plan_columns_change(universal.typed_columns(), [STATUS, required_manager])
    universal.set_columns([STATUS, required_manager])
    with pytest.raises(Conflict) as error:
        universal.conform([element(1, status="active")], plan, discard=False)
    assert error.value.field == "columns.1"


def test_a_column_that_becomes_a_link_is_marked_for_link_checks() -> None:
    number = ListColumn(code="employee", name="Employee", type=FieldType.NUMBER)
    plan = plan_columns_change([number, STATUS], [MANAGER, STATUS])
    assert plan.relinked == ("employee",) and plan.removed == ()
    assert plan_columns_change([MANAGER], [MANAGER]).relinked == ()


_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**60), max_value=2**60),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.sampled_from(["active", "inactive", "2026-03-02", "2026-03-02T10:00:00+03:00"]),
    st.dictionaries(st.sampled_from(["amount", "currency"]), st.sampled_from(["10.5", "RUB", 3])),
)
_columns = [
    STATUS,
    MANAGER,
    NOTE,
    ListColumn(code="n", name="N", type=FieldType.NUMBER),
    ListColumn(code="f", name="F", type=FieldType.BOOLEAN),
    ListColumn(code="d", name="D", type=FieldType.DATE),
    ListColumn(code="t", name="T", type=FieldType.DATETIME),
    ListColumn(code="m", name="M", type=FieldType.MONEY),
]


# The first run builds Hypothesis' character tables, which is slow but not the test's fault.
@settings(
    max_examples=300, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(st.dictionaries(st.sampled_from([c.code for c in _columns]), _scalars, max_size=8))
def test_accepted_values_are_stable_and_every_refusal_names_a_column(
    changes: dict[str, Any],
) -> None:
    """Whatever comes in, the outcome is either values that pass again unchanged (so a
    later column check never trips on what was stored) or an error naming a column."""
    universal = managers(*_columns)
    try:
        values = universal.normalize_values({}, changes)
    except InvalidValue as error:
        assert error.field is not None and error.field.startswith("values.")
        return
    assert universal.normalize_values({}, values) == values
    assert all(v is not None for v in values.values())
