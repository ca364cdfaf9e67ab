"""Russian texts of the rules pages."""

RU: dict[str, str] = {}
