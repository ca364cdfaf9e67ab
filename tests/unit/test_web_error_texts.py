"""The services' common refusals as a Russian reader of the pages sees them."""

from __future__ import annotations

from conveyor.domain import errors
from conveyor.domain.languages import Language
from conveyor.web.error_texts import said


def test_a_missing_required_field_is_named_in_russian() -> None:
    error = errors.RequiredFieldMissing("contract_number", "Номер договора", "Счёт")
    assert said(error, Language.RU) == "Поле «Номер договора» обязательно, начиная со стадии «Счёт»"
    assert said(error, Language.EN) == error.message


def test_a_refusal_without_russian_is_shown_as_the_api_says_it() -> None:
    error = errors.Conflict("Robot 7 was changed meanwhile")
    assert said(error, Language.RU) == "Robot 7 was changed meanwhile"
    assert said(errors.NotFound("deal", 7), Language.RU) == "Не найдено: deal 7"
    assert said(errors.Forbidden("This needs the role: admin"), Language.RU) == (
        "Для этого нужна роль администратора"
    )


def test_a_forms_schema_error_is_said_with_its_own_limit() -> None:
    from conveyor.web.error_texts import said_by_schema

    error = {"type": "greater_than", "msg": "Input should be greater than 0", "ctx": {"gt": 0}}
    assert said_by_schema(error, Language.RU) == "Должно быть больше 0"
    assert said_by_schema(error, Language.EN) == "Input should be greater than 0"
    strange = {"type": "model_attributes_type", "msg": "Input should be an object"}
    assert said_by_schema(strange, Language.RU) == "Input should be an object"
