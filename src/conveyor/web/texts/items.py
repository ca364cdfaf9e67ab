"""Russian texts of the items pages."""

RU: dict[str, str] = {}
