"""Turn eligible, scored pairs plus admin decisions into the solver's PairProblem."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from .assignment import PairProblem
from .eligibility import EligiblePairs, RuleCode, violation_grid
from .inputs import MatchingInputError, MatchRequest, PairRef, Rules
from .integer_program import GroupSpec
from .population import BoolArray, IntArray, Population
from .results import Origin


@dataclass(frozen=True, slots=True)
class FixedPairs:
    """Kept (published) and pinned pairs: they are in the result and consume capacity."""

    mentees: IntArray
    mentors: IntArray
    origins: tuple[Origin, ...]


@dataclass(frozen=True, slots=True)
class Plan:
    """The PairProblem and how its pairs map back to the eligible pair list."""

    problem: PairProblem
    pair_index: IntArray
    fixed: FixedPairs
    warnings: tuple[str, ...]


def resolve_fixed(
    request: MatchRequest,
    population: Population,
    eligible: EligiblePairs,
    excluded: dict[str, RuleCode],
) -> FixedPairs:
    """Check kept pairs and pins: known participants, pins eligible, capacities respected."""
    mentee_at, mentor_at = population.mentee_index(), population.mentor_index()
    refs: list[tuple[PairRef, Origin]] = [(r, "kept") for r in request.kept_pairs]
    refs += [(r, "pinned") for r in request.pins]
    mentees, mentors = [], []
    for ref, origin in refs:
        for person_id, index in ((ref.mentee_id, mentee_at), (ref.mentor_id, mentor_at)):
            if person_id not in index:
                why = (
                    f"is excluded ({excluded[person_id]})"
                    if person_id in excluded
                    else "is unknown"
                )
                raise MatchingInputError(f"{origin} pair {_name(ref)}: {person_id!r} {why}")
        mentees.append(mentee_at[ref.mentee_id])
        mentors.append(mentor_at[ref.mentor_id])
        if origin == "pinned":
            _check_pin(ref, mentees[-1], mentors[-1], population, eligible, request.rules)
    fixed = FixedPairs(
        mentees=np.array(mentees, dtype=np.int64),
        mentors=np.array(mentors, dtype=np.int64),
        origins=tuple(origin for _, origin in refs),
    )
    _check_fixed_counts(fixed, population, refs)
    return fixed


def _name(ref: PairRef) -> str:
    """Render a pair for error messages."""
    return f"{ref.mentor_id!r} -> {ref.mentee_id!r}"


def _check_pin(
    ref: PairRef,
    mentee: int,
    mentor: int,
    population: Population,
    eligible: EligiblePairs,
    rules: Rules,
) -> None:
    """A pin may not break a hard rule; name the rules it breaks."""
    rows, cols = np.array([mentee]), np.array([mentor])
    broken = [
        code for code, grid in violation_grid(population, rules, rows, cols).items() if grid[0, 0]
    ]
    if broken:
        raise MatchingInputError(f"pinned pair {_name(ref)} breaks {', '.join(broken)}")


def _check_fixed_counts(
    fixed: FixedPairs, population: Population, refs: list[tuple[PairRef, Origin]]
) -> None:
    """One fixed pair per mentee; no mentor above capacity."""
    counts = np.bincount(fixed.mentees, minlength=population.mentees.size)
    for mentee in np.flatnonzero(counts > 1):
        raise MatchingInputError(
            f"mentee {population.mentees.ids[mentee]!r} is in several fixed pairs"
        )
    load = np.bincount(fixed.mentors, minlength=population.mentors.size)
    over = np.flatnonzero(load > population.mentors.capacity)
    if len(over):
        mentor = population.mentors.ids[over[0]]
        raise MatchingInputError(f"fixed pairs exceed the capacity of mentor {mentor!r}")
    del refs


def build_plan(
    population: Population,
    eligible: EligiblePairs,
    weights: IntArray,
    fixed: FixedPairs,
    rules: Rules,
) -> Plan:
    """Drop fixed mentees, shrink capacities, and turn floors and caps into residual numbers."""
    is_fixed = np.zeros(population.mentees.size, dtype=np.bool_)
    is_fixed[fixed.mentees] = True
    residual = population.mentors.capacity - np.bincount(
        fixed.mentors, minlength=population.mentors.size
    )
    free = ~is_fixed[eligible.mentees] & (residual[eligible.mentors] > 0)
    pair_index = np.flatnonzero(free)
    departments = population.mentees.department
    floors, warnings = _floors(population, eligible, pair_index, is_fixed, rules)
    problem = PairProblem(
        mentee_count=population.mentees.size,
        mentor_capacity=residual,
        pair_mentee=eligible.mentees[pair_index],
        pair_mentor=eligible.mentors[pair_index],
        pair_weight=weights[pair_index],
        mentee_department=departments,
        department_floor=floors,
        department_cap=rules.max_mentees_per_mentor_per_department,
        fixed_mentor_department=np.column_stack([fixed.mentors, departments[fixed.mentees]]),
        participation=rules.objective == "participation" or rules.require_all_mentees_matched,
    )
    return Plan(problem=problem, pair_index=pair_index, fixed=fixed, warnings=tuple(warnings))


def _floors(
    population: Population,
    eligible: EligiblePairs,
    pair_index: IntArray,
    is_fixed: BoolArray,
    rules: Rules,
) -> tuple[IntArray, list[str]]:
    """Residual floor per department code, clamped to the mentees who can be matched at all."""
    floors = np.zeros(len(population.departments) if rules.department_floors else 0, np.int64)
    warnings: list[str] = []
    code_of = {name: code for code, name in enumerate(population.departments)}
    departments = population.mentees.department
    has_pair = np.zeros(population.mentees.size, dtype=np.bool_)
    has_pair[eligible.mentees[pair_index]] = True
    for floor in rules.department_floors:
        if floor.department not in code_of:
            warnings.append(f"floor for unknown department {floor.department!r} ignored")
            continue
        code = code_of[floor.department]
        members = departments == code
        wanted = (
            floor.count
            if floor.count is not None
            else math.ceil((floor.fraction or 0.0) * int(members.sum()) - 1e-9)
        )
        residual = max(0, wanted - int((members & is_fixed).sum()))
        matchable = int((members & has_pair).sum())
        if residual > matchable:
            warnings.append(
                f"floor for {floor.department!r} lowered from {wanted} to what is reachable: "
                f"{matchable} free mentees have candidates"
            )
            residual = matchable
        floors[code] = residual
    return floors, warnings


def group_spec(population: Population, plan: Plan, min_size: int) -> GroupSpec:
    """Topics each free pair shares (mentee learns, mentor teaches) and fixed circle members."""
    problem, fixed = plan.problem, plan.fixed
    pair_topics = _shared_topics(population, problem.pair_mentee, problem.pair_mentor)
    fixed_topics = _shared_topics(population, fixed.mentees, fixed.mentors)
    members = np.bincount(fixed.mentors, minlength=population.mentors.size).astype(np.int64)
    return GroupSpec(
        min_size=min_size,
        pair_topics=pair_topics,
        fixed_members=members,
        fixed_topics=tuple(zip(fixed.mentors.tolist(), fixed_topics, strict=True)),
    )


def _shared_topics(
    population: Population, mentees: IntArray, mentors: IntArray
) -> tuple[tuple[int, ...], ...]:
    """Return, per pair, the sorted topic codes the mentee learns and the mentor teaches."""
    if len(mentees) == 0:
        return ()
    wants = sp.csr_matrix(population.mentees.learn[mentees] > 0, dtype=np.int64)
    teaches = sp.csr_matrix(population.mentors.teach[mentors] > 0, dtype=np.int64)
    both = sp.csr_matrix(wants.multiply(teaches))
    both.sort_indices()
    return tuple(
        tuple(both.indices[both.indptr[row] : both.indptr[row + 1]].tolist())
        for row in range(len(mentees))
    )
