"""Robots' text templates: placeholders read plain keys of the context and nothing else;
a bad template is refused with its position; rendering never fails."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conveyor.domain.errors import InvalidExpression
from conveyor.engines.automation import compile_template

NAMES = {"deal", "contact", "company", "responsible"}
CONTEXT: dict[str, Any] = {
    "deal": {
        "title": "Kitchen",
        "amount": Decimal("150000.00"),
        "paid": False,
        "created_at": datetime(2026, 3, 2, 9, 0, tzinfo=UTC),
        "fields": {"equipment_type": "special"},
        "tags": ["a", "b"],
    },
    "contact": {"name": "Ivan Petrov", "vip": True},
    "company": None,
    "responsible": {"name": "Mark"},
}


def render(text: str, context: dict[str, Any] = CONTEXT) -> str:
    return compile_template(text, names=NAMES).render(context)


def test_placeholders_are_replaced_by_the_items_values_as_plain_text() -> None:
    text = "VIP {contact.name}: «{deal.title}» for {deal.amount} RUB, {responsible.name}"
    assert render(text) == "VIP Ivan Petrov: «Kitchen» for 150000.00 RUB, Mark"
    assert render("{deal.fields.equipment_type} / { deal.title }") == "special / Kitchen"
    assert render("{deal.paid} {contact.vip} {deal.tags}") == "no yes a, b"
    assert render("{deal.created_at}") == "2026-03-02T09:00+00:00"


def test_a_missing_value_or_record_renders_empty() -> None:
    assert render("[{company.name}] [{deal.nothing}] [{deal.title.more}]") == "[] [] []"
    assert render("[{deal.fields}]") == "[]"  # a record is not a value


def test_double_braces_are_literal_braces() -> None:
    template = compile_template("{{deal.title}} is {deal.title} }}", names=NAMES)
    assert template.render(CONTEXT) == "{deal.title} is Kitchen }"
    assert template.names == {"deal"}


def test_user_text_is_never_formatted_or_evaluated() -> None:
    # What str.format would expand or evaluate is plain text, or refused, here.
    assert render("100% {{0}} %s %(x)s") == "100% {0} %s %(x)s"
    for text in ("{deal.title!r}", "{deal.title:>10}", "{deal[title]}", "{0}", "{deal.__class__}"):
        with pytest.raises(InvalidExpression):
            compile_template(text, names=NAMES)


@pytest.mark.parametrize(
    ("text", "line", "column", "words"),
    [
        ("Hello {client.name}", 1, 8, "unknown name 'client'"),
        ("Hello {deal.title", 1, 7, "is not closed"),
        ("Hello {deal.{title}}", 1, 7, "is not closed"),
        ("Hello }", 1, 7, "without its '{'"),
        ("Line one\nsee {}", 2, 5, "empty placeholder"),
        ("{deal.fields.a.b.c}", 1, 2, "more than 4 names deep"),
    ],
)
def test_a_bad_template_is_refused_pointing_at_the_line_and_column(
    text: str, line: int, column: int, words: str
) -> None:
    with pytest.raises(InvalidExpression) as refused:
        compile_template(text, names=NAMES, field="action.text")
    assert (refused.value.field, refused.value.line, refused.value.column) == (
        "action.text",
        line,
        column,
    )
    assert words in refused.value.message
    assert f"line {line}, column {column}" in refused.value.message


def test_a_long_rendering_is_cut() -> None:
    template = compile_template("{deal.title}", names=NAMES)
    assert template.render({"deal": {"title": "x" * 10}}, limit=5) == "xxxx…"


values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3)
    ),
    max_leaves=8,
)


@given(
    text=st.text(alphabet="{}.dealtitcon x_", max_size=30),
    context=st.dictionaries(st.sampled_from(sorted(NAMES)), values, max_size=4),
)
def test_a_template_either_is_refused_or_renders_text_whatever_the_data(
    text: str, context: dict[str, Any]
) -> None:
    try:
        template = compile_template(text, names=NAMES)
    except InvalidExpression:
        return
    assert isinstance(template.render(context), str)
