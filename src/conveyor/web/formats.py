"""Numbers, money and moments in the reader's language and timezone (Babel's CLDR data)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_time
from babel.numbers import format_currency, format_decimal, get_currency_symbol

from conveyor.domain.languages import Language


class Formats:
    """Bound to one reader: ``fmt.money(amount, "RUB")``, ``fmt.when(moment)``..."""

    def __init__(self, language: Language, timezone: str) -> None:
        self.locale = "ru_RU" if language is Language.RU else "en_GB"
        self.zone = ZoneInfo(timezone)

    def number(self, value: Decimal | float | int | None, digits: int = 2) -> str:
        if value is None:
            return ""
        return format_decimal(value, format=f"#,##0.{'#' * digits}", locale=self.locale)

    def money(self, amount: Decimal | float | int | None, currency: str | None = "RUB") -> str:
        """Money as "1 735 000 ₽" or "RUB 1,735,000.50": kopecks only when there are some;
        a currency written in letters is kept apart from the number."""
        if amount is None:
            return ""
        value = Decimal(str(amount))
        code = currency or "RUB"
        pattern = str(Locale.parse(self.locale).currency_formats["standard"].pattern)
        pattern = pattern.split(";")[0]
        if value == value.to_integral_value():
            pattern = pattern.replace(".00", "")
        if get_currency_symbol(code, locale=self.locale).isalpha():
            pattern = pattern.replace("¤#", "¤\u00a0#")
        return format_currency(
            value, code, format=pattern, locale=self.locale, currency_digits=False
        )

    def when(self, moment: datetime | None) -> str:
        """A moment in the reader's timezone: "24 нояб. 2026 г., 14:05"."""
        if moment is None:
            return ""
        local = moment.astimezone(self.zone)
        return (
            f"{format_date(local, 'medium', locale=self.locale)}, "
            f"{format_time(local, 'short', locale=self.locale)}"
        )

    def time(self, moment: datetime | None) -> str:
        if moment is None:
            return ""
        return format_time(moment.astimezone(self.zone), "short", locale=self.locale)

    def day(self, value: date | datetime | None) -> str:
        if value is None:
            return ""
        if isinstance(value, datetime):
            value = value.astimezone(self.zone).date()
        return format_date(value, "medium", locale=self.locale)

    def iso(self, moment: datetime | None) -> str:
        """For ``<time datetime=...>`` and ``<input type=datetime-local>``, in the reader's zone."""
        if moment is None:
            return ""
        return moment.astimezone(self.zone).strftime("%Y-%m-%dT%H:%M")
