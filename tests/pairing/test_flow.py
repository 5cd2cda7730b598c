"""Min-cost flow certificate and provably safe pruning."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import linear_sum_assignment

from rm_graphql.pairing.assignment import (
    PairProblem,
    build_network,
    solve_with_flow,
    top_candidates,
)
from rm_graphql.pairing.flow import certify, ortools_usable, solve_network


def hub_problem(mentees: int = 60, mentors: int = 30, hubs: int = 3, seed: int = 5) -> PairProblem:
    """Everyone rates the few hub mentors highest; hubs can take only one mentee each."""
    rng = np.random.default_rng(seed)
    pair_mentee = np.repeat(np.arange(mentees), mentors)
    pair_mentor = np.tile(np.arange(mentors), mentees)
    weight = rng.integers(1, 1000, mentees * mentors)
    weight[pair_mentor < hubs] += 1_500
    return PairProblem(
        mentee_count=mentees,
        mentor_capacity=np.ones(mentors, dtype=np.int64),
        pair_mentee=pair_mentee,
        pair_mentor=pair_mentor,
        pair_weight=weight.astype(np.int64),
        mentee_department=np.full(mentees, -1, dtype=np.int64),
    )


def dense_reference(problem: PairProblem) -> int:
    grid = np.zeros((problem.mentee_count, len(problem.mentor_capacity)), dtype=np.int64)
    grid[problem.pair_mentee, problem.pair_mentor] = problem.pair_weight
    rows, cols = linear_sum_assignment(grid, maximize=True)
    return int(grid[rows, cols].sum())


def test_flow_optimum_is_certified_and_equals_the_dense_reference() -> None:
    problem = hub_problem()
    outcome = solve_with_flow(problem)
    assert outcome.certified
    assert outcome.bound == outcome.objective
    assert outcome.objective == dense_reference(problem)


def test_naive_top_k_loses_but_dual_checked_pruning_does_not() -> None:
    problem = hub_problem()
    keep = top_candidates(problem, 3)
    naive = PairProblem(
        mentee_count=problem.mentee_count,
        mentor_capacity=problem.mentor_capacity,
        pair_mentee=problem.pair_mentee[keep],
        pair_mentor=problem.pair_mentor[keep],
        pair_weight=problem.pair_weight[keep],
        mentee_department=problem.mentee_department,
    )
    best = dense_reference(problem)
    assert solve_with_flow(naive).objective < 0.5 * best
    pruned = solve_with_flow(problem, candidate_limit=3)
    assert pruned.objective == best
    assert pruned.certified
    assert pruned.rounds > 1  # the dual check had to re-add pairs


def test_pruning_solves_fewer_arcs_when_candidates_are_diverse() -> None:
    problem = hub_problem(mentees=80, mentors=80, hubs=0)
    pruned = solve_with_flow(problem, candidate_limit=8)
    everything = build_network(problem).network(np.ones(problem.pair_count, dtype=np.bool_))
    assert pruned.certified
    assert pruned.objective == dense_reference(problem)
    assert pruned.arcs_solved < len(everything.tails) / 2


def test_certificate_rejects_a_suboptimal_flow() -> None:
    problem = hub_problem(mentees=6, mentors=4, hubs=1)
    network = build_network(problem).network(np.ones(problem.pair_count, dtype=np.bool_))
    flows = solve_network(network)
    assert flows is not None
    good = certify(network, flows)
    assert good.verified
    assert good.dual_bound == good.primal_cost
    worse = flows.copy()
    pair_arcs = np.arange(len(network.tails) - problem.pair_count, len(network.tails))
    used = pair_arcs[flows[pair_arcs] > 0][0]
    worse[used] = 0  # drop one pair: route that mentee through the bypass instead
    tail, head = network.tails[used], network.heads[used]
    worse[np.flatnonzero(network.heads == tail)[0]] -= 1
    worse[np.flatnonzero((network.tails == head) & (network.heads == 1))[0]] -= 1
    worse[np.flatnonzero((network.tails == 0) & (network.heads == 1))[0]] += 1
    bad = certify(network, worse)
    assert not bad.verified
    assert bad.primal_cost > good.primal_cost


@pytest.mark.parametrize("participation", [False, True])
def test_scipy_backend_agrees_with_ortools(participation: bool) -> None:
    if not ortools_usable():
        pytest.skip("OR-Tools cannot load in a process that already loaded highspy")
    base = hub_problem(mentees=40, mentors=20)
    problem = PairProblem(
        **{**{f: getattr(base, f) for f in base.__slots__}, "participation": participation}
    )
    ortools = solve_with_flow(problem, backend="ortools")
    scipy = solve_with_flow(problem, backend="scipy")
    assert scipy.certified
    assert ortools.certified
    assert scipy.objective == ortools.objective
    assert len(scipy.chosen) == len(ortools.chosen)


def test_department_floor_and_cap_are_network_constraints() -> None:
    base = hub_problem(mentees=20, mentors=10, hubs=2)
    departments = np.arange(20, dtype=np.int64) % 2
    problem = PairProblem(
        **{**{f: getattr(base, f) for f in base.__slots__},
           "mentor_capacity": np.full(10, 2, dtype=np.int64), "mentee_department": departments,
           "department_floor": np.array([10, 10]), "department_cap": 1},
    )  # fmt: skip
    outcome = solve_with_flow(problem)
    assert outcome.certified
    assert len(outcome.chosen) == 20
    chosen_departments = departments[problem.pair_mentee[outcome.chosen]]
    per_group = np.unique(
        problem.pair_mentor[outcome.chosen] * 2 + chosen_departments, return_counts=True
    )[1]
    assert per_group.max() == 1
