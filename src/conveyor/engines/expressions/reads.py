"""What an expression reads by name: the attribute and key paths written in its text.

``deal.fields["x"] > 0 and contact.vip`` reads ``("deal", "fields", "x")`` and
``("contact", "vip")``. A path is followed only as far as its keys are written literally
(``deal.amount``, ``deal["amount"]``); a computed key (``deal[contact.code]``) ends it there,
and the key's own reads are paths of their own. Positions in a list (``x[0]``) end a path too.

``check_reads`` compares the paths with a ``Schema``, what each record holds, so that a
typo or a field that does not exist (``deal.nonexistent``) is refused when the expression is
saved, rather than reading as empty on every item.
"""

from __future__ import annotations

import ast
import difflib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TypeAlias

from conveyor.domain.errors import InvalidExpression
from conveyor.engines.expressions.source import located, node_position

#: What a record holds: its keys, each with the schema of its value, or ``None`` when that
#: value is not checked further (a number, a text, a record of free keys).
Schema: TypeAlias = Mapping[str, "Schema | None"]

#: Known keys listed in a refusal, at most (a record may hold many custom fields).
_LISTED = 25


@dataclass(frozen=True, kw_only=True)
class Read:
    """One literal step of a path: ``path`` up to and including this key."""

    path: tuple[str, ...]
    #: The attribute or subscript node whose key is ``path[-1]``.
    node: ast.expr


def reads(tree: ast.expr) -> Iterator[Read]:
    """Every literal step of every path in ``tree``, in the order the text writes them."""
    found = [
        Read(path=path, node=node)
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute | ast.Subscript) and (path := _path(node)) is not None
    ]
    found.sort(key=lambda r: (r.node.lineno, r.node.col_offset, len(r.path)))
    yield from found


def paths(tree: ast.expr) -> frozenset[tuple[str, ...]]:
    """The longest literal paths ``tree`` reads (``("deal", "amount")``...); a name read
    as a whole is a path of one."""
    functions = {id(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
    every = {read.path for read in reads(tree)} | {
        (node.id,)
        for node in ast.walk(tree)
        if isinstance(node, ast.Name) and id(node) not in functions
    }
    prefixes = {path[:end] for path in every for end in range(1, len(path))}
    return frozenset(every - prefixes)


def check_reads(tree: ast.expr, schema: Schema, *, text: str, field: str | None) -> None:
    """Refuse (``InvalidExpression`` naming ``field`` and pointing at the key) the first
    literal read of a key that ``schema`` does not know. Names that ``schema`` does not
    list, and keys under a value whose schema is ``None``, are not checked."""
    for read in reads(tree):
        root, *keys = read.path
        if root not in schema:
            continue
        known: Schema | None = schema[root]
        for index, key in enumerate(keys):
            if known is None:
                break
            if key not in known:
                owner = ".".join(read.path[: index + 1])
                if index == len(keys) - 1:
                    _refuse(read.node, key, owner, known, text=text, field=field)
                break  # reported at the step that reads it
            known = known[key]


def _refuse(
    node: ast.expr, key: str, owner: str, known: Schema, *, text: str, field: str | None
) -> None:
    position = node_position(text, node.slice if isinstance(node, ast.Subscript) else node)
    names = sorted(known)
    close = difflib.get_close_matches(key, names, n=3, cutoff=0.6)
    if close:
        hint = "did you mean " + " or ".join(f"'{name}'" for name in close) + "?"
    elif len(names) <= _LISTED:
        hint = "known: " + (", ".join(names) or "none")
    else:
        hint = "known: " + ", ".join(names[:_LISTED]) + f" and {len(names) - _LISTED} more"
    raise InvalidExpression(
        located(f"{owner} has no attribute or field '{key}' ({hint})", text, position),
        field=field,
        line=position.line,
        column=position.column,
    )


def _path(node: ast.Attribute | ast.Subscript) -> tuple[str, ...] | None:
    """The literal path ``node`` reads, when every step down to a name is literal."""
    keys: list[str] = []
    current: ast.expr = node
    while True:
        if isinstance(current, ast.Attribute):
            keys.append(current.attr)
            current = current.value
        elif isinstance(current, ast.Subscript):
            key = current.slice
            if not (isinstance(key, ast.Constant) and isinstance(key.value, str)):
                return None
            keys.append(key.value)
            current = current.value
        elif isinstance(current, ast.Name):
            return (current.id, *reversed(keys))
        else:
            return None
