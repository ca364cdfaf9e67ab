"""Assignment, from the decision alone to stage entry → committed assignment on a real database.

    python bench/assignment.py --db sqlite|postgres [--employees 120] [--in-work 4000]
        [--history 20000] [--waiting 3000] [--cap 150] [--seconds 20] [--raw-seconds 5]
        [--baseline-seconds 5] [--profile 0] [--gc-freeze] [--seed 7]
        [--decision-employees 1000] [--decisions 3000] [--postgres-url URL]

1. Decision alone: ``engines.assignment.decide`` over 1 000 employees whose loads hold
   100 000 open items (``bench/assignment_decision.py``, reused).
2. End to end: a fresh database (a SQLite file in a temporary directory, or a PostgreSQL
   database created next to ``--postgres-url``'s and dropped at the end), migrated with
   ``conveyor.storage.migrate.upgrade`` and seeded through the services: a production
   department with sub-departments and heads, sales managers, two schedules, time zones,
   absences (current, coming, past), working days opened for most, a few external and
   dismissed employees; the agency's deal pipeline; the rule "paid deals go to the
   least-loaded present producer" (trigger stage, cap in points with per-person
   overrides, weight expression on the deal, two in-work stages, next stage); and, stored in
   bulk through the storage, ``--in-work`` open items already in work, ``--history`` older
   items (closed, early stages), and items waiting for payment to be moved later.
   Then, for ``--seconds``, back-to-back calls alternate ``crm_items.create_item`` at the
   trigger stage and ``crm_items.move_item`` into it: each call is one transaction that
   runs ``assign_on_entry`` and commits. Its wall time is the latency "stage entry →
   committed assignment" (p50, p99); the calls per second are ``assign_per_s``.
   Each entry is also timed on the thread's CPU clock (``e2e_cpu_*``): blind to other
   processes taking the core (this machine is shared) and to the database server's time.
3. Baselines, in the same run and database: the same calls at stages no rule watches, for
   ``--baseline-seconds`` (``no_rule_*``: what the CRM service costs without assignment);
   and the ceiling: one small row INSERTed and COMMITted per transaction through the same
   engine and driver, back to back for ``--raw-seconds`` (``raw_commit_per_s``).
   ``assign_to_ceiling`` is ``assign_per_s / raw_commit_per_s``.
4. With ``--profile N``: N more calls under cProfile, and where their time goes.

Single-threaded throughout (SQLite serializes writers; every assignment by one rule also
locks the rule and updates its round-robin cursor row), so ``assign_per_s`` is one
writer's rate. ``--gc-freeze`` freezes the objects alive after seeding (``gc.freeze()``),
as a server may once started: full collections then skip them. A default run takes about
a minute. The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import json
import pstats
import random
import statistics
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from assignment_decision import measure as measure_decisions
from assignment_decision import percentile
from scratch_databases import POSTGRES_URL, fresh_database
from sqlalchemy import (
    Column,
    DateTime,
    Engine,
    Integer,
    MetaData,
    Table,
    insert,
)

from conveyor.domain.absences import AbsenceKind
from conveyor.domain.actors import SYSTEM, Actor
from conveyor.domain.crm_items import CrmItem
from conveyor.domain.distribution_rules import RuleEntity
from conveyor.domain.field_types import FieldType
from conveyor.domain.pipelines import EntityType, StageSemantics
from conveyor.domain.tokens import Role
from conveyor.domain.workdays import DayAction
from conveyor.services import (
    absences,
    crm_items,
    custom_fields,
    org,
    pipelines,
    schedules,
    workdays,
)
from conveyor.services import distribution_rules as rules
from conveyor.storage.database import build_engine, session_factory
from conveyor.storage.unit_of_work import UnitOfWork
from conveyor.testing import FakeClock

#: Monday 10:00 in Moscow: inside everyone's working hours (Kaliningrad 09:00, Yekaterinburg 12:00).
START = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
DEAL = EntityType.DEAL
STAGES = [
    ("New", StageSemantics.IN_PROGRESS),
    ("Conclude contract", StageSemantics.IN_PROGRESS),
    ("Invoice", StageSemantics.IN_PROGRESS),
    ("Awaiting payment", StageSemantics.IN_PROGRESS),
    ("Prepayment received", StageSemantics.IN_PROGRESS),
    ("Development started", StageSemantics.IN_PROGRESS),
    ("Review", StageSemantics.IN_PROGRESS),
    ("Done", StageSemantics.SUCCESS),
    ("Lost", StageSemantics.FAILURE),
]
TRIGGER, WAITING, IN_WORK = (
    "Prepayment received",
    "Awaiting payment",
    ("Development started", "Review"),
)
TEAMS = ("Design", "Print", "Installation", "3D modelling")
ZONES = ("Europe/Moscow",) * 6 + ("Asia/Yekaterinburg", "Europe/Kaliningrad")
EQUIPMENT = ("standard", "standard", "standard", "large", "special")
WEIGHT = '5 if deal.equipment_type == "special" else (2 if deal.amount > 1000000 else 1)'


# -- the database -----------------------------------------------------------------------


# -- the company ------------------------------------------------------------------------


@dataclass(kw_only=True)
class Company:
    stage_ids: dict[str, int]
    pipeline_id: int
    managers: list[int]
    producers: list[int]
    waiting_ids: list[int]
    rule_id: int


def seed(uow: UnitOfWork, clock: FakeClock, args: argparse.Namespace) -> Company:
    rng = random.Random(args.seed)
    now = clock()
    _, stages = pipelines.create_pipeline(
        uow,
        pipelines.CreatePipeline(
            entity_type=DEAL,
            name="Sales",
            stages=[pipelines.StageSpec(name=n, semantics=s) for n, s in STAGES],
        ),
        actor=SYSTEM,
        now=now,
    )
    stage_ids = {s.name: _id(s.id) for s in stages}
    pipeline_id = stages[0].pipeline_id
    for code, name, kind, options, required_from in (
        ("equipment_type", "Equipment type", FieldType.ENUM, list(dict.fromkeys(EQUIPMENT)), None),
        ("contract_number", "Contract number", FieldType.STRING, [], stage_ids["Invoice"]),
    ):
        custom_fields.create_field(
            uow,
            custom_fields.CreateField(
                entity_type=DEAL,
                code=code,
                name=name,
                type=kind,
                options=options,
                required_from_stage_id=required_from,
            ),
            actor=SYSTEM,
            now=now,
        )
    office = schedules.create_schedule(
        uow, schedules.CreateSchedule(name="Office 5/2"), actor=SYSTEM, now=now
    )
    early = schedules.create_schedule(
        uow,
        schedules.CreateSchedule(
            name="Early shift",
            week={d: [["08:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")},
        ),
        actor=SYSTEM,
        now=now,
    )
    schedule_ids = [None, None, office.id, early.id]

    def department(name: str, parent_id: int | None = None) -> int:
        created = org.create_department(
            uow, org.CreateDepartment(name=name, parent_id=parent_id), actor=SYSTEM, now=now
        )
        return _id(created.id)

    def hire(name: str, department_id: int, **extra: object) -> int:
        employee, _ = org.create_employee(
            uow,
            org.CreateEmployee(
                name=name,
                timezone=rng.choice(ZONES),
                schedule_id=rng.choice(schedule_ids),
                department_ids=[department_id],
                **extra,  # type: ignore[arg-type]
            ),
            actor=SYSTEM,
            now=now - timedelta(days=rng.randint(10, 900)),
        )
        return _id(employee.id)

    sales = department("Sales")
    managers = [hire(f"Manager {n}", sales) for n in range(1, 16)]
    production = department("Production")
    teams = [department(name, production) for name in TEAMS]
    producers = []
    for n in range(1, args.employees + 1):
        team = teams[n % len(teams)]
        producers.append(
            hire(
                f"Producer {n}",
                team,
                is_external=rng.random() < 0.05,
                skills=rng.sample(["3d", "print", "install", "design"], rng.randint(0, 2)),
            )
        )
    for team, head in zip([production, *teams], producers, strict=False):
        org.update_department(uow, team, {"head_id": head}, actor=SYSTEM, now=now)
    dismissed = set(rng.sample(producers, max(1, args.employees // 60)))
    for employee_id in dismissed:
        org.update_employee(uow, employee_id, {"status": "dismissed"}, actor=SYSTEM, now=now)
    staying = [e for e in producers if e not in dismissed]
    _absences(uow, rng, staying, now)
    for employee_id in staying:
        if rng.random() < 0.9:  # the others have not opened their day yet
            workdays.change_workday(uow, employee_id, DayAction.OPEN, actor=SYSTEM, now=now)

    cap = Decimal(args.cap)
    rule = rules.create_rule(
        uow,
        rules.RuleSpec(
            name="Paid deals to production",
            entity_type=RuleEntity.DEAL,
            pipeline_id=pipeline_id,
            trigger_stage_id=stage_ids[TRIGGER],
            department_ids=[production],
            include_subdepartments=True,
            exclude_heads=True,
            allow_external=False,
            respect_absences=True,
            respect_day_status=True,
            respect_working_hours=True,
            default_capacity_points=cap,
            # Part-timers at a smaller cap.
            capacity_overrides={e: cap / 3 for e in rng.sample(producers, args.employees // 20)},
            in_work_stage_ids=[stage_ids[s] for s in IN_WORK],
            weight=WEIGHT,
            strategy=rules.RuleStrategy.LEAST_LOADED,
            next_stage_id=stage_ids[IN_WORK[0]],
        ),
        actor=SYSTEM,
        now=now,
    )
    waiting_ids = _bulk_items(uow, rng, stage_ids, pipeline_id, managers, producers, args, now)
    return Company(
        stage_ids=stage_ids,
        pipeline_id=pipeline_id,
        managers=managers,
        producers=producers,
        waiting_ids=waiting_ids,
        rule_id=_id(rule.id),
    )


def _absences(uow: UnitOfWork, rng: random.Random, people: list[int], now: datetime) -> None:
    """About one in eight away now, soon, or earlier this month."""
    today = now.date()
    for employee_id in rng.sample(people, len(people) // 8):
        first = today + timedelta(days=rng.choice((-3, -1, 0, 4, 10, -20)))
        absences.register_absence(
            uow,
            absences.RegisterAbsence(
                employee_id=employee_id,
                kind=rng.choice(list(AbsenceKind)),
                starts_on=first,
                ends_on=first + timedelta(days=rng.randint(1, 14)),
            ),
            actor=SYSTEM,
            now=now,
        )


def _bulk_items(
    uow: UnitOfWork,
    rng: random.Random,
    stage_ids: dict[str, int],
    pipeline_id: int,
    managers: list[int],
    producers: list[int],
    args: argparse.Namespace,
    now: datetime,
) -> list[int]:
    """Items stored directly (what the company already had): in work, older ones, and the
    ones waiting for payment. Returns the waiting items' ids."""
    # Some producers carry much more than others.
    shares = [rng.paretovariate(2.0) for _ in producers]

    def deal(stage: str, responsible: int, age_days: float, number: int) -> CrmItem:
        created = now - timedelta(days=age_days)
        entered = created + (now - created) * rng.random()
        final = stage in ("Done", "Lost")
        return CrmItem(
            entity_type=DEAL,
            title=f"Order {number}",
            pipeline_id=pipeline_id,
            stage_id=stage_ids[stage],
            amount=Decimal(rng.randrange(50_000, 3_000_000, 5_000)),
            responsible_id=responsible,
            fields={
                "equipment_type": rng.choice(EQUIPMENT),
                "contract_number": f"AG-{number:06d}",
            },
            created_by_id=rng.choice(managers),
            created_at=created,
            updated_at=entered,
            stage_entered_at=entered,
            closed_at=entered if final else None,
        )

    number = 0
    batches: list[list[CrmItem]] = [[], [], []]
    for _ in range(args.in_work):
        number += 1
        owner = rng.choices(producers, weights=shares)[0]
        batches[0].append(deal(rng.choice(IN_WORK), owner, rng.uniform(1, 60), number))
    for _ in range(args.history):
        number += 1
        stage = rng.choice(("Done", "Done", "Lost", "New", "Conclude contract", "Invoice"))
        owner = rng.choice(producers if stage == "Done" else managers)
        batches[1].append(deal(stage, owner, rng.uniform(1, 365), number))
    for _ in range(args.waiting):
        number += 1
        batches[2].append(deal(WAITING, rng.choice(managers), rng.uniform(0, 20), number))
    with uow:
        for batch in batches:
            for start in range(0, len(batch), 2000):
                uow.session.add_all(batch[start : start + 2000])
                uow.flush()
        uow.commit()
    return [_id(item.id) for item in batches[2]]


