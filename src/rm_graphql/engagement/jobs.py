"""Periodic engagement checks, registered with the job layer (imported by every worker)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from rm_graphql.engagement import repository
from rm_graphql.ids import global_id
from rm_graphql.jobs.queue import JobQueue
from rm_graphql.jobs.registry import default_registry
from rm_graphql.models import Pair
from rm_graphql.pairing.service import pair_event
from rm_graphql.webhooks.service import enqueue_event

# Feedback falls due an hour after a session; sessions older than two weeks are left alone.
DUE_AFTER = timedelta(hours=1)
TOO_OLD = timedelta(days=14)


async def request_feedback(session: AsyncSession, queue: JobQueue | None, at: datetime) -> int:
    """One `feedback.due` event per held session, so the host can nudge both people."""
    held = await repository.sessions_awaiting_feedback(session, at - DUE_AFTER, at - TOO_OLD)
    for meeting in held:
        pair = await session.get_one(Pair, meeting.pair_id)
        payload = pair_event(pair, sessionId=global_id("MentoringSession", meeting.id))
        await enqueue_event(session, queue, meeting.tenant_id, "feedback.due", payload)
        meeting.feedback_requested_at = at
    await session.flush()
    return len(held)


@default_registry.periodic_check("feedback_due", cron="*/15 * * * *")
async def feedback_due(session: AsyncSession, queue: JobQueue, at: datetime) -> None:
    """Every quarter hour, once across all workers."""
    await request_feedback(session, queue, at)
