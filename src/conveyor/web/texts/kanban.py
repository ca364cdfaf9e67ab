"""Russian texts of the kanban pages."""

RU: dict[str, str] = {
    "Deal pipelines": "Воронки сделок",
    "Lead pipelines": "Воронки лидов",
    "{n} stages": "этапов: {n}",
    "There are no pipelines yet: an admin creates them through the API.": (
        "Воронок пока нет: их создаёт администратор через API."
    ),
    "Deals": "Сделки",
    "Leads": "Лиды",
    "Pipelines": "Воронки",
    "Drag a card to another column, or use its “Move to…” list.": (
        "Перетащите карточку в другую колонку или выберите этап в её списке «Перенести в…»."
    ),
    "Items in the stage": "Элементов на этапе",
    "unassigned": "не назначен",
    "waiting in queue": "ждёт в очереди",
    "Move to…": "Перенести в…",
    "Fill in on the card": "Заполнить в карточке",
    "{n} more, not shown": "ещё {n} не показано",
}