# -- the calls ----------------------------------------------------------------------------


class Entries:
    """Stage entries at the trigger stage, alternating a new deal created there and a
    waiting deal moved there (only creations once no deal waits any more).

    ``baseline``: the same calls at stages no rule watches (created at "New", moved on to
    "Conclude contract"): what the CRM service costs without any assignment.
    """

    def __init__(
        self, uow: UnitOfWork, clock: FakeClock, company: Company, seed: int, *, baseline: bool
    ) -> None:
        self.uow, self.clock, self.company, self.baseline = uow, clock, company, baseline
        self.rng = random.Random(seed)
        self.waiting = [] if baseline else list(company.waiting_ids)
        self.create_at = company.stage_ids["New" if baseline else TRIGGER]
        self.move_to = company.stage_ids["Conclude contract" if baseline else TRIGGER]
        self.number = 0
        self.kinds: Counter[str] = Counter()
        #: The calling thread's CPU time per entry (ms): blind to other processes taking the
        #: core, and to the time the database server itself spends.
        self.cpu: list[float] = []
        self.outcomes: Counter[str] = Counter()
        self.assigned_to = company.stage_ids[IN_WORK[0]]

    def __call__(self) -> float:
        """One stage entry, timed (ms)."""
        self.number += 1
        now = self.clock.advance(milliseconds=100)
        manager = self.rng.choice(self.company.managers)
        actor = Actor(employee_id=manager, role=Role.EMPLOYEE)
        if self.waiting and self.number % 2:
            item_id = self.waiting.pop()
            started, cpu_started = time.perf_counter(), time.thread_time()
            item = crm_items.move_item(self.uow, DEAL, item_id, self.move_to, actor=actor, now=now)
            elapsed, cpu = time.perf_counter() - started, time.thread_time() - cpu_started
            self.kinds["move"] += 1
        else:
            command = crm_items.CreateItem(
                title=f"Bench order {self.number}",
                stage_id=self.create_at,
                amount=Decimal(self.rng.randrange(50_000, 3_000_000, 5_000)),
                fields={
                    "equipment_type": self.rng.choice(EQUIPMENT),
                    "contract_number": f"B-{self.number:06d}",
                },
            )
            started, cpu_started = time.perf_counter(), time.thread_time()
            item = crm_items.create_item(self.uow, DEAL, command, actor=actor, now=now)
            elapsed, cpu = time.perf_counter() - started, time.thread_time() - cpu_started
            self.kinds["create"] += 1
            if self.baseline:
                self.waiting.append(_id(item.id))
        self.cpu.append(cpu * 1000)
        if not self.baseline:
            assigned = item.stage_id == self.assigned_to
            self.outcomes["assigned" if assigned else "nobody_free"] += 1
        return elapsed * 1000


