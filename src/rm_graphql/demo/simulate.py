"""A few simulated weeks: sessions, goals on both sides, feedback and self-assessments."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from rich.progress import Progress
from sqlalchemy.ext.asyncio import AsyncSession

from rm_graphql.demo.cohort import Volunteer
from rm_graphql.demo.scenario import Demo, participant
from rm_graphql.engagement import service as engagement
from rm_graphql.engagement.assessments import AssessmentSpec, record_assessment
from rm_graphql.engagement.feedback import FeedbackSpec, submit_feedback
from rm_graphql.engagement.service import GoalProgress, GoalSpec, SessionLog
from rm_graphql.models import Pair
from rm_graphql.models.enums import AssessmentPhase, GoalStatus, Side
from rm_graphql.tenancy.service import Actor

WEEKS = 6
DIMENSIONS = ("usefulness", "comfort", "respect", "would_recommend")


async def start_weeks_ago(
    session: AsyncSession, _actor: Actor, pair_ids: list[int], weeks: int
) -> None:
    """The simulation clock: these pairs went live `weeks` ago."""
    for pair_id in pair_ids:
        pair = await session.get_one(Pair, pair_id)
        pair.activated_at = datetime.now(UTC) - timedelta(weeks=weeks, hours=1)


async def simulate(
    demo: Demo,
    pair_ids: list[int],
    email_of: dict[int, str],
    cohort: dict[str, Volunteer],
    progress: Progress,
) -> None:
    """Each pair meets on its own rhythm; some drift apart, which the KPIs should show."""
    await demo.as_admin(start_weeks_ago, pair_ids, WEEKS)
    rng = random.Random(demo.seed)  # a reproducible demo
    task = progress.add_task("Simulating six weeks", total=len(pair_ids))
    for pair_id in pair_ids:
        pair = await demo.as_admin(_pair, pair_id)
        mentor, mentee = email_of[pair.mentor_id], email_of[pair.mentee_id]
        before = {topic: rng.randint(1, 2) for topic in cohort[mentee].learn}
        await _assess(demo, pair.mentee_id, mentee, before, AssessmentPhase.PRE)
        goals = await _goals(demo, pair_id, mentor, mentee, cohort)
        held = await _meetings(demo, pair_id, (mentor, mentee), cohort, rng)
        await _progress(demo, goals, held, rng)
        if held >= 2:
            after = {topic: min(5, level + 1 + held // 3) for topic, level in before.items()}
            await _assess(demo, pair.mentee_id, mentee, after, AssessmentPhase.POST)
        progress.advance(task)


async def _pair(session: AsyncSession, _actor: Actor, pair_id: int) -> Pair:
    return await session.get_one(Pair, pair_id)


async def _goals(
    demo: Demo, pair_id: int, mentor: str, mentee: str, cohort: dict[str, Volunteer]
) -> list[tuple[str, int]]:
    """A digital goal for the leader, a business goal for the junior."""
    digital = next(iter(cohort[mentee].learn))
    business = next(iter(cohort[mentor].learn))
    ours = GoalSpec(
        pair_id, Side.MENTEE, f"Use {digital.replace('-', ' ')} in my own work", topic=digital
    )
    theirs = GoalSpec(
        pair_id,
        Side.MENTOR,
        f"Understand {business.replace('-', ' ')} from the inside",
        topic=business,
    )
    first = await demo.as_actor(participant(mentee), engagement.set_goal, ours)
    second = await demo.as_actor(participant(mentor), engagement.set_goal, theirs)
    return [(mentee, first.id), (mentor, second.id)]


async def _meetings(
    demo: Demo,
    pair_id: int,
    people: tuple[str, str],
    cohort: dict[str, Volunteer],
    rng: random.Random,
) -> int:
    """Weekly sessions with a pair-specific habit; feedback from both after some of them."""
    habit = rng.choice((0.15, 0.5, 0.8, 0.95, 0.95))
    start = datetime.now(UTC) - timedelta(weeks=WEEKS)
    shared = sorted(set(cohort[people[0]].teach) & set(cohort[people[1]].learn)) or sorted(
        cohort[people[1]].learn
    )
    held = 0
    for week in range(WEEKS):
        if rng.random() > habit:
            continue
        when = start + timedelta(weeks=week, days=rng.randint(0, 4), hours=10)
        minutes = rng.choice((20, 25, 30, 30, 30, 40))
        log = SessionLog(pair_id, when, minutes, topics=shared[:2])
        logged = await demo.as_actor(participant(people[0]), engagement.log_session, log)
        held += 1
        if rng.random() < 0.6:
            for email in people:
                ratings: dict[str, int | None] = {
                    name: min(5, max(1, round(rng.gauss(3.5 + habit, 0.7)))) for name in DIMENSIONS
                }
                spec = FeedbackSpec(
                    pair_id, ratings=ratings, session_id=logged.id, anonymous=rng.random() < 0.3
                )
                await demo.as_actor(participant(email), submit_feedback, spec)
    return held


async def _progress(
    demo: Demo, goals: list[tuple[str, int]], held: int, rng: random.Random
) -> None:
    for email, goal_id in goals:
        done = min(100, held * rng.randint(12, 22))
        status = GoalStatus.ACHIEVED if done >= 100 else GoalStatus.IN_PROGRESS if done else None
        if done:
            await demo.as_actor(
                participant(email),
                engagement.update_goal_progress,
                GoalProgress(goal_id, done, status),
            )


async def _assess(
    demo: Demo, participant_id: int, email: str, levels: dict[str, int], phase: AssessmentPhase
) -> None:
    """Self-assessed levels on what the mentee came to learn, before or after."""
    for topic, level in levels.items():
        spec = AssessmentSpec(participant_id, topic, level, phase)
        await demo.as_actor(participant(email), record_assessment, spec)
