"""Russian texts of the board pages."""

RU: dict[str, str] = {}