def in_work_count(uow: UnitOfWork, company: Company) -> int:
    ids = [company.stage_ids[s] for s in IN_WORK]
    with uow:
        totals = uow.workload.in_work_totals(company.producers, ids)
    return sum(t.count for t in totals.values())


def sustained(entries: Entries, seconds: float) -> tuple[list[float], float]:
    """Back-to-back entries for ``seconds``: their latencies and the entries per second."""
    timings = []
    started = time.perf_counter()
    deadline = started + seconds
    while time.perf_counter() < deadline:
        timings.append(entries())
    return timings, len(timings) / (time.perf_counter() - started)


def raw_commits(engine: Engine, seconds: float) -> tuple[float, list[float]]:
    """The ceiling: one small row INSERTed and COMMITted per transaction, back to back."""
    scratch = Table(
        "bench_raw_commits",
        MetaData(),
        Column("id", Integer, primary_key=True),
        Column("n", Integer, nullable=False),
        Column("at", DateTime(timezone=True), nullable=False),
    )
    scratch.create(engine)
    statement = insert(scratch)
    timings = []
    n = 0
    started = time.perf_counter()
    deadline = started + seconds
    while time.perf_counter() < deadline:
        n += 1
        begun = time.perf_counter()
        with engine.begin() as connection:  # the engine's own BEGIN (IMMEDIATE on SQLite)
            connection.execute(statement, {"n": n, "at": START})
        timings.append((time.perf_counter() - begun) * 1000)
    return n / (time.perf_counter() - started), timings


