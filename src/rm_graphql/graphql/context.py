"""The typed per-request context: caller, one lazily opened transaction, and DataLoaders."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Concatenate, ParamSpec, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket

from rm_graphql.auth.principal import Principal
from rm_graphql.config import Settings
from rm_graphql.db import Database
from rm_graphql.errors import NotAllowed
from rm_graphql.tenancy.service import Actor, resolve_actor

if TYPE_CHECKING:
    from rm_graphql.jobs.queue import JobQueue

P = ParamSpec("P")
R = TypeVar("R")


@dataclass
class Context:
    """Everything a resolver may use. Resolvers reach the database only through `run`."""

    request: Request | WebSocket
    response: Response | None
    database: Database
    settings: Settings
    principal: Principal | None
    request_id: str
    readonly: bool = True
    jobs: JobQueue | None = None
    loaders: dict[str, Any] = field(default_factory=dict)
    _session: AsyncSession | None = None
    _actor: Actor | None = None
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def _open(self) -> AsyncSession:
        if self._session is None:
            factory = self.database.read_sessions if self.readonly else self.database.sessions
            self._session = factory()
            await self._session.begin()
        return self._session

    async def run(
        self,
        work: Callable[Concatenate[AsyncSession, Actor, P], Awaitable[R]],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> R:
        """Call a service or repository function with the session and the actor, one at a time.

        graphql-core resolves sibling fields concurrently; one AsyncSession must not be.
        """
        async with self._lock:
            session = await self._open()
            actor = await self._resolve_actor(session)
            return await work(session, actor, *args, **kwargs)

    async def poll(
        self,
        work: Callable[Concatenate[AsyncSession, Actor, P], Awaitable[R]],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> R:
        """Like `run`, in a short transaction of its own: for subscriptions watching rows."""
        async with self._lock, self.database.transaction(readonly=True) as session:
            actor = await self._resolve_actor(session)
            return await work(session, actor, *args, **kwargs)

    async def actor(self) -> Actor:
        """The caller bound to its tenant and employee (resolved once per request)."""
        return await self.run(_current_actor)

    async def _resolve_actor(self, session: AsyncSession) -> Actor:
        if self._actor is None:
            if self.principal is None:
                raise NotAllowed("authentication required")
            self._actor = await resolve_actor(session, self.principal, self.request_id)
        return self._actor

    async def finish(self, *, commit: bool) -> None:
        """End the unit of work: the one commit (or rollback) of this request."""
        session, self._session = self._session, None
        if session is None:
            return
        try:
            if commit:
                await session.commit()
            else:
                await session.rollback()
        finally:
            await session.close()

    def loader(self, name: str, factory: Callable[[], R]) -> R:
        """A DataLoader built once per request."""
        if name not in self.loaders:
            self.loaders[name] = factory()
        loader: R = self.loaders[name]
        return loader


async def _current_actor(_session: AsyncSession, actor: Actor) -> Actor:
    return actor
