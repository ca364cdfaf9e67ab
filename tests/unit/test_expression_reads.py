"""What an expression reads by name, and refusing a read of something a record never holds."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conveyor.domain.errors import InvalidExpression
from conveyor.engines.expressions import Schema, compile_expression

DEAL: Schema = {
    "deal": {"title": None, "amount": None, "pages": None, "fields": {"pages": None}},
    "contact": {"name": None, "vip": None, "fields": {"vip": None}},
    "responsible": None,  # not checked: any attribute passes
}


def refusal(text: str, schema: Schema = DEAL, field: str = "weight") -> InvalidExpression:
    expression = compile_expression(text, field=field)
    with pytest.raises(InvalidExpression) as refused:
        expression.check_reads(schema)
    return refused.value


@pytest.mark.parametrize(
    ("text", "paths"),
    [
        ("deal.amount * 2", {("deal", "amount")}),
        ('deal.fields["pages"] > contact.age', {("deal", "fields", "pages"), ("contact", "age")}),
        ('deal["title"]', {("deal", "title")}),
        # A computed key ends the path; the key's own reads are paths of their own.
        ("deal[contact.code]", {("deal",), ("contact", "code")}),
        # A position in a list ends a path too.
        ("deal.tags[0].name", {("deal", "tags")}),
        # Function names are not data; true/false/null are literals.
        ("len(lower(deal.title)) if true else null", {("deal", "title")}),
        ("1 + 2", set()),
        ("deal", {("deal",)}),
    ],
)
def test_an_expression_lists_the_paths_it_reads_by_name(text: str, paths: set[Any]) -> None:
    assert compile_expression(text).paths == paths


def test_a_read_of_an_attribute_the_deal_does_not_have_is_refused_at_the_attribute() -> None:
    refused = refusal("5 if deal.nonexistent * 2 > 1 else 1")
    assert refused.field == "weight"
    assert (refused.line, refused.column) == (1, 11)
    assert refused.message.startswith(
        "deal has no attribute or field 'nonexistent' (known: amount, fields, pages, title)"
    )
    assert refused.message.endswith("5 if deal.nonexistent * 2 > 1 else 1\n              ^")


def test_a_key_under_fields_is_checked_and_a_near_miss_gets_a_suggestion() -> None:
    refused = refusal('deal.fields["pagse"] + 1', field="condition")
    assert refused.field == "condition"
    assert (refused.line, refused.column) == (1, 13)
    assert "deal.fields has no attribute or field 'pagse' (did you mean 'pages'?)" in (
        refused.message
    )


def test_the_position_is_found_on_a_later_line() -> None:
    refused = refusal("deal.amount > 5\n  and contact.vipp")
    assert (refused.line, refused.column) == (2, 15)
    assert "did you mean 'vip'?" in refused.message


def test_only_the_first_unknown_step_of_a_path_is_refused() -> None:
    refused = refusal("deal.extra.colour")
    assert "'extra'" in refused.message and "colour" not in refused.message.split("(")[0]


def test_a_long_list_of_known_keys_is_cut_short() -> None:
    schema: Schema = {"deal": {f"field_{n:02}": None for n in range(40)}}
    refused = refusal("deal.zzz", schema)
    assert "field_24 and 15 more" in refused.message


@pytest.mark.parametrize(
    "text",
    [
        "deal.amount + deal.pages + deal.fields.pages",
        'deal["title"] == contact.name and contact.fields.vip',
        "responsible.anything.at.all",  # a record the schema leaves unchecked
        "company.tier",  # a name the schema does not list
        "deal.title.upper",  # under a plain value nothing is checked (it reads as empty)
        "deal[deal.title] or deal.fields[contact.name]",  # computed keys
        "deal.title[0]",  # a position ends the path
    ],
)
def test_reads_the_schema_knows_or_does_not_check_pass(text: str) -> None:
    compile_expression(text).check_reads(DEAL)


@given(key=st.from_regex(r"[a-z][a-z_]{0,12}", fullmatch=True))
def test_an_attribute_passes_exactly_when_the_record_holds_it(key: str) -> None:
    expression = compile_expression(f"deal.{key} == 1")
    deal = DEAL["deal"]
    assert deal is not None
    if key in deal:
        expression.check_reads(DEAL)
    else:
        with pytest.raises(InvalidExpression):
            expression.check_reads(DEAL)
