"""Hard rules: which people take part and which mentor-mentee pairs are allowed, with codes."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from .inputs import MatchingInputError, Person, Rules
from .population import BoolArray, IntArray, PairSet, Population, effective_capacity

GRID_CELLS_PER_CHUNK = 2_000_000


class RuleCode(StrEnum):
    """Why a person or a pair is excluded; diagnostics count candidates per code."""

    INACTIVE = "INACTIVE"
    NO_CONSENT = "NO_CONSENT"
    NO_CAPACITY = "NO_CAPACITY"
    LEVEL_GAP = "LEVEL_GAP"
    LEVEL_UNKNOWN = "LEVEL_UNKNOWN"
    GENERATION = "GENERATION"
    BIRTH_YEAR_UNKNOWN = "BIRTH_YEAR_UNKNOWN"
    REPORTING_LINE = "REPORTING_LINE"
    SAME_DEPARTMENT = "SAME_DEPARTMENT"
    NO_SHARED_LANGUAGE = "NO_SHARED_LANGUAGE"
    TIMEZONE = "TIMEZONE"
    BLOCKED = "BLOCKED"
    FORBIDDEN = "FORBIDDEN"
    PREVIOUSLY_PAIRED = "PREVIOUSLY_PAIRED"
    NO_SHARED_TOPIC = "NO_SHARED_TOPIC"


PAIR_RULES: tuple[RuleCode, ...] = tuple(RuleCode)[3:]
RULE_COLUMN = {code: column for column, code in enumerate(PAIR_RULES)}


def person_exclusions(people: Sequence[Person], rules: Rules) -> dict[str, RuleCode]:
    """Return the people who cannot take part at all, with the rule that excludes them."""
    duplicates = [pid for pid, count in Counter(p.id for p in people).items() if count > 1]
    if duplicates:
        raise MatchingInputError(f"duplicate person ids: {', '.join(sorted(duplicates)[:5])}")
    excluded: dict[str, RuleCode] = {}
    for person in people:
        if person.role not in ("mentor", "mentee"):
            raise MatchingInputError(f"person {person.id!r} has unknown role {person.role!r}")
        if not person.active:
            excluded[person.id] = RuleCode.INACTIVE
        elif not person.consented:
            excluded[person.id] = RuleCode.NO_CONSENT
        elif person.role == "mentor" and effective_capacity(person, rules) <= 0:
            excluded[person.id] = RuleCode.NO_CAPACITY
    return excluded


def violation_grid(
    population: Population, rules: Rules, rows: IntArray, cols: IntArray
) -> dict[RuleCode, BoolArray]:
    """Return, per active pair rule, a rows-by-cols grid of the pairs that break it."""
    grid: dict[RuleCode, BoolArray] = {}
    grid.update(_direction(population, rules, rows, cols))
    mentees, mentors = population.mentees, population.mentors
    if rules.exclude_reporting_line:
        grid[RuleCode.REPORTING_LINE] = _mark(population.reporting_line, rows, cols, population)
    if rules.exclude_same_department:
        left, right = mentees.department[rows][:, None], mentors.department[cols][None, :]
        grid[RuleCode.SAME_DEPARTMENT] = (left == right) & (left >= 0)
    if rules.require_shared_language:
        shared = mentees.languages[rows] @ mentors.languages[cols].T
        grid[RuleCode.NO_SHARED_LANGUAGE] = shared.toarray() == 0
    if rules.max_timezone_diff_hours is not None:
        apart = np.abs(mentees.utc_offset[rows][:, None] - mentors.utc_offset[cols][None, :]) % 24
        # Offsets wrap around the date line: +12 and -11 are one hour apart.
        apart = np.minimum(apart, 24 - apart)
        grid[RuleCode.TIMEZONE] = apart > rules.max_timezone_diff_hours
    grid[RuleCode.BLOCKED] = _mark(population.blocked, rows, cols, population)
    grid[RuleCode.FORBIDDEN] = _mark(population.forbidden, rows, cols, population)
    grid[RuleCode.PREVIOUSLY_PAIRED] = _mark(population.previous, rows, cols, population)
    if rules.group is not None:
        wants = (mentees.learn[rows] > 0).astype(np.int64)
        teaches = (mentors.teach[cols] > 0).astype(np.int64)
        grid[RuleCode.NO_SHARED_TOPIC] = (wants @ teaches.T).toarray() == 0
    return grid


def _direction(
    population: Population, rules: Rules, rows: IntArray, cols: IntArray
) -> dict[RuleCode, BoolArray]:
    """Mentors must be junior to mentees: by job level or by generation band."""
    if rules.direction == "level":
        mentee_level = population.mentees.job_level[rows][:, None]
        mentor_level = population.mentors.job_level[cols][None, :]
        unknown = np.isnan(mentee_level) | np.isnan(mentor_level)
        too_senior = ~unknown & (mentor_level > mentee_level - rules.min_level_gap)
        return {RuleCode.LEVEL_UNKNOWN: unknown, RuleCode.LEVEL_GAP: too_senior}
    mentee_band = population.mentees.generation[rows][:, None]
    mentor_band = population.mentors.generation[cols][None, :]
    unknown = (mentee_band < 0) | (mentor_band < 0)
    not_younger = ~unknown & (mentor_band <= mentee_band)
    return {RuleCode.BIRTH_YEAR_UNKNOWN: unknown, RuleCode.GENERATION: not_younger}


def _mark(pairs: PairSet, rows: IntArray, cols: IntArray, population: Population) -> BoolArray:
    """Return a rows-by-cols grid that is True where the pair is in the set."""
    grid = np.zeros((len(rows), len(cols)), dtype=np.bool_)
    if len(pairs.mentees) == 0:
        return grid
    row_at = np.full(population.mentees.size, -1, dtype=np.int64)
    col_at = np.full(population.mentors.size, -1, dtype=np.int64)
    row_at[rows] = np.arange(len(rows))
    col_at[cols] = np.arange(len(cols))
    row, col = row_at[pairs.mentees], col_at[pairs.mentors]
    inside = (row >= 0) & (col >= 0)
    grid[row[inside], col[inside]] = True
    return grid


@dataclass(frozen=True, slots=True)
class EligiblePairs:
    """All allowed pairs (sorted by mentee, then mentor) and exclusion counts per rule."""

    mentees: IntArray
    mentors: IntArray
    mentee_exclusions: IntArray
    mentor_exclusions: IntArray

    @property
    def size(self) -> int:
        """Number of eligible pairs."""
        return len(self.mentees)


def eligible_pairs(population: Population, rules: Rules) -> EligiblePairs:
    """Check every mentee-mentor pair in row chunks and keep those breaking no rule."""
    mentee_count, mentor_count = population.mentees.size, population.mentors.size
    mentee_exclusions = np.zeros((mentee_count, len(PAIR_RULES)), dtype=np.int64)
    mentor_exclusions = np.zeros((mentor_count, len(PAIR_RULES)), dtype=np.int64)
    all_cols = np.arange(mentor_count, dtype=np.int64)
    chunk = max(1, GRID_CELLS_PER_CHUNK // max(mentor_count, 1))
    kept_rows: list[IntArray] = []
    kept_cols: list[IntArray] = []
    for start in range(0, mentee_count, chunk):
        rows = np.arange(start, min(start + chunk, mentee_count), dtype=np.int64)
        allowed = np.ones((len(rows), mentor_count), dtype=np.bool_)
        for code, broken in violation_grid(population, rules, rows, all_cols).items():
            mentee_exclusions[rows, RULE_COLUMN[code]] = broken.sum(axis=1)
            mentor_exclusions[:, RULE_COLUMN[code]] += broken.sum(axis=0)
            allowed &= ~broken
        row_pos, col_pos = np.nonzero(allowed)
        kept_rows.append(rows[row_pos])
        kept_cols.append(col_pos.astype(np.int64))
    empty = np.zeros(0, dtype=np.int64)
    return EligiblePairs(
        mentees=np.concatenate(kept_rows) if kept_rows else empty,
        mentors=np.concatenate(kept_cols) if kept_cols else empty,
        mentee_exclusions=mentee_exclusions,
        mentor_exclusions=mentor_exclusions,
    )