#: What the profile summary looks for: (label, file suffix, function name).
PROFILED = [
    ("service call (create/move)", "services/crm_items.py", "create_item|move_item"),
    ("  assign_on_entry", "services/assignment.py", "assign_on_entry"),
    ("    rules at the stage", "repositories/assignment.py", "triggered_at"),
    ("    condition/weight of the item", "services/assignment.py", "_matches"),
    ("    pool view", "services/assignment.py", "read"),
    ("      resolve_pool", "services/candidates.py", "resolve_pool"),
    ("      held_load", "services/assignment_load.py", "held_load"),
    ("        stored loads (one aggregate)", "repositories/assignment_weights.py", "loads"),
    ("        values of the unweighed", "repositories/assignment_weights.py", "values_of"),
    ("        weigh_values", "services/assignment_context.py", "weigh_values"),
    ("        store", "repositories/assignment_weights.py", "store"),
    ("      candidate_snapshots", "services/candidates.py", "candidate_snapshots"),
    ("        staff", "repositories/workload.py", "staff"),
    ("        heads_among", "repositories/workload.py", "heads_among"),
    ("        absences", "repositories/workload.py", "absences_ending_from"),
    ("        days running", "repositories/workload.py", "days_running_or_on"),
    ("        in-work load read", "repositories/workload.py", "in_work_totals"),
    ("        received in the window", "repositories/workload.py", "created_since"),
    ("        calendars read", "services/candidates.py", "read"),
    ("        working time, present days", "services/candidates.py", "_working_time|present_days"),
    ("      engine decide", "engines/assignment/decide.py", "decide"),
    ("    claim (insert decision)", "repositories/assignment.py", "claim"),
    ("    _next_stage", "services/assignment.py", "_next_stage"),
    ("  UnitOfWork.commit", "storage/unit_of_work.py", "commit"),
]


