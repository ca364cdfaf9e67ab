"""The weekly call distribution of seed 004 on a real database: N companies, M managers.

    python bench/weekly_distribution.py --companies 2000 [--managers 70] [--db sqlite|postgres]
        [--postgres-url URL]

1. A fresh database (a SQLite file in a temporary directory, or a PostgreSQL database
   created next to ``--postgres-url``'s and dropped at the end), migrated with
   ``conveyor.storage.migrate.upgrade``. Seeded through the services: a head, M managers
   (a tenth on vacation this week, every seventh on the Samara clock) on the *Managers*
   list, and a distribution "every Monday 09:00 Moscow, each active manager gets
   ceil(N / present managers) companies", so that ONE run hands out the whole base. The N
   companies are written in bulk straight through the storage (the client base exists
   before the distribution; how it got there is not what is measured).
2. Measured: ``run_due_distributions`` at Monday 09:00, the scheduler's own call: reading
   the list, presence and working time, N keyset reads of companies, N call tasks written
   in bulk, the run record, the cursors, one event, the commit. ``seconds`` is its wall time.
3. Baseline in the same run and database, measured just before: the same number of task
   rows (round-robin over the same managers), prepared in advance as plain tuples, inserted
   with the driver's own ``executemany`` in one transaction, then rolled back (and vacuumed
   on PostgreSQL) — what writing N rows one by one through this driver costs.
   ``ratio_to_baseline`` is seconds / baseline_seconds. The run itself writes with
   ``executemany`` on SQLite and ``COPY`` on PostgreSQL, so there it may beat the baseline.

Goals (issue 3): 2 000 companies in under 0.5 s, 1 000 000 in under 60 s.
The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import math
import time
from datetime import UTC, date, datetime, timedelta

from scratch_databases import POSTGRES_URL, fresh_database
from sqlalchemy import insert

from conveyor.domain.absences import AbsenceKind
from conveyor.domain.actors import SYSTEM, Actor
from conveyor.domain.tokens import Role
from conveyor.services import call_distributions, list_elements, lists, org
from conveyor.services.absences import RegisterAbsence, register_absence
from conveyor.services.call_rounds import run_due_distributions
from conveyor.storage.database import build_engine, session_factory
from conveyor.storage.tables.clients import companies
from conveyor.storage.unit_of_work import UnitOfWork

#: Monday 2 March 2026, 09:00 in Moscow; everything else exists a week before.
MONDAY_9_MSK = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)
BEFORE = MONDAY_9_MSK - timedelta(days=7)
GOALS = {2_000: 0.5, 1_000_000: 60.0}
CHUNK = 20_000


def seed_people(uow: UnitOfWork, managers: int) -> tuple[Actor, int, list[int]]:
    """A head and ``managers`` managers on the *Managers* list; returns the head, the
    list's id and the managers present on Monday."""
    head, _ = org.create_employee(
        uow, org.CreateEmployee(name="Helena Head"), actor=SYSTEM, now=BEFORE
    )
    assert head.id is not None
    examples = {e.code: e for e in lists.seed_example_lists(uow, actor=SYSTEM, now=BEFORE)}
    managers_list = examples["managers"]
    assert managers_list.id is not None
    present: list[int] = []
    for n in range(managers):
        timezone = "Europe/Samara" if n % 7 == 6 else "Europe/Moscow"
        employee, _ = org.create_employee(
            uow,
            org.CreateEmployee(name=f"Manager {n + 1}", timezone=timezone),
            actor=SYSTEM,
            now=BEFORE,
        )
        assert employee.id is not None
        list_elements.add_element(
            uow,
            managers_list.id,
            list_elements.AddElement(
                name=employee.name, values={"employee": employee.id, "status": "active"}
            ),
            actor=SYSTEM,
            now=BEFORE,
        )
        if n % 10 == 9:
            register_absence(
                uow,
                RegisterAbsence(
                    employee_id=employee.id,
                    kind=AbsenceKind.VACATION,
                    starts_on=date(2026, 2, 28),
                    ends_on=date(2026, 3, 8),
                ),
                actor=SYSTEM,
                now=BEFORE,
            )
        else:
            present.append(employee.id)
    return Actor(employee_id=head.id, role=Role.HEAD), managers_list.id, present


