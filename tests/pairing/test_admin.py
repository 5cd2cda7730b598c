"""Admin decisions and modes: pins, kept pairs, group circles, floors and caps."""

from __future__ import annotations

import pytest

from rm_graphql.pairing.inputs import (
    DepartmentFloor,
    GroupMode,
    MatchingInputError,
    MatchRequest,
    PairRef,
    Person,
    Rules,
)  # fmt: skip
from rm_graphql.pairing.solver import match

from .helpers import solver_pairs


def mentee(pid: str, dept: str = "sales", learn: dict[str, int] | None = None) -> Person:
    return Person(pid, "mentee", job_level=8, department=dept, languages=frozenset({"en"}),
                  learn_topics=learn if learn is not None else {"ai": 5})  # fmt: skip


def mentor(pid: str, teach: dict[str, int] | None = None, capacity: int | None = None) -> Person:
    return Person(pid, "mentor", job_level=2, department="it", languages=frozenset({"en"}),
                  teach_topics=teach if teach is not None else {"ai": 5}, capacity=capacity)  # fmt: skip


STAR, WEAK = mentor("star", {"ai": 5}, 1), mentor("weak", {"ai": 1}, 1)


def test_pin_forces_a_pair_the_optimum_would_not_choose() -> None:
    people = (mentee("a"), mentee("b", learn={"ai": 1, "data": 4}), STAR, WEAK)
    free = match(MatchRequest(people=people, rules=Rules(objective="score")))
    assert ("star", "a") in solver_pairs(free)
    pinned = match(MatchRequest(people=people, pins=(PairRef("weak", "a"),)))
    assert ("weak", "a") in solver_pairs(pinned)
    assert ("star", "b") in solver_pairs(pinned)
    assert next(p for p in pinned.pairs if p.mentee_id == "a").origin == "pinned"
    assert pinned.report.status == "OPTIMAL"


def test_kept_pairs_stay_and_use_capacity_for_late_joiners() -> None:
    people = (mentee("a"), mentee("late"), STAR, WEAK)
    result = match(MatchRequest(people=people, kept_pairs=(PairRef("weak", "a"),)))
    assert solver_pairs(result) == [("star", "late"), ("weak", "a")]
    assert [p.origin for p in result.pairs] == ["solver", "kept"]
    assert result.report.objective == sum(p.score for p in result.pairs)


@pytest.mark.parametrize(
    ("pins", "kept", "message"),
    [
        ((PairRef("star", "ghost"),), (), "'ghost' is unknown"),
        ((PairRef("star", "a"),), (PairRef("weak", "a"),), "several fixed pairs"),
        ((PairRef("star", "a"), PairRef("star", "b")), (), "exceed the capacity"),
    ],
)
def test_bad_pins_and_kept_pairs_are_refused(
    pins: tuple[PairRef, ...], kept: tuple[PairRef, ...], message: str
) -> None:
    people = (mentee("a"), mentee("b"), STAR, WEAK)
    with pytest.raises(MatchingInputError, match=message):
        match(MatchRequest(people=people, pins=pins, kept_pairs=kept))


def test_a_pin_that_breaks_a_hard_rule_is_refused_with_the_rule() -> None:
    people = (mentee("a"), STAR)
    with pytest.raises(MatchingInputError, match="FORBIDDEN"):
        match(
            MatchRequest(
                people=people, pins=(PairRef("star", "a"),), forbids=(PairRef("star", "a"),)
            )
        )


def test_group_mode_builds_circles_on_a_shared_topic() -> None:
    learners = tuple(mentee(f"m{i}", learn={"ai": 5} if i < 3 else {"data": 5}) for i in range(5))
    guide = mentor("guide", {"ai": 5, "data": 4})
    other = mentor("other", {"data": 2})
    result = match(
        MatchRequest(people=(*learners, guide, other), rules=Rules(group=GroupMode(2, 3)))
    )
    assert result.report.solver == "HiGHS via PuLP"
    assert result.report.status == "OPTIMAL"
    circles = {c.mentor_id: c for c in result.circles}
    assert circles["guide"].topic == "ai"
    assert circles["guide"].mentee_ids == ("m0", "m1", "m2")
    assert circles["other"].topic == "data"
    assert circles["other"].mentee_ids == ("m3", "m4")


def test_group_mode_drops_a_circle_below_min_size() -> None:
    people = (mentee("a"), mentee("b", learn={"data": 3}), mentor("solo", {"ai": 5}))
    result = match(MatchRequest(people=people, rules=Rules(group=GroupMode(2, 4))))
    assert result.pairs == ()
    assert result.circles == ()
    assert {u.person_id: u.reason for u in result.unmatched}["a"] == "GROUP_RULES"


def test_department_cap_spreads_a_mentor_across_departments() -> None:
    people = (mentee("s1"), mentee("s2"), mentee("h1", dept="hr", learn={"ai": 1, "data": 4}), STAR.__class__(
        **{**{f: getattr(STAR, f) for f in STAR.__slots__}, "capacity": 2}))  # fmt: skip
    capped = match(
        MatchRequest(people=people, rules=Rules(max_mentees_per_mentor_per_department=1))
    )
    departments = sorted(p.mentee_id[0] for p in capped.pairs)
    assert departments == ["h", "s"]
    assert {u.person_id: u.reason for u in capped.unmatched}[
        "s2" if ("star", "s1") in solver_pairs(capped) else "s1"
    ] == "DEPARTMENT_CAP"


def test_department_floor_trades_score_for_coverage() -> None:
    people = (mentee("s1"), mentee("h1", dept="hr", learn={"ai": 1, "data": 4}), STAR)
    plain = match(MatchRequest(people=people, rules=Rules(objective="score")))
    assert solver_pairs(plain) == [("star", "s1")]
    floor = Rules(objective="score", department_floors=(DepartmentFloor("hr", fraction=1.0),))
    assert solver_pairs(match(MatchRequest(people=people, rules=floor))) == [("star", "h1")]
    with_cbc = match(
        MatchRequest(
            people=people,
            rules=Rules(**{**{f: getattr(floor, f) for f in floor.__slots__}, "solver": "cbc"}),
        )
    )
    assert solver_pairs(with_cbc) == [("star", "h1")]
    assert with_cbc.report.status == "OPTIMAL"


def test_unreachable_floor_is_lowered_with_a_warning() -> None:
    stranger = Person("h2", "mentee", job_level=8, department="hr", languages=frozenset({"de"}))
    people = (mentee("s1"), mentee("h1", dept="hr", learn={"ai": 1, "data": 4}), stranger, STAR)
    rules = Rules(objective="score", department_floors=(DepartmentFloor("hr", count=2),))
    result = match(MatchRequest(people=people, rules=rules))
    assert solver_pairs(result) == [("star", "h1")]
    assert result.report.warnings == (
        "floor for 'hr' lowered from 2 to what is reachable: 1 free mentees have candidates",
    )


def test_floors_beyond_capacity_are_reported_infeasible() -> None:
    people = (mentee("h1", dept="hr"), mentee("h2", dept="hr"), STAR)
    rules = Rules(department_floors=(DepartmentFloor("hr", count=2),))
    result = match(MatchRequest(people=people, rules=rules))
    assert result.report.status == "INFEASIBLE"
    assert result.pairs == ()
    assert {u.reason for u in result.unmatched} == {"INFEASIBLE"}
