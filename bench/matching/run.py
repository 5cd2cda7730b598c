"""Matching benchmarks: each figure beside its anchor, measured in the same run, with the ratio.

Run: .venv/bin/python -m bench.matching [--quick]   (or: python bench/matching/run.py)
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import numpy as np

if __package__ in (None, ""):  # run as a script: make `bench` and `rm_graphql` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    sys.path.insert(1, str(Path(__file__).resolve().parents[2] / "src"))

from bench.matching.instances import dense_weights, sparse_problem, with_departments
from rm_graphql.pairing.assignment import PairProblem, solve_with_flow
from rm_graphql.pairing.integer_program import MipSettings, solve_with_mip

T = TypeVar("T")


def timed(action: Callable[[], T], repeat: int = 1) -> tuple[T, float]:
    """Return the result and the best wall time over `repeat` runs."""
    best, result = float("inf"), None
    for _ in range(repeat):
        started = time.perf_counter()
        result = action()
        best = min(best, time.perf_counter() - started)
    assert result is not None
    return result, best


def ortools_anchor(problem: PairProblem) -> int:
    """OR-Tools SimpleMinCostFlow on the same pairs: source -> mentee -> mentor -> sink."""
    from ortools.graph.python import min_cost_flow

    mentees, mentors = problem.mentee_count, len(problem.mentor_capacity)
    source, sink = mentees + mentors, mentees + mentors + 1
    solver = min_cost_flow.SimpleMinCostFlow()
    solver.add_arcs_with_capacity_and_unit_cost(
        np.concatenate(
            [np.full(mentees, source), problem.pair_mentee, mentees + np.arange(mentors), [source]]
        ),
        np.concatenate(
            [np.arange(mentees), mentees + problem.pair_mentor, np.full(mentors, sink), [sink]]
        ),
        np.concatenate(
            [
                np.ones(mentees + problem.pair_count, dtype=np.int64),
                problem.mentor_capacity,
                [mentees],
            ]
        ),
        np.concatenate(
            [
                np.zeros(mentees, dtype=np.int64),
                -problem.pair_weight,
                np.zeros(mentors + 1, dtype=np.int64),
            ]
        ),
    )
    supplies = np.zeros(sink + 1, dtype=np.int64)
    supplies[source], supplies[sink] = mentees, -mentees
    solver.set_nodes_supplies(np.arange(sink + 1), supplies)
    assert solver.solve() == solver.OPTIMAL
    return -int(solver.optimal_cost())


def line(label: str, ours: str, anchor: str, ratio: str) -> None:
    """Print one figure beside its anchor."""
    print(f"  {label:<44} ours: {ours:<34} anchor: {anchor:<34} {ratio}")


def bench_assignment(mentees: int, mentors: int) -> None:
    """1. Capacitated assignment vs OR-Tools SimpleMinCostFlow on the same pairs."""
    problem = sparse_problem(mentees, mentors, degree=12, seed=1)
    print(
        f"1. capacitated assignment: {mentees} mentees, {mentors} mentors x2, "
        f"{problem.pair_count} pairs"
    )
    anchor, anchor_time = timed(lambda: ortools_anchor(problem), repeat=3)
    outcome, ours_time = timed(lambda: solve_with_flow(problem), repeat=3)
    status = "OPTIMAL" if outcome.certified else "UNPROVEN"
    line(
        "objective",
        f"{outcome.objective} ({status}, gap 0)"
        if outcome.bound == outcome.objective
        else f"{outcome.objective} bound {outcome.bound}",
        f"{anchor} (OR-Tools)",
        "same" if outcome.objective == anchor else "DIFFERENT",
    )
    line(
        "time, build + solve + certify (best of 3)",
        f"{ours_time:.3f} s",
        f"{anchor_time:.3f} s",
        f"ratio {ours_time / anchor_time:.2f}x (target <= 2x)",
    )


def bench_dense(size: int) -> None:
    """2. Dense check against SciPy's linear_sum_assignment."""
    from scipy.optimize import linear_sum_assignment

    grid = dense_weights(size, seed=2)
    print(f"2. dense check: {size} x {size} (all {size * size} pairs, capacity 1)")
    (rows, cols), anchor_time = timed(lambda: linear_sum_assignment(grid, maximize=True))
    anchor = int(grid[rows, cols].sum())
    problem = PairProblem(
        mentee_count=size,
        mentor_capacity=np.ones(size, dtype=np.int64),
        pair_mentee=np.repeat(np.arange(size), size),
        pair_mentor=np.tile(np.arange(size), size),
        pair_weight=grid.ravel(),
        mentee_department=np.full(size, -1, dtype=np.int64),
    )
    outcome, ours_time = timed(lambda: solve_with_flow(problem, candidate_limit=24))
    line(
        "objective (pruned to 24/mentee + dual check)",
        f"{outcome.objective} (certified {outcome.certified}, {outcome.rounds} rounds)",
        f"{anchor} (linear_sum_assignment)",
        "same" if outcome.objective == anchor else "DIFFERENT",
    )
    line(
        "time",
        f"{ours_time:.3f} s",
        f"{anchor_time:.3f} s",
        f"ratio {ours_time / anchor_time:.2f}x",
    )


