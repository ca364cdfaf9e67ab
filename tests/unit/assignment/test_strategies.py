"""Round robin, least loaded, fair share with carry-over, and look-ahead."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from conveyor.engines.assignment import RuleSettings, Strategy, WorkItem, decide, explain
from conveyor.engines.assignment.strategies import fair_share_deficits

from .people import NOW, TODAY, person

ROUND_ROBIN = RuleSettings(strategy=Strategy.ROUND_ROBIN)
FAIR_SHARE = RuleSettings(strategy=Strategy.FAIR_SHARE)


def test_round_robin_hands_work_to_the_next_employee_after_the_last_one_and_wraps_round():
    team = [person(4), person(9), person(2, absence=None), person(7)]
    chosen, cursor = [], None
    for n in range(6):
        decision = decide(
            WorkItem(item_id=n), team, ROUND_ROBIN, now=NOW, round_robin_cursor=cursor
        )
        chosen.append(decision.chosen_id)
        cursor = decision.next_cursor

    assert chosen == [2, 4, 7, 9, 2, 4]


def test_round_robin_skips_someone_who_is_away_and_picks_up_someone_new():
    team = [person(1), person(2), person(3)]
    away = [person(1), person(2, absence=_vacation()), person(3), person(5)]

    first = decide(WorkItem(item_id=1), team, ROUND_ROBIN, now=NOW, round_robin_cursor=1)
    second = decide(WorkItem(item_id=2), away, ROUND_ROBIN, now=NOW, round_robin_cursor=1)
    third = decide(WorkItem(item_id=3), away, ROUND_ROBIN, now=NOW, round_robin_cursor=3)

    assert (first.chosen_id, second.chosen_id, third.chosen_id) == (2, 3, 5)


def test_when_nobody_is_free_the_round_robin_cursor_stays_where_it_was():
    decision = decide(
        WorkItem(item_id=1), [person(1, active=False)], ROUND_ROBIN, now=NOW, round_robin_cursor=1
    )

    assert decision.chosen_id is None and decision.next_cursor == 1


def test_least_loaded_counts_points_not_items():
    generalist = person(1, "Gena", load=6, load_count=6)
    specialist = person(2, "Sveta", load=8, load_count=2)
    newcomer = person(3, "Nina", load="5.5", load_count=11)

    decision = decide(
        WorkItem(item_id=1), [generalist, specialist, newcomer], RuleSettings(), now=NOW
    )

    assert decision.chosen_id == 3


def test_least_loaded_ties_go_to_the_longest_idle_never_assigned_first_then_the_lowest_id():
    busy_recently = person(1, load=2, last_assigned_at=NOW - timedelta(minutes=5))
    idle_long = person(2, load=2, last_assigned_at=NOW - timedelta(days=2))
    never = person(3, load=2)
    twin = person(4, load=2)

    assert (
        decide(WorkItem(item_id=1), [busy_recently, idle_long], RuleSettings(), now=NOW).chosen_id
        == 2
    )
    assert (
        decide(
            WorkItem(item_id=1), [busy_recently, idle_long, never], RuleSettings(), now=NOW
        ).chosen_id
        == 3
    )
    assert decide(WorkItem(item_id=1), [twin, never], RuleSettings(), now=NOW).chosen_id == 3


def test_fair_share_gives_work_to_whoever_is_furthest_below_their_share_of_present_days():
    # Both present all 20 days; Anna got 30, Boris 10: Boris is behind.
    anna = person(1, "Anna", assigned_in_window=30, present_days_in_window=20, load=0)
    boris = person(2, "Boris", assigned_in_window=10, present_days_in_window=20, load=9)

    decision = decide(WorkItem(item_id=1, entity="deal"), [anna, boris], FAIR_SHARE, now=NOW)

    assert decision.chosen_id == 2
    assert explain(decision).startswith(
        "Deal 1 went to Boris (fair share, 1.0 items below their share: 9 points)."
    )


def test_someone_back_from_vacation_is_neither_flooded_nor_starved():
    # Twenty days in the window; Vera was on vacation for 19 and is back today.
    # Her colleagues received 10 items a day. She is owed about one day's work, no more.
    colleagues = [person(i, assigned_in_window=200, present_days_in_window=20) for i in range(1, 4)]
    vera = person(9, "Vera", assigned_in_window=0, present_days_in_window=1)
    team = [*colleagues, vera]
    received = {c.employee_id: 0 for c in team}
    for n in range(40):  # about one day of intake for four people at ten items each
        snapshot = [
            person(
                c.employee_id,
                assigned_in_window=c.assigned_in_window + received[c.employee_id],
                present_days_in_window=c.present_days_in_window,
            )
            for c in team
        ]
        chosen = decide(WorkItem(item_id=n), snapshot, FAIR_SHARE, now=NOW).chosen_id
        assert chosen is not None
        received[chosen] += 1

    # Not flooded: she gets her day's share, like each of the others, not the 19 days missed.
    assert 8 <= received[9] <= 12
    # Not starved: she took work from the very first items.
    first = decide(WorkItem(item_id=0), team, FAIR_SHARE, now=NOW)
    assert first.chosen_id == 9


def test_fair_share_carries_a_deficit_of_at_most_one_days_work_so_old_debts_tie():
    # Equal presence; one got 100 items while the others were at capacity and got none.
    lucky = person(1, assigned_in_window=100, present_days_in_window=10)
    others = [person(i, assigned_in_window=0, present_days_in_window=10) for i in (2, 3)]
    deficits = fair_share_deficits([lucky, *others], carry_days=1)

    # T = 101 items over P = 30 present days: one day's work is 101/30 = 3.37 items.
    assert deficits[1] == deficits[2] == 101 / 30
    assert deficits[0] == (101 * 10 - 100 * 30) / 30
    # The two behind tie on the deficit, so the less loaded of them is chosen.
    team = [lucky, *others[:1], person(3, assigned_in_window=0, present_days_in_window=10, load=1)]
    assert decide(WorkItem(item_id=1), team, FAIR_SHARE, now=NOW).chosen_id == 2


def test_look_ahead_puts_someone_leaving_before_the_work_is_done_last_without_dropping_them():
    leaving = person(1, "Lena", next_absence_starts_on=TODAY + timedelta(days=1))
    staying = person(2, "Stas", load=5)
    rule = RuleSettings(look_ahead_days=30)
    long_job = WorkItem(item_id=1, expected_days=10)
    short_job = WorkItem(item_id=2, expected_days=1)

    long_decision = decide(long_job, [leaving, staying], rule, now=NOW)
    short_decision = decide(short_job, [leaving, staying], rule, now=NOW)

    assert long_decision.chosen_id == 2
    lena = long_decision.verdict_for(1)
    assert lena.kept and lena.away_from == TODAY + timedelta(days=1)
    assert "Lena — away from 21.11, before the work would be done" in explain(long_decision)
    assert short_decision.chosen_id == 1 and short_decision.verdict_for(1).away_from is None


def test_look_ahead_still_gives_the_work_to_someone_leaving_when_nobody_else_is_free():
    leaving = person(1, "Lena", next_absence_starts_on=TODAY + timedelta(days=2))
    full = person(2, "Stas", load=10, capacity=10)
    decision = decide(
        WorkItem(item_id=1, expected_days=5),
        [leaving, full],
        RuleSettings(look_ahead_days=7),
        now=NOW,
    )

    assert decision.chosen_id == 1
    assert "away from 22.11, but nobody else was free" in explain(decision)


def test_look_ahead_is_off_without_a_horizon_or_an_expected_duration():
    leaving = person(1, next_absence_starts_on=TODAY + timedelta(days=1))
    staying = person(2, load=5)
    for rule, item in [
        (RuleSettings(), WorkItem(item_id=1, expected_days=10)),
        (RuleSettings(look_ahead_days=30), WorkItem(item_id=1)),
        (RuleSettings(look_ahead_days=1), WorkItem(item_id=1, expected_days=10)),
    ]:
        assert decide(item, [leaving, staying], rule, now=NOW).chosen_id == 1


def test_the_same_inputs_always_give_the_same_decision():
    team = [
        person(i, load=Decimal(i % 3), assigned_in_window=i % 4, present_days_in_window=5)
        for i in range(1, 30)
    ]
    for strategy in Strategy:
        rule = RuleSettings(strategy=strategy)
        first = decide(WorkItem(item_id=1), team, rule, now=NOW, round_robin_cursor=7)
        again = decide(
            WorkItem(item_id=1), list(reversed(team)), rule, now=NOW, round_robin_cursor=7
        )
        assert first == again


def _vacation():
    from .people import on_vacation

    return on_vacation(TODAY + timedelta(days=3))
