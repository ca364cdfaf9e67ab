"""The demo agency's data: departments, people, pipelines. Data only, no logic."""

from __future__ import annotations

# (department, parent, head's name and position, members' positions and skills)
DEPARTMENTS: list[tuple[str, str | None]] = [
    ("Management", None),
    ("Sales", "Management"),
    ("Design", "Management"),
    ("Development", "Management"),
    ("Accounting", "Management"),
]

HEADS = {
    "Management": ("Ирина Волкова", "CEO"),
    "Sales": ("Алексей Смирнов", "Head of sales"),
    "Design": ("Мария Кузнецова", "Art director"),
    "Development": ("Дмитрий Попов", "CTO"),
    "Accounting": ("Елена Соколова", "Chief accountant"),
}

# Members per department: (position, skills). Names are drawn from NAMES in order.
MEMBERS: dict[str, list[tuple[str, list[str]]]] = {
    "Management": [("Office manager", [])],
    "Sales": [("Account manager", ["b2b"])] * 6 + [("Account manager", ["b2c"])] * 3,
    "Design": [("Designer", ["web"])] * 5
    + [("Designer", ["3D"])] * 2
    + [("Designer", ["print"])] * 2,
    "Development": [("Developer", ["backend"])] * 6 + [("Developer", ["frontend"])] * 4,
    "Accounting": [("Accountant", [])] * 4,
}

NAMES = [
    "Анна Морозова",
    "Сергей Новиков",
    "Ольга Лебедева",
    "Павел Козлов",
    "Татьяна Егорова",
    "Николай Павлов",
    "Юлия Семёнова",
    "Андрей Голубев",
    "Наталья Виноградова",
    "Иван Богданов",
    "Екатерина Воробьёва",
    "Михаил Фёдоров",
    "Светлана Михайлова",
    "Артём Беляев",
    "Дарья Тарасова",
    "Роман Белов",
    "Ксения Комарова",
    "Владимир Орлов",
    "Алина Киселёва",
    "Максим Макаров",
    "Валерия Андреева",
    "Кирилл Ковалёв",
    "Полина Ильина",
    "Егор Гусев",
    "Виктория Титова",
    "Денис Кузьмин",
    "Ангелина Кудрявцева",
    "Григорий Баранов",
    "Людмила Куликова",
    "Константин Алексеев",
    "Софья Степанова",
    "Олег Яковлев",
    "Вероника Сорокина",
]

EXTERNAL_PARTNERS = [
    ("Студия «Пиксель»", "Partner studio", ["3D", "animation"]),
    ("Фёдор Фрилансеров", "Freelance developer", ["backend"]),
]

TIMEZONES = ["Europe/Moscow"] * 6 + ["Europe/Samara", "Asia/Yekaterinburg", "Asia/Novosibirsk"]

SALES_STAGES = [
    ("Conclude contract", "in_progress"),
    ("Sign contract", "in_progress"),
    ("Upload copy", "in_progress"),
    ("Invoice", "in_progress"),
    ("Awaiting payment", "in_progress"),
    ("Prepayment received", "in_progress"),
    ("Development started", "in_progress"),
    ("Done", "success"),
    ("Lost", "failure"),
]

SERVICE_STAGES = [
    ("New request", "in_progress"),
    ("In work", "in_progress"),
    ("Resolved", "success"),
    ("Rejected", "failure"),
]

LEAD_STAGES = [
    ("New", "in_progress"),
    ("Data collection", "in_progress"),
    ("Qualified", "success"),
    ("Junk", "failure"),
]

COMPANIES = [
    "ООО «Ромашка»",
    "АО «Северный ветер»",
    "ООО «ТехноСтрой»",
    "ИП Громов",
    "ООО «Вкусно»",
    "ЗАО «Медиа Плюс»",
    "ООО «Зелёный сад»",
    "АО «Уральские сети»",
    "ООО «Печатный двор»",
    "ООО «Солнечная энергия»",
    "ООО «Автомир»",
    "АО «Байкал-Тур»",
]

DEAL_TITLES = [
    "Corporate website",
    "Online shop",
    "Brand book",
    "Mobile app",
    "Landing page",
    "3D product renders",
    "Catalogue print",
    "CRM integration",
    "SEO audit",
    "Support contract",
]