def bench_departments(mentees: int, mentors: int, cbc_limit: float) -> None:
    """3. Department floors and per-mentor department caps vs the same model in PuLP + CBC."""
    base = sparse_problem(mentees, mentors, degree=10, seed=3)
    problem = with_departments(base, seed=3, floor=0.97, cap=1)
    print(
        f"3. department side constraints: {mentees} mentees, {problem.pair_count} pairs, "
        f"floors {problem.department_floor.tolist()}, cap 1 per mentor and department"
    )
    free = solve_with_flow(
        PairProblem(
            **{
                **_fields(problem),
                "department_floor": np.zeros(0, np.int64),
                "department_cap": None,
            }
        )
    )
    flow, flow_time = timed(lambda: solve_with_flow(problem))
    solve_with_mip(sparse_problem(5, 3, degree=2, seed=0), MipSettings())  # start the PuLP helper
    binding = "binding" if flow.objective < free.objective else "NOT binding"
    print(
        f"  unconstrained optimum {free.objective} vs constrained {flow.objective}: "
        f"constraints {binding}"
    )
    settings = MipSettings(solver="highs", time_limit_seconds=30, relative_gap=1e-3)
    highs, highs_time = timed(lambda: solve_with_mip(problem, settings, warm_start=flow.chosen))
    cbc_settings = MipSettings(solver="cbc", time_limit_seconds=cbc_limit, relative_gap=1e-3)
    cbc, cbc_time = timed(lambda: solve_with_mip(problem, cbc_settings))
    best = flow.bound if flow.bound is not None else flow.objective
    cbc_text = f"{cbc.status} {cbc.objective} bound {cbc.bound}"
    line(
        "flow (network model) objective / bound",
        f"{flow.objective} / {flow.bound} (gap 0)",
        cbc_text,
        f"loss vs optimum {(best - flow.objective) / best:.4%}",
    )
    line(
        "flow time",
        f"{flow_time:.3f} s",
        f"{cbc_time:.3f} s (PuLP+CBC, cold)",
        f"ratio {cbc_time / flow_time:.0f}x faster (target >= 5x, < 30 s)",
    )
    line(
        "PuLP+HiGHS warm-started from flow",
        f"{highs.status} {highs.objective} bound {highs.bound}",
        f"{highs_time:.3f} s",
        f"loss {(best - highs.objective) / best:.4%}",
    )


def _fields(problem: PairProblem) -> dict[str, object]:
    return {name: getattr(problem, name) for name in problem.__slots__}


def bench_scale(mentees: int) -> None:
    """4. Large unconstrained instance: time and peak memory."""
    mentors = mentees // 2
    problem = sparse_problem(mentees, mentors, degree=10, seed=4)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"4. scale: {mentees} mentees, {mentors} mentors x2, {problem.pair_count} pairs")
    outcome, ours_time = timed(lambda: solve_with_flow(problem))
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    solve_with_flow(problem)
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    anchor, anchor_time = timed(lambda: ortools_anchor(problem))
    line(
        "objective",
        f"{outcome.objective} (certified {outcome.certified})",
        f"{anchor} (OR-Tools)",
        "same" if outcome.objective == anchor else "DIFFERENT",
    )
    line(
        "time (target < 20 s)",
        f"{ours_time:.2f} s",
        f"{anchor_time:.2f} s",
        f"ratio {ours_time / anchor_time:.2f}x",
    )
    print(
        f"  peak memory: numpy/Python heap {traced_peak / 2**20:.0f} MiB (tracemalloc); "
        "process max RSS "
        f"{rss_after / 1024:.0f} MiB (was {rss_before / 1024:.0f} MiB before the solve)"
    )


def main(argv: list[str] | None = None) -> int:
    """Run all four benchmarks (small sizes with --quick)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small smoke run (seconds)")
    quick = parser.parse_args(argv).quick
    bench_scale(5_000 if quick else 100_000)
    bench_assignment(1_000 if quick else 10_000, 500 if quick else 5_000)
    bench_dense(300 if quick else 2_000)
    bench_departments(1_000 if quick else 10_000, 500 if quick else 5_000, 20 if quick else 300)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
