"""The 90-day communication control told as the office lives it, on both databases: every
morning at 09:00 the worker runs the control; a company nobody talked to for 90 days gets a
deal in *Client service* and its manager a task "Contact the client"; a company talked to
lately is left alone until 90 days after that talk; an open service deal is never doubled."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from conveyor.domain.actors import SYSTEM
from conveyor.domain.distribution_rules import RuleEntity
from conveyor.domain.errors import InvalidValue
from conveyor.domain.field_types import FieldType
from conveyor.domain.pipelines import EntityType
from conveyor.services import (
    communication_checks,
    communication_controls,
    custom_fields,
    distribution_rules,
    org,
    pipelines,
)
from conveyor.storage.unit_of_work import UnitOfWork
from conveyor.testing import FakeClock
from tests.integration.crm_setup import outbox
from tests.integration.robot_office import run_worker
from tests.integration.service_office import MONDAY_9_MSK, ON_THE_BOOKS, Office, open_office

DAY = timedelta(days=1)


@pytest.fixture
def office(uow: UnitOfWork, clock: FakeClock) -> Office:
    return open_office(uow, clock)


def morning(office: Office, moment: datetime) -> None:
    """The worker at ``moment`` (a control's 09:00 run when one is due)."""
    office.clock.set(moment)
    run_worker(office.uow, office.clock)


def test_ural_kitchens_silent_for_90_days_gets_a_service_deal_and_mark_a_task_due_next_working_day(
    office: Office,
) -> None:
    ural = office.company("Ural Kitchens", responsible_id=office.mark)
    last_call = datetime(2025, 11, 20, 8, 0, tzinfo=UTC)
    office.call(ural, last_call)
    control = office.control()
    assert control.next_run_at == MONDAY_9_MSK
    assert control.timezone == "Europe/Moscow"  # the organization's
    assert control.creator_id == office.head_id

    morning(office, MONDAY_9_MSK - timedelta(seconds=1))
    assert office.deals(ural) == []

    morning(office, MONDAY_9_MSK)

    [deal] = office.deals(ural)
    assert deal.entity_type is EntityType.DEAL
    assert deal.title == "Client service: Ural Kitchens"
    assert (deal.pipeline_id, deal.stage_id) == (office.pipeline_id, office.stages["Contact"].id)
    assert deal.responsible_id == office.mark
    assert deal.closed_at is None
    [task] = office.tasks(ural)
    assert task.title == "Contact the client"
    assert (task.responsible_id, task.creator_id) == (office.mark, office.head_id)
    assert (task.item_id, task.company_id) == (deal.id, ural)
    # Due the next working day, Tuesday at 09:00 in Moscow.
    assert task.deadline == MONDAY_9_MSK + DAY
    [check] = office.checks(control)
    assert (check.company_id, check.item_id, check.task_id) == (ural, deal.id, task.id)
    assert check.last_communication_at == last_call
    assert check.checked_at == MONDAY_9_MSK
    assert check.detail == f"opened deal {deal.id}; set task {task.id} for Mark Manager"
    [acted] = [p for t, p in outbox(office.uow) if t == "CommunicationControlActed"]
    assert acted == {
        "check_id": check.id,
        "company_id": ural,
        "last_communication_at": last_call.isoformat(),
        "item_id": deal.id,
        "responsible_id": office.mark,
        "task_id": task.id,
        "deadline": (MONDAY_9_MSK + DAY).isoformat(),
    }


def test_volga_steel_called_10_days_ago_gets_nothing_today_and_is_acted_on_80_days_later(
    office: Office,
) -> None:
    volga = office.company("Volga Steel", responsible_id=office.mark)
    office.call(volga, MONDAY_9_MSK - timedelta(days=10, minutes=30))
    control = office.control()

    morning(office, MONDAY_9_MSK)
    assert office.deals(volga) == []
    # 79 days on the call is still short of 90 days old: the check has moved past it.
    morning(office, MONDAY_9_MSK + 79 * DAY)
    assert office.deals(volga) == []
    assert office.checks(control) == []

    morning(office, MONDAY_9_MSK + 80 * DAY)

    [deal] = office.deals(volga)
    assert deal.responsible_id == office.mark
    [task] = office.tasks(volga)
    assert task.title == "Contact the client"
    assert task.created_at == MONDAY_9_MSK + 80 * DAY


def test_a_company_whose_service_deal_is_still_open_gets_no_second_deal(office: Office) -> None:
    ural = office.company("Ural Kitchens", responsible_id=office.mark)
    control = office.control()
    morning(office, MONDAY_9_MSK)

    for days in (1, 2, 30):
        morning(office, MONDAY_9_MSK + days * DAY)

    assert len(office.deals(ural)) == 1
    assert len(office.tasks(ural)) == 1
    assert len(office.checks(control)) == 1


def test_once_the_service_deal_is_closed_the_silence_counts_from_its_opening_or_the_last_call(
    office: Office,
) -> None:
    ural = office.company("Ural Kitchens", responsible_id=office.mark)
    kama = office.company("Kama Bakery", responsible_id=office.mark)
    office.control()
    morning(office, MONDAY_9_MSK)
    [ural_deal], [kama_deal] = office.deals(ural), office.deals(kama)

    # Mark calls Kama Bakery and closes its deal; Ural Kitchens' deal is closed unheard.
    office.clock.set(MONDAY_9_MSK + timedelta(hours=3))
    office.call(kama, office.clock())
    office.close(kama_deal)
    office.close(ural_deal, "Lost")

    morning(office, MONDAY_9_MSK + DAY)
    # Unheard, but its service deal was opened a day ago: not acted on again yet.
    assert len(office.deals(ural)) == 1
    assert len(office.deals(kama)) == 1
    # Ural Kitchens' silence counts from its deal's opening, Kama Bakery's from the call.
    morning(office, MONDAY_9_MSK + 90 * DAY)
    assert (len(office.deals(ural)), len(office.deals(kama))) == (1, 1)
    morning(office, MONDAY_9_MSK + 91 * DAY)
    assert (len(office.deals(ural)), len(office.deals(kama))) == (2, 2)


def test_a_company_without_a_manager_gets_the_deal_but_no_task_and_the_check_says_why(
    office: Office,
) -> None:
    kama = office.company("Kama Bakery")
    control = office.control()

    morning(office, MONDAY_9_MSK)

    [deal] = office.deals(kama)
    assert deal.responsible_id is None
    assert office.tasks(kama) == []
    [check] = office.checks(control)
    assert (check.item_id, check.task_id, check.last_communication_at) == (deal.id, None, None)
    assert check.detail == (
        f"opened deal {deal.id}; nobody is responsible for the deal, so no task was set"
    )


def test_a_company_without_a_manager_gets_the_deal_assigned_by_the_stages_rule(
    office: Office,
) -> None:
    distribution_rules.create_rule(
        office.uow,
        distribution_rules.RuleSpec(
            name="Service desk",
            entity_type=RuleEntity.DEAL,
            pipeline_id=office.pipeline_id,
            trigger_stage_id=office.stages["Contact"].id,
            employee_ids=[office.olga],
        ),
        actor=SYSTEM,
        now=office.clock(),
    )
    kama = office.company("Kama Bakery")
    office.control()

    morning(office, MONDAY_9_MSK)

    [deal] = office.deals(kama)
    assert deal.responsible_id == office.olga
    [task] = office.tasks(kama)
    assert (task.responsible_id, task.item_id) == (office.olga, deal.id)


def test_a_dismissed_manager_is_passed_over_and_the_check_says_so(office: Office) -> None:
    ural = office.company("Ural Kitchens", responsible_id=office.mark)
    control = office.control()
    org.update_employee(
        office.uow, office.mark, {"status": "dismissed"}, actor=SYSTEM, now=office.clock()
    )

    morning(office, MONDAY_9_MSK)

    [deal] = office.deals(ural)
    assert deal.responsible_id is None
    [check] = office.checks(control)
    assert check.detail.startswith("the company's manager Mark Manager is dismissed; opened deal")


def test_a_deal_that_cannot_be_opened_leaves_a_check_saying_why_and_is_tried_next_morning(
    office: Office,
) -> None:
    custom_fields.create_field(
        office.uow,
        custom_fields.CreateField(
            entity_type=EntityType.DEAL,
            code="contract",
            name="Contract",
            type=FieldType.STRING,
            required_from_stage_id=office.stages["Contact"].id,
        ),
        actor=SYSTEM,
        now=office.clock(),
    )
    ural = office.company("Ural Kitchens", responsible_id=office.mark)
    control = office.control()

    morning(office, MONDAY_9_MSK)
    morning(office, MONDAY_9_MSK + DAY)

    assert office.deals(ural) == [] and office.tasks(ural) == []
    checks = office.checks(control)
    assert [(c.item_id, c.checked_at) for c in checks] == [
        (None, MONDAY_9_MSK),
        (None, MONDAY_9_MSK + DAY),
    ]
    assert checks[0].detail == (
        "no deal was opened: Field 'Contract' is required from stage 'Contact' onward"
    )
    assert not [t for t, _ in outbox(office.uow) if t == "CommunicationControlActed"]


def test_a_company_on_the_books_for_less_than_90_days_is_not_silent_yet(office: Office) -> None:
    fresh = office.company("Fresh Start", since=MONDAY_9_MSK - 30 * DAY)
    old = office.company("Old Friend", since=ON_THE_BOOKS)
    office.control()

    morning(office, MONDAY_9_MSK)
    assert office.deals(fresh) == []
    assert len(office.deals(old)) == 1
    morning(office, MONDAY_9_MSK + 60 * DAY)
    assert len(office.deals(fresh)) == 1


def test_a_shorter_silence_and_a_stage_and_templates_of_its_own(office: Office) -> None:
    ural = office.company("Ural Kitchens", responsible_id=office.mark)
    office.call(ural, MONDAY_9_MSK - 31 * DAY)
    office.control(
        silent_days=30,
        stage_id=office.stages["In progress"].id,
        deal_title="Check-in with {company}",
        task_title="Call {company}",
        task_description="Ask about the spring order",
        deadline_working_days=0,
    )

    morning(office, MONDAY_9_MSK)

    [deal] = office.deals(ural)
    assert (deal.title, deal.stage_id) == (
        "Check-in with Ural Kitchens",
        office.stages["In progress"].id,
    )
    [task] = office.tasks(ural)
    assert (task.title, task.description) == ("Call Ural Kitchens", "Ask about the spring order")
    # 0 working days: the end of that working day, 18:00 in Moscow.
    assert task.deadline == datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


def test_tasks_are_still_set_when_the_head_who_set_up_the_control_has_left(
    office: Office,
) -> None:
    ural = office.company("Ural Kitchens", responsible_id=office.mark)
    control = office.control()
    org.update_employee(
        office.uow, office.head_id, {"status": "dismissed"}, actor=SYSTEM, now=office.clock()
    )

    morning(office, MONDAY_9_MSK)

    [task] = office.tasks(ural)
    assert (task.responsible_id, task.creator_id) == (office.mark, control.creator_id)


def test_a_stage_made_final_since_stops_the_control_until_it_is_fixed_and_a_run_by_hand_says_why(
    office: Office,
) -> None:
    ural = office.company("Ural Kitchens", responsible_id=office.mark)
    in_progress = office.stages["In progress"]
    assert in_progress.id is not None
    control = office.control(stage_id=in_progress.id)
    assert control.id is not None
    pipelines.update_stage(
        office.uow, in_progress.id, {"semantics": "success"}, actor=SYSTEM, now=office.clock()
    )

    morning(office, MONDAY_9_MSK)
    assert office.deals(ural) == []
    with office.uow:
        assert office.uow.communication_controls.get(control.id).next_run_at == MONDAY_9_MSK + DAY
    with pytest.raises(InvalidValue) as refused:
        communication_checks.run_control(
            office.uow, control.id, actor=office.head, now=office.clock()
        )
    assert refused.value.field == "stage_id"

    communication_controls.update_control(
        office.uow, control.id, {"stage_id": None}, actor=office.head, now=office.clock()
    )
    run = communication_checks.run_control(
        office.uow, control.id, actor=office.head, now=office.clock()
    )
    assert [c.company_id for c in run.checks] == [ural]
    assert [d.stage_id for d in office.deals(ural)] == [office.stages["Contact"].id]
