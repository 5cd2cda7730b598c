"""A deterministic, realistic organisation that fake HRIS servers serve and mutate."""

from __future__ import annotations

import hashlib
import math
import random
import unicodedata
import uuid
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from rm_graphql.testing.org_data import (
    BUSINESS_SKILLS,
    DEPARTMENTS,
    DIGITAL_SKILLS,
    EXTRA_LANGUAGES,
    FIRST_NAMES,
    INTERESTS,
    LAST_NAMES,
    SITES,
    Site,
    job_title,
)

DEFAULT_START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
ACTIVE, LEAVE, TERMINATED = "ACTIVE", "LEAVE", "TERMINATED"


@dataclass(slots=True)
class Person:
    """One employee as the fake HRIS knows it, with every vendor's id for them."""

    number: int
    first_name: str
    last_name: str
    email: str
    department: str
    level: int
    manager: int | None
    site: Site
    languages: list[str]
    skills: list[str]
    interests: list[str]
    hire_date: date
    birth_date: date
    last_changed: datetime
    status: str = ACTIVE
    termination_date: date | None = None
    preferred_name: str | None = None
    job_title: str = ""
    bamboo_id: str = ""
    workday_id: str = ""
    scim_id: str = ""
    employee_number: str = ""

    @property
    def display_name(self) -> str:
        """Preferred (or first) name and last name."""
        return f"{self.preferred_name or self.first_name} {self.last_name}"

    @property
    def division(self) -> str:
        """The division the department belongs to."""
        return DEPARTMENTS.get(self.department, ("Corporate", ""))[0]


@dataclass(frozen=True, slots=True)
class Changes:
    """What one `advance` did, by person number."""

    joined: tuple[int, ...]
    left: tuple[int, ...]
    updated: tuple[int, ...]
    deleted: tuple[int, ...]


@dataclass
class Organisation:
    """A company of `size` people built from `seed`; `advance` adds joiners and leavers."""

    seed: int = 7
    size: int = 200
    now: datetime = DEFAULT_START
    generation: int = 0
    next_number: int = 1
    people: dict[int, Person] = field(default_factory=dict)
    deleted: dict[int, tuple[Person, datetime]] = field(default_factory=dict)
    _emails: set[str] = field(default_factory=set, repr=False)

    def __post_init__(self) -> None:
        if not self.people:
            _OrgBuilder(self, random.Random(self.seed)).build()

    def current(self) -> list[Person]:
        """Everyone on the books (active, on leave and terminated), in hiring order."""
        return list(self.people.values())

    def employed(self) -> list[Person]:
        """Active people and people on leave."""
        return [person for person in self.people.values() if person.status != TERMINATED]

    def by_number(self, number: int) -> Person:
        """Look a person up by internal number."""
        return self.people[number]

    def advance(self, days: int = 7) -> Changes:
        """Move the clock on and apply joiners, leavers, updates and a purge, deterministically."""
        self.generation += 1
        self.now += timedelta(days=days)
        rng = random.Random(f"{self.seed}:{self.generation}")
        builder = _OrgBuilder(self, rng)
        count = max(1, round(len(self.employed()) * days * 0.0005))
        return Changes(
            joined=tuple(builder.hire() for _ in range(count)),
            left=tuple(builder.terminate() for _ in range(count)),
            updated=tuple(builder.update() for _ in range(count)),
            deleted=builder.purge(),
        )

    def touch(self) -> datetime:
        """A fresh change timestamp: strictly increasing within one generation."""
        self.now += timedelta(seconds=1)
        return self.now


