"""Russian texts of the work pages."""

RU: dict[str, str] = {}
