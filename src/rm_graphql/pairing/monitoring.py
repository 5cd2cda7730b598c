"""Idle pairs: warned after a quiet spell, concluded as CONCLUDED_IDLE after a longer one."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from rm_graphql.models import Pair
from rm_graphql.models.enums import PairStatus
from rm_graphql.pairing import repository, service
from rm_graphql.pairing.service import pair_event
from rm_graphql.tenancy.service import system_actor
from rm_graphql.webhooks.service import enqueue_event

if TYPE_CHECKING:
    from rm_graphql.jobs.queue import JobQueue

MONITOR = "system:idle-pair-monitor"
SHORTEST_WARNING_DAYS = 1


def idle_days(pair: Pair, at: datetime) -> int:
    last = pair.last_session_at or pair.activated_at or at
    return (at - last).days


async def check_idle_pairs(session: AsyncSession, queue: JobQueue | None, at: datetime) -> None:
    """Warn quiet pairs once per quiet spell; conclude the ones quiet for too long."""
    quiet = await repository.quiet_active_pairs(session, at - timedelta(days=SHORTEST_WARNING_DAYS))
    for pair, warning_days, conclude_days in quiet:
        days = idle_days(pair, at)
        if days >= conclude_days:
            actor = system_actor(pair.tenant_id, MONITOR)
            reason = f"no session for {days} days"
            await service.end(session, actor, pair, PairStatus.CONCLUDED_IDLE, reason)
            payload = pair_event(pair, idleDays=days, reason=reason)
            await enqueue_event(session, queue, pair.tenant_id, "pair.concluded", payload)
        elif days >= warning_days and not _warned_this_spell(pair):
            pair.idle_warned_at = at
            payload = pair_event(pair, idleDays=days, concludesInDays=conclude_days - days)
            await enqueue_event(session, queue, pair.tenant_id, "pair.idle_warning", payload)
    await session.flush()


def _warned_this_spell(pair: Pair) -> bool:
    last = pair.last_session_at or pair.activated_at
    return pair.idle_warned_at is not None and (last is None or pair.idle_warned_at > last)