def _driver(function: str, filename: str, name: str) -> bool:
    """Whether a profiled function is the database driver's ``name`` (execute, commit)."""
    if filename == "~":  # sqlite3's C methods
        return function.startswith(f"<method '{name}") and "sqlite3." in function
    return function.startswith(name) and "psycopg" in filename and "sqlalchemy" not in filename


def profile(entries: Entries, calls: int) -> dict[str, float]:
    """``calls`` entries under cProfile; prints where their time goes (ms per call)."""
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(calls):
        entries()
    profiler.disable()
    stats = pstats.Stats(profiler)
    raw = stats.stats  # type: ignore[attr-defined]
    # cumulative times: (filename, function, cumulative seconds)
    rows = [(f, fn, v[3]) for (f, _, fn), v in raw.items()]
    per_call: dict[str, float] = {}
    print(f"\nprofile of {calls} entries (cumulative ms per entry, under cProfile):")
    measured = [
        (label, sum(c for f, fn, c in rows if f.endswith(suffix) and fn in names.split("|")))
        for label, suffix, names in PROFILED
    ]
    for driver in ("execute", "fetch", "commit"):
        total = sum(c for f, fn, c in rows if _driver(fn, f, driver))
        measured.append((f"driver {driver} (database + wire)", total))
    for label, total in measured:
        per_call[label.strip()] = round(total / calls * 1000, 3)
        print(f"  {label:<40} {total / calls * 1000:8.3f}")
    print("\ntop 25 functions by own time:")
    stats.sort_stats("tottime").print_stats(25)
    return per_call


