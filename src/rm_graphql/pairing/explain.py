"""Diagnostics: why each person is unmatched, and their best near misses with blockers."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .eligibility import PAIR_RULES, EligiblePairs, RuleCode, violation_grid
from .inputs import Person, Rules
from .population import IntArray, Population
from .results import NearMiss, Unmatched
from .scoring import score_pairs

NEAR_MISSES = 3
REASONS = {
    "EXCLUDED": "cannot take part: {rule}",
    "NO_ELIGIBLE_CANDIDATE": "no candidate passes the hard rules",
    "CANDIDATES_FULL": "all {n} eligible mentors are full with pairs the optimum preferred",
    "CANDIDATES_MATCHED_ELSEWHERE": "all {n} eligible mentees got pairs the optimum preferred",
    "DEPARTMENT_CAP": "candidates with room already have their limit from this department",
    "GROUP_RULES": "no circle could take them (shared topic or circle size)",
    "NO_GAIN": "eligible candidates have room but pairing would not raise the score",
    "INFEASIBLE": "the constraints cannot all be met, so no pairs were made",
}


@dataclass(frozen=True, slots=True)
class Assignment:
    """The final pairs as index arrays (fixed pairs included) and the run's rules."""

    mentees: IntArray
    mentors: IntArray
    rules: Rules
    feasible: bool


def diagnose(
    population: Population,
    eligible: EligiblePairs,
    assignment: Assignment,
    excluded: dict[str, RuleCode],
    people: tuple[Person, ...],
    near_misses: bool,
) -> tuple[Unmatched, ...]:
    """Explain every unmatched person, excluded people first, then mentees, then mentors."""
    roles = {p.id: p.role for p in people}
    out = [
        Unmatched(pid, roles[pid], "EXCLUDED", REASONS["EXCLUDED"].format(rule=rule), 0, {})
        for pid, rule in sorted(excluded.items())
    ]
    context = _Context.build(population, eligible, assignment)
    mentees = np.flatnonzero(context.mentee_partner < 0)
    mentors = np.flatnonzero(context.mentor_load == 0)
    misses = _NearMisses(population, context, near_misses)
    out += [_explain(context, "mentee", int(i), misses.for_mentee(int(i))) for i in mentees]
    out += [_explain(context, "mentor", int(j), misses.for_mentor(int(j))) for j in mentors]
    return tuple(out)


@dataclass(frozen=True, slots=True)
class _Context:
    population: Population
    eligible: EligiblePairs
    assignment: Assignment
    mentee_partner: IntArray
    mentor_load: IntArray

    @classmethod
    def build(
        cls, population: Population, eligible: EligiblePairs, assignment: Assignment
    ) -> _Context:
        partner = np.full(population.mentees.size, -1, dtype=np.int64)
        partner[assignment.mentees] = assignment.mentors
        load = np.bincount(assignment.mentors, minlength=population.mentors.size)
        return cls(population, eligible, assignment, partner, load.astype(np.int64))

    def dept_cap_reached(self, mentee: int, mentor: int) -> bool:
        """Tell whether the mentor already has k mentees of this mentee's department."""
        cap = self.assignment.rules.max_mentees_per_mentor_per_department
        department = self.population.mentees.department[mentee]
        if cap is None or department < 0:
            return False
        mine = self.assignment.mentors == mentor
        same = self.population.mentees.department[self.assignment.mentees[mine]] == department
        return int(same.sum()) >= cap

    def blockers(self, mentee: int, mentor: int) -> tuple[str, ...]:
        """Why an eligible pair is not in the result."""
        found = []
        if self.mentee_partner[mentee] >= 0:
            found.append("MENTEE_MATCHED_ELSEWHERE")
        if self.mentor_load[mentor] >= self.population.mentors.capacity[mentor]:
            found.append("MENTOR_FULL")
        if self.dept_cap_reached(mentee, mentor):
            found.append("DEPARTMENT_CAP")
        if not found:
            found.append("GROUP_RULES" if self.assignment.rules.group else "NO_GAIN")
        return tuple(found)


