"""Plain input records for the matching engine: people, rules and admin decisions."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from enum import IntEnum
from typing import Literal

Role = Literal["mentor", "mentee"]
Direction = Literal["level", "generation"]
Objective = Literal["score", "participation"]
SolverChoice = Literal["auto", "flow", "highs", "cbc"]


class MatchingInputError(ValueError):
    """Raised when the request itself is inconsistent (unknown ids, bad pins, bad rules)."""


class Generation(IntEnum):
    """Generation bands by birth year; a higher value is a younger generation."""

    BOOMERS = 0
    GEN_X = 1
    MILLENNIALS = 2
    GEN_Z = 3


GENERATION_STARTS: tuple[tuple[int, Generation], ...] = (
    (1997, Generation.GEN_Z),
    (1981, Generation.MILLENNIALS),
    (1965, Generation.GEN_X),
)


def generation_of(birth_year: int | None) -> Generation | None:
    """Return the generation band of a birth year (None when unknown)."""
    if birth_year is None:
        return None
    for first_year, band in GENERATION_STARTS:
        if birth_year >= first_year:
            return band
    return Generation.BOOMERS


@dataclass(frozen=True, slots=True)
class Person:
    """One enrolled participant; topic levels run from 1 (basic) to 5 (expert)."""

    id: str
    role: Role
    job_level: int | None = None
    ancestors: frozenset[str] = frozenset()
    department: str | None = None
    birth_year: int | None = None
    languages: frozenset[str] = frozenset()
    utc_offset_hours: float | None = None
    teach_topics: Mapping[str, int] = field(default_factory=dict)
    learn_topics: Mapping[str, int] = field(default_factory=dict)
    interests: frozenset[str] = frozenset()
    capacity: int | None = None
    availability: frozenset[str] = frozenset()
    wishes: tuple[str, ...] = ()
    blocks: frozenset[str] = frozenset()
    active: bool = True
    consented: bool = True


@dataclass(frozen=True, slots=True)
class Weights:
    """Points each criterion is worth when fully met (a pair scores at most their sum)."""

    topic_coverage: float = 40.0
    reverse_learning: float = 15.0
    shared_interests: float = 10.0
    preference: float = 15.0
    cross_department: float = 5.0
    cross_generation: float = 5.0
    availability: float = 10.0


@dataclass(frozen=True, slots=True)
class DepartmentFloor:
    """At least `count`, or `fraction` (rounded up), of a department's mentees get matched."""

    department: str
    count: int | None = None
    fraction: float | None = None


@dataclass(frozen=True, slots=True)
class GroupMode:
    """One mentor leads a circle of min_size..max_size mentees sharing a topic they teach."""

    min_size: int = 2
    max_size: int = 5


@dataclass(frozen=True, slots=True)
class Rules:
    """Hard rules, objective, weights and optional side constraints of one matching run."""

    direction: Direction = "level"
    min_level_gap: int = 1
    exclude_reporting_line: bool = True
    exclude_same_department: bool = False
    require_shared_language: bool = True
    max_timezone_diff_hours: float | None = None
    default_capacity: int = 2
    objective: Objective = "participation"
    require_all_mentees_matched: bool = False
    weights: Weights = Weights()
    department_floors: tuple[DepartmentFloor, ...] = ()
    max_mentees_per_mentor_per_department: int | None = None
    group: GroupMode | None = None
    solver: SolverChoice = "auto"
    time_limit_seconds: float = 30.0
    relative_gap: float = 1e-3
    candidate_limit: int | None = None


@dataclass(frozen=True, slots=True)
class PairRef:
    """A (mentor, mentee) pair named by ids: a pin, forbid, previous or kept pair."""

    mentor_id: str
    mentee_id: str


@dataclass(frozen=True, slots=True)
class MatchRequest:
    """Everything one matching run needs; the same request and seed give the same pairs."""

    people: tuple[Person, ...]
    rules: Rules = Rules()
    pins: tuple[PairRef, ...] = ()
    forbids: tuple[PairRef, ...] = ()
    previous_pairs: tuple[PairRef, ...] = ()
    kept_pairs: tuple[PairRef, ...] = ()
    seed: int = 0
    explain: bool = True


def validate_rules(rules: Rules) -> None:
    """Reject rule values that make no sense before any work is done."""
    problems: list[str] = []
    if rules.direction not in ("level", "generation"):
        problems.append(f"direction must be 'level' or 'generation', not {rules.direction!r}")
    if rules.objective not in ("score", "participation"):
        problems.append(f"objective must be 'score' or 'participation', not {rules.objective!r}")
    if rules.solver not in ("auto", "flow", "highs", "cbc"):
        problems.append(f"solver must be auto, flow, highs or cbc, not {rules.solver!r}")
    if rules.min_level_gap < 0:
        problems.append("min_level_gap must be >= 0")
    if rules.default_capacity < 0:
        problems.append("default_capacity must be >= 0")
    if rules.max_timezone_diff_hours is not None and rules.max_timezone_diff_hours < 0:
        problems.append("max_timezone_diff_hours must be >= 0")
    if (rules.max_mentees_per_mentor_per_department or 0) < 0:
        problems.append("max_mentees_per_mentor_per_department must be >= 0")
    if rules.time_limit_seconds <= 0 or not 0 <= rules.relative_gap < 1:
        problems.append("time_limit_seconds must be > 0 and relative_gap in [0, 1)")
    if rules.candidate_limit is not None and rules.candidate_limit < 1:
        problems.append("candidate_limit must be >= 1")
    problems.extend(_weight_problems(rules.weights))
    problems.extend(_floor_problems(rules.department_floors))
    if rules.group is not None and not 1 <= rules.group.min_size <= rules.group.max_size:
        problems.append("group sizes need 1 <= min_size <= max_size")
    if problems:
        raise MatchingInputError("; ".join(problems))


def _weight_problems(weights: Weights) -> list[str]:
    """Return complaints about negative or non-finite weights."""
    return [
        f"weight {item.name} must be a finite number >= 0"
        for item in fields(weights)
        if not (math.isfinite(getattr(weights, item.name)) and getattr(weights, item.name) >= 0)
    ]


def _floor_problems(floors: tuple[DepartmentFloor, ...]) -> list[str]:
    """Return complaints about malformed department floors."""
    problems = []
    for floor in floors:
        if (floor.count is None) == (floor.fraction is None):
            problems.append(f"floor for {floor.department!r} needs exactly one of count/fraction")
        elif floor.count is not None and floor.count < 0:
            problems.append(f"floor count for {floor.department!r} must be >= 0")
        elif floor.fraction is not None and not 0 <= floor.fraction <= 1:
            problems.append(f"floor fraction for {floor.department!r} must be in [0, 1]")
    return problems
