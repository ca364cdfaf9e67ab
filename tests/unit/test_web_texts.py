"""Every text the pages show has its Russian: the templates' and the pages' ``_("...")``."""

from __future__ import annotations

import re
from pathlib import Path

from conveyor.domain.languages import Language
from conveyor.web import robot_words, texts
from conveyor.web.texts import RUSSIAN, translate

WEB = Path(__file__).resolve().parents[2] / "src" / "conveyor" / "web"
_CALL = re.compile(r"""\b_\(\s*(?P<q>["'])(?P<text>(?:(?!(?P=q)).)+)(?P=q)""")


def _texts() -> set[str]:
    found: set[str] = set()
    for path in [*WEB.glob("templates/*.html"), *WEB.glob("pages/*.py"), *WEB.glob("*.py")]:
        found.update(match.group("text") for match in _CALL.finditer(path.read_text()))
    return found


def test_every_text_of_the_pages_has_its_russian() -> None:
    words = [*robot_words.TIMING.values(), *robot_words.UNIT.values(), *robot_words.ACTION.values()]
    missing = sorted(text for text in [*_texts(), *words] if text not in RUSSIAN)
    assert not missing, f"no Russian for: {missing}"


def test_placeholders_are_filled_in_both_languages() -> None:
    said = translate(Language.RU, "Signed in as {name}", name="Анна")
    assert said == "Вы вошли как Анна"
    assert translate(Language.EN, "Signed in as {name}", name="Anna") == "Signed in as Anna"


def test_a_russian_text_keeps_the_placeholders_of_its_english() -> None:
    fields = re.compile(r"\{(\w*)\}")
    wrong = {
        english: russian
        for english, russian in RUSSIAN.items()
        if set(fields.findall(english)) != set(fields.findall(russian))
    }
    assert not wrong


def test_a_context_tells_two_russian_words_for_one_english_apart() -> None:
    assert translate(Language.EN, "task|Overdue") == "Overdue"
    assert translate(Language.RU, "task|Overdue") == "Просрочена"
    assert translate(Language.RU, "Overdue") == "Просрочено"


def test_no_two_areas_translate_one_text_differently() -> None:
    areas = [texts.common, texts.kanban, texts.items, texts.board, texts.rules, texts.work]
    said: dict[str, set[str]] = {}
    for area in areas:
        for english, russian in area.RU.items():
            said.setdefault(english, set()).add(russian)
    assert not {english: r for english, r in said.items() if len(r) > 1}