def _explain(context: _Context, role: str, index: int, misses: tuple[NearMiss, ...]) -> Unmatched:
    """Build one person's diagnosis from their eligible candidates and the final pairs."""
    population, eligible = context.population, context.eligible
    side = population.mentees if role == "mentee" else population.mentors
    own = eligible.mentees if role == "mentee" else eligible.mentors
    counts = (eligible.mentee_exclusions if role == "mentee" else eligible.mentor_exclusions)[index]
    excluded_by = {str(code): int(counts[c]) for c, code in enumerate(PAIR_RULES) if counts[c]}
    candidates = np.flatnonzero(own == index)
    reason = _reason(context, role, index, candidates)
    detail = REASONS[reason].format(n=len(candidates), rule="")
    return Unmatched(side.ids[index], role, reason, detail, len(candidates), excluded_by, misses)


def _reason(context: _Context, role: str, index: int, candidates: IntArray) -> str:
    """Pick the reason code that best explains an unmatched person."""
    if not context.assignment.feasible:
        return "INFEASIBLE"
    if len(candidates) == 0:
        return "NO_ELIGIBLE_CANDIDATE"
    blockers: set[str] = set()
    for pair in candidates.tolist():
        mentee, mentor = int(context.eligible.mentees[pair]), int(context.eligible.mentors[pair])
        blockers.update(context.blockers(mentee, mentor))
    for code in ("GROUP_RULES", "DEPARTMENT_CAP", "NO_GAIN"):
        if code in blockers:
            return code
    return "CANDIDATES_FULL" if role == "mentee" else "CANDIDATES_MATCHED_ELSEWHERE"


class _NearMisses:
    """Score everyone on the other side for one person; keep the best few with blockers."""

    def __init__(self, population: Population, context: _Context, enabled: bool) -> None:
        self.population = population
        self.context = context
        self.enabled = enabled

    def for_mentee(self, mentee: int) -> tuple[NearMiss, ...]:
        """Best mentors for an unmatched mentee."""
        others = np.arange(self.population.mentors.size, dtype=np.int64)
        rows = np.full(len(others), mentee, dtype=np.int64)
        return self._best(rows, others, self.population.mentors.ids, by_mentee=True)

    def for_mentor(self, mentor: int) -> tuple[NearMiss, ...]:
        """Best mentees for a mentor left without any."""
        others = np.arange(self.population.mentees.size, dtype=np.int64)
        cols = np.full(len(others), mentor, dtype=np.int64)
        return self._best(others, cols, self.population.mentees.ids, by_mentee=False)

    def _best(
        self, mentees: IntArray, mentors: IntArray, ids: tuple[str, ...], *, by_mentee: bool
    ) -> tuple[NearMiss, ...]:
        """Rank candidates by score (ties by canonical order) and name their blockers."""
        if not self.enabled or len(mentees) == 0:
            return ()
        rules = self.context.assignment.rules
        totals = score_pairs(self.population, mentees, mentors, rules.weights).sum(axis=1)
        top = np.argsort(-totals, kind="stable")[:NEAR_MISSES]
        rows, cols = (mentees[:1], mentors[top]) if by_mentee else (mentees[top], mentors[:1])
        grid = violation_grid(self.population, rules, rows, cols)
        misses = []
        for rank, candidate in enumerate(top.tolist()):
            at = (0, rank) if by_mentee else (rank, 0)
            broken = tuple(str(code) for code, cells in grid.items() if cells[at])
            mentee, mentor = int(mentees[candidate]), int(mentors[candidate])
            blockers = broken or self.context.blockers(mentee, mentor)
            misses.append(NearMiss(ids[candidate], int(totals[candidate]), blockers))
        return tuple(misses)
