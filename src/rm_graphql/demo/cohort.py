"""Who takes part in the demo program, and what each wants to teach and learn."""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from rm_graphql.models import Employee
from rm_graphql.models.enums import EmployeeStatus, ParticipantRole, TopicCategory
from rm_graphql.people.service import TopicSpec
from rm_graphql.testing.org_data import BUSINESS_SKILLS, DIGITAL_SKILLS

CATEGORIES = {
    "Generative AI tools": TopicCategory.AI, "Prompt engineering": TopicCategory.AI,
    "TikTok": TopicCategory.SOCIAL_MEDIA, "Instagram": TopicCategory.SOCIAL_MEDIA,
    "Podcasting": TopicCategory.SOCIAL_MEDIA, "Community building": TopicCategory.SOCIAL_MEDIA,
    "Video editing": TopicCategory.SOCIAL_MEDIA, "Data visualisation": TopicCategory.DATA,
    "Python": TopicCategory.DATA, "SQL": TopicCategory.DATA,
    "Accessibility": TopicCategory.DIVERSITY,
    "Coaching": TopicCategory.LEADERSHIP, "Public speaking": TopicCategory.LEADERSHIP,
    "Change management": TopicCategory.LEADERSHIP, "Crisis management": TopicCategory.LEADERSHIP,
}  # fmt: skip
YOUNGEST_MENTEE_LEVEL = 6
OLDEST_MENTOR_LEVEL = 4


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:63]


def topic_specs() -> list[TopicSpec]:
    """The program's taxonomy: the digital skills juniors teach, the business ones seniors do."""
    digital = [
        TopicSpec(slug(name), name, CATEGORIES.get(name, TopicCategory.DIGITAL_TOOLS))
        for name in DIGITAL_SKILLS
    ]
    business = [
        TopicSpec(slug(name), name, CATEGORIES.get(name, TopicCategory.BUSINESS))
        for name in BUSINESS_SKILLS
    ]
    return digital + business


@dataclass(frozen=True)
class Volunteer:
    """An employee who joins, their role, and their stated topics (slug -> level 1-5)."""

    employee_id: int
    email: str
    role: ParticipantRole
    teach: dict[str, int]
    learn: dict[str, int]


def _digital(skills: Sequence[str]) -> list[str]:
    return [skill for skill in skills if skill in DIGITAL_SKILLS]


def _business(skills: Sequence[str]) -> list[str]:
    return [skill for skill in skills if skill in BUSINESS_SKILLS]


def _volunteer(employee: Employee, role: ParticipantRole, rng: random.Random) -> Volunteer:
    """Mentors teach their digital skills and learn business; mentees the other way round."""
    skills = list(employee.skills or ())
    if role is ParticipantRole.MENTOR:
        teach = _digital(skills) or [rng.choice(DIGITAL_SKILLS)]
        learn = rng.sample(BUSINESS_SKILLS, 2)
    else:
        teach = _business(skills) or [rng.choice(BUSINESS_SKILLS)]
        learn = rng.sample([s for s in DIGITAL_SKILLS if s not in skills], 2)
    return Volunteer(
        employee.id,
        employee.email or "",
        role,
        {slug(name): rng.randint(3, 5) for name in teach},
        {slug(name): rng.randint(2, 5) for name in learn},
    )


async def volunteers(session: AsyncSession, tenant_id: int, seed: int) -> list[Volunteer]:
    """Juniors as mentors, seniors as mentees: about two mentees for every three mentors."""
    rng = random.Random(seed)  # a reproducible demo, not security
    employees = (
        await session.scalars(
            select(Employee)
            .where(Employee.tenant_id == tenant_id, Employee.status == EmployeeStatus.ACTIVE)
            .order_by(Employee.id)
        )
    ).all()
    juniors = [
        e
        for e in employees
        if e.job_level is not None and e.job_level <= OLDEST_MENTOR_LEVEL and e.email
    ]
    seniors = [
        e
        for e in employees
        if e.job_level is not None and e.job_level >= YOUNGEST_MENTEE_LEVEL and e.email
    ]
    mentors = rng.sample(juniors, min(len(juniors), 45))
    mentees = rng.sample(seniors, min(len(seniors), 30))
    return [_volunteer(e, ParticipantRole.MENTOR, rng) for e in mentors] + [
        _volunteer(e, ParticipantRole.MENTEE, rng) for e in mentees
    ]
