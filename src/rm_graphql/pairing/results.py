"""Plain result records: pairs with score breakdowns, circles, diagnostics and solve report."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

Status = Literal["OPTIMAL", "FEASIBLE", "INFEASIBLE", "NO_SOLUTION"]
Origin = Literal["solver", "kept", "pinned"]


def points(milli: int) -> float:
    """Convert milli-points to points."""
    return milli / 1000


@dataclass(frozen=True, slots=True)
class MatchedPair:
    """One mentor-mentee pair with its exact score and per-criterion contributions."""

    mentor_id: str
    mentee_id: str
    score_milli: int
    breakdown_milli: Mapping[str, int]
    origin: Origin = "solver"

    @property
    def score(self) -> float:
        """The total score in points."""
        return points(self.score_milli)

    @property
    def breakdown(self) -> dict[str, float]:
        """Each criterion's weighted contribution in points; they add up to `score`."""
        return {name: points(value) for name, value in self.breakdown_milli.items()}


@dataclass(frozen=True, slots=True)
class Circle:
    """Group mode: one mentor, the shared topic, and the circle's mentees."""

    mentor_id: str
    topic: str
    mentee_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class NearMiss:
    """A high-scoring candidate that was not paired, and what stood in the way."""

    candidate_id: str
    score_milli: int
    blockers: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Unmatched:
    """Why a person has no pair: a reason code, a sentence, exclusion counts and near misses."""

    person_id: str
    role: str
    reason: str
    detail: str
    eligible_candidates: int
    excluded_by: Mapping[str, int]
    near_misses: tuple[NearMiss, ...] = ()


@dataclass(frozen=True, slots=True)
class SolveReport:
    """How the run went: status, objective and proven bound (points), gap and solver used."""

    status: Status
    solver: str
    objective: float
    bound: float | None
    gap: float | None
    matched_mentees: int
    matchable_mentees: int
    eligible_pairs: int
    rounds: int
    seconds: float
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class MatchResult:
    """Everything a matching run produced, in canonical (deterministic) order."""

    report: SolveReport
    pairs: tuple[MatchedPair, ...]
    circles: tuple[Circle, ...]
    unmatched: tuple[Unmatched, ...]
