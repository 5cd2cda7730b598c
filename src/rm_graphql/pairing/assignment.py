"""The assignment model as a network: candidate pairs, capacities, department floors and caps.

Department floors (lower bounds on source -> department arcs) and per-mentor department caps
(an extra node per crowded mentor-department group) keep the constraint matrix a network
matrix, so the integer optimum is found by min-cost flow and certified by LP duality.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .flow import Certificate, FlowBackend, Network, residual_potentials, solve_network, verify
from .population import BoolArray, IntArray

SOURCE, SINK = 0, 1


@dataclass(frozen=True, slots=True)
class PairProblem:
    """Free mentees and residual capacities after fixed pairs, with scored candidate pairs."""

    mentee_count: int
    mentor_capacity: IntArray
    pair_mentee: IntArray
    pair_mentor: IntArray
    pair_weight: IntArray
    mentee_department: IntArray
    department_floor: IntArray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    department_cap: int | None = None
    fixed_mentor_department: IntArray = field(
        default_factory=lambda: np.zeros((0, 2), dtype=np.int64)
    )
    participation: bool = False

    @property
    def pair_count(self) -> int:
        """Number of candidate pairs."""
        return len(self.pair_mentee)

    def match_bonus(self) -> int:
        """Return the per-pair bonus that makes one more match beat any score difference."""
        if not self.participation or self.pair_count == 0:
            return 0
        best = np.zeros(self.mentee_count, dtype=np.int64)
        np.maximum.at(best, self.pair_mentee, self.pair_weight)
        return int(best.sum()) + 1

    def department_cap_left(self) -> IntArray:
        """Return, per pair, how many more mentees of its department its mentor may take."""
        if self.department_cap is None:
            return np.full(self.pair_count, np.iinfo(np.int64).max // 4, dtype=np.int64)
        departments = self.mentee_department[self.pair_mentee]
        used = _group_counts(
            self.fixed_mentor_department[:, 0],
            self.fixed_mentor_department[:, 1],
            self.pair_mentor,
            departments,
        )
        return np.maximum(self.department_cap - used, 0)


def _group_counts(
    fixed_mentor: IntArray, fixed_department: IntArray, mentor: IntArray, department: IntArray
) -> IntArray:
    """Count fixed pairs sharing each (mentor, department) of the given pairs."""
    if len(fixed_mentor) == 0:
        return np.zeros(len(mentor), dtype=np.int64)
    width = int(max(department.max(initial=0), fixed_department.max(initial=0))) + 2
    fixed_keys, counts = np.unique(fixed_mentor * width + fixed_department + 1, return_counts=True)
    keys = mentor * width + department + 1
    at = np.minimum(np.searchsorted(fixed_keys, keys), len(fixed_keys) - 1)
    return np.where(fixed_keys[at] == keys, counts[at], 0)


@dataclass(frozen=True, slots=True)
class NetworkLayout:
    """Every arc except the pair arcs, plus the pair arcs kept apart so they can be pruned."""

    base: Network
    pair_tail: IntArray
    pair_head: IntArray
    pair_cost: IntArray
    bonus: int

    def network(self, keep: BoolArray) -> Network:
        """Return the network with the kept pair arcs appended after the base arcs."""
        return Network(
            tails=np.concatenate([self.base.tails, self.pair_tail[keep]]),
            heads=np.concatenate([self.base.heads, self.pair_head[keep]]),
            capacities=np.concatenate([self.base.capacities, np.ones(int(keep.sum()), np.int64)]),
            costs=np.concatenate([self.base.costs, self.pair_cost[keep]]),
            supplies=self.base.supplies,
        )

    def reduced_costs(self, potentials: IntArray) -> IntArray:
        """Return every pair arc's reduced cost under the given node potentials."""
        return self.pair_cost + potentials[self.pair_tail] - potentials[self.pair_head]


def build_network(problem: PairProblem) -> NetworkLayout:
    """Lay out source, departments, mentees, mentor-department groups, mentors and sink."""
    mentee_count, mentor_count = problem.mentee_count, len(problem.mentor_capacity)
    floors = problem.department_floor
    department_base = 2
    mentee_base = department_base + len(floors)
    mentor_base = mentee_base + mentee_count
    group_base = mentor_base + mentor_count
    pair_head, group_mentor, group_cap = _pair_heads(problem, mentor_base, group_base)
    departments = problem.mentee_department
    uses_floor = (departments >= 0) & (departments < len(floors))
    mentee_tail = np.where(uses_floor, department_base + departments, SOURCE)
    per_department = np.bincount(departments[uses_floor], minlength=len(floors))
    department_arcs = (SOURCE, department_base + np.arange(len(floors)), per_department - floors)
    blocks = [
        (np.full(len(floors), department_arcs[0]), department_arcs[1], department_arcs[2]),
        (mentee_tail, mentee_base + np.arange(mentee_count), np.ones(mentee_count)),
        (group_base + np.arange(len(group_mentor)), mentor_base + group_mentor, group_cap),
        (
            mentor_base + np.arange(mentor_count),
            np.full(mentor_count, SINK),
            problem.mentor_capacity,
        ),
        (np.array([SOURCE]), np.array([SINK]), np.array([mentee_count])),
    ]
    tails, heads, caps = (np.concatenate(c).astype(np.int64) for c in zip(*blocks, strict=True))
    supplies = np.zeros(group_base + len(group_mentor), dtype=np.int64)
    supplies[SOURCE], supplies[SINK] = mentee_count - floors.sum(), -mentee_count
    supplies[department_base : department_base + len(floors)] = floors
    base = Network(tails, heads, caps, np.zeros(len(tails), dtype=np.int64), supplies)
    bonus = problem.match_bonus()
    return NetworkLayout(
        base=base,
        pair_tail=mentee_base + problem.pair_mentee,
        pair_head=pair_head,
        pair_cost=-(problem.pair_weight + bonus),
        bonus=bonus,
    )


