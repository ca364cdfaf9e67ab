"""The company's own deals as demand: a draft rule's dry-run before it is switched on, on
both databases, through the service and through ``conveyor simulate --history``."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from typer.testing import CliRunner

from conveyor.cli.main import app
from conveyor.domain.absences import AbsenceKind
from conveyor.domain.actors import SYSTEM, Actor
from conveyor.domain.distribution_rules import DistributionRule, RuleEntity
from conveyor.domain.errors import Forbidden, InvalidValue, NotFound
from conveyor.domain.pipelines import Stage
from conveyor.domain.tokens import Role
from conveyor.engines.simulation import Away, compare, standard_policies
from conveyor.services import absences, crm_items
from conveyor.services import distribution_rules as rules
from conveyor.services.demand_history import DemandHistory, HistoryRequest, read_demand_history
from conveyor.storage.unit_of_work import UnitOfWork
from conveyor.testing import FakeClock
from tests.integration.crm_setup import DEAL, agency_pipeline, hire, new_deal

runner = CliRunner()
#: Monday 2 March 2026, 9:00 UTC = 12:00 in Moscow.
MONDAY = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def move(uow: UnitOfWork, clock: FakeClock, deal_id: int | None, stage: Stage) -> None:
    assert deal_id is not None and stage.id is not None
    crm_items.move_item(uow, DEAL, deal_id, stage.id, actor=SYSTEM, now=clock())


def draft_rule(
    uow: UnitOfWork, clock: FakeClock, stages: dict[str, Stage], people: list[int]
) -> DistributionRule:
    """Paid deals to the designers, not switched on yet: heavy deals weigh 3 points."""
    return rules.create_rule(
        uow,
        rules.RuleSpec(
            name="Paid deals to design (draft)",
            entity_type=RuleEntity.DEAL,
            enabled=False,
            pipeline_id=stages["Prepayment received"].pipeline_id,
            trigger_stage_id=stages["Prepayment received"].id,
            condition='deal.title != "Internal"',
            employee_ids=people,
            default_capacity_points=Decimal(4),
            capacity_overrides={people[1]: Decimal(6)},
            in_work_stage_ids=[stages["Development started"].id],
            weight="3 if deal.amount > 100000 else 1",
            strategy=rules.RuleStrategy.FAIR_SHARE,
        ),
        actor=SYSTEM,
        now=clock(),
    )


@pytest.fixture
def agency(uow: UnitOfWork, clock: FakeClock) -> dict[str, Any]:
    """A month of deals: two reach the trigger stage, one is internal, one never gets there,
    one got there before the month; one designer takes a vacation."""
    clock.set(MONDAY - timedelta(days=40))
    stages = agency_pipeline(uow, clock)
    people = [hire(uow, clock, name) for name in ("Dmitry Designer", "Daria Designer")]
    rule = draft_rule(uow, clock, stages, people)
    old = new_deal(uow, clock, "Old", stage_id=stages["Prepayment received"].id, amount=1)

    clock.set(MONDAY)  # 12:00 in Moscow
    website = new_deal(uow, clock, "Website", amount=Decimal(200000))
    clock.advance(hours=1)  # 13:00: paid
    move(uow, clock, website.id, stages["Prepayment received"])
    clock.advance(hours=1)  # 14:00: development starts
    move(uow, clock, website.id, stages["Development started"])
    clock.advance(hours=21)  # Tuesday 11:00: done, six working hours later
    move(uow, clock, website.id, stages["Done"])

    clock.set(MONDAY + timedelta(days=2))  # Wednesday 12:00
    logo = new_deal(uow, clock, "Logo", stage_id=stages["Prepayment received"].id, amount=5000)
    move(uow, clock, logo.id, stages["Development started"])  # still in work
    internal = new_deal(uow, clock, "Internal", stage_id=stages["Prepayment received"].id)
    new_deal(uow, clock, "Unpaid", stage_id=stages["Invoice"].id)
    absences.register_absence(
        uow,
        absences.RegisterAbsence(
            employee_id=people[0],
            kind=AbsenceKind.VACATION,
            starts_on=date(2026, 3, 10),
            ends_on=date(2026, 3, 13),
        ),
        actor=SYSTEM,
        now=clock(),
    )
    clock.set(MONDAY + timedelta(days=14))
    return {
        "rule": rule,
        "people": people,
        "website": website,
        "logo": logo,
        "internal": internal,
        "old": old,
    }


def dry_run(uow: UnitOfWork, clock: FakeClock, **request: Any) -> DemandHistory:
    return read_demand_history(
        uow,
        HistoryRequest(timezone="Europe/Moscow", **request),
        actor=SYSTEM,
        now=clock(),
    )


def test_a_draft_rule_replays_the_deals_that_reached_its_stage_weighed_as_it_would(
    uow: UnitOfWork, clock: FakeClock, agency: dict[str, Any]
) -> None:
    rule, (dmitry, daria) = agency["rule"], agency["people"]
    history = dry_run(uow, clock, days=30, rule_id=rule.id)
    website, logo = history.scenario.demand
    assert (website.item_id, logo.item_id) == (agency["website"].id, agency["logo"].id)
    # Arrival: entering Prepayment received (Website was moved there, Logo created there).
    assert website.arrives_at == MONDAY + timedelta(hours=1)
    assert logo.arrives_at == MONDAY + timedelta(days=2)
    assert (website.weight, logo.weight) == (Decimal(3), Decimal(1))
    # Website was in development Monday 14:00-18:00 and Tuesday 9:00-11:00 (Moscow).
    assert website.effort == timedelta(hours=6)
    assert logo.effort == timedelta(hours=4)  # still in work: the default
    # Deadline: 6 + 8 hours of slack from Monday 13:00 (lunch): 4 on Monday, 8 on Tuesday,
    # 2 on Wednesday: 11:00 in Moscow.
    assert website.deadline == datetime(2026, 3, 4, 8, 0, tzinfo=UTC)
    assert (history.items_read, history.passed_over, history.effort_estimated) == (3, 1, 1)

    team = {m.employee_id: m for m in history.scenario.team}
    assert set(team) == {dmitry, daria}
    assert team[daria].capacity_points == Decimal(6) and team[dmitry].capacity_points is None
    assert team[dmitry].away == (
        Away(first=date(2026, 3, 10), last=date(2026, 3, 13), kind=AbsenceKind.VACATION),
    )
    settings = history.scenario.settings
    assert settings.default_capacity_points == Decimal(4)
    assert settings.strategy.value == "fair_share"
    assert history.rule_policy is not None
    assert history.rule_policy.name == f"rule {rule.id} as saved (fair share)"

    policies = (history.rule_policy, *standard_policies(settings))
    reports = compare(history.scenario, policies)
    assert [r.policy for r in reports][:2] == [history.rule_policy.name, "round robin"]
    assert all(r.items == 2 and r.never_assigned == 0 for r in reports)


def test_without_a_rule_every_deal_created_in_the_period_counts_one_point(
    uow: UnitOfWork, clock: FakeClock, agency: dict[str, Any]
) -> None:
    daria = agency["people"][1]
    changes = {"responsible_id": daria}
    crm_items.update_item(uow, DEAL, agency["logo"].id, changes, actor=SYSTEM, now=clock())
    history = dry_run(uow, clock, days=30, capacity=Decimal(5))
    read = [d.item_id for d in history.scenario.demand]
    ids = [agency[k].id for k in ("website", "logo", "internal")]
    assert read[:1] == ids[:1] and set(ids) <= set(read)
    assert agency["old"].id not in read  # created before the period
    assert all(d.weight == Decimal(1) for d in history.scenario.demand)
    website = history.scenario.demand[0]
    assert website.effort == timedelta(hours=7)  # created 12:00 Monday, done 11:00 Tuesday
    assert history.rule_policy is None
    assert [m.employee_id for m in history.scenario.team] == [daria]
    assert history.scenario.settings.default_capacity_points == Decimal(5)


def test_the_dry_run_reads_only(uow: UnitOfWork, clock: FakeClock, agency: dict[str, Any]) -> None:
    def counts() -> tuple[int, ...]:
        with uow:
            return (
                len(uow.events.where()),
                len(uow.assignment_decisions.where()),
                len(uow.items.where()),
            )

    before = counts()
    dry_run(uow, clock, days=30, rule_id=agency["rule"].id)
    assert counts() == before


def test_what_cannot_be_replayed_is_refused_naming_why(
    uow: UnitOfWork, clock: FakeClock, agency: dict[str, Any]
) -> None:
    with pytest.raises(NotFound) as unknown:
        dry_run(uow, clock, days=30, rule_id=9999)
    assert unknown.value.field == "rule"
    with pytest.raises(InvalidValue) as too_long:
        dry_run(uow, clock, days=0)
    assert too_long.value.field == "days"
    with pytest.raises(InvalidValue) as quiet:
        dry_run(uow, clock, days=1, rule_id=agency["rule"].id)
    assert quiet.value.field == "days" and "nothing to replay" in quiet.value.message
    with pytest.raises(Forbidden) as not_admin:
        read_demand_history(
            uow,
            HistoryRequest(days=30),
            actor=Actor(employee_id=agency["people"][0], role=Role.EMPLOYEE),
            now=clock(),
        )
    assert "role" in str(not_admin.value)


def test_conveyor_simulate_history_prints_the_rule_as_saved_beside_the_alternatives(
    database_url: str, uow: UnitOfWork
) -> None:
    clock = FakeClock(datetime.now(UTC) - timedelta(days=6))
    stages = agency_pipeline(uow, clock)
    people = [hire(uow, clock, name) for name in ("Dmitry Designer", "Daria Designer")]
    rule = draft_rule(uow, clock, stages, people)
    for hours in range(0, 48, 4):
        clock.advance(hours=4)
        new_deal(uow, clock, f"Deal {hours}", stage_id=stages["Prepayment received"].id)
    args = ["simulate", "--history", "30", "--rule", str(rule.id), "--database-url", database_url]
    result = runner.invoke(app, args, env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert f"rule {rule.id} as saved (fair share)" in result.output
    assert "12 items" in result.output and "2 employees" in result.output
    assert "batch every 10 min" in result.output

    missing = runner.invoke(app, [*args[:3], "--rule", "9999", *args[5:]])
    assert missing.exit_code == 1
    lines = [line for line in missing.output.splitlines() if line.strip()]
    assert lines == ["error: distribution rule 9999 does not exist (rule)"]
