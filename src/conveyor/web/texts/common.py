"""Russian texts shared by every page: the frame, signing in, errors."""

from conveyor.domain.logins import SIGN_IN_WINDOW_MINUTES, too_many_sign_ins


def _minutes(n: int) -> str:
    if n % 10 == 1 and n % 100 != 11:
        return f"{n} минуту"
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return f"{n} минуты"
    return f"{n} минут"


RU: dict[str, str] = {
    "Conveyor": "Конвейер",
    "Kanban": "Канбан",
    "Workload": "Загрузка",
    "My work": "Моя работа",
    "Rules": "Правила",
    "Robots": "Роботы",
    "Sign in": "Войти",
    "Sign out": "Выйти",
    "Email": "Эл. почта",
    "Password": "Пароль",
    "Sign in to Conveyor": "Вход в Конвейер",
    "Signed in as {name}": "Вы вошли как {name}",
    "The email or the password is wrong": "Неверная эл. почта или пароль",
    "Your session has ended; sign in again": "Сеанс завершён, войдите снова",
    "The form has expired; send it again": "Форма устарела, отправьте её ещё раз",
    "Change password": "Сменить пароль",
    "Current password": "Текущий пароль",
    "New password": "Новый пароль",
    "Save": "Сохранить",
    "Cancel": "Отмена",
    "The password is changed": "Пароль изменён",
    "Language": "Язык",
    "Something went wrong": "Что-то пошло не так",
    "Back": "Назад",
    "Not found": "Не найдено",
    "Forbidden": "Нет доступа",
    "Invalid input": "Неверные данные",
    "Conflict": "Конфликт",
    "Live": "В реальном времени",
    "Connection lost, reconnecting…": "Связь потеряна, переподключение…",
    "Menu": "Меню",
    "admin": "администратор",
    "head": "руководитель",
    "employee": "сотрудник",
    "Field '{field}' is required from stage '{stage}' onward": (
        "Поле «{field}» обязательно, начиная со стадии «{stage}»"
    ),
    "Not found: {what}": "Не найдено: {what}",
    "You may not do this": "У вас нет на это прав",
    "This needs the role: admin": "Для этого нужна роль администратора",
}

# The login page shows the service's refusal as it is: one text for each possible wait.
_PAUSED = "Слишком много неудачных попыток входа, попробуйте через {}"
RU.update(
    {
        too_many_sign_ins(n): _PAUSED.format(_minutes(n))
        for n in range(1, SIGN_IN_WINDOW_MINUTES + 1)
    }
)