def _pair_heads(
    problem: PairProblem, mentor_base: int, group_base: int
) -> tuple[IntArray, IntArray, IntArray]:
    """Route pairs of crowded mentor-department groups through a group node with the cap."""
    heads = mentor_base + problem.pair_mentor
    empty = np.zeros(0, dtype=np.int64)
    if problem.department_cap is None or problem.pair_count == 0:
        return heads, empty, empty
    departments = problem.mentee_department[problem.pair_mentee]
    known = departments >= 0
    width = int(departments.max(initial=0)) + 1
    keys = problem.pair_mentor * width + np.maximum(departments, 0)
    unique, inverse, counts = np.unique(keys, return_inverse=True, return_counts=True)
    cap_left = problem.department_cap_left()
    group_cap = np.zeros(len(unique), dtype=np.int64)
    group_cap[inverse] = cap_left
    crowded = counts[inverse] > group_cap[inverse]
    needs_group = known & crowded
    group_keys, group_of_pair = np.unique(keys[needs_group], return_inverse=True)
    heads = heads.copy()
    heads[needs_group] = group_base + group_of_pair
    group_cap_out = np.zeros(len(group_keys), dtype=np.int64)
    group_cap_out[group_of_pair] = cap_left[needs_group]
    return heads, group_keys // width, group_cap_out


@dataclass(frozen=True, slots=True)
class FlowOutcome:
    """Chosen pairs, exact objective and dual bound (in weight units, match bonus removed)."""

    feasible: bool
    chosen: IntArray
    objective: int
    bound: int | None
    certified: bool
    rounds: int
    arcs_solved: int


def solve_with_flow(
    problem: PairProblem, candidate_limit: int | None = None, backend: FlowBackend = "auto"
) -> FlowOutcome:
    """Solve on each mentee's top candidates, re-adding pruned pairs the dual says could help.

    The loop stops only when the restricted optimum's potentials give every pruned pair arc a
    non-negative reduced cost. Those potentials then satisfy complementary slackness on the
    full network too (pruned arcs carry no flow), so the restricted certificate proves that
    pruning lost nothing.
    """
    layout = build_network(problem)
    keep = top_candidates(problem, candidate_limit)
    for rounds in range(1, problem.pair_count + 2):
        network = layout.network(keep)
        flows = solve_network(network, backend)
        if flows is None and not keep.all():
            keep = np.ones(problem.pair_count, dtype=np.bool_)
            continue
        if flows is None:
            return FlowOutcome(False, _EMPTY, 0, None, False, rounds, len(network.tails))
        potentials = residual_potentials(network, flows)
        if potentials is None:
            return _outcome(problem, network, flows, keep, None, rounds)
        violated = ~keep & (layout.reduced_costs(potentials) < 0)
        if violated.any():
            keep = keep | violated
            continue
        return _outcome(problem, network, flows, keep, verify(network, flows, potentials), rounds)
    raise AssertionError("each pruning round adds at least one pair, so the loop ends")


_EMPTY = np.zeros(0, dtype=np.int64)


def top_candidates(problem: PairProblem, limit: int | None) -> BoolArray:
    """Mark each mentee's `limit` best pairs (ties by mentor index); all pairs when no limit."""
    if limit is None or problem.pair_count == 0:
        return np.ones(problem.pair_count, dtype=np.bool_)
    top = int(problem.pair_weight.max()) + 1
    mentor_count = len(problem.mentor_capacity)
    if problem.mentee_count * top * mentor_count < 2**62:
        rank_key = (problem.pair_mentee * top + (top - 1 - problem.pair_weight)) * mentor_count
        order = np.argsort(rank_key + problem.pair_mentor)
    else:
        order = np.lexsort((problem.pair_mentor, -problem.pair_weight, problem.pair_mentee))
    sorted_mentee = problem.pair_mentee[order]
    first = np.searchsorted(sorted_mentee, sorted_mentee, side="left")
    keep = np.zeros(problem.pair_count, dtype=np.bool_)
    keep[order[np.arange(problem.pair_count) - first < limit]] = True
    return keep


def _outcome(
    problem: PairProblem,
    network: Network,
    flows: IntArray,
    keep: BoolArray,
    certificate: Certificate | None,
    rounds: int,
) -> FlowOutcome:
    """Report chosen pairs, their score and, when certified, the dual bound on the score."""
    pair_flows = flows[len(network.tails) - int(keep.sum()) :]
    chosen = np.flatnonzero(keep)[pair_flows > 0]
    objective = int(problem.pair_weight[chosen].sum())
    certified = certificate is not None and certificate.verified
    bound = None
    if certificate is not None and certified:
        bound = -certificate.dual_bound - problem.match_bonus() * len(chosen)
    return FlowOutcome(True, chosen, objective, bound, certified, rounds, len(network.tails))
