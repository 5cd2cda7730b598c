"""Property tests: hard rules, capacities, optimality against an independent reference."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import fields, replace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rm_graphql.pairing.inputs import DepartmentFloor, MatchRequest, Person, Rules
from rm_graphql.pairing.solver import match

from .helpers import (
    broken_rules,
    capacity_of,
    engine_weights,
    people,
    reference_optimum,
    solver_pairs,
)

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
MIP = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])

rules_strategy = st.builds(
    Rules,
    direction=st.sampled_from(["level", "generation"]),
    min_level_gap=st.integers(0, 3),
    exclude_same_department=st.booleans(),
    max_timezone_diff_hours=st.sampled_from([None, 1.0, 6.0]),
    objective=st.sampled_from(["score", "participation"]),
    default_capacity=st.integers(1, 2),
)


def _by_id(population: tuple[Person, ...]) -> dict[str, Person]:
    return {p.id: p for p in population}


@FAST
@given(population=people(), rules=rules_strategy)
def test_no_pair_breaks_a_hard_rule_and_capacities_hold(
    population: tuple[Person, ...], rules: Rules
) -> None:
    result = match(MatchRequest(people=population, rules=rules))
    person = _by_id(population)
    for mentor_id, mentee_id in solver_pairs(result):
        mentee, mentor = person[mentee_id], person[mentor_id]
        assert mentee.role == "mentee"
        assert mentor.role == "mentor"
        assert mentee.active
        assert mentor.active
        assert broken_rules(mentee, mentor, rules) == set()
    mentee_use = Counter(mentee for _, mentee in solver_pairs(result))
    mentor_use = Counter(mentor for mentor, _ in solver_pairs(result))
    assert all(count == 1 for count in mentee_use.values())
    assert all(mentor_use[m] <= capacity_of(person[m], rules) for m in mentor_use)
    assert result.report.status == "OPTIMAL"
    assert result.report.gap == 0


@FAST
@given(population=people(), rules=rules_strategy)
def test_optimum_equals_independent_assignment_reference(
    population: tuple[Person, ...], rules: Rules
) -> None:
    request = MatchRequest(people=population, rules=rules)
    weights = engine_weights(request)
    person = _by_id(population)
    expected_pairs = {
        (e.id, r.id)
        for e in population
        for r in population
        if e.role == "mentee" and r.role == "mentor" and e.active and r.active
        and capacity_of(r, rules) > 0 and not broken_rules(e, r, rules)
    }  # fmt: skip
    assert set(weights) == expected_pairs
    mentors = {r: capacity_of(person[r], rules) for _, r in weights}
    participation = rules.objective == "participation"
    best_count, best_score = reference_optimum(weights, mentors, participation)
    result = match(request)
    if participation:
        assert result.report.matched_mentees == best_count
    assert round(result.report.objective * 1000) == best_score


@FAST
@given(population=people(), rules=rules_strategy, shuffle_seed=st.integers(0, 100))
def test_same_input_same_pairs_whatever_the_order(
    population: tuple[Person, ...], rules: Rules, shuffle_seed: int
) -> None:
    shuffled = list(population)
    random.Random(shuffle_seed).shuffle(shuffled)
    first = match(MatchRequest(people=population, rules=rules, seed=3))
    again = match(MatchRequest(people=tuple(shuffled), rules=rules, seed=3))
    assert replace(first, report=replace(first.report, seconds=0)) == replace(
        again, report=replace(again.report, seconds=0)
    )


def _fields(report: object) -> dict[str, object]:
    return {f.name: getattr(report, f.name) for f in fields(report)}  # type: ignore[arg-type]


def _side_rules(
    population: tuple[Person, ...], base: Rules, cap: int | None, floor: float
) -> Rules:
    departments = sorted({p.department for p in population if p.department})
    floors = tuple(DepartmentFloor(d, fraction=floor) for d in departments) if floor else ()
    return Rules(
        direction=base.direction,
        min_level_gap=base.min_level_gap,
        objective=base.objective,
        default_capacity=base.default_capacity,
        max_mentees_per_mentor_per_department=cap,
        department_floors=floors,
        relative_gap=0.0,
    )


@MIP
@given(
    population=people(max_mentees=7, max_mentors=4),
    base=rules_strategy,
    cap=st.sampled_from([None, 1]),
    floor=st.sampled_from([0.0, 0.5]),
)
def test_flow_and_pulp_agree_and_side_constraints_hold(
    population: tuple[Person, ...], base: Rules, cap: int | None, floor: float
) -> None:
    rules = _side_rules(population, base, cap, floor)
    flow = match(MatchRequest(people=population, rules=rules))
    highs = match(
        MatchRequest(people=population, rules=Rules(**{**_fields(rules), "solver": "highs"}))
    )
    assert flow.report.status == highs.report.status
    assert flow.report.objective == highs.report.objective
    assert flow.report.matched_mentees == highs.report.matched_mentees
    person = _by_id(population)
    if cap is not None:
        per_department = Counter((m, person[e].department) for m, e in solver_pairs(flow))
        assert all(n <= cap for (_, dept), n in per_department.items() if dept)
    if flow.report.status == "OPTIMAL" and not flow.report.warnings:
        matched = Counter(person[e].department for _, e in solver_pairs(flow))
        for floor_rule in rules.department_floors:
            members = [
                p
                for p in population
                if p.role == "mentee" and p.active and p.department == floor_rule.department
            ]
            assert matched[floor_rule.department] >= -(-len(members) * floor // 1)
