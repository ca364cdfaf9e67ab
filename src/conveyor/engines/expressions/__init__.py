"""Safe expressions: the conditions and weights users write for robots and assignment rules.

    rule = compile_expression('contact.vip and deal.equipment_type == "special"',
                              names={"deal", "contact", "company", "responsible"})
    rule.test({"deal": {...}, "contact": {...}})        # -> True / False
    compile_expression('5 if deal.equipment_type == "special" else 1').evaluate(context)

The language: ``and``/``or``/``not``; comparisons ``== != < <= > >=`` (chained too), ``in``,
``not in``, ``is None``; ``+ - * / // % **`` and unary minus; ``x if condition else y``;
literals (numbers, text, ``True``/``False``/``None`` or ``true``/``false``/``null``, lists
``[...]``); attribute reads ``deal.equipment_type`` and lookups ``deal.fields["x"]`` on records
(dicts) and lists; the functions ``len lower upper abs min max round int float str bool
contains``. Nothing else: no method calls, no names starting with ``_``, no lambda,
comprehensions, f-strings or ``:=``.

Empty values: a missing name, attribute, key or position reads as ``None``, and reading further
from ``None`` gives ``None``; ``<``, ``>`` and friends with ``None`` on either side are false,
and nothing is ``in`` ``None``. So a condition on an empty field is just false. A caller that
knows what its records hold refuses a read of a key they never hold with ``check_reads``
(``deal.nonexistent`` would otherwise be empty on every item).

Contract: ``compile_expression`` parses once and raises ``InvalidExpression`` (pointing at the
line and column) for anything outside the language; ``evaluate`` and ``test`` never change the
context and raise only ``ExpressionFailed``. Expressions are immutable and safe to share
between threads.
"""

from __future__ import annotations

import ast
import dataclasses
import warnings
from collections.abc import Collection, Mapping

from conveyor.domain.errors import ExpressionFailed, InvalidExpression
from conveyor.engines.expressions.checker import (
    MAX_LENGTH,
    Fault,
    check,
    resolve_aliases,
)
from conveyor.engines.expressions.evaluator import evaluator
from conveyor.engines.expressions.reads import Schema, check_reads, paths
from conveyor.engines.expressions.source import (
    located,
    node_position,
    parse,
    syntax_position,
    syntax_reason,
)

__all__ = [
    "MAX_LENGTH",
    "Expression",
    "ExpressionFailed",
    "InvalidExpression",
    "Schema",
    "compile_expression",
]


@dataclasses.dataclass(frozen=True, kw_only=True)
class Expression:
    """A checked expression, parsed once, to be evaluated on many contexts."""

    #: The text as the user wrote it.
    text: str
    #: The top-level names it reads (e.g. ``{"deal", "contact"}``): what its context needs.
    names: frozenset[str]
    #: The input field named in errors.
    field: str | None = "expression"
    tree: ast.expr = dataclasses.field(repr=False, compare=False)

    def evaluate(self, context: Mapping[str, object]) -> object:
        """The value of the expression with ``context``'s entries as its names.

        Records come back as read-only views and lists as tuples. Raises ``ExpressionFailed``
        (with the position) when the data does not fit, e.g. ``deal.amount * 2`` on text.
        """
        return evaluator().run(self.tree, context, text=self.text, field=self.field)

    def test(self, context: Mapping[str, object]) -> bool:
        """Whether the expression holds for ``context`` (its value's truth)."""
        return bool(self.evaluate(context))

    @property
    def paths(self) -> frozenset[tuple[str, ...]]:
        """The longest paths it reads by literal keys: ``deal.fields["x"] > contact.age``
        reads ``("deal", "fields", "x")`` and ``("contact", "age")``; a computed key ends
        a path (``deal[k]`` reads ``("deal",)`` and ``("k",)``)."""
        return paths(self.tree)

    def check_reads(self, schema: Schema) -> None:
        """Refuse with ``InvalidExpression`` (naming the field, pointing at the key) a read
        by literal key of something ``schema`` says its record does not hold, e.g.
        ``deal.nonexistent`` when ``schema["deal"]`` lacks ``"nonexistent"``. Names the
        schema does not list, and values it leaves unchecked (``None``), pass."""
        check_reads(self.tree, schema, text=self.text, field=self.field)


def compile_expression(
    text: str, *, names: Collection[str] | None = None, field: str | None = "expression"
) -> Expression:
    """Parse and check ``text``; raises ``InvalidExpression`` naming ``field`` and the position.

    ``names``, when given, are the only top-level names the expression may read; an unknown
    one is refused here rather than reading as empty later.
    """
    if not isinstance(text, str):
        raise InvalidExpression("the expression must be text", field=field)
    if len(text) > MAX_LENGTH:
        raise InvalidExpression(
            f"the expression is longer than {MAX_LENGTH} characters", field=field
        )
    if not text.strip():
        raise InvalidExpression("the expression is empty", field=field)
    try:
        with warnings.catch_warnings():
            # Invalid escapes such as "\d" only warn; the text means what it says.
            warnings.simplefilter("ignore")
            tree = parse(text)
    except SyntaxError as error:
        position = syntax_position(text, error)
        raise InvalidExpression(
            located(syntax_reason(error), text, position),
            field=field,
            line=position.line,
            column=position.column,
        ) from None
    except (ValueError, RecursionError, MemoryError):
        # Null characters, or nesting too deep for the parser itself.
        raise InvalidExpression("the expression cannot be read", field=field) from None
    try:
        used = check(tree, names=names)
    except Fault as fault:
        position = node_position(text, fault.node)
        raise InvalidExpression(
            located(fault.reason, text, position),
            field=field,
            line=position.line,
            column=position.column,
        ) from None
    return Expression(text=text, names=used, field=field, tree=resolve_aliases(tree))