# -- the run ------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--employees", type=int, default=120, help="producers in the pool")
    parser.add_argument("--in-work", type=int, default=4000, help="open items already in work")
    parser.add_argument("--history", type=int, default=20000, help="older items, mostly closed")
    parser.add_argument("--waiting", type=int, default=3000, help="items to move later")
    parser.add_argument("--cap", type=int, default=150, help="capacity in points per producer")
    parser.add_argument("--seconds", type=float, default=20, help="sustained stage entries")
    parser.add_argument("--raw-seconds", type=float, default=5, help="raw INSERT+COMMIT")
    parser.add_argument(
        "--baseline-seconds", type=float, default=5, help="the same calls where no rule applies"
    )
    parser.add_argument("--profile", type=int, default=0, help="entries under cProfile")
    parser.add_argument(
        "--gc-freeze", action="store_true", help="gc.freeze() after seeding, as a server may"
    )
    parser.add_argument("--decision-employees", type=int, default=1000)
    parser.add_argument("--decisions", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--postgres-url", default=POSTGRES_URL)
    args = parser.parse_args()

    print("== decision alone ==")
    figures: dict[str, object] = {"db": args.db}
    decision = measure_decisions(args.decision_employees, args.decisions, args.seed)
    figures |= {k: decision[k] for k in ("decision_p50_ms", "decision_p99_ms")}
    figures |= {k: decision[k] for k in ("decision_cpu_p50_ms", "decision_cpu_p99_ms")}

    print(f"\n== stage entry -> committed assignment ({args.db}) ==")
    with fresh_database(args.db, args.postgres_url) as url:
        engine = build_engine(url)
        try:
            uow = UnitOfWork(session_factory(engine))
            clock = FakeClock(START)
            started = time.perf_counter()
            company = seed(uow, clock, args)
            in_work_before = in_work_count(uow, company)
            print(
                f"seeded in {time.perf_counter() - started:.1f} s: {args.employees} producers,"
                f" {len(company.managers)} managers, {in_work_before} items in work,"
                f" {args.history} older items, {len(company.waiting_ids)} waiting for payment"
            )
            baseline = Entries(uow, clock, company, args.seed, baseline=True)
            entries = Entries(uow, clock, company, args.seed, baseline=False)
            for _ in range(30):  # warm-up: caches, prepared statements, the first pages
                baseline()
                entries()
            gc.collect()
            if args.gc_freeze:
                # What a server can do once started: the long-lived objects (mappers,
                # calendars, modules) leave the collector's full passes.
                gc.freeze()
            for counted in (entries.cpu, entries.kinds, entries.outcomes):
                counted.clear()
            timings, per_s = sustained(entries, args.seconds)
            cpu_timings = list(entries.cpu)
            kinds, outcomes = dict(entries.kinds), dict(entries.outcomes)
            in_work_after = in_work_count(uow, company)
            gc.collect()
            base_timings, base_per_s = sustained(baseline, args.baseline_seconds)
            raw_per_s, raw_timings = raw_commits(engine, args.raw_seconds)
            per_call = profile(entries, args.profile) if args.profile else {}
        finally:
            engine.dispose()

    p50, p99 = statistics.median(timings), percentile(timings, 0.99)
    print(
        f"{len(timings)} entries in {args.seconds:g} s ({kinds}; outcomes {outcomes});"
        f" items in work {in_work_before} -> {in_work_after}"
    )
    cpu50, cpu99 = statistics.median(cpu_timings), percentile(cpu_timings, 0.99)
    print(f"e2e p50 {p50:.2f} ms, p99 {p99:.2f} ms wall (goal on SQLite: p99 < 50 ms)")
    print(f"e2e p50 {cpu50:.2f} ms, p99 {cpu99:.2f} ms CPU time of this process's thread")
    base50, base99 = statistics.median(base_timings), percentile(base_timings, 0.99)
    print(
        f"the same calls where no rule applies: p50 {base50:.2f} ms, p99 {base99:.2f} ms,"
        f" {base_per_s:.0f}/s; assignment adds {p50 - base50:.2f} ms at p50"
    )
    print(
        f"assign {per_s:.0f}/s; raw INSERT+COMMIT {raw_per_s:.0f}/s"
        f" (p50 {statistics.median(raw_timings):.2f} ms); ratio {per_s / raw_per_s:.3f}"
        " (goal >= 0.30)"
    )
    figures |= {
        "gc_freeze": args.gc_freeze,
        "employees": args.employees,
        "in_work_items": in_work_before,
        "in_work_items_after": in_work_after,
        "entries": len(timings),
        "e2e_p50_ms": round(p50, 3),
        "e2e_p99_ms": round(p99, 3),
        "e2e_cpu_p50_ms": round(cpu50, 3),
        "e2e_cpu_p99_ms": round(cpu99, 3),
        "assign_per_s": round(per_s, 1),
        "raw_commit_per_s": round(raw_per_s, 1),
        "assign_to_ceiling": round(per_s / raw_per_s, 3),
        "raw_commit_p50_ms": round(statistics.median(raw_timings), 3),
        "no_rule_p50_ms": round(base50, 3),
        "no_rule_p99_ms": round(base99, 3),
        "no_rule_per_s": round(base_per_s, 1),
        "nobody_free": outcomes.get("nobody_free", 0),
    }
    if per_call:
        figures["profile_ms_per_entry"] = per_call
    print(json.dumps(figures))


def _id(value: int | None) -> int:
    assert value is not None
    return value


if __name__ == "__main__":
    main()
