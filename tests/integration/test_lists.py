"""Universal lists on both databases: filtering elements by typed JSON values, changing
columns without losing data silently, and refusing to delete what records still use."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from conveyor.domain.actors import SYSTEM
from conveyor.domain.custom_fields import CustomField
from conveyor.domain.errors import Conflict, InvalidValue, NotFound
from conveyor.domain.field_types import FieldType
from conveyor.domain.lists import ListColumn
from conveyor.domain.pipelines import EntityType
from conveyor.services import clients, list_elements, lists, org
from conveyor.services.list_elements import AddElement
from conveyor.storage.unit_of_work import UnitOfWork
from conveyor.testing import FakeClock

STATUS = ListColumn(
    code="status", name="Status", type=FieldType.ENUM, required=True, options=("active", "inactive")
)
EMPLOYEE = ListColumn(code="employee", name="Employee", type=FieldType.EMPLOYEE)
NOTE = ListColumn(code="note", name="Note", type=FieldType.STRING)
SCORE = ListColumn(code="score", name="Score", type=FieldType.NUMBER)
VIP = ListColumn(code="vip", name="VIP", type=FieldType.BOOLEAN)


@dataclass
class Managers:
    list_id: int
    olga: int
    pavel: int


@pytest.fixture
def managers(uow: UnitOfWork, clock: FakeClock) -> Managers:
    now = clock()
    olga, _ = org.create_employee(uow, org.CreateEmployee(name="Olga"), actor=SYSTEM, now=now)
    pavel, _ = org.create_employee(uow, org.CreateEmployee(name="Pavel"), actor=SYSTEM, now=now)
    universal = lists.create_list(
        uow,
        lists.CreateList(
            code="managers", name="Managers", columns=[EMPLOYEE, STATUS, NOTE, SCORE, VIP]
        ),
        actor=SYSTEM,
        now=now,
    )
    assert olga.id and pavel.id and universal.id
    return Managers(universal.id, olga.id, pavel.id)


def add(uow: UnitOfWork, clock: FakeClock, list_id: int, name: str, **values: object) -> int:
    element = list_elements.add_element(
        uow, list_id, AddElement(name=name, values=values), actor=SYSTEM, now=clock()
    )
    assert element.id is not None
    return element.id


def names(
    uow: UnitOfWork, list_id: int, where: dict[str, str], name: str | None = None
) -> list[str]:
    page = list_elements.list_elements(
        uow, list_id, limit=50, offset=0, where=where, name=name, actor=SYSTEM
    )
    return [e.name for e in page.items]


def test_elements_are_found_by_typed_column_values(
    uow: UnitOfWork, clock: FakeClock, managers: Managers
) -> None:
    m = managers.list_id
    add(uow, clock, m, "Olga", employee=managers.olga, status="active", score=7, vip=True)
    add(uow, clock, m, "Pavel", employee=managers.pavel, status="inactive", note="7", score=2.5)
    add(uow, clock, m, "Nobody", status="active", vip=False)
    assert names(uow, m, {"status": "active"}) == ["Olga", "Nobody"]
    assert names(uow, m, {"status": "active", "vip": "true"}) == ["Olga"]
    assert names(uow, m, {"employee": str(managers.pavel)}) == ["Pavel"]
    assert names(uow, m, {"score": "7"}) == ["Olga"]
    assert names(uow, m, {"score": "2.5"}) == ["Pavel"]
    # The text "7" is not the number 7: comparisons keep the JSON type on both databases.
    assert names(uow, m, {"note": "7"}) == ["Pavel"]
    assert names(uow, m, {"note": ""}) == ["Olga", "Nobody"]
    assert names(uow, m, {"employee": ""}) == ["Nobody"]
    assert names(uow, m, {}, name="PAV") == ["Pavel"]
    page = list_elements.list_elements(
        uow, m, limit=1, offset=1, where={"status": "active"}, actor=SYSTEM
    )
    assert [e.name for e in page.items] == ["Nobody"] and page.total == 2


def test_a_filter_on_an_unknown_column_or_a_wrong_value_names_it(
    uow: UnitOfWork, managers: Managers
) -> None:
    for where, field in [
        ({"colour": "red"}, "where.colour"),
        ({"status": "retired"}, "where.status"),
        ({"score": "high"}, "where.score"),
    ]:
        with pytest.raises(InvalidValue) as error:
            names(uow, managers.list_id, where)
        assert error.value.field == field


def test_employee_columns_take_existing_employees_only_and_nothing_is_stored_otherwise(
    uow: UnitOfWork, clock: FakeClock, managers: Managers
) -> None:
    with pytest.raises(NotFound) as error:
        add(uow, clock, managers.list_id, "Ghost", employee=4242, status="active")
    assert error.value.field == "values.employee"
    with uow:
        assert uow.list_elements.count(managers.list_id) == 0
        assert uow.events.where(type="ListElementAdded") == []


def test_removing_a_column_with_values_is_refused_unless_the_admin_discards_them(
    uow: UnitOfWork, clock: FakeClock, managers: Managers
) -> None:
    m = managers.list_id
    noted = add(uow, clock, m, "Olga", status="active", note="on leave in May")
    plain = add(uow, clock, m, "Pavel", status="active")
    without_note = [EMPLOYEE, STATUS, SCORE, VIP]
    with pytest.raises(Conflict) as error:
        lists.update_list(uow, m, {"columns": without_note}, actor=SYSTEM, now=clock())
    assert error.value.field == "columns"
    assert [c.code for c in lists.get_list(uow, m, actor=SYSTEM).typed_columns()] == [
        "employee",
        "status",
        "note",
        "score",
        "vip",
    ]
    clock.advance(hours=1)
    lists.update_list(
        uow, m, {"columns": without_note}, discard_values=True, actor=SYSTEM, now=clock()
    )
    assert list_elements.get_element(uow, m, noted, actor=SYSTEM).values == {"status": "active"}
    assert list_elements.get_element(uow, m, noted, actor=SYSTEM).updated_at == clock()
    with uow:
        changed = uow.events.where(type="ListChanged")[0]
        element_events = uow.events.where(type="ListElementChanged")
    assert changed.payload == {"changed": ["columns"], "discarded": {"note": 1}}
    assert [(e.entity_id, e.payload["changed"]) for e in element_events] == [
        (noted, ["values.note"])
    ]
    assert plain not in [e.entity_id for e in element_events]


def test_a_column_cannot_change_under_values_that_would_no_longer_fit(
    uow: UnitOfWork, clock: FakeClock, managers: Managers
) -> None:
    m = managers.list_id
    add(uow, clock, m, "Pavel", status="inactive", note="n/a", score=42)
    only_active = ListColumn(
        code="status", name="Status", type=FieldType.ENUM, required=True, options=("active",)
    )
    note_as_number = ListColumn(code="note", name="Note", type=FieldType.NUMBER)
    score_as_employee = ListColumn(code="score", name="Score", type=FieldType.EMPLOYEE)
    for columns, field in [
        ([EMPLOYEE, only_active, NOTE, SCORE, VIP], "columns.1"),
        ([EMPLOYEE, STATUS, note_as_number, SCORE, VIP], "columns.2"),
        # 42 is a well-formed id but nobody's: a column that becomes a link checks links.
        ([EMPLOYEE, STATUS, NOTE, score_as_employee, VIP], "columns.3"),
    ]:
        with pytest.raises(Conflict) as error:
            lists.update_list(uow, m, {"columns": columns}, actor=SYSTEM, now=clock())
        assert error.value.field == field
    columns_now = lists.get_list(uow, m, actor=SYSTEM).typed_columns()
    assert columns_now == [EMPLOYEE, STATUS, NOTE, SCORE, VIP]
    with uow:
        assert uow.events.where(type="ListChanged") == []


def test_renaming_a_column_and_reordering_columns_keep_the_values(
    uow: UnitOfWork, clock: FakeClock, managers: Managers
) -> None:
    m = managers.list_id
    olga = add(uow, clock, m, "Olga", status="active", score=3)
    relabelled = ListColumn(code="score", name="Rating", type=FieldType.NUMBER)
    lists.update_list(
        uow, m, {"columns": [relabelled, STATUS, EMPLOYEE, NOTE, VIP]}, actor=SYSTEM, now=clock()
    )
    olga_now = list_elements.get_element(uow, m, olga, actor=SYSTEM)
    assert olga_now.values == {"status": "active", "score": 3}
    with uow:
        assert uow.events.where(type="ListElementChanged") == []


@dataclass
class Segments:
    list_id: int
    retail: int
    wholesale: int


@pytest.fixture
def segments(uow: UnitOfWork, clock: FakeClock) -> Segments:
    """A "Segments" list and a company custom field whose values are its elements."""
    universal = lists.create_list(
        uow,
        lists.CreateList(code="segments", name="Segments", columns=[NOTE]),
        actor=SYSTEM,
        now=clock(),
    )
    assert universal.id is not None
    retail = add(uow, clock, universal.id, "Retail")
    wholesale = add(uow, clock, universal.id, "Wholesale")
    with uow:
        uow.custom_fields.add(
            CustomField(
                entity_type=EntityType.COMPANY,
                code="segment",
                name="Segment",
                type=FieldType.LIST_ELEMENT,
                list_id=universal.id,
            )
        )
        uow.commit()
    return Segments(universal.id, retail, wholesale)


def test_a_list_used_by_a_custom_field_cannot_be_deleted(
    uow: UnitOfWork, clock: FakeClock, segments: Segments
) -> None:
    with pytest.raises(Conflict) as error:
        lists.delete_list(uow, segments.list_id, actor=SYSTEM, now=clock())
    assert "segment" in error.value.message
    retail = list_elements.get_element(uow, segments.list_id, segments.retail, actor=SYSTEM)
    assert retail.name == "Retail"


def test_an_element_a_company_points_at_cannot_be_removed_but_an_unused_one_can(
    uow: UnitOfWork, clock: FakeClock, segments: Segments
) -> None:
    s = segments.list_id
    clients.create_company(
        uow,
        clients.CreateCompany(name="Romashka", fields={"segment": segments.retail}),
        actor=SYSTEM,
        now=clock(),
    )
    with pytest.raises(Conflict) as error:
        list_elements.remove_element(uow, s, segments.retail, actor=SYSTEM, now=clock())
    assert "1 company record" in error.value.message
    list_elements.remove_element(uow, s, segments.wholesale, actor=SYSTEM, now=clock())
    assert names(uow, s, {}) == ["Retail"]
    with uow:
        removed = uow.events.where(type="ListElementRemoved")
    assert [(e.entity_id, e.payload) for e in removed] == [
        (segments.wholesale, {"list_id": s, "name": "Wholesale"})
    ]


def test_an_element_another_lists_column_points_at_cannot_be_removed(
    uow: UnitOfWork, clock: FakeClock, segments: Segments
) -> None:
    targets = lists.create_list(
        uow,
        lists.CreateList(
            code="targets",
            name="Targets",
            columns=[
                ListColumn(
                    code="segment",
                    name="Segment",
                    type=FieldType.LIST_ELEMENT,
                    list_id=segments.list_id,
                )
            ],
        ),
        actor=SYSTEM,
        now=clock(),
    )
    assert targets.id is not None
    q2 = add(uow, clock, targets.id, "Q2", segment=segments.wholesale)
    with pytest.raises(Conflict) as error:
        list_elements.remove_element(
            uow, segments.list_id, segments.wholesale, actor=SYSTEM, now=clock()
        )
    assert "list 'targets'" in error.value.message
    # An element of another list is not a segment.
    with pytest.raises(InvalidValue) as invalid:
        add(uow, clock, targets.id, "Q3", segment=q2)
    assert invalid.value.field == "values.segment"


def test_company_values_must_be_elements_of_the_fields_list(
    uow: UnitOfWork, clock: FakeClock, segments: Segments
) -> None:
    other = lists.create_list(
        uow, lists.CreateList(code="other", name="Other"), actor=SYSTEM, now=clock()
    )
    assert other.id is not None
    stranger = add(uow, clock, other.id, "Stranger")
    for value, error_type in [
        (stranger, InvalidValue),
        (987654, NotFound),
        ("Retail", InvalidValue),
    ]:
        with pytest.raises(error_type) as error:
            clients.create_company(
                uow,
                clients.CreateCompany(name="Bad", fields={"segment": value}),
                actor=SYSTEM,
                now=clock(),
            )
        assert error.value.field == "fields.segment"
    with uow:
        assert uow.companies.where() == []


def test_list_codes_are_unique(uow: UnitOfWork, clock: FakeClock, managers: Managers) -> None:
    with pytest.raises(Conflict) as error:
        lists.create_list(
            uow, lists.CreateList(code="managers", name="Again"), actor=SYSTEM, now=clock()
        )
    assert error.value.field == "code"


def test_the_example_lists_are_seeded_once(uow: UnitOfWork, clock: FakeClock) -> None:
    first = lists.seed_example_lists(uow, actor=SYSTEM, now=clock())
    again = lists.seed_example_lists(uow, actor=SYSTEM, now=clock())
    assert [u.id for u in first] == [u.id for u in again]
    by_code = {u.code: u for u in first}
    assert by_code["managers"].name == "Managers"
    status = by_code["managers"].column("status", field="where.status")
    assert status.type is FieldType.ENUM and status.options == ("active", "inactive")
    assert by_code["managers"].column("employee", field="x").type is FieldType.EMPLOYEE
    assert by_code["companies_to_call"].name == "Companies to call"
    with uow:
        assert len(uow.events.where(type="ListCreated")) == 2
