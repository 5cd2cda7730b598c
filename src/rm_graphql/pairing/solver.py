"""The matching engine's entry point: plain records in, pairs with proof and diagnostics out.

Pipeline: person rules -> pair rules (vectorised) -> exact integer scores -> model. Without
circles the model is a network: min-cost flow solves it and an LP dual certificate proves the
optimum (OPTIMAL, gap 0). Group mode, or solver="highs"/"cbc", runs the PuLP integer program
with a warm start from the flow solution and reports the solver's status, bound and gap.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from .assignment import FlowOutcome, PairProblem, solve_with_flow
from .eligibility import EligiblePairs, eligible_pairs, person_exclusions
from .explain import Assignment, diagnose
from .flow import ortools_usable
from .inputs import (
    DepartmentFloor,
    GroupMode,
    MatchingInputError,
    MatchRequest,
    PairRef,
    Person,
    Rules,
    Weights,
    validate_rules,
)
from .integer_program import GroupSpec, MipSettings, solve_with_mip
from .planning import Plan, build_plan, group_spec, resolve_fixed
from .population import IntArray, Population, build_population
from .results import (
    Circle,
    MatchedPair,
    MatchResult,
    NearMiss,
    SolveReport,
    Status,
    Unmatched,
)
from .scoring import CRITERIA, score_pairs

AUTO_PRUNE_DEGREE = 64
AUTO_CANDIDATES = 24

__all__ = [
    "Circle",
    "DepartmentFloor",
    "GroupMode",
    "MatchRequest",
    "MatchResult",
    "MatchedPair",
    "MatchingInputError",
    "NearMiss",
    "PairRef",
    "Person",
    "Rules",
    "SolveReport",
    "Unmatched",
    "Weights",
    "match",
]


@dataclass(frozen=True, slots=True)
class _Solved:
    status: Status
    solver: str
    chosen: IntArray
    objective: int
    bound: int | None
    rounds: int
    circle_topics: dict[int, int]


def match(request: MatchRequest) -> MatchResult:
    """Run one matching: the same request and seed always give the same result."""
    started = time.perf_counter()
    rules = request.rules
    validate_rules(rules)
    _check_topic_levels(request.people)
    excluded = person_exclusions(request.people, rules)
    participants = [p for p in request.people if p.id not in excluded]
    population = build_population(participants, request)
    eligible = eligible_pairs(population, rules)
    contributions = score_pairs(population, eligible.mentees, eligible.mentors, rules.weights)
    fixed = resolve_fixed(request, population, eligible, excluded)
    plan = build_plan(population, eligible, contributions.sum(axis=1), fixed, rules)
    solved = _solve(population, plan, rules)
    chosen = plan.pair_index[solved.chosen]
    final_mentees = np.concatenate([fixed.mentees, eligible.mentees[chosen]])
    final_mentors = np.concatenate([fixed.mentors, eligible.mentors[chosen]])
    pairs = _pairs(population, plan, eligible, contributions, chosen, rules)
    assignment = Assignment(final_mentees, final_mentors, rules, solved.status != "INFEASIBLE")
    unmatched = diagnose(
        population, eligible, assignment, excluded, request.people, request.explain
    )
    fixed_score = sum(p.score_milli for p in pairs if p.origin != "solver")
    report = _report(solved, plan, fixed_score, len(final_mentees), eligible, started)
    circles = _circles(population, solved, final_mentees, final_mentors)
    return MatchResult(report=report, pairs=pairs, circles=circles, unmatched=unmatched)


def _check_topic_levels(people: tuple[Person, ...]) -> None:
    """Topic levels must lie in 1..5."""
    for person in people:
        for topic, level in (*person.teach_topics.items(), *person.learn_topics.items()):
            if not 1 <= level <= 5:
                raise MatchingInputError(
                    f"{person.id!r}: topic {topic!r} level {level} not in 1..5"
                )


def _solve(population: Population, plan: Plan, rules: Rules) -> _Solved:
    """Certified flow for network models; PuLP (warm-started) for circles or when asked."""
    problem = plan.problem
    limit = rules.candidate_limit or _auto_limit(problem)
    flow = solve_with_flow(problem, limit)
    if rules.group is None and rules.solver in ("auto", "flow"):
        return _from_flow(flow)
    group = group_spec(population, plan, rules.group.min_size) if rules.group else None
    start = flow.chosen if flow.feasible else None
    if group is not None and start is not None:
        start = circle_start(problem, group, start)
    settings = MipSettings(
        solver="cbc" if rules.solver == "cbc" else "highs",
        time_limit_seconds=rules.time_limit_seconds,
        relative_gap=rules.relative_gap,
    )
    mip = solve_with_mip(problem, settings, group, start)
    name = f"{settings.solver.upper() if settings.solver == 'cbc' else 'HiGHS'} via PuLP"
    bound = None if mip.bound is None else int(mip.bound)
    return _Solved(mip.status, name, mip.chosen, mip.objective, bound, 1, mip.circle_topics)


def _auto_limit(problem: PairProblem) -> int | None:
    """Prune only dense instances, where it pays; the dual check keeps it exact."""
    dense = problem.pair_count > AUTO_PRUNE_DEGREE * max(problem.mentee_count, 1)
    return AUTO_CANDIDATES if dense else None


def _from_flow(flow: FlowOutcome) -> _Solved:
    """Map a flow outcome to a status: OPTIMAL only with a verified certificate."""
    backend = "OR-Tools" if ortools_usable() else "SciPy HiGHS LP"
    name = f"min-cost flow ({backend}) + LP dual certificate"
    if not flow.feasible:
        return _Solved("INFEASIBLE", name, flow.chosen, 0, None, flow.rounds, {})
    status: Status = "OPTIMAL" if flow.certified else "FEASIBLE"
    return _Solved(status, name, flow.chosen, flow.objective, flow.bound, flow.rounds, {})


def circle_start(problem: PairProblem, group: GroupSpec, chosen: IntArray) -> IntArray:
    """Repair a flow solution into circles: keep each mentor's largest shared-topic subgroup."""
    keep: list[int] = []
    fixed_topics: dict[int, set[int]] = {}
    for mentor, topics in group.fixed_topics:
        fixed_topics[mentor] = fixed_topics.get(mentor, set(topics)) & set(topics)
    by_mentor: dict[int, list[int]] = {}
    for pair in chosen.tolist():
        by_mentor.setdefault(int(problem.pair_mentor[pair]), []).append(pair)
    for mentor, pairs in sorted(by_mentor.items()):
        allowed = fixed_topics.get(mentor)
        best: list[int] = []
        for topic in sorted({t for p in pairs for t in group.pair_topics[p]}):
            if allowed is not None and topic not in allowed:
                continue
            members = [p for p in pairs if topic in group.pair_topics[p]]
            best = members if len(members) > len(best) else best
        if len(best) + int(group.fixed_members[mentor]) >= group.min_size:
            keep.extend(best)
    return np.array(sorted(keep), dtype=np.int64)


