"""Russian texts of the items pages: the card of a lead or deal and "why this person?"."""

RU: dict[str, str] = {
    # The card.
    "Deal": "Сделка",
    "Lead": "Лид",
    "Details": "Сведения",
    "Pipeline and stage": "Воронка и стадия",
    "Responsible": "Ответственный",
    "Client": "Клиент",
    "Sum": "Сумма",
    "Created": "Дата создания",
    "Updated": "Последнее изменение",
    "nobody": "никто",
    "Yes": "Да",
    "No": "Нет",
    # Changing the item on its card.
    "Edit": "Изменить",
    "item|Title": "Название",
    "Currency": "Валюта",
    "Move": "Перенести",
    "Pick the stage to move to": "Выберите стадию, на которую перенести",
    "Fill it in below.": "Заполните его ниже.",
    "The card has changed meanwhile: it refreshes once you save or cancel.": (
        "Карточка тем временем изменилась: она обновится, когда вы сохраните или отмените правку."
    ),
    "Saved.": "Сохранено.",
    "Moved to «{stage}».": "Перенесена на стадию «{stage}».",
    # Why this person?
    "Why this person?": "Почему этот человек?",
    "Decided {moment}": "Решение принято {moment}",
    "Waiting in the queue": "Ждёт в очереди",
    "Every candidate the rule considered": "Все кандидаты, которых рассмотрело правило",
    "Employee": "Сотрудник",
    "Load": "Загрузка",
    "Presence": "Присутствие",
    "Working day": "Рабочий день",
    "Verdict": "Решение",
    "The engine records the first reason that rules a candidate out; a dash marks the checks "
    "it did not reach.": "Движок записывает первую причину, по которой кандидат отсеян; "
    "прочерк — проверки, до которых дело не дошло.",
    "The engine's own words": "Объяснение движка",
    "Nobody is responsible yet, and no rule has decided.": (
        "Ответственного пока нет, и ни одно правило не принимало решения."
    ),
    "{name} was made responsible by hand: no distribution rule decided for this item.": (
        "{name} назначен(а) ответственным вручную: правила распределения по этой записи "
        "не срабатывали."
    ),
    "Rule «{rule}» found nobody free for it.": "Правило «{rule}» не нашло свободных сотрудников.",
    "Rule «{rule}» gave it to {name}: {reason}.": "Правило «{rule}» отдало её: {name} — {reason}.",
    "It waits in the rule's queue since {moment}.": "Ждёт в очереди правила с {moment}.",
    "It no longer waits in the queue.": "Больше не ждёт в очереди.",
    "It waited from {moment} until someone was free.": "Ждала с {moment}, пока кто-то освободится.",
    "Then it moved on to «{stage}».": "Затем перешла на стадию «{stage}».",
    "It could not move on to «{stage}»: the field {field} is empty.": (
        "Не смогла перейти на стадию «{stage}»: не заполнено поле {field}."
    ),
    "Rule #{rule} was passed over: {why}": "Правило №{rule} пропущено: {why}",
    "Since then the responsible has changed to {name}.": (
        "С тех пор ответственный сменился: {name}."
    ),
    "next in turn ({load})": "следующий по очереди ({load})",
    "furthest below their fair share ({load})": "дальше всех от своей справедливой доли ({load})",
    "the least loaded ({load})": "наименее загружен(а) ({load})",
    "{points} points, {count} in work": "{points} баллов, в работе: {count}",
    "{points} of {capacity} points, {count} in work": (
        "{points} из {capacity} баллов, в работе: {count}"
    ),
    "{absence} until {until}": "{absence} до {until}",
    "Present": "На месте",
    "Not checked by the rule": "Правило не проверяет",
    "Open": "Открыт",
    "Chosen": "Выбран(а)",
    "Ranked lower": "Уступил(а) выбранному",
    "Ranked lower: away from {day}, before the work would be done": (
        "Уступил(а) выбранному: отсутствует с {day}, раньше, чем работа была бы сделана"
    ),
    "Excluded: no longer active": "Отсеян(а): больше не работает",
    "Excluded by the rule": "Исключён(а) правилом",
    "Excluded: department head": "Отсеян(а): руководитель отдела",
    "Excluded: external employee": "Отсеян(а): внешний сотрудник",
    "Excluded: had this item before": "Отсеян(а): уже вёл(а) эту запись",
    "Excluded: lacks the skill «{skill}»": "Отсеян(а): нет навыка «{skill}»",
    "Excluded: absent": "Отсеян(а): отсутствует",
    "Excluded: working day not open": "Отсеян(а): рабочий день не открыт",
    "Excluded: outside working hours": "Отсеян(а): вне рабочего времени",
    "Excluded: at capacity": "Отсеян(а): загрузка на пределе",
    "Excluded: no room for {weight} more points": "Отсеян(а): нет места ещё для {weight} баллов",
    "On vacation": "В отпуске",
    "On sick leave": "На больничном",
    "On a business trip": "В командировке",
    "Away": "Отсутствует",
    "Day paused": "День на паузе",
    "Day closed": "День закрыт",
    "Day not opened": "День не начат",
    # The timeline.
    "Timeline": "История",
    "Nothing has happened yet.": "Пока ничего не происходило.",
    "Created at stage «{stage}», responsible: {name}": (
        "Создана на стадии «{stage}», ответственный: {name}"
    ),
    "Moved to pipeline «{pipeline}», stage «{stage}»": (
        "Перенесена в воронку «{pipeline}», стадия «{stage}»"
    ),
    "Moved from «{before}» to «{after}»": "Перешла со стадии «{before}» на «{after}»",
    "Responsible changed from {before} to {after}": "Ответственный сменился: {before} → {after}",
    "Changed: {what}": "Изменено: {what}",
    "Assigned to {name} by a distribution rule": "Правило распределения назначило: {name}",
    "Nobody was free: waits in the rule's queue": "Свободных не нашлось: ждёт в очереди правила",
    "Stopped waiting in the queue": "Вышла из очереди",
    "Waited {minutes} min for a free employee; the heads were told": (
        "Ждала свободного сотрудника {minutes} мин; руководителям сообщено"
    ),
    "Payment of {amount} registered": "Зарегистрирована оплата {amount}",
    "Business process «{process}» requested": "Запрошен запуск бизнес-процесса «{process}»",
    "Robot «{robot}» fired": "Сработал робот «{robot}»",
    "Robot «{robot}» skipped": "Робот «{robot}» пропущен",
    "Robot «{robot}» failed": "Робот «{robot}» не смог выполниться",
    "Event: {name}": "Событие: {name}",
    "{kind}: {subject}": "{kind}: {subject}",
    "title": "название",
    "amount": "сумма",
    "currency": "валюта",
    "contact": "контакт",
    "company": "компания",
    # Robots and triggers.
    "Robot": "Робот",
    "State": "Состояние",
    "When": "Когда",
    "Result or reason": "Результат или причина",
    "No robot has run for this item.": "Роботы по этой записи не запускались.",
    "Pending": "Ожидает",
    "Fired": "Сработал",
    "Skipped": "Пропущен",
    "Failed": "Ошибка",
    "Cancelled": "Отменён",
    "Robot deleted": "Робот удалён",
    "due {moment}": "срок: {moment}",
    "Notify": "Уведомить",
    "Control": "Контроль",
    "Create a task": "Создать задачу",
    "Change the stage": "Сменить стадию",
    "Set a field": "Заполнить поле",
    "Change the responsible": "Сменить ответственного",
    "Create a lead or deal": "Создать лид или сделку",
    "Add co-executors": "Добавить соисполнителей",
    "Send an email": "Отправить письмо",
    "Send an SMS": "Отправить SMS",
    "Call a webhook": "Вызвать вебхук",
    "Triggers": "Триггеры",
    "Trigger": "Триггер",
    "Outcome": "Итог",
    "Moved the item": "Перенёс запись",
    "Condition false": "Условие не выполнено",
    "Not applicable": "Не применим",
    "Move refused": "Перенос отклонён",
    "Stopped: too many automatic moves": "Остановлен: слишком много автоматических переносов",
    # Communications.
    "Communications": "Коммуникации",
    "No communications yet.": "Коммуникаций пока нет.",
    "with the client": "с клиентом",
    "from the client": "от клиента",
    "to the client": "клиенту",
    "Call": "Звонок",
    "Meeting": "Встреча",
    "Message": "Сообщение",
    "Note": "Заметка",
    "Rule «{rule}» could not decide: its {field} failed ({message}).": (
        "Правило «{rule}» не смогло решить: не вычислилось поле {field} ({message})."
    ),
    "The admins are told; the item stays where it was.": (
        "Администраторы уведомлены; ответственный не изменился."
    ),
    "The distribution rule could not decide: its {field} failed": (
        "Правило распределения не смогло решить: не вычислилось поле {field}"
    ),
}
