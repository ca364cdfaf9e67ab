"""Checks a parsed expression against the language before it is ever evaluated.

The language is a whitelist: only the node types handled below are accepted, everything else
(lambda, comprehensions, ``:=``, f-strings, dict literals, slices, bit operators...) is refused
with a message naming it. Method calls and any name or attribute starting with ``_`` are refused
here, so no expression can reach an object's methods or internals (``deal.clear()``,
``().__class__``, ``"{0.__class__}".format(x)``).
"""

from __future__ import annotations

import ast
from collections.abc import Collection

from conveyor.engines.expressions.values import BINARY, FUNCTIONS

#: Longest accepted text, in characters.
MAX_LENGTH = 2000
#: Deepest accepted nesting of the syntax tree (``a + b + c`` nests one level per ``+``).
MAX_DEPTH = 50
#: Most syntax-tree nodes accepted in one expression.
MAX_NODES = 1000

#: Lower-case spellings of the literals, for users who write JSON-style conditions.
ALIASES = {"true": True, "false": False, "null": None}

_UNARY = (ast.Not, ast.USub, ast.UAdd)
_COMPARISONS = (ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.In, ast.NotIn)
_LITERAL_TYPES = (bool, int, float, str, type(None))
_REFUSED = {
    ast.Lambda: "lambda functions are not allowed",
    ast.ListComp: "comprehensions are not allowed",
    ast.SetComp: "comprehensions are not allowed",
    ast.DictComp: "comprehensions are not allowed",
    ast.GeneratorExp: "comprehensions are not allowed",
    ast.NamedExpr: "assignments (:=) are not allowed",
    ast.JoinedStr: "f-strings are not allowed",
    ast.Dict: "dictionary literals are not allowed",
    ast.Starred: "unpacking with * is not allowed",
    ast.Slice: "slices are not allowed",
    ast.Await: "await is not allowed",
    ast.Yield: "yield is not allowed",
    ast.YieldFrom: "yield is not allowed",
}


class Fault(Exception):
    """The expression breaks a rule of the language at ``node``."""

    def __init__(self, reason: str, node: ast.AST) -> None:
        super().__init__(reason)
        self.reason = reason
        self.node = node


def check(tree: ast.expr, *, names: Collection[str] | None) -> frozenset[str]:
    """Raise ``Fault`` at the first construct outside the language; else return the top-level
    names the expression reads.

    ``names``, when given, are the only top-level names allowed (e.g. ``deal``, ``contact``).
    The walk is iterative so that depth is checked before anything recurses on the tree.
    """
    used: set[str] = set()
    stack: list[tuple[ast.AST, int]] = [(tree, 1)]
    count = 0
    while stack:
        node, depth = stack.pop()
        count += 1
        if count > MAX_NODES:
            raise Fault(f"the expression is too long (more than {MAX_NODES} parts)", node)
        if depth > MAX_DEPTH:
            raise Fault(f"the expression is nested too deeply (more than {MAX_DEPTH})", node)
        children = _children(node, names=names, used=used)
        stack.extend((child, depth + 1) for child in reversed(children))
    return frozenset(used)


def _children(node: ast.AST, *, names: Collection[str] | None, used: set[str]) -> list[ast.AST]:
    """Check ``node`` itself and return the children to check next."""
    if isinstance(node, ast.BoolOp):
        return list(node.values)
    if isinstance(node, ast.UnaryOp):
        if not isinstance(node.op, _UNARY):
            raise Fault("bit operators are not allowed", node)
        return [node.operand]
    if isinstance(node, ast.BinOp):
        if type(node.op).__name__ not in BINARY:
            raise Fault("bit and matrix operators are not allowed", node)
        return [node.left, node.right]
    if isinstance(node, ast.Compare):
        for op, right in zip(node.ops, node.comparators, strict=True):
            _check_comparison(op, right, node)
        return [node.left, *node.comparators]
    if isinstance(node, ast.IfExp):
        return [node.test, node.body, node.orelse]
    if isinstance(node, ast.Call):
        return _check_call(node)
    if isinstance(node, ast.Attribute):
        _check_identifier(node.attr, node)
        return [node.value]
    if isinstance(node, ast.Subscript):
        return [node.value, node.slice]
    if isinstance(node, ast.Name):
        _check_name(node, names=names)
        if node.id not in ALIASES:
            used.add(node.id)
        return []
    if isinstance(node, ast.Constant):
        if not isinstance(node.value, _LITERAL_TYPES):
            raise Fault(f"{type(node.value).__name__} literals are not allowed", node)
        return []
    if isinstance(node, ast.List | ast.Tuple | ast.Set):
        return list(node.elts)
    raise Fault(_REFUSED.get(type(node), f"{type(node).__name__} is not allowed"), node)


def _check_comparison(op: ast.cmpop, right: ast.expr, node: ast.Compare) -> None:
    if isinstance(op, ast.Is | ast.IsNot):
        # "is" only makes sense against None; elsewhere it compares identities, not values.
        if not (isinstance(right, ast.Constant) and right.value is None):
            raise Fault("'is' may only compare with None; use == instead", node)
    elif not isinstance(op, _COMPARISONS):
        raise Fault(f"{type(op).__name__} is not allowed", node)


def _check_call(node: ast.Call) -> list[ast.AST]:
    function = node.func
    if isinstance(function, ast.Attribute):
        raise Fault("method calls are not allowed; use a function such as lower(x)", function)
    if not isinstance(function, ast.Name):
        raise Fault("only functions can be called", node)
    if function.id not in FUNCTIONS:
        known = ", ".join(sorted(FUNCTIONS))
        raise Fault(f"unknown function '{function.id}' (available: {known})", node)
    if node.keywords:
        raise Fault("keyword arguments are not allowed", node.keywords[0])
    return list(node.args)


def _check_name(node: ast.Name, *, names: Collection[str] | None) -> None:
    _check_identifier(node.id, node)
    if node.id in ALIASES:
        return
    if node.id in FUNCTIONS:
        raise Fault(f"'{node.id}' is a function: call it, e.g. {node.id}(...)", node)
    if names is not None and node.id not in names:
        known = ", ".join(sorted(names)) or "none"
        raise Fault(f"unknown name '{node.id}' (known names: {known})", node)


def _check_identifier(identifier: str, node: ast.AST) -> None:
    if identifier.startswith("_"):
        raise Fault(f"names starting with '_' are not allowed ({identifier})", node)


class _ReplaceAliases(ast.NodeTransformer):
    def visit_Name(self, node: ast.Name) -> ast.AST:
        if node.id in ALIASES:
            return ast.copy_location(ast.Constant(value=ALIASES[node.id]), node)
        return node


def resolve_aliases(tree: ast.expr) -> ast.expr:
    """``tree`` with ``true``/``false``/``null`` replaced by their constants (call after
    ``check``, which bounds the depth this recursion may reach)."""
    result = _ReplaceAliases().visit(tree)
    assert isinstance(result, ast.expr)
    return result
