"""KPI figures as plain data, and the one rule that withholds a figure resting on too few."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

MIN_SAMPLE = 3
WITHHELD_REASON = f"fewer than {MIN_SAMPLE} people, pairs or responses"


class Period(StrEnum):
    WEEK = "WEEK"
    MONTH = "MONTH"


class Generation(StrEnum):
    """Generation bands by birth year (the usual Pew-style cut-offs)."""

    GEN_ALPHA = "GEN_ALPHA"
    GEN_Z = "GEN_Z"
    MILLENNIAL = "MILLENNIAL"
    GEN_X = "GEN_X"
    BABY_BOOMER = "BABY_BOOMER"
    SILENT = "SILENT"
    UNKNOWN = "UNKNOWN"


# The first birth year of each band, youngest first; UNKNOWN has no birth year.
GENERATION_FROM: tuple[tuple[Generation, int], ...] = (
    (Generation.GEN_ALPHA, 2013),
    (Generation.GEN_Z, 1997),
    (Generation.MILLENNIAL, 1981),
    (Generation.GEN_X, 1965),
    (Generation.BABY_BOOMER, 1946),
    (Generation.SILENT, 1900),
)


@dataclass(frozen=True)
class KpiValue:
    """A figure and the number of people, pairs or responses it rests on.

    Withheld (value None) when that number is 1 or 2. With none at all there is nothing to
    hide: a count is 0, an average or a rate has no value.
    """

    value: float | None
    sample_size: int

    @property
    def withheld(self) -> bool:
        return 0 < self.sample_size < MIN_SAMPLE


def measure(value: float | None, sample_size: int, *, digits: int = 4) -> KpiValue:
    """A figure over `sample_size` units, withheld below the minimum sample."""
    if 0 < sample_size < MIN_SAMPLE or value is None:
        return KpiValue(None, sample_size)
    return KpiValue(round(float(value), digits), sample_size)


def ratio(part: float | None, whole: int, *, scale: float = 1.0) -> KpiValue:
    """part ÷ whole; the sample is the whole (invited people, published pairs, ...)."""
    if not whole or part is None:
        return KpiValue(None, int(whole or 0))
    return measure(scale * float(part) / whole, int(whole))


def tally(count: int, sample_size: int) -> KpiValue:
    """A count over `sample_size` units (0 when there are none; withheld for 1 or 2)."""
    return measure(float(count), sample_size) if sample_size else KpiValue(0.0, 0)


def difference(first: KpiValue, second: KpiValue, *, scale: float = 1.0) -> KpiValue:
    """first - second, resting on the smaller of the two samples."""
    sample = min(first.sample_size, second.sample_size)
    if first.value is None or second.value is None:
        return KpiValue(None, sample)
    return measure(scale * (first.value - second.value), sample)


@dataclass(frozen=True)
class ProgramHeader:
    id: int
    name: str
    status: str
    starts_on: date | None
    ends_on: date | None
    session_cap_minutes: int


@dataclass(frozen=True)
class KpiScope:
    """Whose KPIs: one program of a tenant, or (program_id None) all of the tenant's programs."""

    tenant_id: int
    program_id: int | None
    as_of: datetime


@dataclass(frozen=True)
class Participation:
    invited: int
    enrolled: int
    eligible: int
    enrolled_mentors: int
    enrolled_mentees: int
    of_invited: KpiValue
    of_eligible: KpiValue


@dataclass(frozen=True)
class Matching:
    published_pairs: int
    active_pairs: int
    match_rate: KpiValue
    acceptance_rate: KpiValue
    decline_rate: KpiValue
    median_days_to_match: KpiValue
    cross_department_reach: KpiValue


@dataclass(frozen=True)
class Sessions:
    held: int
    minutes: int
    per_pair_per_month: KpiValue
    average_minutes: KpiValue
    share_within_cap: KpiValue


@dataclass(frozen=True)
class GoalCompletion:
    goals: int
    overall: KpiValue
    mentor_side: KpiValue
    mentee_side: KpiValue


@dataclass(frozen=True)
class Satisfaction:
    responses: int
    average: KpiValue
    usefulness: KpiValue
    comfort: KpiValue
    respect: KpiValue
    would_recommend: KpiValue
    nps: KpiValue


@dataclass(frozen=True)
class TopicUplift:
    topic_id: int
    slug: str
    name: str
    pre: KpiValue
    post: KpiValue
    uplift: KpiValue


@dataclass(frozen=True)
class SkillUplift:
    overall: KpiValue
    by_topic: list[TopicUplift] = field(default_factory=list)


@dataclass(frozen=True)
class Retention:
    months: int
    mentors: KpiValue
    matched_mentors: KpiValue
    comparison: KpiValue
    difference_points: KpiValue
    comparison_group_size: KpiValue


@dataclass(frozen=True)
class GenerationShare:
    generation: Generation
    participants: KpiValue
    mentors: KpiValue
    mentees: KpiValue
    share: KpiValue


@dataclass(frozen=True)
class Bucket:
    """One week or month of the time series."""

    starts_on: date
    sessions: KpiValue
    minutes: KpiValue
    new_pairs: KpiValue
    feedback: KpiValue
    satisfaction: KpiValue


@dataclass(frozen=True)
class KpiReport:
    """Everything the dashboard shows for one scope, gathered in one unit of work."""

    scope: KpiScope
    program: ProgramHeader | None
    participation: Participation
    matching: Matching
    sessions: Sessions
    goals: GoalCompletion
    satisfaction: Satisfaction
    uplift: SkillUplift
    retention: Retention
    generations: list[GenerationShare]
    period: Period
    series: list[Bucket]
