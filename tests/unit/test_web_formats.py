"""Numbers, money and moments as a Russian and an English reader see them."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from conveyor.domain.languages import Language
from conveyor.web.formats import Formats

RU = Formats(Language.RU, "Europe/Moscow")
EN = Formats(Language.EN, "Asia/Novosibirsk")
NBSP = "\u00a0"


def test_money_shows_kopecks_only_when_there_are_some() -> None:
    assert RU.money(Decimal("1735000"), "RUB").replace(NBSP, " ") == "1 735 000 ₽"
    assert RU.money(Decimal("1735000.50"), "RUB").replace(NBSP, " ") == "1 735 000,50 ₽"
    assert EN.money(Decimal("1735000"), "RUB") == f"RUB{NBSP}1,735,000"
    assert EN.money(Decimal("0.5"), "EUR") == "€0.50"
    assert RU.money(None) == ""


def test_moments_are_on_the_readers_wall_clock() -> None:
    moment = datetime(2026, 3, 2, 9, 5, tzinfo=UTC)
    assert RU.when(moment).replace("\u202f", " ") == "2 мар. 2026 г., 12:05"
    assert EN.when(moment) == "2 Mar 2026, 16:05"
    assert RU.iso(moment) == "2026-03-02T12:05"
    assert EN.day(date(2026, 1, 7)) == "7 Jan 2026"


def test_numbers_use_the_readers_separators() -> None:
    assert RU.number(Decimal("12345.5")).replace(NBSP, " ") == "12 345,5"
    assert EN.number(Decimal("12345.5")) == "12,345.5"
