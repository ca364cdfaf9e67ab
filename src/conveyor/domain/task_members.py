"""Who helps with a task (co-executors) and who watches it (observers)."""

from __future__ import annotations

from conveyor.domain.errors import InvalidValue


def check_members(responsible_id: int, co_executor_ids: list[int], observer_ids: list[int]) -> None:
    """The responsible is neither co-executor nor observer, and nobody is both; the
    error names the list item at fault (``observer_ids.2``)."""
    for index, employee_id in enumerate(co_executor_ids):
        if employee_id == responsible_id:
            raise InvalidValue(
                "The responsible cannot also be a co-executor", field=f"co_executor_ids.{index}"
            )
    helpers = set(co_executor_ids)
    for index, employee_id in enumerate(observer_ids):
        if employee_id == responsible_id or employee_id in helpers:
            raise InvalidValue(
                "An observer cannot also be the responsible or a co-executor",
                field=f"observer_ids.{index}",
            )


def settle_members(
    responsible_id: int,
    current: tuple[list[int], list[int]],
    given: tuple[list[int] | None, list[int] | None],
) -> tuple[list[int], list[int]]:
    """The co-executors and observers after a change that gives either list or neither.

    A list given is taken as it is (and checked); a list not given loses whoever the
    change put elsewhere: the new responsible, or someone given in the other list. So
    handing a task to a co-executor promotes them, and sending only ``observer_ids``
    moves a co-executor to the observers.
    """
    (current_co, current_observers), (given_co, given_observers) = current, given
    co = (
        given_co
        if given_co is not None
        else [i for i in current_co if i != responsible_id and i not in (given_observers or ())]
    )
    observers = (
        given_observers
        if given_observers is not None
        else [i for i in current_observers if i != responsible_id and i not in co]
    )
    check_members(responsible_id, co, observers)
    return co, observers
