"""Explainable pair scores: each criterion is an exact fraction times its weight (milli-points)."""

from __future__ import annotations

from dataclasses import fields
from enum import StrEnum

import numpy as np
import scipy.sparse as sp

from .inputs import Weights
from .population import WISH_RANKS, IntArray, PairSet, Population

MAX_TOPIC_LEVEL = 5
GENERATION_SPAN = 3
SCORE_CHUNK = 250_000


class Criterion(StrEnum):
    """The scored criteria, named like the fields of Weights."""

    TOPIC_COVERAGE = "topic_coverage"
    REVERSE_LEARNING = "reverse_learning"
    SHARED_INTERESTS = "shared_interests"
    PREFERENCE = "preference"
    CROSS_DEPARTMENT = "cross_department"
    CROSS_GENERATION = "cross_generation"
    AVAILABILITY = "availability"


CRITERIA: tuple[Criterion, ...] = tuple(Criterion)
assert [c.value for c in CRITERIA] == [f.name for f in fields(Weights)]


def weight_milli(weights: Weights) -> IntArray:
    """Return the weights in milli-points, in CRITERIA order."""
    return np.array([round(getattr(weights, c.value) * 1000) for c in CRITERIA], dtype=np.int64)


def max_pair_score(weights: Weights) -> int:
    """Return the highest score (milli-points) any pair could reach."""
    return int(weight_milli(weights).sum())


def score_pairs(
    population: Population, mentees: IntArray, mentors: IntArray, weights: Weights
) -> IntArray:
    """Return an (n_pairs, n_criteria) matrix of weighted contributions in milli-points."""
    out = np.zeros((len(mentees), len(CRITERIA)), dtype=np.int64)
    scale = weight_milli(weights)
    wish_lookup = (
        _Lookup(population.mentee_wishes, population.mentors.size),
        _Lookup(population.mentor_wishes, population.mentors.size),
    )
    for start in range(0, len(mentees), SCORE_CHUNK):
        stop = min(start + SCORE_CHUNK, len(mentees))
        rows, cols = mentees[start:stop], mentors[start:stop]
        fractions = _fractions(population, rows, cols, wish_lookup)
        for column, (numerator, denominator) in enumerate(fractions):
            out[start:stop, column] = _weighted(scale[column], numerator, denominator)
    return out


def _weighted(scale: np.int64, numerator: IntArray, denominator: IntArray) -> IntArray:
    """Return round-half-up(scale * numerator / denominator), zero where the denominator is 0."""
    safe = np.maximum(denominator, 1)
    value = (2 * scale * numerator + safe) // (2 * safe)
    return np.where(denominator > 0, value, 0)


class _Lookup:
    """Find the value stored for (mentee, mentor) pairs in a PairSet, 0 when absent."""

    def __init__(self, pairs: PairSet, mentor_count: int) -> None:
        self.keys, self.values = pairs.sorted_keys(mentor_count)
        self.mentor_count = mentor_count

    def __call__(self, mentees: IntArray, mentors: IntArray) -> IntArray:
        if len(self.keys) == 0:
            return np.zeros(len(mentees), dtype=np.int64)
        keys = mentees * self.mentor_count + mentors
        at = np.minimum(np.searchsorted(self.keys, keys), len(self.keys) - 1)
        return np.where(self.keys[at] == keys, self.values[at], 0)


def _row_dot(left: sp.csr_matrix, right: sp.csr_matrix, rows: IntArray, cols: IntArray) -> IntArray:
    """Return sum over columns of left[rows] * right[cols], pair by pair."""
    if left.shape[1] == 0 or len(rows) == 0:
        return np.zeros(len(rows), dtype=np.int64)
    product = left[rows].multiply(right[cols])
    return np.asarray(product.sum(axis=1), dtype=np.int64).ravel()


def _row_sum(matrix: sp.csr_matrix) -> IntArray:
    """Return the row sums of a sparse integer matrix."""
    return np.asarray(matrix.sum(axis=1), dtype=np.int64).ravel()


def _fractions(
    population: Population, rows: IntArray, cols: IntArray, wishes: tuple[_Lookup, _Lookup]
) -> list[tuple[IntArray, IntArray]]:
    """Return (numerator, denominator) per criterion, in CRITERIA order, all integers."""
    mentees, mentors = population.mentees, population.mentors
    ones = np.ones(len(rows), dtype=np.int64)
    topic = _row_dot(mentees.learn, mentors.teach, rows, cols)
    reverse = _row_dot(mentors.learn, mentees.teach, cols, rows)
    shared = _row_dot(mentees.interests, mentors.interests, rows, cols)
    union = _row_sum(mentees.interests)[rows] + _row_sum(mentors.interests)[cols] - shared
    wish = wishes[0](rows, cols) + wishes[1](rows, cols)
    dept_left, dept_right = mentees.department[rows], mentors.department[cols]
    cross_dept = (dept_left >= 0) & (dept_right >= 0) & (dept_left != dept_right)
    band_left, band_right = mentees.generation[rows], mentors.generation[cols]
    known = (band_left >= 0) & (band_right >= 0)
    band_gap = np.where(known, np.minimum(np.abs(band_left - band_right), GENERATION_SPAN), 0)
    return [
        (topic, MAX_TOPIC_LEVEL * _row_sum(mentees.learn)[rows]),
        (reverse, MAX_TOPIC_LEVEL * _row_sum(mentors.learn)[cols]),
        (shared, union),
        (wish, 2 * WISH_RANKS * ones),
        (cross_dept.astype(np.int64), ones),
        (band_gap, GENERATION_SPAN * ones),
        _availability(population, rows, cols),
    ]


def _availability(
    population: Population, rows: IntArray, cols: IntArray
) -> tuple[IntArray, IntArray]:
    """Overlap of weekly slots over the smaller set; half credit when either side is unknown."""
    left = _row_sum(population.mentees.availability)[rows]
    right = _row_sum(population.mentors.availability)[cols]
    overlap = _row_dot(population.mentees.availability, population.mentors.availability, rows, cols)
    unknown = (left == 0) | (right == 0)
    numerator = np.where(unknown, 1, overlap)
    denominator = np.where(unknown, 2, np.minimum(left, right))
    return numerator, denominator
