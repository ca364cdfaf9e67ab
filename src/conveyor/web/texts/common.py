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
    "Must be greater than {gt}": "Должно быть больше {gt}",
    "Must be at least {ge}": "Должно быть не меньше {ge}",
    "Must be less than {lt}": "Должно быть меньше {lt}",
    "Must be at most {le}": "Должно быть не больше {le}",
    "Must have at least {min_length} characters": "Нужно не меньше символов: {min_length}",
    "Must have at most {max_length} characters": "Допустимо не больше символов: {max_length}",
    "Must have at most {max_length} items": "Допустимо не больше элементов: {max_length}",
    "Must be a whole number": "Нужно целое число",
    "Must be a number": "Нужно число",
    "Must have at most {decimal_places} decimal places": (
        "Допустимо не больше знаков после запятой: {decimal_places}"
    ),
    "Required": "Обязательно",
    "Must be yes or no": "Нужно «да» или «нет»",
    "Must be a date and time": "Нужны дата и время",
    "Must be a date": "Нужна дата",
    "Must be one of: {expected}": "Допустимые значения: {expected}",
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
