"""Encode participants as numpy arrays so rules and scores run vectorised over many pairs."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from .inputs import MatchRequest, Person, Rules, generation_of

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
WISH_RANKS = 5


@dataclass(frozen=True, slots=True)
class PairSet:
    """A set of (mentee index, mentor index) pairs, optionally with a value per pair."""

    mentees: IntArray
    mentors: IntArray
    values: IntArray

    def sorted_keys(self, mentor_count: int) -> tuple[IntArray, IntArray]:
        """Return the sorted pair keys and their values for searchsorted look-ups."""
        keys = self.mentees * mentor_count + self.mentors
        order = np.argsort(keys, kind="stable")
        return keys[order], self.values[order]


@dataclass(frozen=True, slots=True)
class Side:
    """Array view of one side (all mentees or all mentors) in the engine's canonical order."""

    ids: tuple[str, ...]
    job_level: FloatArray
    generation: IntArray
    department: IntArray
    utc_offset: FloatArray
    capacity: IntArray
    languages: sp.csr_matrix
    teach: sp.csr_matrix
    learn: sp.csr_matrix
    interests: sp.csr_matrix
    availability: sp.csr_matrix

    @property
    def size(self) -> int:
        """Number of people on this side."""
        return len(self.ids)


@dataclass(frozen=True, slots=True)
class Population:
    """Both sides plus every pair-level fact the rules and scores need."""

    mentees: Side
    mentors: Side
    departments: tuple[str, ...]
    topics: tuple[str, ...]
    reporting_line: PairSet
    blocked: PairSet
    forbidden: PairSet
    previous: PairSet
    mentee_wishes: PairSet
    mentor_wishes: PairSet

    def mentee_index(self) -> dict[str, int]:
        """Map mentee id to its row index."""
        return {person_id: index for index, person_id in enumerate(self.mentees.ids)}

    def mentor_index(self) -> dict[str, int]:
        """Map mentor id to its column index."""
        return {person_id: index for index, person_id in enumerate(self.mentors.ids)}


def canonical_order(people: Iterable[Person], seed: int) -> list[Person]:
    """Order people by id, or by a seeded hash of the id, so ties break reproducibly."""
    if seed == 0:
        return sorted(people, key=lambda person: person.id)

    def seeded(person: Person) -> tuple[bytes, str]:
        digest = hashlib.blake2b(f"{seed}:{person.id}".encode(), digest_size=8).digest()
        return digest, person.id

    return sorted(people, key=seeded)


def build_population(participants: Sequence[Person], request: MatchRequest) -> Population:
    """Encode the eligible participants of a request in canonical order."""
    ordered = canonical_order(participants, request.seed)
    mentees = [person for person in ordered if person.role == "mentee"]
    mentors = [person for person in ordered if person.role == "mentor"]
    departments = sorted({p.department for p in ordered if p.department})
    topics = sorted({t for p in ordered for t in (*p.teach_topics, *p.learn_topics)})
    vocabularies = _Vocabularies(
        departments={name: code for code, name in enumerate(departments)},
        topics={name: code for code, name in enumerate(topics)},
        languages=_vocabulary(p.languages for p in ordered),
        interests=_vocabulary(p.interests for p in ordered),
        slots=_vocabulary(p.availability for p in ordered),
    )
    mentee_side = _encode_side(mentees, vocabularies, request.rules, is_mentor=False)
    mentor_side = _encode_side(mentors, vocabularies, request.rules, is_mentor=True)
    mentee_at = {p.id: i for i, p in enumerate(mentees)}
    mentor_at = {p.id: i for i, p in enumerate(mentors)}
    pair_set = _PairSetBuilder(mentee_at, mentor_at)
    return Population(
        mentees=mentee_side,
        mentors=mentor_side,
        departments=tuple(departments),
        topics=tuple(topics),
        reporting_line=pair_set.from_people(mentees, mentors, lambda p: p.ancestors),
        blocked=pair_set.from_people(mentees, mentors, lambda p: p.blocks),
        forbidden=pair_set.from_refs((r.mentee_id, r.mentor_id) for r in request.forbids),
        previous=pair_set.from_refs((r.mentee_id, r.mentor_id) for r in request.previous_pairs),
        mentee_wishes=pair_set.wishes(mentees, by_mentee=True),
        mentor_wishes=pair_set.wishes(mentors, by_mentee=False),
    )


@dataclass(frozen=True, slots=True)
class _Vocabularies:
    departments: dict[str, int]
    topics: dict[str, int]
    languages: dict[str, int]
    interests: dict[str, int]
    slots: dict[str, int]


def _vocabulary(groups: Iterable[Iterable[str]]) -> dict[str, int]:
    """Give every distinct label a column number, in sorted order."""
    labels = sorted({label for group in groups for label in group})
    return {label: code for code, label in enumerate(labels)}


