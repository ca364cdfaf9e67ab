"""The text of an expression: how it is parsed and how a position in it is shown.

The text is parsed wrapped as ``(\\n<text>\\n)`` so that users may break a long condition over
several lines and indent it freely; the wrapper's opening line shifts line numbers by one, and
columns on the user's lines are untouched.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

#: Characters of context shown on each side of the caret in an excerpt.
_EXCERPT_SIDE = 40
_DETECTED_AT = re.compile(r"line (\d+)")


@dataclass(frozen=True, kw_only=True)
class Position:
    """A 1-based line and column (in characters) in the user's text."""

    line: int
    column: int


def parse(text: str) -> ast.expr:
    """Parse ``text`` as one expression; raises ``SyntaxError`` (and, for absurd nesting,
    ``RecursionError`` or ``MemoryError``) like ``ast.parse``."""
    return ast.parse(f"(\n{text}\n)", mode="eval").body


def node_position(text: str, node: ast.AST) -> Position:
    """Where ``node`` starts in ``text``.

    The parser counts columns in UTF-8 bytes; a user counts characters, so convert.
    """
    lines = text.split("\n")
    line = min(max(getattr(node, "lineno", 2) - 1, 1), len(lines))
    encoded = lines[line - 1].encode("utf-8")
    offset = _pointed_byte(node, encoded)
    return Position(line=line, column=len(encoded[:offset].decode("utf-8", errors="ignore")) + 1)


def _pointed_byte(node: ast.AST, encoded: bytes) -> int:
    """The byte offset to point at: an attribute's name, an operator, else the node's start."""
    start: int = getattr(node, "col_offset", 0)
    if isinstance(node, ast.Attribute) and node.end_lineno == node.lineno:
        return (node.end_col_offset or 0) - len(node.attr.encode("utf-8"))
    left = node.left if isinstance(node, ast.BinOp | ast.Compare) else None
    same_line = left is not None and left.lineno == left.end_lineno == getattr(node, "lineno", 0)
    if left is not None and same_line and left.end_col_offset is not None:
        # Skip the closing brackets and spaces between the left operand and the operator.
        after = left.end_col_offset
        while after < len(encoded) and encoded[after : after + 1] in (b" ", b")", b"\t"):
            after += 1
        return after if after < len(encoded) else start
    return start


def syntax_position(text: str, error: SyntaxError) -> Position:
    """Where a syntax error points in ``text`` (already in characters), clamped to the text:
    an error found on the wrapper's closing line is shown just after the user's last character."""
    lines = text.split("\n")
    line = (error.lineno or 2) - 1
    # An error on the wrapper's opening line means one of the user's brackets took the
    # wrapper's closing one: the user's text ends too early.
    if line < 1 or line > len(lines):
        return Position(line=len(lines), column=len(lines[-1]) + 1)
    return Position(line=line, column=max(error.offset or 1, 1))


def syntax_reason(error: SyntaxError) -> str:
    """The parser's message, with line numbers counted on the user's text."""
    reason = _DETECTED_AT.sub(lambda match: f"line {int(match[1]) - 1}", error.msg or "")
    if (error.lineno or 2) < 2:
        return "the expression ends too early: a bracket is not closed"
    return reason or "invalid syntax"


def point_at(text: str, position: Position) -> str:
    """A two-line excerpt of ``text`` around ``position`` with a caret under it."""
    lines = text.split("\n")
    source = lines[position.line - 1] if position.line <= len(lines) else ""
    index = min(position.column - 1, len(source))
    start = max(0, index - _EXCERPT_SIDE)
    end = min(len(source), index + _EXCERPT_SIDE)
    prefix = "…" if start else ""
    suffix = "…" if end < len(source) else ""
    snippet = prefix + source[start:end] + suffix
    # Tabs keep their width on the caret line so the caret stays under its character.
    pad = "".join("\t" if char == "\t" else " " for char in prefix + source[start:index])
    return f"    {snippet}\n    {pad}^"


def located(reason: str, text: str, position: Position) -> str:
    """The message of an error at ``position``: the reason, where, and the excerpt."""
    where = f"line {position.line}, column {position.column}"
    return f"{reason} (at {where}):\n{point_at(text, position)}"
