"""The demo agency's people: departments with heads, staff, partners, absences, open days."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from conveyor.domain.absences import AbsenceKind
from conveyor.domain.actors import SYSTEM
from conveyor.domain.employees import Employee
from conveyor.domain.workdays import DayAction
from conveyor.services import org
from conveyor.services.absences import RegisterAbsence, register_absence
from conveyor.services.demo import company
from conveyor.services.schedules import CreateSchedule, create_schedule
from conveyor.services.workdays import change_workday
from conveyor.storage.unit_of_work import UnitOfWork

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass
class DemoOrg:
    department_ids: dict[str, int] = field(default_factory=dict)
    heads: dict[str, int] = field(default_factory=dict)
    members: dict[str, list[int]] = field(default_factory=dict)
    partners: list[int] = field(default_factory=list)
    away: set[int] = field(default_factory=set)

    @property
    def employee_count(self) -> int:
        return len(self.heads) + sum(map(len, self.members.values())) + len(self.partners)

    def staff(self, department: str) -> list[int]:
        return self.members.get(department, [])


def seed_org(uow: UnitOfWork, *, now: datetime, rng: random.Random) -> DemoOrg:
    demo = DemoOrg()
    office, shifts = _schedules(uow, now=now)
    for name, parent in company.DEPARTMENTS:
        head_name, head_position = company.HEADS[name]
        head = _hire(uow, head_name, head_position, [], rng, now, schedule_id=office)
        department = org.create_department(
            uow,
            org.CreateDepartment(
                name=name,
                parent_id=demo.department_ids[parent] if parent else None,
                head_id=head.id,
            ),
            actor=SYSTEM,
            now=now,
        )
        assert department.id is not None and head.id is not None
        demo.department_ids[name] = department.id
        demo.heads[name] = head.id
        org.update_employee(
            uow, head.id, {"department_ids": [department.id]}, actor=SYSTEM, now=now
        )
    names = iter(company.NAMES)
    for department_name, positions in company.MEMBERS.items():
        ids = []
        for index, (position, skills) in enumerate(positions):
            # Two backend developers keep the support line on a 2/2 roster.
            on_shifts = department_name == "Development" and index < 2
            employee = _hire(
                uow,
                next(names),
                position,
                skills,
                rng,
                now,
                department_ids=[demo.department_ids[department_name]],
                schedule_id=shifts if on_shifts else office,
            )
            assert employee.id is not None
            ids.append(employee.id)
        demo.members[department_name] = ids
    for name, position, skills in company.EXTERNAL_PARTNERS:
        partner, _ = org.create_employee(
            uow,
            org.CreateEmployee(
                name=name,
                position=position,
                is_external=True,
                skills=skills,
                department_ids=[demo.department_ids["Design"]],
            ),
            actor=SYSTEM,
            now=now,
        )
        assert partner.id is not None
        demo.partners.append(partner.id)
    _absences(uow, demo, now=now, rng=rng)
    _open_days(uow, demo, now=now, rng=rng)
    return demo


def _schedules(uow: UnitOfWork, *, now: datetime) -> tuple[int, int]:
    """The office week (the company default) and a 2/2 support roster, 10:00-22:00."""
    office = create_schedule(uow, CreateSchedule(name="Office 5/2"), actor=SYSTEM, now=now)
    every_day = {day: [["10:00", "22:00"]] for day in WEEKDAYS}
    shifts = create_schedule(
        uow,
        CreateSchedule(
            name="Support 2/2",
            week=every_day,
            rotation={
                "start": (now.date() - timedelta(days=now.weekday())).isoformat(),
                "on": 2,
                "off": 2,
            },
        ),
        actor=SYSTEM,
        now=now,
    )
    assert office.id is not None and shifts.id is not None
    return office.id, shifts.id


def _absences(uow: UnitOfWork, demo: DemoOrg, *, now: datetime, rng: random.Random) -> None:
    """A designer on vacation this week, a developer on sick leave, a manager on a trip."""
    today = now.date()
    plan = [
        ("Design", AbsenceKind.VACATION, -2, 12),
        ("Development", AbsenceKind.SICK_LEAVE, -1, 3),
        ("Sales", AbsenceKind.BUSINESS_TRIP, 0, 2),
        ("Sales", AbsenceKind.VACATION, 14, 27),
        ("Accounting", AbsenceKind.OTHER, 1, 1),
    ]
    for department, kind, start, end in plan:
        absence = register_absence(
            uow,
            RegisterAbsence(
                employee_id=rng.choice(demo.staff(department)),
                kind=kind,
                starts_on=today + timedelta(days=start),
                ends_on=today + timedelta(days=end),
            ),
            actor=SYSTEM,
            now=now,
        )
        if absence.covers(today):
            demo.away.add(absence.employee_id)


def _open_days(uow: UnitOfWork, demo: DemoOrg, *, now: datetime, rng: random.Random) -> None:
    """Most people have opened their working day; a few paused it."""
    everyone = [*demo.heads.values(), *(i for ids in demo.members.values() for i in ids)]
    for employee_id in everyone:
        if employee_id not in demo.away and rng.random() < 0.8:
            change_workday(uow, employee_id, DayAction.OPEN, actor=SYSTEM, now=now)
            if rng.random() < 0.1:
                change_workday(uow, employee_id, DayAction.PAUSE, actor=SYSTEM, now=now)


def _hire(
    uow: UnitOfWork,
    name: str,
    position: str,
    skills: list[str],
    rng: random.Random,
    now: datetime,
    *,
    department_ids: list[int] | None = None,
    schedule_id: int | None = None,
) -> Employee:
    login = _login(name, rng)
    employee, _ = org.create_employee(
        uow,
        org.CreateEmployee(
            name=name,
            email=f"{login}@agency.example",
            position=position,
            timezone=rng.choice(company.TIMEZONES),
            skills=skills,
            department_ids=department_ids or [],
            schedule_id=schedule_id,
        ),
        actor=SYSTEM,
        now=now - timedelta(days=rng.randint(30, 900)),
    )
    return employee


_TRANSLIT = str.maketrans(
    {
        "а": "a",
        "б": "b",
        "в": "v",
        "г": "g",
        "д": "d",
        "е": "e",
        "ё": "e",
        "ж": "zh",
        "з": "z",
        "и": "i",
        "й": "y",
        "к": "k",
        "л": "l",
        "м": "m",
        "н": "n",
        "о": "o",
        "п": "p",
        "р": "r",
        "с": "s",
        "т": "t",
        "у": "u",
        "ф": "f",
        "х": "h",
        "ц": "ts",
        "ч": "ch",
        "ш": "sh",
        "щ": "sch",
        "ъ": "",
        "ы": "y",
        "ь": "",
        "э": "e",
        "ю": "yu",
        "я": "ya",
        " ": ".",
    }
)


def _login(name: str, rng: random.Random) -> str:
    return name.lower().translate(_TRANSLIT) + str(rng.randint(1, 99))
