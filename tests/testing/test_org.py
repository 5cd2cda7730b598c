"""The generated organisation: deterministic, realistic, and changing between runs."""

from __future__ import annotations

from collections import Counter
from zoneinfo import ZoneInfo

from rm_graphql.testing import Organisation
from rm_graphql.testing.org import ACTIVE, LEAVE, TERMINATED
from rm_graphql.testing.org_data import DEPARTMENTS


def snapshot(org: Organisation) -> list[tuple[object, ...]]:
    return [
        (p.bamboo_id, p.workday_id, p.email, p.level, p.manager, p.status, p.birth_date)
        for p in org.current()
    ]


def test_same_seed_same_company_different_seed_different_company() -> None:
    assert snapshot(Organisation(seed=3, size=300)) == snapshot(Organisation(seed=3, size=300))
    assert snapshot(Organisation(seed=3, size=300)) != snapshot(Organisation(seed=4, size=300))


def test_hierarchy_has_one_ceo_and_managers_outrank_reports() -> None:
    org = Organisation(seed=2, size=2000)
    people = org.people
    assert len(people) == 2000
    ceos = [p for p in people.values() if p.manager is None]
    assert [(c.level, c.job_title) for c in ceos] == [(10, "Chief Executive Officer")]
    for person in people.values():
        if person.manager is not None:
            assert people[person.manager].level > person.level
    heads = {p.department for p in people.values() if p.manager == ceos[0].number}
    assert heads == set(DEPARTMENTS)


def test_realistic_spread_of_levels_ages_places_and_statuses() -> None:
    org = Organisation(seed=5, size=3000)
    people = org.current()
    levels = Counter(p.level for p in people)
    assert set(levels) == set(range(1, 11))
    assert levels[1] + levels[2] + levels[3] > len(people) / 2  # juniors are the majority
    years = [p.birth_date.year for p in people]
    assert min(years) < 1975
    assert max(years) > 2000
    for person in people:
        ZoneInfo(person.site.timezone)
        assert "English" in person.languages
        assert person.skills
        assert 2 <= len(person.interests) <= 4
        assert person.hire_date > person.birth_date.replace(year=person.birth_date.year + 16)
    statuses = Counter(p.status for p in people)
    assert statuses[TERMINATED] > 0
    assert statuses[LEAVE] > 0
    assert statuses[ACTIVE] > 0.9 * len(people)
    assert len({p.email for p in people}) == len(people)
    assert all(p.termination_date for p in people if p.status == TERMINATED)


def test_advance_applies_deterministic_joiners_leavers_and_updates() -> None:
    first, second = Organisation(seed=9, size=500), Organisation(seed=9, size=500)
    before = {p.number: (p.level, p.site, p.status) for p in first.current()}
    changes = first.advance(days=30)
    assert changes == second.advance(days=30)
    assert first.generation == 1
    assert changes.joined
    assert changes.left
    assert changes.updated
    assert changes.deleted
    for number in changes.joined:
        assert number not in before
        assert first.people[number].hire_date == first.now.date()
    for number in changes.left:
        assert first.people[number].status == TERMINATED
        assert first.people[number].termination_date == first.now.date()
    for number in changes.updated:
        assert (first.people[number].level, first.people[number].site) != before[number][:2]
    for number in changes.deleted:
        assert number not in first.people
        assert first.deleted[number][0].status == TERMINATED
    stamps = [first.people[n].last_changed for n in (*changes.joined, *changes.left)]
    assert len(set(stamps)) == len(stamps)
    assert max(stamps) <= first.now


def test_no_employed_person_reports_to_a_leaver() -> None:
    org = Organisation(seed=4, size=400)
    for _ in range(5):
        org.advance(days=30)
    employed = {p.number for p in org.employed()}
    for person in org.employed():
        assert person.manager is None or person.manager in employed
