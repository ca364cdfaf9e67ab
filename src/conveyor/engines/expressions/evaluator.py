"""Runs a checked syntax tree on a context, on top of ``simpleeval``'s tree walker.

``simpleeval`` supplies the node dispatch and the plain handlers (``and``/``or``, ``x if c else
y``, literals). The handlers that touch data are replaced: names, attributes and subscripts read
mappings only (never ``getattr`` on an object) through read-only views, a missing key or an empty
value gives ``None``, and every Python error is turned into ``ExpressionFailed`` at the node
where it happened, so a caller never sees a raw exception.
"""

from __future__ import annotations

import ast
import operator
import threading
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

import simpleeval  # type: ignore[import-untyped, import-not-found, unused-ignore]

from conveyor.domain.errors import ExpressionFailed
from conveyor.engines.expressions.source import located, node_position
from conveyor.engines.expressions.values import BINARY, FUNCTIONS, Refused, kind_of, read_only

_EMPTY: Mapping[str, object] = MappingProxyType({})
_BINARY = {getattr(ast, name): pair for name, pair in BINARY.items()}


def _ordered(compare: Callable[[Any, Any], bool]) -> Callable[[Any, Any], bool]:
    # An empty value is neither smaller nor larger than anything, so a condition such as
    # "deal.amount > 1000" on a deal without an amount is simply false.
    def apply(left: Any, right: Any) -> bool:
        return left is not None and right is not None and compare(left, right)

    return apply


def _is_in(item: Any, container: Any) -> bool:
    return container is not None and item in container


def _is_not_in(item: Any, container: Any) -> bool:
    return container is None or item not in container


_COMPARE: dict[type[ast.cmpop], Callable[[Any, Any], bool]] = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: _ordered(operator.lt),
    ast.LtE: _ordered(operator.le),
    ast.Gt: _ordered(operator.gt),
    ast.GtE: _ordered(operator.ge),
    ast.In: _is_in,
    ast.NotIn: _is_not_in,
    ast.Is: operator.is_,
    ast.IsNot: operator.is_not,
}


def _reason(error: Exception) -> str:
    """A readable sentence for an error raised while evaluating."""
    if isinstance(error, Refused):
        return str(error)
    if isinstance(error, ZeroDivisionError):
        return "division by zero"
    if isinstance(error, OverflowError):
        return "the number is too large"
    if isinstance(error, RecursionError | MemoryError):
        return "the expression needs too much memory"
    if isinstance(error, TypeError | ValueError | LookupError):
        return str(error)
    return f"the expression could not be evaluated ({type(error).__name__})"


class Evaluator(simpleeval.SimpleEval):  # type: ignore[misc]
    """Evaluates checked trees; one instance per thread, as it keeps the current context."""

    def __init__(self) -> None:
        super().__init__(operators={}, functions=dict(FUNCTIONS), names={})
        self.nodes.update(
            {ast.List: self._eval_sequence, ast.Tuple: self._eval_sequence, ast.Set: self._eval_set}
        )
        self.context: Mapping[str, object] = _EMPTY
        self.text = ""
        self.field: str | None = None

    def run(
        self, tree: ast.expr, context: Mapping[str, object], *, text: str, field: str | None
    ) -> object:
        """The value of ``tree`` on ``context``; raises only ``ExpressionFailed``."""
        self.context, self.text, self.field = context, text, field
        try:
            return self._eval(tree)
        finally:
            self.context = _EMPTY  # do not keep the caller's data alive

    def _eval(self, node: ast.AST) -> Any:
        try:
            return self.nodes[type(node)](node)
        except ExpressionFailed:
            raise
        except Exception as error:
            # The innermost node that failed reports; outer nodes pass its report on.
            position = node_position(self.text, node)
            message = located(_reason(error), self.text, position)
            raise ExpressionFailed(
                message, field=self.field, line=position.line, column=position.column
            ) from error

    def _eval_name(self, node: ast.Name) -> Any:
        return read_only(self.context.get(node.id))

    def _eval_attribute(self, node: ast.Attribute) -> Any:
        value = self._eval(node.value)
        if value is None:
            return None
        if type(value) is MappingProxyType:
            return read_only(value.get(node.attr))
        raise Refused(f"cannot read .{node.attr} of {kind_of(value)}")

    def _eval_subscript(self, node: ast.Subscript) -> Any:
        container = self._eval(node.value)
        key = self._eval(node.slice)
        if container is None:
            return None
        if type(container) is MappingProxyType:
            return read_only(container.get(key))
        if isinstance(container, tuple | str):
            if type(key) is not int:
                raise Refused(f"a position in a list must be a whole number, not {kind_of(key)}")
            inside = -len(container) <= key < len(container)
            return read_only(container[key]) if inside else None
        raise Refused(f"cannot look up [...] in {kind_of(container)}")

    def _eval_call(self, node: ast.Call) -> Any:
        assert isinstance(node.func, ast.Name)  # the checker allows named functions only
        function = self.functions[node.func.id]
        return read_only(function(*[self._eval(argument) for argument in node.args]))

    def _eval_unaryop(self, node: ast.UnaryOp) -> Any:
        value = self._eval(node.operand)
        if isinstance(node.op, ast.Not):
            return not value
        if not isinstance(value, int | float) and value.__class__.__name__ != "Decimal":
            raise Refused(f"cannot apply a sign to {kind_of(value)}")
        return -value if isinstance(node.op, ast.USub) else +value

    def _eval_binop(self, node: ast.BinOp) -> Any:
        symbol, apply = _BINARY[type(node.op)]
        left = self._eval(node.left)
        right = self._eval(node.right)
        try:
            return apply(left, right)
        except TypeError:
            raise Refused(f"cannot compute {kind_of(left)} {symbol} {kind_of(right)}") from None

    def _eval_compare(self, node: ast.Compare) -> bool:
        left = self._eval(node.left)
        for op, comparator in zip(node.ops, node.comparators, strict=True):
            right = self._eval(comparator)
            try:
                holds = _COMPARE[type(op)](left, right)
            except TypeError:
                raise Refused(f"cannot compare {kind_of(left)} with {kind_of(right)}") from None
            if not holds:
                return False
            left = right
        return True

    def _eval_sequence(self, node: ast.List | ast.Tuple) -> tuple[object, ...]:
        return tuple(self._eval(element) for element in node.elts)

    def _eval_set(self, node: ast.Set) -> frozenset[object]:
        return frozenset(self._eval(element) for element in node.elts)


_local = threading.local()


def evaluator() -> Evaluator:
    """This thread's evaluator."""
    try:
        current: Evaluator = _local.evaluator
    except AttributeError:
        current = _local.evaluator = Evaluator()
    return current