def _encode_side(
    people: Sequence[Person], vocab: _Vocabularies, rules: Rules, *, is_mentor: bool
) -> Side:
    """Turn one side's records into arrays and sparse matrices."""
    nan = float("nan")
    return Side(
        ids=tuple(p.id for p in people),
        job_level=np.array([nan if p.job_level is None else p.job_level for p in people]),
        generation=np.array(
            [-1 if (g := generation_of(p.birth_year)) is None else int(g) for p in people],
            dtype=np.int64,
        ),
        department=np.array(
            [vocab.departments.get(p.department or "", -1) for p in people], dtype=np.int64
        ),
        utc_offset=np.array(
            [nan if p.utc_offset_hours is None else p.utc_offset_hours for p in people]
        ),
        capacity=np.array(
            [effective_capacity(p, rules) if is_mentor else 1 for p in people], dtype=np.int64
        ),
        languages=_incidence([p.languages for p in people], vocab.languages),
        teach=_levels([p.teach_topics for p in people], vocab.topics),
        learn=_levels([p.learn_topics for p in people], vocab.topics),
        interests=_incidence([p.interests for p in people], vocab.interests),
        availability=_incidence([p.availability for p in people], vocab.slots),
    )


def effective_capacity(person: Person, rules: Rules) -> int:
    """Return how many mentees a mentor can take under these rules."""
    if rules.group is not None:
        limit = rules.group.max_size
        return limit if person.capacity is None else min(person.capacity, limit)
    return rules.default_capacity if person.capacity is None else person.capacity


def _incidence(groups: Sequence[Iterable[str]], vocabulary: Mapping[str, int]) -> sp.csr_matrix:
    """Build a 0/1 person-by-label matrix."""
    return _levels([dict.fromkeys(group, 1) for group in groups], vocabulary)


def _levels(rows: Sequence[Mapping[str, int]], vocabulary: Mapping[str, int]) -> sp.csr_matrix:
    """Build a person-by-label matrix of integer levels."""
    indptr = [0]
    indices: list[int] = []
    data: list[int] = []
    for row in rows:
        for label, level in sorted(row.items()):
            indices.append(vocabulary[label])
            data.append(int(level))
        indptr.append(len(indices))
    shape = (len(rows), len(vocabulary))
    return sp.csr_matrix(
        (np.array(data, dtype=np.int64), np.array(indices, dtype=np.int64), np.array(indptr)),
        shape=shape,
    )


@dataclass(frozen=True, slots=True)
class _PairSetBuilder:
    mentee_at: Mapping[str, int]
    mentor_at: Mapping[str, int]

    def from_refs(self, refs: Iterable[tuple[str, str]]) -> PairSet:
        """Keep the (mentee id, mentor id) refs whose people both take part."""
        rows = [
            (self.mentee_at[mentee], self.mentor_at[mentor], 0)
            for mentee, mentor in refs
            if mentee in self.mentee_at and mentor in self.mentor_at
        ]
        return _pair_set(rows)

    def from_people(
        self,
        mentees: Sequence[Person],
        mentors: Sequence[Person],
        others: Callable[[Person], Iterable[str]],
    ) -> PairSet:
        """Collect pairs where either side names the other (e.g. ancestors or blocks)."""
        refs = [(p.id, other) for p in mentees for other in others(p)]
        refs += [(other, p.id) for p in mentors for other in others(p)]
        return self.from_refs(sorted(set(refs)))

    def wishes(self, people: Sequence[Person], *, by_mentee: bool) -> PairSet:
        """Collect ranked wishes as pairs valued WISH_RANKS - rank (at least 1)."""
        rows = []
        for person in people:
            seen: set[str] = set()
            for rank, wished in enumerate(person.wishes):
                if wished in seen:
                    continue
                seen.add(wished)
                pair = (person.id, wished) if by_mentee else (wished, person.id)
                if pair[0] in self.mentee_at and pair[1] in self.mentor_at:
                    value = max(WISH_RANKS - rank, 1)
                    rows.append((self.mentee_at[pair[0]], self.mentor_at[pair[1]], value))
        return _pair_set(rows)


def _pair_set(rows: Sequence[tuple[int, int, int]]) -> PairSet:
    """Pack (mentee, mentor, value) rows into arrays, dropping duplicate pairs."""
    unique = sorted({(mentee, mentor): value for mentee, mentor, value in rows}.items())
    array = np.array([(m, r, v) for (m, r), v in unique], dtype=np.int64).reshape(-1, 3)
    return PairSet(
        mentees=array[:, 0].copy(), mentors=array[:, 1].copy(), values=array[:, 2].copy()
    )
