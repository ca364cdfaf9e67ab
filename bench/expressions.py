"""How fast a robot condition is evaluated by the safe expression evaluator.

Compiles the seeds' robot condition ``contact.vip and deal.equipment_type == "special"`` (timing
each compile), then evaluates the one compiled expression on N varied deal contexts: throughput
over the whole batch and the latency of single evaluations (p50, p99). As a ceiling measured in
the same run, the same condition written by hand as a Python lambda over the same contexts.

Run:  python bench/expressions.py [--contexts 50000] [--seed 1]
Prints readable lines, then as its last line one JSON object with ``evals_per_s``,
``compile_us_median``, ``eval_us_p50``, ``eval_us_p99``, ``baseline_evals_per_s`` and
``ratio_to_baseline``. Takes a few seconds.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from collections.abc import Callable, Mapping
from typing import Any

from conveyor.engines.expressions import compile_expression

CONDITION = 'contact.vip and deal.equipment_type == "special"'
NAMES = {"deal", "contact", "company", "responsible"}


def _contexts(count: int, rng: random.Random) -> list[dict[str, Any]]:
    """Deal contexts shaped as robots will see them: the item, its contact, company, owner."""
    return [
        {
            "deal": {
                "id": n,
                "title": f"Order {n}",
                "stage": rng.choice(["new", "processing", "payment"]),
                "equipment_type": rng.choice(["standard", "large", "special"]),
                "amount": rng.randint(100, 100_000),
                "fields": {"contract_no": f"C-{n}", "tags": ["urgent"] if n % 3 else []},
            },
            "contact": {"id": n, "name": "Ivan", "vip": rng.random() < 0.3},
            "company": {"id": n % 500, "name": "ACME", "region": "Samara"},
            "responsible": {"id": n % 40, "department_id": 2, "skills": ["3D"]},
        }
        for n in range(count)
    ]


def _throughput(evaluate: Callable[[Mapping[str, Any]], object], contexts: list[Any]) -> float:
    started = time.perf_counter()
    for context in contexts:
        evaluate(context)
    return len(contexts) / (time.perf_counter() - started)


def _baseline(context: Mapping[str, Any]) -> object:
    # The hand-written equivalent, with the same "missing reads as empty" meaning.
    return (context.get("contact") or {}).get("vip") and (context.get("deal") or {}).get(
        "equipment_type"
    ) == "special"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contexts", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    contexts = _contexts(args.contexts, random.Random(args.seed))

    compile_us = []
    for _ in range(300):
        started = time.perf_counter_ns()
        condition = compile_expression(CONDITION, names=NAMES)
        compile_us.append((time.perf_counter_ns() - started) / 1000)

    fired = sum(condition.test(context) for context in contexts)  # also warms up
    assert fired == sum(bool(_baseline(context)) for context in contexts)
    evals_per_s = _throughput(condition.evaluate, contexts)
    baseline_per_s = _throughput(_baseline, contexts)

    latencies = []
    for context in contexts[:20_000]:
        started = time.perf_counter_ns()
        condition.evaluate(context)
        latencies.append((time.perf_counter_ns() - started) / 1000)
    cuts = statistics.quantiles(latencies, n=100)

    figures = {
        "condition": CONDITION,
        "contexts": len(contexts),
        "fired": fired,
        "evals_per_s": round(evals_per_s),
        "compile_us_median": round(statistics.median(compile_us), 1),
        "eval_us_p50": round(cuts[49], 2),
        "eval_us_p99": round(cuts[98], 2),
        "baseline_evals_per_s": round(baseline_per_s),
        "ratio_to_baseline": round(evals_per_s / baseline_per_s, 4),
    }
    print(f"condition: {CONDITION}  ({fired} of {len(contexts)} contexts match)")
    print(f"compile: median {figures['compile_us_median']} µs")
    print(
        f"evaluate: {figures['evals_per_s']:,} evals/s; "
        f"one evaluation p50 {figures['eval_us_p50']} µs, p99 {figures['eval_us_p99']} µs"
    )
    print(
        f"hand-written lambda: {figures['baseline_evals_per_s']:,} evals/s "
        f"(evaluator at {figures['ratio_to_baseline']:.1%} of it)"
    )
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
