"""Scores: exact integer breakdowns that add up, matching a plain reference formula."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import given, settings

from rm_graphql.pairing.inputs import MatchRequest, Person, Rules, Weights, generation_of
from rm_graphql.pairing.population import build_population
from rm_graphql.pairing.scoring import CRITERIA, score_pairs
from rm_graphql.pairing.solver import match

from .helpers import people


def _round(weight: float, value: Fraction) -> int:
    exact = Fraction(round(weight * 1000)) * value
    return int(exact + Fraction(1, 2)) if exact >= 0 else 0


def _wish(person: Person, other: str) -> int:
    if other not in person.wishes:
        return 0
    return max(5 - person.wishes.index(other), 1)


def reference_breakdown(mentee: Person, mentor: Person, weights: Weights) -> dict[str, int]:
    """Plain per-pair formulas, independent of the vectorised engine."""

    def coverage(learner: Person, teacher: Person) -> Fraction:
        total = sum(learner.learn_topics.values())
        got = sum(
            level * teacher.teach_topics.get(t, 0) for t, level in learner.learn_topics.items()
        )
        return Fraction(got, 5 * total) if total else Fraction(0)

    union = mentee.interests | mentor.interests
    shared = (
        Fraction(len(mentee.interests & mentor.interests), len(union)) if union else Fraction(0)
    )
    bands = generation_of(mentee.birth_year), generation_of(mentor.birth_year)
    generation = Fraction(min(abs(bands[0] - bands[1]), 3), 3) if None not in bands else Fraction(0)  # type: ignore[operator]
    if mentee.availability and mentor.availability:
        overlap = len(mentee.availability & mentor.availability)
        slots = Fraction(overlap, min(len(mentee.availability), len(mentor.availability)))
    else:
        slots = Fraction(1, 2)
    cross = bool(mentee.department and mentor.department and mentee.department != mentor.department)
    values = {
        "topic_coverage": coverage(mentee, mentor),
        "reverse_learning": coverage(mentor, mentee),
        "shared_interests": shared,
        "preference": Fraction(_wish(mentee, mentor.id) + _wish(mentor, mentee.id), 10),
        "cross_department": Fraction(int(cross)),
        "cross_generation": generation,
        "availability": slots,
    }
    return {name: _round(getattr(weights, name), value) for name, value in values.items()}


@settings(max_examples=60, deadline=None)
@given(population=people())
def test_vectorised_scores_equal_the_reference_formulas(population: tuple[Person, ...]) -> None:
    weights = Weights(preference=13.3, availability=7.7)
    request = MatchRequest(people=population, rules=Rules(weights=weights))
    encoded = build_population(population, request)
    import numpy as np

    rows = np.repeat(np.arange(encoded.mentees.size), encoded.mentors.size)
    cols = np.tile(np.arange(encoded.mentors.size), encoded.mentees.size)
    table = score_pairs(encoded, rows, cols, weights)
    person = {p.id: p for p in population}
    for k, (e, r) in enumerate(zip(rows, cols, strict=True)):
        mentee, mentor = person[encoded.mentees.ids[e]], person[encoded.mentors.ids[r]]
        expected = reference_breakdown(mentee, mentor, weights)
        assert dict(zip([c.value for c in CRITERIA], table[k].tolist(), strict=True)) == expected


def test_breakdown_adds_up_to_the_score() -> None:
    mentee = Person(
        "boss",
        "mentee",
        job_level=9,
        languages=frozenset({"en"}),
        learn_topics={"ai": 5},
        interests=frozenset({"golf"}),
        wishes=("kid",),
        birth_year=1960,
        department="sales",
    )
    mentor = Person("kid", "mentor", job_level=2, languages=frozenset({"en"}), teach_topics={"ai": 4},
                    interests=frozenset({"golf", "chess"}), birth_year=2000, department="it")  # fmt: skip
    pair = match(MatchRequest(people=(mentee, mentor))).pairs[0]
    assert pair.score_milli == sum(pair.breakdown_milli.values())
    assert pair.breakdown_milli == {
        "topic_coverage": 32000,  # 40 * (5*4)/(5*5)
        "reverse_learning": 0,
        "shared_interests": 5000,  # 10 * 1/2
        "preference": 7500,  # 15 * (5 + 0)/10
        "cross_department": 5000,
        "cross_generation": 5000,  # Boomers -> Gen Z is 3 bands
        "availability": 5000,  # unknown availability earns half
    }
    assert abs(pair.score - sum(pair.breakdown.values())) < 1e-9
