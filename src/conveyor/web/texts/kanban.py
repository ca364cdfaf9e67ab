"""Russian texts of the kanban pages."""

RU: dict[str, str] = {}
