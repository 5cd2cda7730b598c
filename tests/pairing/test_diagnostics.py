"""Every unmatched person gets a reason; near misses name what blocked them."""

from __future__ import annotations

from rm_graphql.pairing.inputs import MatchRequest, Person, Rules, Weights
from rm_graphql.pairing.solver import match


def person(pid: str, role: str, **extra: object) -> Person:
    level = 8 if role == "mentee" else 2
    fields: dict[str, object] = {"job_level": level, "languages": frozenset({"en"}), **extra}
    return Person(pid, role, **fields)  # type: ignore[arg-type]


def reasons(result: object) -> dict[str, str]:
    return {u.person_id: u.reason for u in result.unmatched}  # type: ignore[attr-defined]


def test_capacity_used_by_better_pairs() -> None:
    people = (
        person("keen", "mentee", learn_topics={"ai": 5}),
        person("mild", "mentee", learn_topics={"ai": 1, "golf": 4}),
        person("star", "mentor", teach_topics={"ai": 5}, capacity=1),
        person("late", "mentor", languages=frozenset({"de"})),
    )
    result = match(MatchRequest(people=people, rules=Rules(objective="score")))
    assert [(p.mentor_id, p.mentee_id) for p in result.pairs] == [("star", "keen")]
    diagnosis = {u.person_id: u for u in result.unmatched}
    assert diagnosis["mild"].reason == "CANDIDATES_FULL"
    assert diagnosis["mild"].eligible_candidates == 1
    assert diagnosis["mild"].excluded_by == {"NO_SHARED_LANGUAGE": 1}
    (first, second) = diagnosis["mild"].near_misses
    assert (first.candidate_id, first.blockers) == ("star", ("MENTOR_FULL",))
    assert (second.candidate_id, second.blockers) == ("late", ("NO_SHARED_LANGUAGE",))
    assert first.score_milli > second.score_milli
    assert diagnosis["late"].reason == "NO_ELIGIBLE_CANDIDATE"
    assert diagnosis["late"].excluded_by == {"NO_SHARED_LANGUAGE": 2}


def test_mentor_whose_mentees_went_elsewhere() -> None:
    people = (
        person("boss", "mentee", learn_topics={"ai": 5}),
        person("star", "mentor", teach_topics={"ai": 5}),
        person("spare", "mentor"),
    )
    result = match(MatchRequest(people=people))
    assert reasons(result) == {"spare": "CANDIDATES_MATCHED_ELSEWHERE"}
    (miss,) = next(u for u in result.unmatched if u.person_id == "spare").near_misses
    assert miss.blockers == ("MENTEE_MATCHED_ELSEWHERE",)


def test_no_gain_when_scores_are_zero_in_score_mode() -> None:
    zero = Weights(0, 0, 0, 0, 0, 0, 0)
    people = (person("boss", "mentee"), person("kid", "mentor"))
    result = match(MatchRequest(people=people, rules=Rules(objective="score", weights=zero)))
    assert result.pairs == ()
    assert reasons(result) == {"boss": "NO_GAIN", "kid": "NO_GAIN"}
    participation = match(MatchRequest(people=people, rules=Rules(weights=zero)))
    assert len(participation.pairs) == 1


def test_explain_off_skips_near_misses() -> None:
    people = (person("boss", "mentee"), person("kid", "mentor", languages=frozenset({"fr"})))
    result = match(MatchRequest(people=people, explain=False))
    assert all(u.near_misses == () for u in result.unmatched)
    assert reasons(result) == {"boss": "NO_ELIGIBLE_CANDIDATE", "kid": "NO_ELIGIBLE_CANDIDATE"}
