"""The integer program of record, and every PuLP call in the engine (one place for PuLP 4).

Variables x[p] pick candidate pairs; in group mode y[m, t] picks the topic of mentor m's circle.
This module runs only in the helper process (see integer_program._Helper).
"""

from __future__ import annotations

import math
import re
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pulp

from .assignment import PairProblem
from .integer_program import GroupSpec, MipOutcome, MipSettings, receive, send
from .population import IntArray


@dataclass(frozen=True, slots=True)
class _Model:
    problem: pulp.LpProblem
    pick: list[Any]
    circle: dict[tuple[int, int], Any]
    bonus: int
    pair_mentor: list[int]


def serve() -> None:
    """Child main loop: answer solve tasks from stdin until it closes."""
    source, sink = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # solver chatter must not corrupt the answer pipe
    while True:
        try:
            task = receive(source)
        except EOFError:
            return
        try:
            answer: object = solve_here(*task)  # type: ignore[misc]
        except Exception as error:
            answer = error
        send(sink, answer)


def solve_here(
    problem: PairProblem,
    settings: MipSettings,
    group: GroupSpec | None = None,
    warm_start: IntArray | None = None,
) -> MipOutcome:
    """Build the model from coefficient lists, warm-start it and solve with HiGHS or CBC."""
    model = build_model(problem, group)
    if warm_start is not None:
        _set_start(model, warm_start, group)
    estimate = int(problem.pair_weight[warm_start].sum()) if warm_start is not None else 0
    bound = _run(model, settings, estimate)
    return _read(model, problem, bound)


def build_model(problem: PairProblem, group: GroupSpec | None) -> _Model:
    """Create variables and constraints; each expression is built from prepared term lists."""
    lp = pulp.LpProblem("reverse_mentoring", pulp.LpMaximize)
    width = len(str(max(problem.pair_count, 1)))
    pick = [
        pulp.LpVariable(f"x_{p:0{width}d}", cat=pulp.LpBinary) for p in range(problem.pair_count)
    ]
    bonus = problem.match_bonus()
    weights = (problem.pair_weight + bonus).tolist()
    lp.setObjective(pulp.LpAffineExpression(list(zip(pick, weights, strict=True))))
    for mentee_pairs in _groups(problem.pair_mentee):
        _add(lp, [pick[p] for p in mentee_pairs], "<=", 1)
    capacities = problem.mentor_capacity
    for mentor, mentor_pairs in zip(*_keyed_groups(problem.pair_mentor), strict=True):
        if group is None and len(mentor_pairs) > capacities[mentor]:
            _add(lp, [pick[p] for p in mentor_pairs], "<=", int(capacities[mentor]))
    _department_caps(lp, problem, pick)
    _department_floors(lp, problem, pick)
    circle = _circles(lp, problem, pick, group) if group is not None else {}
    return _Model(lp, pick, circle, bonus, problem.pair_mentor.tolist())


def _add(lp: pulp.LpProblem, variables: Sequence[Any], sense: str, rhs: float) -> None:
    """Add sum(variables) <=, >= or == rhs as one constraint."""
    expression = pulp.LpAffineExpression([(v, 1) for v in variables])
    senses = {"<=": pulp.LpConstraintLE, ">=": pulp.LpConstraintGE, "==": pulp.LpConstraintEQ}
    lp.addConstraint(pulp.LpConstraint(expression, senses[sense], rhs=rhs))


def _groups(keys: IntArray) -> list[IntArray]:
    """Split pair indices into runs sharing a key."""
    return _keyed_groups(keys)[1]


def _keyed_groups(keys: IntArray) -> tuple[list[int], list[IntArray]]:
    """Return each distinct key and the pair indices carrying it."""
    if len(keys) == 0:
        return [], []
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    cuts = np.flatnonzero(sorted_keys[1:] != sorted_keys[:-1]) + 1
    starts = np.r_[0, cuts]
    return sorted_keys[starts].tolist(), np.split(order, cuts)


