"""Assignment tells its assignee, whatever the size of the pool: the notice never fails the
assignment that caused it."""

from __future__ import annotations

from conveyor.domain.absences import AbsenceKind
from conveyor.domain.actors import SYSTEM
from conveyor.domain.distribution_rules import RuleEntity
from conveyor.domain.notification_texts import ELLIPSIS, MAX_VALUE
from conveyor.services import absences, org
from conveyor.services import distribution_rules as rules
from conveyor.storage.unit_of_work import UnitOfWork
from conveyor.testing import FakeClock
from tests.integration.crm_setup import agency_pipeline, new_deal

POOL = 160


def test_a_deal_in_a_large_pool_is_assigned_and_its_assignee_told_in_a_shortened_reason(
    uow: UnitOfWork, clock: FakeClock
) -> None:
    stages = agency_pipeline(uow, clock)
    call_centre = org.create_department(
        uow, org.CreateDepartment(name="Call centre"), actor=SYSTEM, now=clock()
    )
    assert call_centre.id is not None
    people = []
    for number in range(POOL):
        employee, _ = org.create_employee(
            uow,
            org.CreateEmployee(
                name=f"Operator Number {number:03} Konstantinopolskaya",
                department_ids=[call_centre.id],
            ),
            actor=SYSTEM,
            now=clock(),
        )
        assert employee.id is not None
        people.append(employee.id)
    present, *away = people
    today = clock().date()
    for person in away:
        absences.register_absence(
            uow,
            absences.RegisterAbsence(
                employee_id=person, kind=AbsenceKind.VACATION, starts_on=today, ends_on=today
            ),
            actor=SYSTEM,
            now=clock(),
        )
    rules.create_rule(
        uow,
        rules.RuleSpec(
            name="Paid deals to the call centre",
            entity_type=RuleEntity.DEAL,
            pipeline_id=stages["Prepayment received"].pipeline_id,
            trigger_stage_id=stages["Prepayment received"].id,
            department_ids=[call_centre.id],
        ),
        actor=SYSTEM,
        now=clock(),
    )

    deal = new_deal(uow, clock, "Shop", stage_id=stages["Prepayment received"].id)

    assert deal.id is not None and deal.responsible_id == present
    with uow:
        [decision] = uow.assignment_decisions.where(item_id=deal.id)
        [notice] = uow.notifications.where(recipient_id=present)
    # Every one of the 159 absentees is named: longer than a notification value may be.
    assert len(decision.sentence) > MAX_VALUE
    reason = notice.params["reason"]
    assert len(reason) == MAX_VALUE and reason.endswith(ELLIPSIS)
    assert decision.sentence.startswith(reason[:-1])
    assert notice.link_id == deal.id and notice.params["decision_id"] == decision.id
