"""Random but reproducible matching instances given directly as scored pair arrays."""

from __future__ import annotations

import numpy as np

from rm_graphql.pairing.assignment import PairProblem


def sparse_problem(
    mentees: int, mentors: int, degree: int, seed: int, capacity: int = 2
) -> PairProblem:
    """About `degree` candidates per mentee, drawn with a popularity skew (hub mentors)."""
    rng = np.random.default_rng(seed)
    popularity = rng.zipf(1.5, mentors).astype(np.float64)
    chance = 0.5 * popularity / popularity.sum() + 0.5 / mentors
    pair_mentee = np.repeat(np.arange(mentees, dtype=np.int64), degree)
    pair_mentor = rng.choice(mentors, size=mentees * degree, p=chance).astype(np.int64)
    keys = np.unique(pair_mentee * mentors + pair_mentor)
    return PairProblem(
        mentee_count=mentees,
        mentor_capacity=np.full(mentors, capacity, dtype=np.int64),
        pair_mentee=keys // mentors,
        pair_mentor=keys % mentors,
        pair_weight=rng.integers(1_000, 100_000, len(keys)).astype(np.int64),
        mentee_department=np.full(mentees, -1, dtype=np.int64),
    )


def with_departments(problem: PairProblem, seed: int, floor: float, cap: int) -> PairProblem:
    """Eight departments of uneven size; the small ones score lower but get a floor."""
    rng = np.random.default_rng(seed)
    shares = np.array([0.3, 0.2, 0.15, 0.1, 0.1, 0.05, 0.05, 0.05])
    departments = rng.choice(8, size=problem.mentee_count, p=shares).astype(np.int64)
    penalty = np.where(departments[problem.pair_mentee] >= 5, 0.5, 1.0)
    weights = (problem.pair_weight * penalty).astype(np.int64)
    has_pair = np.zeros(problem.mentee_count, dtype=np.bool_)
    has_pair[problem.pair_mentee] = True
    reachable = np.bincount(departments[has_pair], minlength=8)
    floors = np.where(np.arange(8) >= 5, np.floor(floor * reachable), 0).astype(np.int64)
    return PairProblem(
        mentee_count=problem.mentee_count,
        mentor_capacity=problem.mentor_capacity,
        pair_mentee=problem.pair_mentee,
        pair_mentor=problem.pair_mentor,
        pair_weight=weights,
        mentee_department=departments,
        department_floor=floors,
        department_cap=cap,
    )


def dense_weights(size: int, seed: int) -> np.ndarray:
    """A full size-by-size score matrix."""
    return np.random.default_rng(seed).integers(1, 100_000, (size, size)).astype(np.int64)
