"""What a notification says, in each language: the message catalog, keyed by kind.

A template is trusted text of this module, formatted with ``str.format`` using plain named
fields only (``{title}``; never attribute or index access, checked by the unit tests); the
values come from the notification's ``params`` and are never evaluated. A kind may have a
variant per linked entity (``item_assigned.deal``, ``item_assigned.task``), because the
wording — and in Russian the grammatical gender — depends on it; the kind's own entry is
the fallback. Every variant of a kind in every language uses the same fields.

Rendering never fails: a kind this version does not know (written by a newer one) or a
missing value renders plainly rather than breaking someone's feed.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from conveyor.domain.errors import InvalidValue
from conveyor.domain.languages import Language

ITEM_ASSIGNED = "item_assigned"
ASSIGNMENT_ESCALATED = "assignment_escalated"
#: A distribution rule could not be computed for an item (``services/assignment_failures.py``).
ASSIGNMENT_FAILED = "assignment_failed"
MESSAGE = "message"
#: A robot's message (its text rendered from the robot's template) and its control notice.
ROBOT_MESSAGE = "robot_message"
ROBOT_CONTROL = "robot_control"
#: A robot added the recipient to a task as a co-executor; a robot moved a task's deadline.
TASK_CO_EXECUTOR_ADDED = "task_co_executor_added"
TASK_DEADLINE_MOVED = "task_deadline_moved"
#: A task robot handed the recipient's task to someone else.
TASK_TAKEN_OVER = "task_taken_over"
#: Tasks in motion: set by hand (a rule's pick is ``item_assigned``), due soon, overdue, and
#: moved after a late predecessor (``services/task_reminders.py``, ``task_shifts.py``).
TASK_ASSIGNED = "task_assigned"
TASK_REMINDER = "task_reminder"
TASK_OVERDUE = "task_overdue"
TASK_DATES_SHIFTED = "task_dates_shifted"
#: A task under control: done and waiting for its creator, accepted, returned with a comment
#: (``services/task_control.py``).
TASK_AWAITING_CONTROL = "task_awaiting_control"
TASK_ACCEPTED = "task_accepted"
TASK_RETURNED = "task_returned"

#: How long one value may be (a title, a reason, a message's text).
MAX_VALUE = 5000
#: Shown for a value a template needs and the params lack, and where a text was cut.
MISSING = ELLIPSIS = "…"


@dataclass(frozen=True, kw_only=True)
class Template:
    """A short ``subject`` (an email's subject, a feed title) and the full ``body``."""

    subject: str
    body: str


@dataclass(frozen=True, kw_only=True)
class Rendered:
    subject: str
    body: str


EN, RU = Language.EN, Language.RU


def _t(subject: str, body: str) -> Template:
    return Template(subject=subject, body=body)


CATALOG: Mapping[str, Mapping[Language, Template]] = MappingProxyType(
    {
        ITEM_ASSIGNED: {
            EN: _t("«{title}» is yours", "«{title}» is yours: {reason}"),
            RU: _t("Вам передано «{title}»", "Вам передано «{title}»: {reason}"),
        },
        f"{ITEM_ASSIGNED}.deal": {
            EN: _t("Deal «{title}» is yours", "Deal «{title}» is yours: {reason}"),
            RU: _t("Сделка «{title}» теперь ваша", "Сделка «{title}» теперь ваша: {reason}"),
        },
        f"{ITEM_ASSIGNED}.lead": {
            EN: _t("Lead «{title}» is yours", "Lead «{title}» is yours: {reason}"),
            RU: _t("Лид «{title}» теперь ваш", "Лид «{title}» теперь ваш: {reason}"),
        },
        f"{ITEM_ASSIGNED}.task": {
            EN: _t("Task «{title}» is yours", "Task «{title}» is yours: {reason}"),
            RU: _t("Задача «{title}» теперь ваша", "Задача «{title}» теперь ваша: {reason}"),
        },
        ASSIGNMENT_ESCALATED: {
            EN: _t(
                "«{title}» is waiting for someone free",
                "«{title}» has waited {minutes} min for rule «{rule}»",
            ),
            RU: _t(
                "«{title}» ждёт исполнителя",
                "«{title}» ждёт исполнителя {minutes} мин по правилу «{rule}»",
            ),
        },
        f"{ASSIGNMENT_ESCALATED}.deal": {
            EN: _t(
                "Deal «{title}» is waiting for someone free",
                "Deal «{title}» has waited {minutes} min for rule «{rule}»",
            ),
            RU: _t(
                "Сделка «{title}» ждёт исполнителя",
                "Сделка «{title}» ждёт исполнителя {minutes} мин по правилу «{rule}»",
            ),
        },
        f"{ASSIGNMENT_ESCALATED}.lead": {
            EN: _t(
                "Lead «{title}» is waiting for someone free",
                "Lead «{title}» has waited {minutes} min for rule «{rule}»",
            ),
            RU: _t(
                "Лид «{title}» ждёт исполнителя",
                "Лид «{title}» ждёт исполнителя {minutes} мин по правилу «{rule}»",
            ),
        },
        f"{ASSIGNMENT_ESCALATED}.task": {
            EN: _t(
                "Task «{title}» is waiting for someone free",
                "Task «{title}» has waited {minutes} min for rule «{rule}»",
            ),
            RU: _t(
                "Задача «{title}» ждёт исполнителя",
                "Задача «{title}» ждёт исполнителя {minutes} мин по правилу «{rule}»",
            ),
        },
        ASSIGNMENT_FAILED: {
            EN: _t(
                "Rule «{rule}» could not assign «{title}»",
                "Rule «{rule}» could not assign «{title}»: {reason}. "
                "Fix the rule; meanwhile it stays with whoever held it.",
            ),
            RU: _t(
                "Правило «{rule}» не смогло назначить «{title}»",
                "Правило «{rule}» не смогло назначить «{title}»: {reason}. "
                "Исправьте правило; пока всё остаётся у прежнего ответственного.",
            ),
        },
        f"{ASSIGNMENT_FAILED}.deal": {
            EN: _t(
                "Rule «{rule}» could not assign deal «{title}»",
                "Rule «{rule}» could not assign deal «{title}»: {reason}. "
                "Fix the rule; meanwhile the deal stays with whoever held it.",
            ),
            RU: _t(
                "Правило «{rule}» не смогло назначить сделку «{title}»",
                "Правило «{rule}» не смогло назначить сделку «{title}»: {reason}. "
                "Исправьте правило; пока сделка остаётся у прежнего ответственного.",
            ),
        },
        f"{ASSIGNMENT_FAILED}.lead": {
            EN: _t(
                "Rule «{rule}» could not assign lead «{title}»",
                "Rule «{rule}» could not assign lead «{title}»: {reason}. "
                "Fix the rule; meanwhile the lead stays with whoever held it.",
            ),
            RU: _t(
                "Правило «{rule}» не смогло назначить лид «{title}»",
                "Правило «{rule}» не смогло назначить лид «{title}»: {reason}. "
                "Исправьте правило; пока лид остаётся у прежнего ответственного.",
            ),
        },
        f"{ASSIGNMENT_FAILED}.task": {
            EN: _t(
                "Rule «{rule}» could not assign task «{title}»",
                "Rule «{rule}» could not assign task «{title}»: {reason}. "
                "Fix the rule; meanwhile the task stays with its creator.",
            ),
            RU: _t(
                "Правило «{rule}» не смогло назначить задачу «{title}»",
                "Правило «{rule}» не смогло назначить задачу «{title}»: {reason}. "
                "Исправьте правило; пока задача остаётся у постановщика.",
            ),
        },
        ROBOT_MESSAGE: {
            EN: _t("«{title}»: {robot}", "{text}"),
            RU: _t("«{title}»: {robot}", "{text}"),
        },
        ROBOT_CONTROL: {
            EN: _t("Control: «{title}»", "{text}"),
            RU: _t("Контроль: «{title}»", "{text}"),
        },
        TASK_CO_EXECUTOR_ADDED: {
            EN: _t(
                "You help with task «{title}»",
                "You are now a co-executor of task «{title}» (robot «{robot}»).",
            ),
            RU: _t(
                "Вы соисполнитель задачи «{title}»",
                "Вы добавлены соисполнителем задачи «{title}» (робот «{robot}»).",
            ),
        },
        TASK_DEADLINE_MOVED: {
            EN: _t(
                "Task «{title}» is now due {deadline}",
                "The deadline of task «{title}» moved from {previous} to {deadline} "
                "(robot «{robot}»).",
            ),
            RU: _t(
                "Новый срок задачи «{title}»: {deadline}",
                "Срок задачи «{title}» перенесён с {previous} на {deadline} (робот «{robot}»).",
            ),
        },
        TASK_TAKEN_OVER: {
            EN: _t(
                "Task «{title}» went to {to}",
                "Task «{title}» is no longer yours: it is now with {to} (robot «{robot}»).",
            ),
            RU: _t(
                "Задача «{title}» передана: {to}",
                "Задача «{title}» больше не ваша: она передана сотруднику {to} (робот «{robot}»).",
            ),
        },
        TASK_ASSIGNED: {
            EN: _t("Task «{title}» is yours", "{by} set you the task «{title}». Due: {deadline}"),
            RU: _t(
                "Вам поставлена задача «{title}»",
                "{by} ставит вам задачу «{title}». Срок: {deadline}",
            ),
        },
        TASK_REMINDER: {
            EN: _t(
                "Task «{title}» is due {deadline}",
                "Reminder: task «{title}» is due {deadline} and is not done yet.",
            ),
            RU: _t(
                "Срок задачи «{title}» — {deadline}",
                "Напоминание: срок задачи «{title}» — {deadline}, а она ещё не выполнена.",
            ),
        },
        TASK_OVERDUE: {
            EN: _t(
                "Task «{title}» is overdue",
                "Task «{title}» was due {deadline} and is not done yet.",
            ),
            RU: _t(
                "Задача «{title}» просрочена",
                "Срок задачи «{title}» истёк {deadline}, а она ещё не выполнена.",
            ),
        },
        TASK_DATES_SHIFTED: {
            EN: _t(
                "Task «{title}» moved",
                "Task «{title}» now starts {start_to} (was {start_from}) and is due "
                "{deadline_to} (was {deadline_from}): it follows «{cause}», which finishes "
                "later.",
            ),
            RU: _t(
                "Задача «{title}» перенесена",
                "Задача «{title}» теперь начинается {start_to} (было {start_from}), срок — "
                "{deadline_to} (был {deadline_from}): она идёт после задачи «{cause}», "
                "которая завершается позже.",
            ),
        },
        TASK_AWAITING_CONTROL: {
            EN: _t(
                "Task «{title}» awaits your acceptance",
                "{by} finished the task «{title}»: accept it or return it with a comment.",
            ),
            RU: _t(
                "Задача «{title}» ждёт вашей приёмки",
                "{by} сдаёт задачу «{title}» на приёмку: примите её или верните с комментарием.",
            ),
        },
        TASK_ACCEPTED: {
            EN: _t(
                "Task «{title}» is accepted",
                "{by} accepted your work on the task «{title}»: it is completed.",
            ),
            RU: _t(
                "Задача «{title}» принята",
                "{by} принимает вашу работу по задаче «{title}»: задача завершена.",
            ),
        },
        TASK_RETURNED: {
            EN: _t(
                "Task «{title}» is returned",
                "{by} returned the task «{title}» for rework: {comment}",
            ),
            RU: _t(
                "Задача «{title}» возвращена",
                "{by} возвращает задачу «{title}» на доработку: {comment}",
            ),
        },
        MESSAGE: {
            EN: _t("Message", "{text}"),
            RU: _t("Сообщение", "{text}"),
        },
    }
)

#: The kinds a notification may have (variants are not kinds).
KINDS = frozenset(key for key in CATALOG if "." not in key)


def fields_of(template: str) -> list[str]:
    """The named fields ``template`` uses, in order."""
    return [name for _, name, _, _ in string.Formatter().parse(template) if name is not None]


def required_params(kind: str) -> frozenset[str]:
    """The values every text of ``kind`` needs."""
    texts = CATALOG[kind][EN]
    return frozenset(fields_of(texts.subject) + fields_of(texts.body))


def shorten(text: str, limit: int) -> str:
    """``text`` when it is at most ``limit`` characters, else its start and an ellipsis,
    ``limit`` characters in all."""
    if limit < 1:
        raise ValueError("limit must be at least 1")
    return text if len(text) <= limit else text[: limit - 1] + ELLIPSIS


def check_params(kind: str, params: Mapping[str, Any], *, cut: bool = False) -> dict[str, Any]:
    """``params`` for a notification of ``kind``, refused unless the kind exists and every
    value its texts need is there, each a string or a number of at most ``MAX_VALUE``
    characters. With ``cut`` (the application's own notices: a long text must never fail
    their cause) a longer string is shortened to ``MAX_VALUE`` with an ellipsis instead of
    refused; input from people is checked without it."""
    if kind not in KINDS:
        raise InvalidValue(
            f"Unknown notification kind '{kind}'; known: {', '.join(sorted(KINDS))}", field="kind"
        )
    for name in sorted(required_params(kind)):
        if name not in params:
            raise InvalidValue(f"A '{kind}' notification needs '{name}'", field=f"params.{name}")
    checked: dict[str, Any] = {}
    for name, value in params.items():
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise InvalidValue("must be a string or a number", field=f"params.{name}")
        if isinstance(value, str) and len(value) > MAX_VALUE:
            if cut:
                value = shorten(value, MAX_VALUE)
            else:
                raise InvalidValue(f"is longer than {MAX_VALUE} characters", field=f"params.{name}")
        checked[name] = value
    return checked


def render(
    kind: str, params: Mapping[str, Any], language: Language, *, about: str | None = None
) -> Rendered:
    """The notification's text in ``language``; ``about`` is the linked entity's type (the
    variant ``kind.about`` is used when the catalog has it)."""
    texts = CATALOG.get(f"{kind}.{about}") if about else None
    texts = texts or CATALOG.get(kind)
    if texts is None:
        return Rendered(subject=kind, body=kind)
    template = texts[language]
    values = _Values(params)
    return Rendered(
        subject=template.subject.format_map(values), body=template.body.format_map(values)
    )


class _Values(dict[str, Any]):
    """The params, with a visible mark for a missing one instead of a ``KeyError``."""

    def __missing__(self, key: str) -> str:
        return MISSING
