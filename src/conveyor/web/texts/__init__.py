"""What the pages say, in Russian: English is the key, one module per area of the site.

A text missing here shows in English; ``tests/unit/test_web_texts.py`` finds every
``_("...")`` in the templates and pages and requires its Russian. Where one English word needs
two Russian ones, the key carries a context before a bar: ``"task|Overdue"`` (Просрочена) is
shown as "Overdue" in English, while the board's ``"Overdue"`` (count of tasks) is Просрочено.
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
    english = text.split("|", 1)[-1]
    said = RUSSIAN.get(text, english) if language is Language.RU else english
    return said.format(**values) if values else said
