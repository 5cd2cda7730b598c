"""Small random populations and independent reference answers for the pairing tests."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st
from scipy.optimize import linear_sum_assignment

from rm_graphql.pairing.eligibility import eligible_pairs, person_exclusions
from rm_graphql.pairing.inputs import MatchRequest, Person, Rules, generation_of
from rm_graphql.pairing.population import build_population
from rm_graphql.pairing.scoring import score_pairs
from rm_graphql.pairing.solver import MatchResult

TOPICS = ("ai", "data", "social", "strategy")
DEPARTMENTS = ("it", "sales", "hr", None)
LANGUAGES = ("en", "fr")


@st.composite
def people(draw: st.DrawFn, max_mentees: int = 6, max_mentors: int = 4) -> tuple[Person, ...]:
    """Draw mentees (senior, older) and mentors (junior, younger) with overlapping traits."""
    mentee_count = draw(st.integers(1, max_mentees))
    mentor_count = draw(st.integers(1, max_mentors))
    ids = [f"e{i}" for i in range(mentee_count)] + [f"r{j}" for j in range(mentor_count)]
    return tuple(draw(_person(pid, ids)) for pid in ids)


@st.composite
def _person(draw: st.DrawFn, person_id: str, ids: list[str]) -> Person:
    mentor = person_id.startswith("r")
    others = [i for i in ids if i != person_id]
    topics = st.dictionaries(st.sampled_from(TOPICS), st.integers(1, 5), max_size=3)
    return Person(
        id=person_id,
        role="mentor" if mentor else "mentee",
        job_level=draw(st.one_of(st.none(), st.integers(1, 4) if mentor else st.integers(3, 8))),
        ancestors=frozenset(draw(st.lists(st.sampled_from(others), max_size=1))),
        department=draw(st.sampled_from(DEPARTMENTS)),
        birth_year=draw(st.integers(1990, 2002) if mentor else st.integers(1960, 1995)),
        languages=frozenset(draw(st.lists(st.sampled_from(LANGUAGES), min_size=1, max_size=2))),
        utc_offset_hours=draw(st.sampled_from([0.0, 1.0, -5.0, None])),
        teach_topics=draw(topics),
        learn_topics=draw(topics),
        interests=frozenset(draw(st.lists(st.sampled_from(["golf", "chess", "yoga"]), max_size=2))),
        capacity=draw(st.one_of(st.none(), st.integers(0, 3))) if mentor else None,
        availability=frozenset(draw(st.lists(st.sampled_from(["mon", "tue", "wed"]), max_size=2))),
        wishes=tuple(draw(st.lists(st.sampled_from(others), max_size=2, unique=True))),
        blocks=frozenset(draw(st.lists(st.sampled_from(others), max_size=1))),
        active=draw(st.booleans().map(lambda b: b or mentor)),
        consented=True,
    )


def broken_rules(mentee: Person, mentor: Person, rules: Rules) -> set[str]:
    """Reference check of every pair rule, written independently of the engine."""
    broken = set()
    if rules.direction == "level":
        if mentee.job_level is None or mentor.job_level is None:
            broken.add("LEVEL_UNKNOWN")
        elif mentor.job_level > mentee.job_level - rules.min_level_gap:
            broken.add("LEVEL_GAP")
    else:
        young, old = generation_of(mentor.birth_year), generation_of(mentee.birth_year)
        if young is None or old is None:
            broken.add("BIRTH_YEAR_UNKNOWN")
        elif young <= old:
            broken.add("GENERATION")
    if rules.exclude_reporting_line and (
        mentor.id in mentee.ancestors or mentee.id in mentor.ancestors
    ):
        broken.add("REPORTING_LINE")
    if (
        rules.exclude_same_department
        and mentee.department
        and mentee.department == mentor.department
    ):
        broken.add("SAME_DEPARTMENT")
    if rules.require_shared_language and not mentee.languages & mentor.languages:
        broken.add("NO_SHARED_LANGUAGE")
    limit = rules.max_timezone_diff_hours
    if limit is not None and None not in (mentee.utc_offset_hours, mentor.utc_offset_hours):
        apart = abs(mentee.utc_offset_hours - mentor.utc_offset_hours) % 24  # type: ignore[operator]
        if min(apart, 24 - apart) > limit:
            broken.add("TIMEZONE")
    if mentor.id in mentee.blocks or mentee.id in mentor.blocks:
        broken.add("BLOCKED")
    if rules.group is not None and not set(mentee.learn_topics) & set(mentor.teach_topics):
        broken.add("NO_SHARED_TOPIC")
    return broken


def capacity_of(mentor: Person, rules: Rules) -> int:
    """Reference mentor capacity."""
    return rules.default_capacity if mentor.capacity is None else mentor.capacity


def reference_optimum(
    weights: dict[tuple[str, str], int], capacity: dict[str, int], participation: bool
) -> tuple[int, int]:
    """(matched, score) optimum by SciPy's dense assignment over mentor slots plus dummies."""
    mentees = sorted({e for e, _ in weights})
    slots = [r for r in sorted(capacity) for _ in range(capacity[r])]
    if not mentees or not slots:
        return 0, 0
    bonus = sum(max(w for (e2, _), w in weights.items() if e2 == e) for e in mentees) + 1
    gain = np.zeros((len(mentees), len(slots) + len(mentees)), dtype=np.int64)
    allowed = np.zeros_like(gain, dtype=bool)
    for i, e in enumerate(mentees):
        for k, r in enumerate(slots):
            if (e, r) in weights:
                gain[i, k] = weights[e, r] + (bonus if participation else 0)
                allowed[i, k] = True
        allowed[i, len(slots) + i] = True
    cost = np.where(allowed, -gain, 10**15)
    rows, cols = linear_sum_assignment(cost)
    picked = [(i, k) for i, k in zip(rows, cols, strict=True) if k < len(slots)]
    return len(picked), sum(weights[mentees[i], slots[k]] for i, k in picked)


def solver_pairs(result: MatchResult) -> list[tuple[str, str]]:
    """The (mentor, mentee) ids of a result."""
    return [(p.mentor_id, p.mentee_id) for p in result.pairs]


def engine_weights(request: MatchRequest) -> dict[tuple[str, str], int]:
    """Score of every eligible (mentee id, mentor id) pair, as the engine computes it."""
    excluded = person_exclusions(request.people, request.rules)
    participants = [p for p in request.people if p.id not in excluded]
    population = build_population(participants, request)
    eligible = eligible_pairs(population, request.rules)
    totals = score_pairs(population, eligible.mentees, eligible.mentors, request.rules.weights)
    return {
        (population.mentees.ids[e], population.mentors.ids[r]): int(total)
        for e, r, total in zip(eligible.mentees, eligible.mentors, totals.sum(axis=1), strict=True)
    }
