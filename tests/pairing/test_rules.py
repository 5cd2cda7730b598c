"""Each hard rule excludes the pair it should, under its own rule code."""

from __future__ import annotations

import pytest

from rm_graphql.pairing.inputs import (
    GroupMode,
    MatchingInputError,
    MatchRequest,
    PairRef,
    Person,
    Rules,
)
from rm_graphql.pairing.solver import match

DEFAULT_RULES = Rules()


def senior(**changes: object) -> Person:
    base = dict(job_level=8, department="sales", birth_year=1965, languages=frozenset({"en"}),
                utc_offset_hours=0.0, learn_topics={"ai": 4})  # fmt: skip
    return Person("boss", "mentee", **{**base, **changes})  # type: ignore[arg-type]


def junior(**changes: object) -> Person:
    base = dict(job_level=2, department="it", birth_year=1999, languages=frozenset({"en"}),
                utc_offset_hours=0.0, teach_topics={"ai": 5})  # fmt: skip
    return Person("kid", "mentor", **{**base, **changes})  # type: ignore[arg-type]


def excluded_by(
    mentee: Person, mentor: Person, rules: Rules = DEFAULT_RULES, **extra: object
) -> dict[str, int]:
    result = match(MatchRequest(people=(mentee, mentor), rules=rules, **extra))  # type: ignore[arg-type]
    assert result.pairs == ()
    (diagnosis,) = [u for u in result.unmatched if u.person_id == "boss"]
    assert diagnosis.reason == "NO_ELIGIBLE_CANDIDATE"
    return dict(diagnosis.excluded_by)


def test_a_compatible_pair_is_matched() -> None:
    assert len(match(MatchRequest(people=(senior(), junior()))).pairs) == 1


@pytest.mark.parametrize(
    ("mentee", "mentor", "rules", "code"),
    [
        (senior(job_level=3), junior(job_level=3), Rules(), "LEVEL_GAP"),
        (senior(job_level=4), junior(job_level=2), Rules(min_level_gap=3), "LEVEL_GAP"),
        (senior(job_level=None), junior(), Rules(), "LEVEL_UNKNOWN"),
        (
            senior(birth_year=1999),
            junior(birth_year=1998),
            Rules(direction="generation"),
            "GENERATION",
        ),
        (senior(), junior(birth_year=None), Rules(direction="generation"), "BIRTH_YEAR_UNKNOWN"),
        (senior(ancestors=frozenset({"kid"})), junior(), Rules(), "REPORTING_LINE"),
        (senior(), junior(ancestors=frozenset({"boss", "ceo"})), Rules(), "REPORTING_LINE"),
        (senior(department="it"), junior(), Rules(exclude_same_department=True), "SAME_DEPARTMENT"),
        (senior(languages=frozenset({"de"})), junior(), Rules(), "NO_SHARED_LANGUAGE"),
        (senior(utc_offset_hours=-8.0), junior(), Rules(max_timezone_diff_hours=3), "TIMEZONE"),
        (senior(blocks=frozenset({"kid"})), junior(), Rules(), "BLOCKED"),
        (senior(), junior(blocks=frozenset({"boss"})), Rules(), "BLOCKED"),
        (
            senior(learn_topics={"golf": 3}),
            junior(),
            Rules(group=GroupMode(1, 3)),
            "NO_SHARED_TOPIC",
        ),
    ],
)
def test_each_rule_excludes_with_its_code(
    mentee: Person, mentor: Person, rules: Rules, code: str
) -> None:
    assert excluded_by(mentee, mentor, rules) == {code: 1}


def test_rules_that_are_off_do_not_exclude() -> None:
    relaxed = Rules(exclude_reporting_line=False, require_shared_language=False)
    mentee = senior(ancestors=frozenset({"kid"}), languages=frozenset({"de"}))
    assert len(match(MatchRequest(people=(mentee, junior()), rules=relaxed)).pairs) == 1


def test_timezones_wrap_around_the_date_line() -> None:
    people = (senior(utc_offset_hours=12.0), junior(utc_offset_hours=-11.0))
    assert (
        len(match(MatchRequest(people=people, rules=Rules(max_timezone_diff_hours=1))).pairs) == 1
    )


def test_forbidden_and_previous_pairs_are_excluded() -> None:
    ref = PairRef(mentor_id="kid", mentee_id="boss")
    assert excluded_by(senior(), junior(), forbids=(ref,)) == {"FORBIDDEN": 1}
    assert excluded_by(senior(), junior(), previous_pairs=(ref,)) == {"PREVIOUSLY_PAIRED": 1}


@pytest.mark.parametrize(
    ("mentor", "code"),
    [
        (junior(active=False), "INACTIVE"),
        (junior(consented=False), "NO_CONSENT"),
        (junior(capacity=0), "NO_CAPACITY"),
    ],
)
def test_people_who_cannot_take_part_are_reported(mentor: Person, code: str) -> None:
    result = match(MatchRequest(people=(senior(), mentor)))
    assert result.pairs == ()
    kid = next(u for u in result.unmatched if u.person_id == "kid")
    assert (kid.reason, kid.detail) == ("EXCLUDED", f"cannot take part: {code}")


@pytest.mark.parametrize(
    ("people", "rules", "message"),
    [
        ((senior(), senior()), Rules(), "duplicate person ids"),
        ((senior(learn_topics={"ai": 9}), junior()), Rules(), "level 9 not in 1..5"),
        ((senior(), junior()), Rules(objective="most"), "objective"),  # type: ignore[arg-type]
        ((senior(), junior()), Rules(default_capacity=-1), "default_capacity"),
    ],
)
def test_bad_requests_raise_a_clear_error(
    people: tuple[Person, ...], rules: Rules, message: str
) -> None:
    with pytest.raises(MatchingInputError, match=message):
        match(MatchRequest(people=people, rules=rules))
