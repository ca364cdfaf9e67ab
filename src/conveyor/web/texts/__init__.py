"""What the pages say, in Russian: English is the key, one module per area of the site.

A text missing here shows in English; ``tests/unit/test_web_texts.py`` finds every
``_("...")`` in the templates and pages and requires its Russian.
"""

from __future__ import annotations

from conveyor.domain.languages import Language
from conveyor.web.texts import board, common, items, kanban, rules, work

RUSSIAN: dict[str, str] = {
    **common.RU,
    **kanban.RU,
    **items.RU,
    **board.RU,
    **rules.RU,
    **work.RU,
}


def translate(language: Language, text: str, /, **values: object) -> str:
    """``text`` in ``language``, with ``{name}`` placeholders filled from ``values``."""
    said = RUSSIAN.get(text, text) if language is Language.RU else text
    return said.format(**values) if values else said