def _pairs(
    population: Population,
    plan: Plan,
    eligible: EligiblePairs,
    contributions: IntArray,
    chosen: IntArray,
    rules: Rules,
) -> tuple[MatchedPair, ...]:
    """Fixed pairs and solver pairs with breakdowns, sorted by (mentor id, mentee id)."""
    fixed = plan.fixed
    fixed_scores = score_pairs(population, fixed.mentees, fixed.mentors, rules.weights)
    rows = [
        (int(e), int(r), fixed_scores[k], origin)
        for k, (e, r, origin) in enumerate(
            zip(fixed.mentees, fixed.mentors, fixed.origins, strict=True)
        )
    ]
    rows += [
        (int(eligible.mentees[p]), int(eligible.mentors[p]), contributions[p], "solver")
        for p in chosen
    ]
    pairs = [
        MatchedPair(
            mentor_id=population.mentors.ids[mentor],
            mentee_id=population.mentees.ids[mentee],
            score_milli=int(parts.sum()),
            breakdown_milli={c.value: int(v) for c, v in zip(CRITERIA, parts, strict=True)},
            origin=origin,
        )
        for mentee, mentor, parts, origin in rows
    ]
    return tuple(sorted(pairs, key=lambda p: (p.mentor_id, p.mentee_id)))


def _report(
    solved: _Solved,
    plan: Plan,
    fixed_score: int,
    matched: int,
    eligible: EligiblePairs,
    started: float,
) -> SolveReport:
    """Objective and bound in points, including the fixed pairs' constant score."""
    objective = solved.objective + fixed_score
    bound = None if solved.bound is None else solved.bound + fixed_score
    gap = None if bound is None else max(bound - objective, 0) / max(abs(bound), 1)
    matchable = int(len(np.unique(plan.problem.pair_mentee)) + len(plan.fixed.mentees))
    return SolveReport(
        status=solved.status,
        solver=solved.solver,
        objective=objective / 1000,
        bound=None if bound is None else bound / 1000,
        gap=gap,
        matched_mentees=matched,
        matchable_mentees=matchable,
        eligible_pairs=eligible.size,
        rounds=solved.rounds,
        seconds=time.perf_counter() - started,
        warnings=plan.warnings,
    )


def _circles(
    population: Population, solved: _Solved, mentees: IntArray, mentors: IntArray
) -> tuple[Circle, ...]:
    """Group mode: each running circle with its topic and members."""
    circles = []
    for mentor, topic in sorted(solved.circle_topics.items()):
        members = sorted(population.mentees.ids[m] for m in mentees[mentors == mentor])
        if members:
            circles.append(
                Circle(population.mentors.ids[mentor], population.topics[topic], tuple(members))
            )
    return tuple(sorted(circles, key=lambda c: c.mentor_id))