def seed_companies(url: str, count: int) -> None:
    """``count`` companies written in bulk, in chunks, outside the services."""
    engine = build_engine(url)
    with engine.begin() as connection:
        for start in range(0, count, CHUNK):
            rows = [
                {
                    "name": f"Company {n:07d}",
                    "name_key": f"company {n:07d}",
                    "fields": {},
                    "created_at": BEFORE,
                    "updated_at": BEFORE,
                }
                for n in range(start + 1, min(start + CHUNK, count) + 1)
            ]
            connection.execute(insert(companies), rows)
    engine.dispose()


def baseline(url: str, count: int, creator_id: int, responsible: list[int]) -> float:
    """Seconds to insert ``count`` task rows like the run's (round-robin over the same
    managers), prepared in advance as tuples, by the driver's ``executemany`` in one
    transaction, rolled back (and on PostgreSQL vacuumed away) before the run."""
    engine = build_engine(url)
    sqlite = url.startswith("sqlite")
    moment: object = MONDAY_9_MSK
    if sqlite:  # as SQLAlchemy stores it there
        moment = MONDAY_9_MSK.replace(tzinfo=None).isoformat(" ", "microseconds")
    placeholder = "?" if sqlite else "%s"
    columns = (
        "title, description, creator_id, responsible_id, status, deadline, "
        "requires_acceptance, company_id, created_at, updated_at, status_changed_at"
    )
    statement = f"INSERT INTO tasks ({columns}) VALUES ({', '.join([placeholder] * 11)})"
    managers = len(responsible)
    rows = [
        (
            f"Call Company {n:07d}",
            "",
            creator_id,
            responsible[n % managers],
            "pending",
            moment,
            False,
            n,
            moment,
            moment,
            moment,
        )
        for n in range(1, count + 1)
    ]
    with engine.connect() as connection:
        raw = connection.connection.driver_connection
        assert raw is not None
        cursor = raw.cursor()
        started = time.perf_counter()
        if sqlite:
            cursor.execute("BEGIN")  # the engine runs sqlite3 in autocommit mode
        for start in range(0, count, CHUNK):
            cursor.executemany(statement, rows[start : start + CHUNK])
        elapsed = time.perf_counter() - started
        raw.rollback()
    if not sqlite:
        with engine.connect() as connection:
            connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
                "VACUUM ANALYZE tasks"
            )
    engine.dispose()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--companies", type=int, default=2_000)
    parser.add_argument("--managers", type=int, default=None, help="default: about N / 30")
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--postgres-url", default=POSTGRES_URL)
    args = parser.parse_args()
    count = args.companies
    managers = args.managers or max(2, min(1_000, math.ceil(count / 30 * 10 / 9)))

    with fresh_database(args.db, args.postgres_url) as url:
        engine = build_engine(url)
        uow = UnitOfWork(session_factory(engine))
        head, list_id, present = seed_people(uow, managers)
        per_manager = math.ceil(count / len(present))
        spec = call_distributions.DistributionSpec(
            name="Monday calls",
            managers_list_id=list_id,
            managers_where={"status": "active"},
            per_manager=per_manager,
        )
        call_distributions.create_distribution(uow, spec, actor=head, now=BEFORE)
        seed_companies(url, count)
        print(
            f"{args.db}: {count} companies, {managers} managers ({len(present)} present), "
            f"{per_manager} each"
        )

        floor = baseline(url, count, head.employee_id, present)
        print(
            f"baseline: raw executemany of {count} task rows {floor:.3f} s, "
            f"{count / floor:,.0f} rows/s"
        )

        started = time.perf_counter()
        [run] = run_due_distributions(uow, now=MONDAY_9_MSK)
        seconds = time.perf_counter() - started
        assert run.companies_given == count, run.companies_given
        engine.dispose()
        print(f"distribution: {seconds:.3f} s, {count / seconds:,.0f} call tasks/s")

    goal = GOALS.get(count)
    result = {
        "db": args.db,
        "companies": count,
        "managers": managers,
        "present_managers": len(present),
        "per_manager": per_manager,
        "seconds": round(seconds, 4),
        "tasks_per_s": round(count / seconds),
        "baseline_seconds": round(floor, 4),
        "baseline_rows_per_s": round(count / floor),
        "ratio_to_baseline": round(seconds / floor, 2),
        "goal_seconds": goal,
        "meets_goal": None if goal is None else seconds < goal,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