def _department_caps(lp: pulp.LpProblem, problem: PairProblem, pick: list[Any]) -> None:
    """At most k mentees of one department per mentor (counting fixed pairs)."""
    if problem.department_cap is None or problem.pair_count == 0:
        return
    departments = problem.mentee_department[problem.pair_mentee]
    known = np.flatnonzero(departments >= 0)
    cap_left = problem.department_cap_left()
    width = int(departments.max(initial=0)) + 1
    keys = problem.pair_mentor[known] * width + departments[known]
    for group in _groups(keys):
        pairs = known[group]
        if len(pairs) > cap_left[pairs[0]]:
            _add(lp, [pick[p] for p in pairs], "<=", int(cap_left[pairs[0]]))


def _department_floors(lp: pulp.LpProblem, problem: PairProblem, pick: list[Any]) -> None:
    """At least floor[d] free mentees of department d are matched."""
    departments = problem.mentee_department[problem.pair_mentee]
    for department, floor in enumerate(problem.department_floor.tolist()):
        if floor > 0:
            pairs = np.flatnonzero(departments == department)
            _add(lp, [pick[p] for p in pairs], ">=", floor)


def _circles(
    lp: pulp.LpProblem, problem: PairProblem, pick: list[Any], group: GroupSpec
) -> dict[tuple[int, int], Any]:
    """One topic per circle; members share it; size in [min_size, capacity] when it runs."""
    circle: dict[tuple[int, int], Any] = {}
    for pair, topics in enumerate(group.pair_topics):
        mentor = int(problem.pair_mentor[pair])
        for topic in topics:
            if (mentor, topic) not in circle:
                circle[mentor, topic] = pulp.LpVariable(f"y_{mentor}_{topic}", cat=pulp.LpBinary)
        terms = [(pick[pair], 1)] + [(circle[mentor, t], -1) for t in topics]
        lp.addConstraint(pulp.LpConstraint(pulp.LpAffineExpression(terms), pulp.LpConstraintLE))
    for mentor, topics in group.fixed_topics:
        options = [
            circle.setdefault((mentor, t), pulp.LpVariable(f"y_{mentor}_{t}", cat=pulp.LpBinary))
            for t in topics
        ]
        _add(lp, options, ">=", 1)
    by_mentor: dict[int, list[Any]] = {}
    for (mentor, _topic), variable in sorted(circle.items()):
        by_mentor.setdefault(mentor, []).append(variable)
    mentor_pairs = dict(zip(*_keyed_groups(problem.pair_mentor), strict=True))
    for mentor, options in by_mentor.items():
        _add(lp, options, "<=", 1)
        members = [(pick[p], 1) for p in mentor_pairs.get(mentor, [])]
        fixed = int(group.fixed_members[mentor])
        capacity = int(problem.mentor_capacity[mentor]) + fixed
        # A running circle holds fixed + picked members within [min_size, capacity].
        upper = pulp.LpAffineExpression(members + [(y, -capacity) for y in options])
        lower = pulp.LpAffineExpression(members + [(y, -group.min_size) for y in options])
        lp.addConstraint(pulp.LpConstraint(upper, pulp.LpConstraintLE, rhs=-fixed))
        lp.addConstraint(pulp.LpConstraint(lower, pulp.LpConstraintGE, rhs=-fixed))
    return circle


def _set_start(model: _Model, chosen: IntArray, group: GroupSpec | None) -> None:
    """Give every variable its warm-start value; skip if no circle topic fits the start."""
    picked = set(chosen.tolist())
    for pair, variable in enumerate(model.pick):
        variable.setInitialValue(1 if pair in picked else 0)
    if group is None:
        return
    topics = _start_topics(model, chosen, group)
    for (mentor, topic), variable in model.circle.items():
        variable.setInitialValue(1 if topics.get(mentor) == topic else 0)