class _OrgBuilder:
    """Creates and mutates people with one random generator."""

    def __init__(self, org: Organisation, rng: random.Random) -> None:
        self.org = org
        self.rng = rng
        self._managers: list[Person] | None = None
        self._leaver_pool: list[Person] | None = None

    def build(self) -> None:
        """Create the CEO, department heads and a breadth-first management tree."""
        ceo = self.person(level=10, department="Executive", manager=None, site=SITES[0])
        queue: deque[Person] = deque()
        for department in list(DEPARTMENTS)[: self.org.size - 1]:
            queue.append(self.person(9, department, ceo, self.rng.choice(SITES)))
        step = _level_step(self.org.size)
        while len(self.org.people) < self.org.size:
            manager = queue.popleft() if queue else self.random_manager()
            for _ in range(self.rng.randint(3, 8)):
                if len(self.org.people) >= self.org.size:
                    break
                drop = max(1, round(step * self.rng.uniform(0.6, 1.4)))
                level = max(1, manager.level - drop)
                report = self.person(level, manager.department, manager, self.nearby(manager))
                if level >= 3:
                    queue.append(report)
        self.seed_statuses()

    def seed_statuses(self) -> None:
        """Mark about 3% as terminated and 1% on leave (never people who manage others)."""
        managers = {person.manager for person in self.org.people.values()}
        candidates = [p for p in self.org.people.values() if p.number not in managers]
        leavers = max(1, round(len(candidates) * 0.03))
        on_leave = max(1, round(len(candidates) * 0.01))
        picked = self.rng.sample(candidates, k=min(len(candidates), leavers + on_leave))
        for person in picked[:leavers]:
            person.status = TERMINATED
            days_ago = self.rng.randint(2, 400)
            person.termination_date = self.org.now.date() - timedelta(days=days_ago)
            person.hire_date = min(person.hire_date, person.termination_date - timedelta(30))
            person.last_changed = _midnight(person.termination_date) + timedelta(hours=10)
        for person in picked[leavers:]:
            person.status = LEAVE

    def person(self, level: int, department: str, manager: Person | None, site: Site) -> Person:
        """Create and register one person with plausible attributes for their level."""
        rng, org = self.rng, self.org
        number = org.next_number
        org.next_number += 1
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        age = int(max(19, min(67, 21 + level * 3.2 + rng.gauss(0, 4))))
        today = org.now.date()
        birth = date(today.year - age, rng.randint(1, 12), rng.randint(1, 28))
        tenure_days = int(rng.uniform(0, min(age - 19, 2 + level * 2.5)) * 365)
        hire = today - timedelta(days=tenure_days + (0 if org.generation else 1))
        changed = org.now - timedelta(days=rng.randint(1, 700), seconds=rng.randint(0, 86_399))
        person = Person(
            number=number,
            first_name=first,
            last_name=last,
            email=self.email(first, last),
            department=department,
            level=level,
            manager=manager.number if manager else None,
            site=site,
            languages=self.languages(site),
            skills=self.skills(age, level),
            interests=rng.sample(INTERESTS, k=rng.randint(2, 4)),
            hire_date=hire,
            birth_date=birth,
            last_changed=max(changed, _midnight(hire) + timedelta(seconds=rng.randint(0, 86_399))),
            preferred_name=first[:3] if rng.random() < 0.05 else None,
            job_title=job_title(department, level),
        )
        _assign_ids(person, org.seed)
        org.people[number] = person
        return person

    def email(self, first: str, last: str) -> str:
        """A unique ASCII work email."""
        local = _ascii(f"{first}.{last}").lower().replace("'", "")
        candidate, suffix = f"{local}@example.com", 1
        while candidate in self.org._emails:
            suffix += 1
            candidate = f"{local}{suffix}@example.com"
        self.org._emails.add(candidate)
        return candidate

    def languages(self, site: Site) -> list[str]:
        """The working language, the local one, sometimes one more."""
        spoken = dict.fromkeys(["English", site.language])
        if self.rng.random() < 0.25:
            spoken.setdefault(self.rng.choice(EXTRA_LANGUAGES), None)
        return list(spoken)

    def skills(self, age: int, level: int) -> list[str]:
        """Digital skills lean young, business skills lean senior."""
        digital = self.rng.randint(2, 4) if age < 32 else self.rng.randint(0, 2)
        business = self.rng.randint(2, 4) if level >= 5 else self.rng.randint(0, 1)
        picked = self.rng.sample(DIGITAL_SKILLS, digital) + self.rng.sample(
            BUSINESS_SKILLS, business
        )
        return picked or [self.rng.choice(DIGITAL_SKILLS)]

    def nearby(self, manager: Person) -> Site:
        """Mostly the manager's site, sometimes another."""
        return manager.site if self.rng.random() < 0.7 else self.rng.choice(SITES)

    def random_manager(self) -> Person:
        """An employed person at level 3 or above who can take another report."""
        if self._managers is None:
            employed = self.org.employed()
            self._managers = [p for p in employed if p.level >= 3 and p.department != "Executive"]
        return self.rng.choice(self._managers)

    def hire(self) -> int:
        """Add a joiner under an existing manager."""
        manager = self.random_manager()
        level = max(1, manager.level - self.rng.choice((1, 2)))
        person = self.person(level, manager.department, manager, self.nearby(manager))
        person.hire_date = self.org.now.date()
        person.last_changed = self.org.touch()
        return person.number

    def terminate(self) -> int:
        """Terminate an employed person who manages nobody."""
        if self._leaver_pool is None:
            managers = {p.manager for p in self.org.employed()}
            self._leaver_pool = [p for p in self.org.employed() if p.number not in managers]
        person = self._leaver_pool.pop(self.rng.randrange(len(self._leaver_pool)))
        person.status = TERMINATED
        person.termination_date = self.org.now.date()
        person.last_changed = self.org.touch()
        return person.number

    def update(self) -> int:
        """Promote someone or move them to another office."""
        pool = self._managers or self.org.employed()
        person = self.rng.choice([p for p in pool if 1 < p.level < 8 and p.status != TERMINATED])
        if self.rng.random() < 0.5:
            person.level += 1
            person.job_title = job_title(person.department, person.level)
        else:
            person.site = self.rng.choice([site for site in SITES if site != person.site])
            person.languages = self.languages(person.site)
        person.last_changed = self.org.touch()
        return person.number

    def purge(self) -> tuple[int, ...]:
        """Delete one long-terminated record, as a data-retention purge would."""
        today = self.org.now.date()
        leavers = [
            p
            for p in self.org.people.values()
            if p.status == TERMINATED and p.termination_date and p.termination_date < today
        ]
        if not leavers:
            return ()
        person = min(leavers, key=lambda p: (p.termination_date or date.min, p.number))
        del self.org.people[person.number]
        self.org.deleted[person.number] = (person, self.org.touch())
        return (person.number,)


def _level_step(size: int) -> float:
    """Levels to drop per management layer so that the bottom layer reaches level 1."""
    layers = max(1.0, math.log(max(size / 8, 1.0)) / math.log(5.5))
    return max(1.0, 8 / (layers + 0.5))


def _assign_ids(person: Person, seed: int) -> None:
    """Derive each vendor's stable id for a person."""
    digest = hashlib.sha256(f"{seed}:{person.number}".encode()).hexdigest()
    person.bamboo_id = str(100 + person.number)
    person.workday_id = digest[:32]
    person.scim_id = str(uuid.UUID(digest[32:64]))
    person.employee_number = f"E{10000 + person.number}"


def _midnight(day: date) -> datetime:
    """The start of a day in UTC."""
    return datetime.combine(day, datetime.min.time(), UTC)


def _ascii(text: str) -> str:
    """Strip accents for email local parts."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