def _start_topics(model: _Model, chosen: IntArray, group: GroupSpec) -> dict[int, int]:
    """Pick, per mentor in the start, the smallest topic every member shares."""
    shared: dict[int, set[int]] = {}
    mentors = model.pair_mentor
    for pair in chosen.tolist():
        topics = set(group.pair_topics[pair])
        shared[mentors[pair]] = shared.get(mentors[pair], topics) & topics
    for mentor, fixed in group.fixed_topics:
        shared[mentor] = shared.get(mentor, set(fixed)) & set(fixed)
    return {mentor: min(options) for mentor, options in shared.items() if options}


class _WarmHiGHS(pulp.HiGHS):  # type: ignore[misc]
    """PuLP's HiGHS adapter, handing the variables' initial values to HiGHS before it runs."""

    def callSolver(self, lp: pulp.LpProblem) -> None:
        import highspy

        values = [v.varValue for v in lp.variables()]
        if any(value is not None for value in values):
            start = highspy.HighsSolution()
            start.col_value = [0.0 if value is None else float(value) for value in values]
            start.value_valid = True
            lp.solverModel.setSolution(start)
        lp.solverModel.run()


def _run(model: _Model, settings: MipSettings, estimate: int) -> float | None:
    """Solve; return the solver's proven upper bound on the objective (None if unknown)."""
    # In participation mode the bonus dwarfs scores, so the gap is set in score units.
    absolute_gap = settings.relative_gap * max(estimate, 1) if model.bonus else None
    relative_gap = 1e-9 if model.bonus else settings.relative_gap
    if settings.solver == "highs":
        solver = _WarmHiGHS(
            msg=False,
            timeLimit=settings.time_limit_seconds,
            gapRel=relative_gap,
            gapAbs=absolute_gap,
            threads=1,
        )
        model.problem.solve(solver)
        info = model.problem.solverModel.getInfo()
        return -float(info.mip_dual_bound) if math.isfinite(info.mip_dual_bound) else None
    with tempfile.TemporaryDirectory() as folder:
        log = Path(folder) / "cbc.log"
        options = [f"allowableGap {absolute_gap}"] if absolute_gap is not None else []
        solver = pulp.PULP_CBC_CMD(
            msg=False,
            timeLimit=settings.time_limit_seconds,
            gapRel=relative_gap,
            warmStart=True,
            logPath=str(log),
            options=options,
            threads=1,
        )
        model.problem.solve(solver)
        return _cbc_bound(log.read_text(errors="replace"), model.problem)


def _cbc_bound(log: str, lp: pulp.LpProblem) -> float | None:
    """Read CBC's best possible objective from its log (CBC minimises the negated objective)."""
    found = re.findall(r"best possible\s+(-?[\d.eE+]+)", log)
    if found:
        return -float(found[-1])
    if re.search(r"Result - Optimal solution found", log):
        return float(pulp.value(lp.objective))
    return None


def _read(model: _Model, problem: PairProblem, bound: float | None) -> MipOutcome:
    """Collect chosen pairs and topics; convert the bound to score units."""
    solution_status = model.problem.sol_status
    if solution_status == pulp.LpSolutionInfeasible:
        return MipOutcome("INFEASIBLE", np.zeros(0, dtype=np.int64), {}, 0, None)
    values = [v.varValue for v in model.pick]
    chosen = np.array(
        [p for p, v in enumerate(values) if v is not None and v > 0.5], dtype=np.int64
    )
    if solution_status not in (pulp.LpSolutionOptimal, pulp.LpSolutionIntegerFeasible):
        return MipOutcome("NO_SOLUTION", np.zeros(0, dtype=np.int64), {}, 0, bound)
    topics = {m: t for (m, t), y in model.circle.items() if (y.varValue or 0) > 0.5}
    objective = int(problem.pair_weight[chosen].sum())
    score_bound = None
    if bound is not None:
        score_bound = math.floor(bound + 1e-6) - model.bonus * len(chosen)
    proven = score_bound is not None and score_bound <= objective
    return MipOutcome("OPTIMAL" if proven else "FEASIBLE", chosen, topics, objective, score_bound)
